package media

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// TestSpreadsheetText: an XLSX written by hand from ECMA-376 and an ODS
// from ODF 1.2 give their cells' words, each sheet a page in the
// workbook's order (not the parts' names'), each row a line: shared and
// inline strings, rich runs without their phonetic guides, numbers as
// written, booleans, formulas' results (not the formulas), empty rows
// kept as lines, far rows in a unit of their own.
func TestSpreadsheetText(t *testing.T) {
	ns := `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	rel := "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	xlsx := testutil.Zip("[Content_Types].xml", `<Types/>`,
		"xl/workbook.xml", `<workbook `+ns+`><sheets><sheet name="Costs" sheetId="1" r:id="rId3"/><sheet name="Chart" sheetId="2" r:id="rId2"/>`+
			`<sheet name="Notes" sheetId="3" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
			`<Relationship Id="rId1" Type="`+rel+`worksheet" Target="worksheets/sheet1.xml"/>`+
			`<Relationship Id="rId2" Type="`+rel+`chartsheet" Target="chartsheets/sheet1.xml"/>`+
			`<Relationship Id="rId3" Type="`+rel+`worksheet" Target="/xl/worksheets/sheet2.xml"/></Relationships>`,
		// The declared counts are a lie no reader may size anything by.
		"xl/sharedStrings.xml", `<sst `+ns+` count="4294967295" uniqueCount="4294967295"><si><t>Invoice</t></si>`+
			`<si><r><t>Blue</t></r><r><rPr><b/></rPr><t>berry</t></r><rPh sb="0" eb="1"><t>ブルー</t></rPh></si><si><t xml:space="preserve">hello  world</t></si></sst>`,
		"xl/worksheets/sheet2.xml", `<worksheet `+ns+`><sheetData>`+
			`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>42.50</v></c><c r="C1" t="inlineStr"><is><t>paid in full</t></is></c></row>`+
			`<row r="2"><c r="A2" t="b"><v>1</v></c><c r="B2" t="e"><v>#DIV/0!</v></c><c r="C2"><f>SUM(B1:B1)</f><v>7</v></c></row>`+
			`<row r="5"><c r="A5" t="s"><v>1</v></c><c r="B5" t="s"><v>99</v></c></row>`+
			`<row r="200"><c r="A200" t="str"><f>"far"&amp;" down"</f><v>far down</v></c></row></sheetData></worksheet>`,
		"xl/worksheets/sheet1.xml", `<worksheet `+ns+`><sheetData><row r="1"><c r="A1" t="s"><v>2</v></c></row></sheetData></worksheet>`)
	ods := testutil.Zip("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
		"content.xml", `<office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:spreadsheet>`+
			`<table:table table:name="Budget"><table:table-header-rows><table:table-row><table:table-cell><text:p>Item</text:p></table:table-cell>`+
			`<table:table-cell><text:p>Cost</text:p></table:table-cell></table:table-row></table:table-header-rows>`+
			`<table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>`+
			`<table:table-row><table:table-cell office:value-type="string"><text:p>Rent<text:s/>and</text:p><text:p>heating</text:p>`+
			`<office:annotation><text:p>a comment</text:p></office:annotation></table:table-cell>`+
			`<table:covered-table-cell/><table:table-cell office:value-type="float" office:value="1200.5"><text:p>1200.5</text:p></table:table-cell></table:table-row>`+
			`<table:table-row table:number-rows-repeated="1048570"><table:table-cell/></table:table-row></table:table>`+
			`<table:table table:name="Empty"/><table:table table:name="Plans"><table:table-row><table:table-cell><text:p>Next year</text:p></table:table-cell></table:table-row></table:table>`+
			`</office:spreadsheet></office:body></office:document-content>`)
	checkTextCases(t, []textCase{
		{"book.xlsx", xlsx, []TextUnit{
			{Source: "office", Page: 1, Line: 1, Text: "Invoice 42.50 paid in full\nTRUE 7\n\n\nBlueberry"},
			{Source: "office", Page: 1, Line: 200, Text: "far down"},
			{Source: "office", Page: 3, Line: 1, Text: "hello world"}}},
		{"budget.ods", ods, []TextUnit{
			{Source: "office", Page: 1, Line: 1, Text: "Item Cost\n\n\n\nRent and heating 1200.5"},
			{Source: "office", Page: 3, Line: 1, Text: "Next year"}}},
		{"built.xlsx", testutil.XLSX(testutil.Sheet{Name: "A", Rows: map[int][]string{2: {"alpha", "3"}}},
			testutil.Sheet{Name: "B", Rows: map[int][]string{1: {"beta"}, 3: {"gamma"}}}), []TextUnit{
			{Source: "office", Page: 1, Line: 2, Text: "alpha 3"}, {Source: "office", Page: 2, Line: 1, Text: "beta\n\ngamma"}}},
		{"built.ods", testutil.ODS(testutil.Sheet{Name: "A", Rows: map[int][]string{2: {"alpha", "3"}}},
			testutil.Sheet{Name: "B", Rows: map[int][]string{1: {"beta"}, 3: {"gamma"}}}), []TextUnit{
			{Source: "office", Page: 1, Line: 2, Text: "alpha 3"}, {Source: "office", Page: 2, Line: 1, Text: "beta\n\ngamma"}}},
	})
}

