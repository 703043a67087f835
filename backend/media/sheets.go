package media

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// Spreadsheets' words: each sheet is a page (in the workbook's order),
// each row a line, rows gathered into units of about textUnitBytes with
// a newline per row (empty rows too, up to maxRowGap), so a hit's line
// is the row it is on.
const (
	// maxCellBytes caps one cell's text (Excel's own limit is 32767
	// characters).
	maxCellBytes = 32 << 10
	// maxRowBytes caps one row's text; the cells past it are left out.
	maxRowBytes = 64 << 10
	// maxRowGap: rows further apart than this start a new unit rather
	// than fill it with empty lines.
	maxRowGap = 64
	// maxSharedBytes caps the shared strings an XLSX's cells refer to,
	// held while its sheets are read; each string costs its bytes and a
	// header, so a table of millions of empty strings is capped too. The
	// strings past it are left out (the cells naming them read empty).
	maxSharedBytes = 2 * MaxTextBytes
	sharedHeader   = 16
	// maxXMLDepth caps the nesting of the XML a text reader walks: the
	// decoder keeps a frame per open element, and a few MiB of "<a>"
	// would otherwise hold hundreds of MB. Real documents nest tens deep.
	maxXMLDepth = 1000
	// maxXMLToken caps the XML one token may span (a text run, a tag with
	// its attributes, a comment, a CDATA section): the decoder holds a
	// whole token in memory before it returns it, so the caps on a cell or
	// a paragraph come too late for one run of hundreds of MB. Real runs
	// are far shorter; the cap is maxXMLMember's, so a chapter's inline
	// image (a data: URI) still reads.
	maxXMLToken = maxXMLMember
)

var (
	// errXMLDepth ends a read of XML nested past maxXMLDepth.
	errXMLDepth = fmt.Errorf("%w: xml nested more than %d deep", ErrCorrupt, maxXMLDepth)
	// errXMLToken ends a read of XML at a token longer than maxXMLToken;
	// it is the budget's error, as the bytes are a bomb's, not damage.
	errXMLToken = fmt.Errorf("%w: an xml token longer than %s", ErrTooManyPixels, mib(maxXMLToken))
)

// xmlStream is a Go XML decoder (no DTD read, no entity beyond XML's own
// expanded) that refuses nesting past maxXMLDepth and a token longer
// than maxXMLToken.
type xmlStream struct {
	d     *xml.Decoder
	run   *tokenBytes
	depth int
}

func newXMLStream(r io.Reader) *xmlStream {
	run := &tokenBytes{r: r}
	d := xml.NewDecoder(run)
	d.Strict = false // documents in the wild are not all well-formed
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return &xmlStream{d: d, run: run}
}

// tokenBytes counts the bytes the decoder reads since it last returned a
// token and fails past maxXMLToken. Counting between tokens, not between
// '<' and '>', holds for every kind of token: text, a comment or a CDATA
// section may be full of either. The decoder's read-ahead (a 4 KiB
// bufio) is all the slack.
type tokenBytes struct {
	r io.Reader
	n int64
}

func (t *tokenBytes) Read(p []byte) (int, error) {
	if t.n > maxXMLToken {
		return 0, errXMLToken
	}
	n, err := t.r.Read(p)
	t.n += int64(n)
	return n, err
}

// token is the next token; io.EOF at the end.
func (x *xmlStream) token() (xml.Token, error) {
	tok, err := x.d.Token()
	x.run.n = 0
	if err != nil {
		return nil, err
	}
	switch tok.(type) {
	case xml.StartElement:
		if x.depth++; x.depth > maxXMLDepth {
			return nil, errXMLDepth
		}
	case xml.EndElement:
		x.depth = max(x.depth-1, 0)
	}
	return tok, nil
}

// walkXML streams one member's XML to fn token by token, until the end
// or fn's error; a malformed document is ErrCorrupt.
func walkXML(ctx context.Context, a *archive, name string, lim Limits, fn func(xml.Token) error) error {
	r, closeMember, err := streamMember(ctx, a, name, lim)
	if err != nil {
		return err
	}
	defer closeMember()
	x := newXMLStream(r)
	for {
		tok, err := x.token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrTooManyPixels) || ctx.Err() != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return fmt.Errorf("%s: %w: xml: %v", name, ErrCorrupt, err)
		}
		if err := fn(tok); err != nil {
			return err
		}
	}
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// sheetRows gathers one sheet's rows into units.
type sheetRows struct {
	page        int
	first, last int // the unit's first row, and the last row written
	b           strings.Builder
	yield       func(TextUnit) error
}

// row adds row n (1-based, after the rows added before) with its cells.
func (s *sheetRows) row(n int, cells []string) error {
	text := strings.Join(strings.Fields(strings.Join(cells, " ")), " ")
	if text == "" {
		return nil
	}
	if n <= s.last {
		n = s.last + 1
	}
	if s.b.Len() > 0 && (n-s.last > maxRowGap || s.b.Len() >= textUnitBytes) {
		if err := s.flush(); err != nil {
			return err
		}
	}
	if s.b.Len() == 0 {
		s.first = n
	} else {
		s.b.WriteString(strings.Repeat("\n", n-s.last))
	}
	s.b.WriteString(text)
	s.last = n
	return nil
}

