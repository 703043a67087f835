package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"
)

// EntryTextMatches lists the units of one entry's text that match a
// search, in the order they were stored (page, then line), at most limit;
// more reports that there were others. A unit matches when it has every
// term of one of groups (each group read as SearchText reads its terms),
// so a plain search's words are found together, while each text: term is
// found on its own. Each unit comes with a snippet whose matched words
// are marked, as a TextHit with Rank 0.
//
// Every condition is a lookup from the entry's own units (a seek in the
// index per unit), never a scan of every unit the library holds.
func (db *DB) EntryTextMatches(ctx context.Context, entryID int64, groups [][]string, limit int) (hits []TextHit, more bool, err error) {
	if limit <= 0 {
		return nil, false, nil
	}
	var conds, fts, tri []string
	var args []any
	var subs []string
	for _, g := range groups {
		p := planText(g)
		if p.empty() {
			continue
		}
		cond, cargs := p.entryUnitCond()
		conds, args = append(conds, "("+cond+")"), append(args, cargs...)
		if p.fts != "" {
			fts = append(fts, "("+p.fts+")")
		}
		if p.tri != "" {
			tri = append(tri, "("+p.tri+")")
		}
		subs = append(subs, p.subs...)
	}
	if len(conds) == 0 {
		return nil, false, nil
	}
	q := `SELECT u.id, u.source, u.page, u.line, u.at_ms, u.box_x, u.box_y, u.box_w, u.box_h, u.text
		FROM text_units u WHERE u.entry_id = ? AND (` + strings.Join(conds, " OR ") + `) ORDER BY u.id LIMIT ?`
	rows, err := db.pool.QueryContext(ctx, q, append(append([]any{entryID}, args...), limit+1)...)
	if err != nil {
		return nil, false, fmt.Errorf("entry text matches: %w", err)
	}
	var ids []int64
	var texts []string
	for rows.Next() {
		var id int64
		var text string
		var h TextHit
		var bx, by, bw, bh sql.NullFloat64
		if err := rows.Scan(&id, &h.Source, &h.Page, &h.Line, &h.AtMS, &bx, &by, &bw, &bh, &text); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("entry text matches: %w", err)
		}
		h.EntryID, h.Box = entryID, box(bx, by, bw, bh)
		hits, ids, texts = append(hits, h), append(ids, id), append(texts, text)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("entry text matches: %w", err)
	}
	if len(hits) > limit {
		hits, ids, texts, more = hits[:limit], ids[:limit], texts[:limit], true
	}
	if len(hits) == 0 {
		return nil, false, nil
	}
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	// The snippets: FTS5 marks what any group's words matched (snippet()
	// only runs in a MATCH), the trigram index what a CJK run matched; a
	// short CJK run is marked by hand.
	for _, ix := range []struct{ table, match string }{{"text_fts", strings.Join(fts, " OR ")}, {"text_tri", strings.Join(tri, " OR ")}} {
		if ix.match == "" {
			continue
		}
		var left []int64
		for i, id := range ids {
			if hits[i].Snippet == "" {
				left = append(left, id)
			}
		}
		if len(left) == 0 {
			break
		}
		in, inArgs := inList(left)
		rows, err := db.pool.QueryContext(ctx, `SELECT rowid, snippet(`+ix.table+`, 0, ?, ?, '…', 16), highlight(`+ix.table+`, 0, ?, ?) FROM `+ix.table+
			` WHERE `+ix.table+` MATCH ? AND rowid IN `+in, append([]any{HitOpen, HitClose, HitOpen, HitClose, ix.match}, inArgs...)...)
		if err != nil {
			return nil, false, fmt.Errorf("entry text matches: snippet: %w", err)
		}
		for rows.Next() {
			var id int64
			var s, marked string
			if err := rows.Scan(&id, &s, &marked); err != nil {
				rows.Close()
				return nil, false, fmt.Errorf("entry text matches: snippet: %w", err)
			}
			if strings.Contains(s, HitOpen) {
				h := &hits[at[id]]
				h.Snippet, h.Line = s, lineOfMark(h.Line, marked)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, false, fmt.Errorf("entry text matches: snippet: %w", err)
		}
	}
	for i := range hits {
		if hits[i].Snippet == "" {
			hits[i].Snippet = substringSnippet(texts[i], subs)
			hits[i].Line = lineOfMark(hits[i].Line, substringMarked(texts[i], subs))
		}
		if hits[i].Snippet == "" {
			hits[i].Snippet = head(texts[i])
		}
	}
	return hits, more, nil
}

// entryUnitCond is the plan as a condition on one unit u, looked up by
// its id in each index: the cost follows the entry's units, not the
// library's.
func (p textPlan) entryUnitCond() (string, []any) {
	var parts []string
	var args []any
	if p.fts != "" {
		parts = append(parts, `EXISTS (SELECT 1 FROM text_fts WHERE text_fts MATCH ? AND rowid = u.id)`)
		args = append(args, p.fts)
	}
	if p.tri != "" {
		parts = append(parts, `(u.cjk AND EXISTS (SELECT 1 FROM text_tri WHERE text_tri MATCH ? AND rowid = u.id))`)
		args = append(args, p.tri)
	}
	for _, s := range p.subs {
		parts = append(parts, `(u.cjk AND instr(u.text, ?) > 0)`)
		args = append(args, s)
	}
	return strings.Join(parts, " AND "), args
}

// head is the start of text, for a unit no snippet could mark.
func head(text string) string {
	if utf8.RuneCountInString(text) <= 2*snippetRunes {
		return text
	}
	return string([]rune(text)[:2*snippetRunes]) + "…"
}
