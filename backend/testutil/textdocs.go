package testutil

import (
	"archive/zip"
	"bytes"
	"fmt"
	"image/color"
	"strings"
)

// TextPDF writes a PDF by hand whose page i shows pages[i] as one line of
// Helvetica (a standard font: nothing embedded) in WinAnsi encoding, so
// Latin-1 letters like é are text too.
func TextPDF(pages []string) []byte {
	font := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	return pdfDoc(len(pages), 0, font, "", func(i, _ int) (string, string, []string) {
		return "/MediaBox [0 0 600 300] /Resources << /Font << /F1 3 0 R >> >>",
			fmt.Sprintf("BT /F1 18 Tf 40 250 Td (%s) Tj ET", pdfString(pages[i])), nil
	})
}

// PaintedTextPDF is TextPDF with page i filled with fill[i] under its
// line of black text, so a test tells the pages' renders apart by colour.
func PaintedTextPDF(pages []string, fill []color.RGBA) []byte {
	font := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	return pdfDoc(len(pages), 0, font, "", func(i, _ int) (string, string, []string) {
		c := fill[i]
		return "/MediaBox [0 0 600 300] /Resources << /Font << /F1 3 0 R >> >>",
			fmt.Sprintf("%.3f %.3f %.3f rg 0 0 600 300 re f 0 g BT /F1 18 Tf 40 250 Td (%s) Tj ET",
				float64(c.R)/255, float64(c.G)/255, float64(c.B)/255, pdfString(pages[i])), nil
	})
}

// pdfString escapes s for a PDF literal string, Latin-1 letters as octal.
func pdfString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x80:
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, "\\%03o", r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// Zip writes a zip of the named files, in the order given (name, content,
// name, content, …): the way DOCX, PPTX, ODT and EPUB files are made.
func Zip(files ...string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		f, err := w.Create(files[i])
		if err != nil {
			panic(err)
		}
		f.Write([]byte(files[i+1]))
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// DOCX is a minimal Word document whose paragraphs are paras, each split
// into two runs where it has a space (as Word splits runs), a tab between
// the first two words of the first.
func DOCX(paras ...string) []byte {
	var body strings.Builder
	for _, p := range paras {
		a, rest, _ := strings.Cut(p, " ")
		fmt.Fprintf(&body, `<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr><w:r><w:t>%s</w:t></w:r><w:r><w:t xml:space="preserve"> %s</w:t></w:r></w:p>`,
			xmlEscape(a), xmlEscape(rest))
	}
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() +
		`<w:sectPr/></w:body></w:document>`
	return Zip("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml", doc)
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