func (s *sheetRows) flush() error {
	if s.b.Len() == 0 {
		return nil
	}
	err := s.yield(TextUnit{Source: "office", Page: s.page, Line: s.first, Text: s.b.String()})
	s.b.Reset()
	return err
}

// capped appends text to b up to n bytes.
func capped(b *strings.Builder, text []byte, n int) {
	if left := n - b.Len(); left > 0 {
		b.WriteString(cutUTF8(string(text[:min(len(text), left+utf8Max)]), left))
	}
}

const utf8Max = 4

// rowCells is a row's cells' text, capped at maxRowBytes.
type rowCells struct {
	cells []string
	n     int
}

func (r *rowCells) add(s string) {
	if s == "" || r.n >= maxRowBytes {
		return
	}
	s = cutUTF8(s, maxRowBytes-r.n)
	r.cells, r.n = append(r.cells, s), r.n+len(s)+1
}

// xlsxText yields an XLSX's sheets in the workbook's order: the shared
// strings first (cells name them by index), then each sheet's cells,
// numbers as written.
func xlsxText(ctx context.Context, a *archive, lim Limits, yield func(TextUnit) error) error {
	shared, sharedErr := xlsxShared(ctx, a, lim)
	if sharedErr != nil && !errors.Is(sharedErr, errXMLToken) {
		return sharedErr
	}
	// A run too long cuts the shared strings there: the sheets still
	// read, and the cut is reported once they are.
	for i, name := range xlsxSheets(ctx, a, lim) {
		if i == maxTextPages {
			break
		}
		if name == "" {
			continue // a chart sheet, or a sheet whose part is gone
		}
		rows := &sheetRows{page: i + 1, yield: yield}
		if err := xlsxSheet(ctx, a, name, lim, shared, rows); err != nil && !errors.Is(err, errNoMember) {
			if errors.Is(err, ErrCorrupt) || errors.Is(err, errXMLToken) {
				// The rows read before the damage are still the sheet's words.
				if ferr := rows.flush(); ferr != nil {
					return ferr
				}
			}
			return err
		}
		if err := rows.flush(); err != nil {
			return err
		}
	}
	return sharedErr
}

// xlsxShared reads xl/sharedStrings.xml: each <si>'s text (its runs',
// not the phonetic guides'), at most maxSharedBytes of them. Its declared
// count is not read: nothing is sized by what the file says.
func xlsxShared(ctx context.Context, a *archive, lim Limits) ([]string, error) {
	var out []string
	var b strings.Builder
	used, inT, skip := 0, 0, 0
	errFull := errors.New("shared strings full")
	err := walkXML(ctx, a, "xl/sharedStrings.xml", lim, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				b.Reset()
				inT, skip = 0, 0
			case "t":
				inT++
			case "rPh", "phoneticPr":
				skip++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inT = max(inT-1, 0)
			case "rPh", "phoneticPr":
				skip = max(skip-1, 0)
			case "si":
				if used += b.Len() + sharedHeader; used > maxSharedBytes {
					return errFull
				}
				out = append(out, b.String())
			}
		case xml.CharData:
			if inT > 0 && skip == 0 {
				capped(&b, t, maxCellBytes)
			}
		}
		return nil
	})
	if err == nil || errors.Is(err, errFull) || errors.Is(err, errNoMember) {
		return out, nil // no shared strings: a workbook of numbers or inline strings
	}
	if errors.Is(err, ErrCorrupt) {
		return out, nil // the strings read before the damage still name their cells
	}
	if errors.Is(err, errXMLToken) {
		return out, err // so do those before the cut, which is reported
	}
	return nil, err
}

// xlsxSheets are the members holding the workbook's sheets, in its
// order ("" for a sheet with no worksheet part): xl/workbook.xml lists
// them by relationship, xl/_rels/workbook.xml.rels says where each is.
// A workbook that says nothing readable falls back to the parts' names.
func xlsxSheets(ctx context.Context, a *archive, lim Limits) []string {
	var ids []string
	walkXML(ctx, a, "xl/workbook.xml", lim, func(tok xml.Token) error {
		if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "sheet" && len(ids) < maxTextPages {
			ids = append(ids, attr(t, "id"))
		}
		return nil
	})
	targets := map[string]string{}
	walkXML(ctx, a, "xl/_rels/workbook.xml.rels", lim, func(tok xml.Token) error {
		if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "Relationship" && len(targets) < maxTextPages {
			if strings.HasSuffix(attr(t, "Type"), "/worksheet") {
				targets[attr(t, "Id")] = attr(t, "Target")
			}
		}
		return nil
	})
	var out []string
	found := false
	for _, id := range ids {
		target, ok := targets[id]
		switch {
		case !ok:
			out = append(out, "")
		case strings.HasPrefix(target, "/"):
			out, found = append(out, strings.TrimPrefix(target, "/")), true
		default:
			out, found = append(out, path.Join("xl", target)), true
		}
	}
	if found {
		return out
	}
	out = out[:0]
	for i := 1; i <= maxTextPages; i++ {
		name := fmt.Sprintf("xl/worksheets/sheet%d.xml", i)
		if a.find(name) == nil {
			break
		}
		out = append(out, name)
	}
	return out
}

