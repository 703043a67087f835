package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tagsight/tagsight/backend/testutil"
)

// readText collects what Source.Text yields for a file of that name and
// content.
func readText(t *testing.T, name string, data []byte) ([]TextUnit, error) {
	t.Helper()
	src := NewSource(name, data)
	defer src.Close()
	var out []TextUnit
	err := src.Text(context.Background(), DefaultLimits(), func(u TextUnit) error {
		out = append(out, u)
		return nil
	})
	return out, err
}

func TestTextOfEachKind(t *testing.T) {
	utf16 := []byte{0xff, 0xfe}
	for _, r := range "one\ntwo café" {
		utf16 = append(utf16, byte(r), byte(r>>8))
	}
	pptx := testutil.Zip("[Content_Types].xml", `<Types/>`,
		"ppt/slides/slide1.xml", `<p:sld xmlns:p="p" xmlns:a="a"><p:cSld><a:p><a:r><a:t>Quarterly</a:t></a:r><a:r><a:t> results</a:t></a:r></a:p></p:cSld></p:sld>`,
		"ppt/slides/slide2.xml", `<p:sld xmlns:p="p" xmlns:a="a"><a:p><a:r><a:t>Next steps</a:t></a:r></a:p><a:p><a:r><a:t>Hire</a:t></a:r></a:p></p:sld>`)
	odt := testutil.Zip("mimetype", "application/vnd.oasis.opendocument.text",
		"content.xml", `<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text>`+
			`<text:h>Minutes</text:h><text:p>Budget<text:s/>approved<office:annotation><text:p>a comment</text:p></office:annotation></text:p></office:text></office:body></office:document-content>`)
	odp := testutil.Zip("mimetype", "application/vnd.oasis.opendocument.presentation",
		"content.xml", `<office:document-content xmlns:office="o" xmlns:text="t" xmlns:draw="d"><office:body><office:presentation>`+
			`<draw:page><draw:frame><text:p>Title slide</text:p></draw:frame></draw:page>`+
			`<draw:page><draw:frame><text:p>Roadmap</text:p></draw:frame></draw:page></office:presentation></office:body></office:document-content>`)
	epub := testutil.Zip("mimetype", "application/epub+zip",
		"META-INF/container.xml", `<container><rootfiles><rootfile full-path="OEBPS/book.opf"/></rootfiles></container>`,
		"OEBPS/book.opf", `<package><metadata><title>B</title></metadata><manifest>`+
			`<item id="c2" href="text/two.xhtml" media-type="application/xhtml+xml"/>`+
			`<item id="c1" href="text/one%20a.xhtml" media-type="application/xhtml+xml"/></manifest>`+
			`<spine><itemref idref="c1"/><itemref idref="gone"/><itemref idref="c2"/></spine></package>`,
		"OEBPS/text/one a.xhtml", `<html><head><title>skip</title><style>p{}</style></head><body><h1>Chapter&nbsp;One</h1><p>It was a <i>dark</i> night.</p><script>var x</script></body></html>`,
		"OEBPS/text/two.xhtml", `<html><body><p>The end &amp; after<br/>words</p></body></html>`)
	checkTextCases(t, []textCase{
		{"notes.txt", []byte("first line\n東京タワー\n\ncafé\n"), []TextUnit{{Source: "body", Line: 1, Text: "first line\n東京タワー\n\ncafé"}}},
		{"latin1.txt", []byte("caf\xe9 cr\xe8me\n"), []TextUnit{{Source: "body", Line: 1, Text: "café crème"}}},
		{"utf16.txt", utf16, []TextUnit{{Source: "body", Line: 1, Text: "one\ntwo café"}}},
		{"report.pdf", testutil.TextPDF([]string{"Cover", "", "Invoice 2024 (paid) for the caf\u00e9"}), []TextUnit{
			{Source: "pdf", Page: 1, Text: "Cover"}, {Source: "pdf", Page: 3, Text: "Invoice 2024 (paid) for the café"}}},
		{"letter.docx", testutil.DOCX("Dear Sir,", "Your invoice 2024 is paid.", "<Regards> & thanks"), []TextUnit{
			{Source: "office", Line: 1, Text: "Dear Sir,"}, {Source: "office", Line: 2, Text: "Your invoice 2024 is paid."},
			{Source: "office", Line: 3, Text: "<Regards> & thanks"}}},
		{"deck.pptx", pptx, []TextUnit{{Source: "office", Page: 1, Line: 1, Text: "Quarterly results"},
			{Source: "office", Page: 2, Line: 1, Text: "Next steps"}, {Source: "office", Page: 2, Line: 2, Text: "Hire"}}},
		{"minutes.odt", odt, []TextUnit{{Source: "office", Line: 1, Text: "Minutes"}, {Source: "office", Line: 2, Text: "Budget approved"}}},
		{"talk.odp", odp, []TextUnit{{Source: "office", Page: 1, Line: 1, Text: "Title slide"}, {Source: "office", Page: 2, Line: 2, Text: "Roadmap"}}},
		{"book.epub", epub, []TextUnit{{Source: "epub", Page: 1, Line: 1, Text: "Chapter One"}, {Source: "epub", Page: 1, Line: 2, Text: "It was a dark night."},
			{Source: "epub", Page: 3, Line: 1, Text: "The end & after"}, {Source: "epub", Page: 3, Line: 2, Text: "words"}}},
	})
}

