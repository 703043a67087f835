package testutil

import (
	"fmt"
	"strings"
)

// PDF writes a PDF by hand: pages of 400x300 points, the first with
// a red rectangle from (50,50) to (350,250), an Info dictionary.
func PDF(pages int, info string) []byte {
	return pdfDoc(pages, info, " /Info 3 0 R", func(i int) (string, string) {
		if i == 0 {
			return "/MediaBox [0 0 400 300]", "1 0 0 rg 50 50 300 200 re f"
		}
		return "/MediaBox [0 0 400 300]", "BT ET"
	})
}

// pdfDoc writes a PDF of n pages by hand: object 1 the catalog, 2 the page
// tree, 3 obj3 (a font, an Info dictionary), then each page (its
// dictionary's entries after /Parent and its content stream from page);
// objects in order, the xref table with their offsets, trailer's entries
// added to the trailer's.
func pdfDoc(n int, obj3, trailer string, page func(i int) (entries, content string)) []byte {
	kids := make([]string, n)
	for i := range n {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n),
		obj3}
	for i := range n {
		entries, content := page(i)
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R %s /Contents %d 0 R >>", entries, 5+2*i),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
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