// xlsxSheet reads one worksheet's rows: each cell's value (<v>: a
// number as written, a shared string's index, a formula's result) or
// inline string (<is>), formulas themselves left out.
func xlsxSheet(ctx context.Context, a *archive, name string, lim Limits, shared []string, rows *sheetRows) error {
	var row rowCells
	var v, is strings.Builder
	rowNum, kind := 0, ""
	inV, inIs, inT, skip := false, false, 0, 0
	return walkXML(ctx, a, name, lim, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				row = rowCells{}
				n, err := strconv.Atoi(attr(t, "r"))
				if err != nil || n <= rowNum {
					n = rowNum + 1
				}
				rowNum = n
			case "c":
				kind = attr(t, "t")
				v.Reset()
				is.Reset()
			case "v":
				inV = true
			case "is":
				inIs = true
			case "t":
				inT++
			case "rPh":
				skip++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				inV = false
			case "is":
				inIs = false
			case "t":
				inT = max(inT-1, 0)
			case "rPh":
				skip = max(skip-1, 0)
			case "c":
				row.add(cellValue(kind, v.String(), is.String(), shared))
			case "row":
				return rows.row(rowNum, row.cells)
			}
		case xml.CharData:
			switch {
			case inV:
				capped(&v, t, maxCellBytes)
			case inIs && inT > 0 && skip == 0:
				capped(&is, t, maxCellBytes)
			}
		}
		return nil
	})
}

// cellValue is what a cell of type kind (ECMA-376 §18.18.11) shows.
func cellValue(kind, v, is string, shared []string) string {
	switch kind {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(shared) {
			return ""
		}
		return shared[i]
	case "inlineStr":
		return is
	case "b":
		switch strings.TrimSpace(v) {
		case "1":
			return "TRUE"
		case "0":
			return "FALSE"
		}
		return ""
	case "e":
		return "" // #DIV/0! and its kind are no words
	}
	return v
}

// odsText yields an ODS's tables (ODF 1.2 §9.1): each table:table a
// page, each table:table-row a line, counting the rows a row repeats; a
// repeated row or cell is read once.
func odsText(ctx context.Context, a *archive, lim Limits, yield func(TextUnit) error) error {
	var rows *sheetRows
	var row rowCells
	var cell strings.Builder
	rowNum, repeat, depthTable, skip, inCell := 0, 1, 0, 0, false
	err := walkXML(ctx, a, "content.xml", lim, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch n := t.Name.Local; {
			case skip > 0 || n == "annotation":
				skip++
			case n == "table":
				if depthTable++; depthTable > 1 {
					return nil // a table inside a cell is that cell's text
				}
				if rows != nil {
					if err := rows.flush(); err != nil {
						return err
					}
				}
				page := 1
				if rows != nil {
					page = rows.page + 1
				}
				if page > maxTextPages {
					return errPagesFull
				}
				rows, rowNum = &sheetRows{page: page, yield: yield}, 0
			case n == "table-row" && depthTable == 1:
				row, repeat = rowCells{}, odfRepeat(t, "number-rows-repeated")
				rowNum++
			case (n == "table-cell" || n == "covered-table-cell") && depthTable == 1:
				cell.Reset()
				inCell = true
			case n == "p" || n == "h" || n == "s" || n == "tab" || n == "line-break":
				if inCell {
					cell.WriteByte(' ')
				}
			}
		case xml.EndElement:
			switch n := t.Name.Local; {
			case skip > 0:
				skip--
			case n == "table":
				depthTable = max(depthTable-1, 0)
				if depthTable == 0 && rows != nil {
					return rows.flush()
				}
			case (n == "table-cell" || n == "covered-table-cell") && depthTable == 1:
				row.add(cell.String())
				inCell = false
			case n == "table-row" && depthTable == 1 && rows != nil:
				err := rows.row(rowNum, row.cells)
				rowNum += repeat - 1
				return err
			}
		case xml.CharData:
			if inCell && skip == 0 {
				capped(&cell, t, maxCellBytes)
			}
		}
		return nil
	})
	if errors.Is(err, errPagesFull) {
		err = nil
	}
	if rows != nil && (err == nil || errors.Is(err, ErrCorrupt) || errors.Is(err, errXMLToken)) {
		// The rows read before any damage are still the file's words.
		if ferr := rows.flush(); ferr != nil {
			return ferr
		}
	}
	return err
}

// errPagesFull stops a reader at maxTextPages.
var errPagesFull = errors.New("page cap reached")

// odfRepeat is a row's or a cell's repeat count, at least 1; files set
// a million to pad a sheet, and only the count is kept.
func odfRepeat(t xml.StartElement, name string) int {
	n, err := strconv.Atoi(attr(t, name))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 1<<24)
}
