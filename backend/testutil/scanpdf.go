package testutil

import (
	"bytes"
	"fmt"
	"image/color"
	"image/jpeg"
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
	// Each page has a picture slot of its own after its content (a text
	// page's is an empty dictionary).
	font := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	return pdfDoc(len(pages), 1, font, "", func(i, obj int) (string, string, []string) {
		p := pages[i]
		if p.JPEG == nil {
			return "/MediaBox [0 0 600 300] /Resources << /Font << /F1 3 0 R >> >>",
				fmt.Sprintf("BT /F1 18 Tf 40 250 Td (%s) Tj ET", pdfString(p.Text)), []string{"<< >>"}
		}
		// convert writes a black-and-white picture as a grey JPEG.
		cs := "/DeviceRGB"
		if c, err := jpeg.DecodeConfig(bytes.NewReader(p.JPEG)); err == nil && c.ColorModel == color.GrayModel {
			cs = "/DeviceGray"
		}
		// The page is the picture's size at 144 dpi.
		w, h := float64(p.W)/2, float64(p.H)/2
		return fmt.Sprintf("/MediaBox [0 0 %g %g] /Resources << /XObject << /Im1 %d 0 R >> >>", w, h, obj+2),
			fmt.Sprintf("q %g 0 0 %g 0 0 cm /Im1 Do Q", w, h),
			[]string{fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream",
				p.W, p.H, cs, len(p.JPEG), p.JPEG)}
	})
}
