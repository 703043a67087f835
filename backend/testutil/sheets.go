package testutil

import (
	"fmt"
	"sort"
	"strings"
)

// Sheet is one sheet of a test spreadsheet: its name and its rows by
// 1-based row number, each row its cells' text from column A.
type Sheet struct {
	Name string
	Rows map[int][]string
}

func sheetRowNums(s Sheet) []int {
	var ns []int
	for n := range s.Rows {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	return ns
}

// XLSX is a minimal SpreadsheetML workbook (ECMA-376 Part 1 §18) of
// sheets, in that order: each cell a shared string (t="s"), or a number
// (written as given) where the text parses as one. The sheets' parts are
// numbered backwards, so only the workbook says their order.
func XLSX(sheets ...Sheet) []byte {
	var wb, rels, sst strings.Builder
	shared := map[string]int{}
	var strs []string
	files := []string{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`}
	for i, s := range sheets {
		part := len(sheets) - i
		fmt.Fprintf(&wb, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, xmlEscape(s.Name), i+1, part)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, part, part)
		var data strings.Builder
		for _, n := range sheetRowNums(s) {
			fmt.Fprintf(&data, `<row r="%d">`, n)
			for c, text := range s.Rows[n] {
				ref := fmt.Sprintf("%c%d", 'A'+c, n)
				if isNumber(text) {
					fmt.Fprintf(&data, `<c r="%s"><v>%s</v></c>`, ref, text)
					continue
				}
				idx, ok := shared[text]
				if !ok {
					idx, shared[text] = len(strs), len(strs)
					strs = append(strs, text)
				}
				fmt.Fprintf(&data, `<c r="%s" t="s"><v>%d</v></c>`, ref, idx)
			}
			data.WriteString(`</row>`)
		}
		files = append(files, fmt.Sprintf("xl/worksheets/sheet%d.xml", part),
			`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
				data.String()+`</sheetData></worksheet>`)
	}
	for _, s := range strs {
		fmt.Fprintf(&sst, `<si><t xml:space="preserve">%s</t></si>`, xmlEscape(s))
	}
	return Zip(append(files,
		"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`+
			wb.String()+`</sheets></workbook>`,
		"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
			rels.String()+`</Relationships>`,
		"xl/sharedStrings.xml", fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(strs), len(strs))+
			sst.String()+`</sst>`)...)
}

// ODS is a minimal OpenDocument spreadsheet (ODF 1.2 §9.1) of sheets:
// the rows between those given are one row repeated, as office suites
// write them.
func ODS(sheets ...Sheet) []byte {
	var body strings.Builder
	for _, s := range sheets {
		fmt.Fprintf(&body, `<table:table table:name="%s">`, xmlEscape(s.Name))
		next := 1
		for _, n := range sheetRowNums(s) {
			if n > next {
				fmt.Fprintf(&body, `<table:table-row table:number-rows-repeated="%d"><table:table-cell table:number-columns-repeated="3"/></table:table-row>`, n-next)
			}
			body.WriteString(`<table:table-row>`)
			for _, text := range s.Rows[n] {
				if isNumber(text) {
					fmt.Fprintf(&body, `<table:table-cell office:value-type="float" office:value="%s"><text:p>%s</text:p></table:table-cell>`, text, text)
				} else {
					fmt.Fprintf(&body, `<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>`, xmlEscape(text))
				}
			}
			body.WriteString(`</table:table-row>`)
			next = n + 1
		}
		body.WriteString(`</table:table>`)
	}
	return Zip("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
		"content.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>`+
			body.String()+`</office:spreadsheet></office:body></office:document-content>`)
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' && r != '-' {
			return false
		}
	}
	return true
}