// textCase is a file and the units its text should read as.
type textCase struct {
	name string
	data []byte
	want []TextUnit
}

// checkTextCases reads each case's text as a file of its name and
// compares the units with the case's.
func checkTextCases(t *testing.T, cases []textCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := readText(t, c.name, c.data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

// TestTextBlocksSayTheirLine: a long text comes in blocks, each saying
// the line it starts at; together they are the whole text.
func TestTextBlocksSayTheirLine(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 2000; i++ {
		fmt.Fprintf(&b, "line %d of the log\n", i)
	}
	units, err := readText(t, "big.log", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(units) < 10 {
		t.Fatalf("%d units for 2000 lines, want blocks of about %d bytes", len(units), textUnitBytes)
	}
	var all []string
	for _, u := range units {
		if want := fmt.Sprintf("line %d of", u.Line); !strings.HasPrefix(u.Text, want) {
			t.Fatalf("unit at line %d starts %q", u.Line, u.Text[:20])
		}
		all = append(all, u.Text)
	}
	if got := strings.Join(all, "\n") + "\n"; got != b.String() {
		t.Fatal("the blocks together are not the text")
	}
}

// TestTextBounded: past MaxTextBytes the rest is dropped; a kind without
// words says so; an entity-bomb document expands nothing.
func TestTextBounded(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef\n"), 2*MaxTextBytes/17)
	units, err := readText(t, "huge.txt", big)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range units {
		n += len(u.Text)
	}
	if n > MaxTextBytes || n < MaxTextBytes-textUnitBytes {
		t.Fatalf("kept %d bytes of text, want just under %d", n, MaxTextBytes)
	}
	if _, err := readText(t, "red.png", testutil.PNG(t, image.NewRGBA(image.Rect(0, 0, 8, 8)))); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("a picture's text: %v, want ErrUnsupported", err)
	}
	lol := `<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>` +
		`<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>&c;&c;&c;&c; bomb</w:t></w:r></w:p></w:body></w:document>`
	units, err = readText(t, "lol.docx", testutil.Zip("word/document.xml", lol))
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 1 || len(units[0].Text) > len(lol) || !strings.Contains(units[0].Text, "bomb") {
		t.Fatalf("entity bomb gave %+v", units)
	}
}

// FuzzXMLText: whatever the XML, the text readers end, yield valid UTF-8
// that is never empty and never more than the input (no entity grows);
// as a spreadsheet's parts, its units have a sheet and rows in order.
func FuzzXMLText(f *testing.F) {
	f.Add([]byte(`<w:p><w:r><w:t>Hello</w:t></w:r><w:tab/></w:p>`))
	f.Add([]byte(`<html><body><p>a&nbsp;b<script>x</script></p><br></body></html>`))
	f.Add([]byte(`<draw:page><text:p>x<text:s/>y</text:p></draw:page><text:h>h`))
	f.Add([]byte(`<!DOCTYPE a [<!ENTITY e "&e;&e;">]><a>&e;&amp;&#x1F600;</a>`))
	f.Add([]byte(`<sst><si><t>a</t></si></sst><row r="3"><c t="s"><v>0</v></c><c t="inlineStr"><is><t>b</t></is></c></row><row r="2"><c><v>1.5</v></c></row>`))
	f.Add([]byte(`<table:table><table:table-row table:number-rows-repeated="9"><table:table-cell><text:p>x</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell/></table:table-row></table:table>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for name, zip := range map[string][]byte{
			"f.xlsx": testutil.Zip("xl/sharedStrings.xml", string(data), "xl/worksheets/sheet1.xml", string(data)),
			"f.ods":  testutil.Zip("mimetype", "application/vnd.oasis.opendocument.spreadsheet", "content.xml", string(data)),
		} {
			units, _ := readText(t, name, zip)
			page, line := 0, 0
			for _, u := range units {
				if u.Text == "" || !utf8.ValidString(u.Text) || u.Page < 1 || u.Line < 1 || (u.Page == page && u.Line <= line) || u.Page < page {
					t.Fatalf("%s: unit %+v after page %d line %d", name, u, page, line)
				}
				page, line = u.Page, u.Line+strings.Count(u.Text, "\n")
			}
		}
		for _, spec := range []xmlSpec{wordXML, slideXML, odfXML, xhtmlXML} {
			total := 0
			xmlText(bytes.NewReader(data), spec, func(page, para int, text string) error {
				if text == "" || !utf8.ValidString(text) {
					t.Fatalf("yielded %q", text)
				}
				total += len(text)
				return nil
			})
			if total > len(data) {
				t.Fatalf("%d bytes of text from %d of XML", total, len(data))
			}
		}
	})
}
