package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TextUnit is one unit of a file's text (migration 15): a block of lines
// of a text file, a PDF's page, an EPUB chapter, a word OCR found on a
// picture or a video's frame, with where it was found.
type TextUnit struct {
	Source string // "body", "pdf", "epub", "office", "xmp", "ocr"
	Page   int    // 1-based; 0 when the file has no pages
	Line   int    // 1-based first line; 0 when not known
	AtMS   int64  // into a video
	Box    *TextBox
	Text   string
}

// TextBox is where a unit lies on its picture, normalised to it (0..1),
// from the top-left corner.
type TextBox struct{ X, Y, W, H float32 }

// HitOpen and HitClose mark the matched words in a TextHit's snippet:
// characters of Unicode's private use area, which no text keeps (units
// lose them when stored), so a face can split on them and show the rest
// as plain text, never as markup.
const (
	HitOpen  = "\ue000"
	HitClose = "\ue001"
)

// ReplaceText replaces every unit of the entry's text from source with
// units, in one go; no units removes that source's text.
func (tx *Tx) ReplaceText(ctx context.Context, entryID int64, source string, units []TextUnit) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM text_units WHERE entry_id = ? AND source = ?`, entryID, source); err != nil {
		return fmt.Errorf("replace text: %w", err)
	}
	if len(units) == 0 {
		return nil
	}
	st, err := tx.tx.PrepareContext(ctx, `INSERT INTO text_units (entry_id, source, page, line, at_ms, box_x, box_y, box_w, box_h, cjk, text)
		VALUES (?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return fmt.Errorf("replace text: %w", err)
	}
	defer st.Close()
	for _, u := range units {
		t := strings.ToValidUTF8(strings.NewReplacer(HitOpen, "", HitClose, "").Replace(u.Text), "")
		if strings.TrimSpace(t) == "" {
			continue
		}
		var bx, by, bw, bh sql.NullFloat64
		if b := u.Box; b != nil {
			bx, by, bw, bh = nf(b.X), nf(b.Y), nf(b.W), nf(b.H)
		}
		if _, err := st.ExecContext(ctx, entryID, source, u.Page, u.Line, u.AtMS, bx, by, bw, bh, hasCJK(t), t); err != nil {
			return fmt.Errorf("replace text: %w", err)
		}
	}
	return nil
}

func nf(f float32) sql.NullFloat64 { return sql.NullFloat64{Float64: float64(f), Valid: true} }

// TextUnits returns an entry's text from source ("" for every source), in
// the order it was stored.
func TextUnits(ctx context.Context, r Reader, entryID int64, source string) ([]TextUnit, error) {
	q := `SELECT source, page, line, at_ms, box_x, box_y, box_w, box_h, text FROM text_units WHERE entry_id = ?`
	args := []any{entryID}
	if source != "" {
		q += ` AND source = ?`
		args = append(args, source)
	}
	rows, err := r.reader().QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read text: %w", err)
	}
	defer rows.Close()
	var out []TextUnit
	for rows.Next() {
		var u TextUnit
		var bx, by, bw, bh sql.NullFloat64
		if err := rows.Scan(&u.Source, &u.Page, &u.Line, &u.AtMS, &bx, &by, &bw, &bh, &u.Text); err != nil {
			return nil, fmt.Errorf("read text: %w", err)
		}
		u.Box = box(bx, by, bw, bh)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read text: %w", err)
	}
	return out, nil
}

// TextUnits is TextUnits on the database.
func (db *DB) TextUnits(ctx context.Context, entryID int64, source string) ([]TextUnit, error) {
	return TextUnits(ctx, db, entryID, source)
}

func box(x, y, w, h sql.NullFloat64) *TextBox {
	if !x.Valid || !y.Valid || !w.Valid || !h.Valid {
		return nil
	}
	return &TextBox{X: float32(x.Float64), Y: float32(y.Float64), W: float32(w.Float64), H: float32(h.Float64)}
}

// noSpaces are the scripts written without spaces between words: their
// text goes into the trigram index too, and a query's run of them is
// matched as a substring.
var noSpaces = []*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai,
	unicode.Lao, unicode.Khmer, unicode.Myanmar}

func isCJK(r rune) bool {
	// ー, 々 and half-width katakana are Common script but write words.
	return unicode.IsOneOf(noSpaces, r) || r == 'ー' || r == '々' || (r >= 0xff66 && r <= 0xff9f)
}