// TestSpreadsheetBombs: a shared-strings table past maxSharedBytes is
// cut there (the cells naming the strings past it read empty, those
// before it still read), and XML nested deeper than maxXMLDepth is
// refused, in the shared strings and in a sheet.
func TestSpreadsheetBombs(t *testing.T) {
	sheet := func(rows string) string {
		return `<worksheet><sheetData>` + rows + `</sheetData></worksheet>`
	}
	// Strings of 32 KiB: the table holds maxSharedBytes/32 KiB of them.
	big := strings.Repeat("x", maxCellBytes-1)
	fit := maxSharedBytes / (maxCellBytes - 1 + 5 + sharedHeader)
	var sst strings.Builder
	sst.WriteString(`<sst count="1">`)
	for i := 0; i < fit+8; i++ {
		fmt.Fprintf(&sst, `<si><t>w%04d%s</t></si>`, i, big)
	}
	sst.WriteString(`</sst>`)
	cell := func(r, i int) string { return fmt.Sprintf(`<row r="%d"><c t="s"><v>%d</v></c></row>`, r, i) }
	units, err := readText(t, "many.xlsx", testutil.Zip("xl/sharedStrings.xml", sst.String(),
		"xl/worksheets/sheet1.xml", sheet(cell(1, 0)+cell(2, fit-1)+cell(100, fit+1))))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range units {
		for i, l := range strings.Split(u.Text, "\n") {
			got = append(got, fmt.Sprintf("%d:%.5s", u.Line+i, l))
		}
	}
	if want := []string{"1:w0000", fmt.Sprintf("2:w%04d", fit-1)}; !reflect.DeepEqual(got, want) {
		t.Fatalf("read %q, want %q (the strings past the cap left out)", got, want)
	}

	deep := strings.Repeat("<r>", 50000) + "<t>deep</t>" + strings.Repeat("</r>", 50000)
	for name, data := range map[string][]byte{
		"shared": testutil.Zip("xl/sharedStrings.xml", `<sst><si>`+deep+`</si></sst>`, "xl/worksheets/sheet1.xml", sheet(cell(1, 0))),
		"sheet":  testutil.Zip("xl/worksheets/sheet1.xml", sheet(`<row r="1"><c t="inlineStr"><is>`+deep+`</is></c></row>`)),
		"ods": testutil.Zip("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
			"content.xml", `<office:document-content><table:table><table:table-row><table:table-cell>`+deep+`</table:table-cell></table:table-row></table:table></office:document-content>`),
	} {
		ext := ".xlsx"
		if name == "ods" {
			ext = ".ods"
		}
		units, err := readText(t, name+ext, data)
		if name == "shared" {
			// The table is cut where the nesting is refused: the sheet
			// still reads, its cell empty.
			if err != nil || len(units) != 0 {
				t.Errorf("%s: %+v, %v; want nothing and no error", name, units, err)
			}
			continue
		}
		if !errors.Is(err, errXMLDepth) || len(units) != 0 {
			t.Errorf("%s: %+v, %v; want the depth refused", name, units, err)
		}
	}
}
