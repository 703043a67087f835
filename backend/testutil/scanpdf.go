package testutil

import (
	"bytes"
	"fmt"
	"image/color"
	"image/jpeg"
	"strings"
)

// PDFPage is one page of MixedPDF: a line of text (a text layer), or a
// JPEG picture of W×H pixels filling the page (a scan: no text layer).
type PDFPage struct {
	Text string
	JPEG []byte
	W, H int
}

// MixedPDF writes a PDF by hand whose pages are text lines (as TextPDF's)
// or JPEG pictures drawn over the whole page (DCTDecode, nothing
// re-encoded), so a test has scanned pages beside text pages.
func MixedPDF(pages []PDFPage) []byte {
	// Objects: 1 catalog, 2 pages, 3 font, then per page: page, content,
	// picture (a text page's picture slot is an empty dictionary).
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+3*i)
	}
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"}
	for i, p := range pages {
		content, img := 5+3*i, 6+3*i
		if p.JPEG == nil {
			c := fmt.Sprintf("BT /F1 18 Tf 40 250 Td (%s) Tj ET", pdfString(p.Text))
			objs = append(objs,
				fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 300] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", content),
				fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(c), c), "<< >>")
			continue
		}
		// convert writes a black-and-white picture as a grey JPEG.
		cs := "/DeviceRGB"
		if c, err := jpeg.DecodeConfig(bytes.NewReader(p.JPEG)); err == nil && c.ColorModel == color.GrayModel {
			cs = "/DeviceGray"
		}
		// The page is the picture's size at 144 dpi.
		w, h := float64(p.W)/2, float64(p.H)/2
		c := fmt.Sprintf("q %g 0 0 %g 0 0 cm /Im1 Do Q", w, h)
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Resources << /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>", w, h, img, content),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(c), c),
			fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream",
				p.W, p.H, cs, len(p.JPEG), p.JPEG))
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
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return []byte(b.String())
}