func hasCJK(s string) bool {
	for _, r := range s {
		if isCJK(r) {
			return true
		}
	}
	return false
}

// textPlan is how a text search runs: words and phrases through the word
// index (fts), runs of CJK of three characters or more through the
// trigram index (tri), shorter runs as substrings (subs).
type textPlan struct {
	fts  string
	tri  string
	subs []string
}

func (p textPlan) empty() bool { return p.fts == "" && p.tri == "" && len(p.subs) == 0 }

// maxTextTerms bounds the terms of one text search (each costs a lookup).
const maxTextTerms = 32

// planText builds the FTS5 queries for terms, each a word or a phrase,
// all to be found in one unit. Every piece of the user's text is quoted:
// FTS5's own syntax (NEAR, *, column filters, AND) is never read from it.
func planText(terms []string) textPlan {
	var p textPlan
	var fts, tri []string
	for i, t := range terms {
		if i == maxTextTerms {
			break
		}
		t = strings.TrimSpace(t)
		var latin strings.Builder
		var run []rune
		flush := func() {
			if len(run) >= 3 {
				tri = append(tri, quoteFTS(string(run)))
			} else if len(run) > 0 {
				p.subs = append(p.subs, string(run))
			}
			run = run[:0]
		}
		for _, r := range t {
			if isCJK(r) {
				run = append(run, r)
				continue
			}
			flush()
			latin.WriteRune(r)
		}
		flush()
		if l := latin.String(); strings.IndexFunc(l, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0 {
			fts = append(fts, quoteFTS(l))
		}
	}
	p.fts, p.tri = strings.Join(fts, " AND "), strings.Join(tri, " AND ")
	return p
}

// quoteFTS makes s one FTS5 string: a phrase of its tokens.
func quoteFTS(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// unitCond is the plan as a condition on a text unit u, with its args.
func (p textPlan) unitCond() (string, []any) {
	var parts []string
	var args []any
	if p.fts != "" {
		parts = append(parts, `u.id IN (SELECT rowid FROM text_fts WHERE text_fts MATCH ?)`)
		args = append(args, p.fts)
	}
	if p.tri != "" {
		parts = append(parts, `u.id IN (SELECT rowid FROM text_tri WHERE text_tri MATCH ?)`)
		args = append(args, p.tri)
	}
	for _, s := range p.subs {
		parts = append(parts, `(u.cjk AND instr(u.text, ?) > 0)`)
		args = append(args, s)
	}
	return strings.Join(parts, " AND "), args
}

// maxSubstringUnits bounds the units a search by a short CJK run alone
// reads (it has no index to go by).
const maxSubstringUnits = 100000

// TextFilter allows the entries whose text has every term (a word or a
// phrase) in one of its units; none when no term has anything to search.
func TextFilter(terms []string) Filter {
	where, args := textFilter(terms)
	return Filter{where: where, args: args}
}

func textFilter(terms []string) (string, []any) {
	p := planText(terms)
	if p.empty() {
		return "0", nil
	}
	cond, args := p.unitCond()
	q := `e.id IN (SELECT u.entry_id FROM text_units u WHERE ` + cond
	if p.fts == "" && p.tri == "" {
		q += fmt.Sprintf(` LIMIT %d`, maxSubstringUnits)
	}
	return q + `)`, args
}

// HasTextFilter allows the entries with any text.
func HasTextFilter() Filter {
	return Filter{where: `EXISTS (SELECT 1 FROM text_units u WHERE u.entry_id = e.id)`}
}

// TextHit is the best unit of an entry's text for a search.
type TextHit struct {
	EntryID int64
	// Rank orders hits, lower is better (FTS5's bm25); 0 for a match
	// found by substring alone.
	Rank    float64
	Snippet string // the matched words between HitOpen and HitClose
	Source  string
	Page    int
	Line    int
	AtMS    int64
	Box     *TextBox
}

// maxRankedUnits bounds the units one text search ranks: the best of
// those its filter allows, by bm25, before they are grouped by entry.
const maxRankedUnits = 20000

// ranking is the index that ranks a plan's matches (words first, else
// trigrams), the query to it, and the rest of the plan, which a ranked
// unit must meet too; no table when the plan has only substrings.
func (p textPlan) ranking() (table, match string, rest textPlan) {
	rest = p
	switch {
	case p.fts != "":
		rest.fts = ""
		return "text_fts", p.fts, rest
	case p.tri != "":
		rest.tri = ""
		return "text_tri", p.tri, rest
	}
	return "", "", rest
}

// orTrue is cond, or a condition always true when there is none.
func orTrue(cond string) string {
	if cond == "" {
		return "1"
	}
	return cond
}

// SearchText finds the entries whose text has every term in one unit,
// among those f allows,
// best first, at most limit, each with its best unit and a snippet.
// The filter applies before the ranked units are cut to maxRankedUnits,
// so an entry it allows has its hit however many others outrank it. For
// a handful of known entries, SearchTextIn reads only theirs.
func (db *DB) SearchText(ctx context.Context, terms []string, f Filter, limit int) ([]TextHit, error) {
	p := planText(terms)
	if p.empty() || limit <= 0 {
		return nil, nil
	}
	where, args := f.sql(), f.args
	table, match, _ := p.ranking()
	q, qargs := p.query(where, args, limit)
	return db.textHits(ctx, p, table, match, q, qargs)
}

// query is SearchText's query: the ranking index's matches that meet the
// rest of the plan and where, best first, cut to maxRankedUnits, then the
// best unit of each entry.
func (p textPlan) query(where string, args []any, limit int) (q string, qargs []any) {
	table, match, rest := p.ranking()
	cond, cargs := rest.unitCond()
	cond = orTrue(cond)
	if match != "" {
		q = `SELECT entry_id, min(r), id FROM (SELECT u.id, u.entry_id, ` + table + `.rank AS r FROM ` + table + `
			JOIN text_units u ON u.id = ` + table + `.rowid JOIN entries e ON e.id = u.entry_id
			WHERE ` + table + ` MATCH ? AND ` + cond + ` AND (` + where + `)
			ORDER BY ` + table + `.rank LIMIT ` + fmt.Sprint(maxRankedUnits) + `)
			GROUP BY entry_id ORDER BY 2, 1 LIMIT ?`
		qargs = append(append(append([]any{match}, cargs...), args...), limit)
	} else {
		q = `SELECT entry_id, 0, min(id) FROM (SELECT u.id, u.entry_id FROM text_units u JOIN entries e ON e.id = u.entry_id
			WHERE ` + cond + ` AND (` + where + `) LIMIT ` + fmt.Sprint(maxSubstringUnits) + `)
			GROUP BY entry_id ORDER BY 1 LIMIT ?`
		qargs = append(append(cargs, args...), limit)
	}
	return q, qargs
}

// SearchTextIn is SearchText over the entries ids alone (a page of
// results): each one's best unit with every term, best first. It goes by
// those entries' units, a lookup in the indexes for each, so its work
// grows with the entries asked about, never with the library's matches.
func (db *DB) SearchTextIn(ctx context.Context, terms []string, ids []int64) ([]TextHit, error) {
	p := planText(terms)
	if p.empty() || len(ids) == 0 {
		return nil, nil
	}
	table, match, _ := p.ranking()
	q, qargs := p.inQuery(ids)
	return db.textHits(ctx, p, table, match, q, qargs)
}

// inQuery is SearchTextIn's query: by the entries' units, each looked up
// by its id in the indexes (entryUnitCond, as EntryTextMatches does), the
// ranking index's row read for its rank.
func (p textPlan) inQuery(ids []int64) (q string, qargs []any) {
	table, match, rest := p.ranking()
	cond, cargs := rest.entryUnitCond()
	cond = orTrue(cond)
	in, inArgs := inList(ids)
	if match != "" {
		// CROSS JOIN keeps the order: units first, then the index by
		// rowid (the planner would rather scan every match).
		q = `SELECT u.entry_id, min(` + table + `.rank), u.id FROM text_units u CROSS JOIN ` + table + `
			WHERE u.entry_id IN ` + in + ` AND ` + table + `.rowid = u.id AND ` + table + ` MATCH ? AND ` + cond + `
			GROUP BY u.entry_id ORDER BY 2, 1`
		qargs = append(append(inArgs, match), cargs...)
	} else {
		q = `SELECT u.entry_id, 0, min(u.id) FROM text_units u WHERE u.entry_id IN ` + in + ` AND ` + cond + `
			GROUP BY u.entry_id ORDER BY 1`
		qargs = append(inArgs, cargs...)
	}
	return q, qargs
}

// textHits runs q, which yields an entry, its rank and its best unit per
// row, best first, and makes each a TextHit with the unit's place and a
// snippet of it, marked from table's match (by hand with only
// substrings).
func (db *DB) textHits(ctx context.Context, p textPlan, table, match, q string, qargs []any) ([]TextHit, error) {
	rows, err := db.pool.QueryContext(ctx, q, qargs...)
	if err != nil {
		return nil, fmt.Errorf("search text: %w", err)
	}
	var hits []TextHit
	var units []int64
	for rows.Next() {
		var h TextHit
		var unit int64
		if err := rows.Scan(&h.EntryID, &h.Rank, &unit); err != nil {
			rows.Close()
			return nil, fmt.Errorf("search text: %w", err)
		}
		hits, units = append(hits, h), append(units, unit)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search text: %w", err)
	}
	if len(hits) == 0 {
		return nil, nil
	}
	at := make(map[int64]int, len(units))
	for i, u := range units {
		at[u] = i
	}
	in, inArgs := inList(units)
	rows, err = db.pool.QueryContext(ctx, `SELECT id, source, page, line, at_ms, box_x, box_y, box_w, box_h, text FROM text_units WHERE id IN `+in, inArgs...)
	if err != nil {
		return nil, fmt.Errorf("search text: %w", err)
	}
	for rows.Next() {
		var id int64
		var text string
		var bx, by, bw, bh sql.NullFloat64
		h := TextHit{}
		if err := rows.Scan(&id, &h.Source, &h.Page, &h.Line, &h.AtMS, &bx, &by, &bw, &bh, &text); err != nil {
			rows.Close()
			return nil, fmt.Errorf("search text: %w", err)
		}
		i := at[id]
		h.EntryID, h.Rank, h.Box = hits[i].EntryID, hits[i].Rank, box(bx, by, bw, bh)
		if match == "" {
			h.Snippet = substringSnippet(text, p.subs)
			h.Line = lineOfMark(h.Line, substringMarked(text, p.subs))
		}
		hits[i] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search text: %w", err)
	}
	if match != "" {
		// FTS5 marks the words it matched; snippet() only runs in a MATCH.
		rows, err = db.pool.QueryContext(ctx, `SELECT rowid, snippet(`+table+`, 0, ?, ?, '…', 16), highlight(`+table+`, 0, ?, ?) FROM `+table+
			` WHERE `+table+` MATCH ? AND rowid IN `+in, append([]any{HitOpen, HitClose, HitOpen, HitClose, match}, inArgs...)...)
		if err != nil {
			return nil, fmt.Errorf("search text: snippet: %w", err)
		}
		for rows.Next() {
			var id int64
			var s, marked string
			if err := rows.Scan(&id, &s, &marked); err != nil {
				rows.Close()
				return nil, fmt.Errorf("search text: snippet: %w", err)
			}
			h := &hits[at[id]]
			h.Snippet, h.Line = s, lineOfMark(h.Line, marked)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search text: snippet: %w", err)
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Rank < hits[j].Rank })
	return hits, nil
}

// snippetRunes is how much text a substring snippet shows either side.
const snippetRunes = 24

// substringSnippet is a snippet of text around the first of subs found,
// marked like FTS5's.
func substringSnippet(text string, subs []string) string {
	for _, s := range subs {
		i := strings.Index(text, s)
		if i < 0 {
			continue
		}
		before, after := text[:i], text[i+len(s):]
		pre, post := "", ""
		if n := utf8.RuneCountInString(before); n > snippetRunes {
			before, pre = string([]rune(before)[n-snippetRunes:]), "…"
		}
		if n := utf8.RuneCountInString(after); n > snippetRunes {
			after, post = string([]rune(after)[:snippetRunes]), "…"
		}
		return pre + before + HitOpen + s + HitClose + after + post
	}
	return ""
}

// lineOfMark is the line of the first marked match in a unit's marked
// text (highlight()'s, or substringMarked's), given the unit's first
// line: a unit holds a block of lines, and the hit is on one of them.
// Units without lines (0: pages, pictures) stay 0.
func lineOfMark(first int, marked string) int {
	if first <= 0 {
		return first
	}
	if i := strings.Index(marked, HitOpen); i >= 0 {
		return first + strings.Count(marked[:i], "\n")
	}
	return first
}

// substringMarked is text with the first of subs found marked, for
// lineOfMark; text unchanged when none is there.
func substringMarked(text string, subs []string) string {
	for _, s := range subs {
		if i := strings.Index(text, s); i >= 0 {
			return text[:i] + HitOpen + text[i:]
		}
	}
	return text
}
