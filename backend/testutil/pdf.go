package testutil

import (
	"fmt"
	"strings"
)

// PDF writes a PDF by hand: pages of 400x300 points, the first with
// a red rectangle from (50,50) to (350,250), an Info dictionary.
func PDF(pages int, info string) []byte {
	return pdfDoc(pages, 0, info, " /Info 3 0 R", func(i, _ int) (string, string, []string) {
		if i == 0 {
			return "/MediaBox [0 0 400 300]", "1 0 0 rg 50 50 300 200 re f", nil
		}
		return "/MediaBox [0 0 400 300]", "BT ET", nil
	})
}

// pdfDoc writes a PDF of n pages by hand: object 1 the catalog, 2 the page
// tree, 3 obj3 (a font, an Info dictionary), then each page (its
// dictionary's entries after /Parent, its content stream, and extra more
// objects of its own, from page, told the page's object number: its
// content is the next, its own objects after that); objects in order, the
// xref table with their offsets, trailer's entries added to the trailer's.
func pdfDoc(n, extra int, obj3, trailer string, page func(i, obj int) (entries, content string, more []string)) []byte {
	per := 2 + extra
	kids := make([]string, n)
	for i := range n {
		kids[i] = fmt.Sprintf("%d 0 R", 4+per*i)
	}
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n),
		obj3}
	for i := range n {
		obj := 4 + per*i
		entries, content, more := page(i, obj)
		if len(more) != extra {
			panic(fmt.Sprintf("pdfDoc: page %d has %d objects of its own, want %d", i, len(more), extra))
		}
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R %s /Contents %d 0 R >>", entries, obj+1),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
		objs = append(objs, more...)
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailer, xref)
	return []byte(b.String())
}
