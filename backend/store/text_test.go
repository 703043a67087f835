package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// textEntries makes one entry per text, each with the text as one body
// unit on page i+1, and returns their ids.
func textEntries(t *testing.T, db *DB, texts ...string) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	err := db.Tx(ctx, func(tx *Tx) error {
		for i, s := range texts {
			e := Entry{Path: "doc" + string(rune('a'+i)) + ".txt", Fingerprint: "fp" + s, MediaType: "document"}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			ids = append(ids, e.ID)
			if err := tx.ReplaceText(ctx, e.ID, "body", []TextUnit{{Source: "body", Page: i + 1, Line: 10 * (i + 1), Text: s}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func hitIDs(hs []TextHit) []int64 {
	out := []int64{}
	for _, h := range hs {
		out = append(out, h.EntryID)
	}
	return out
}

func TestSearchTextWordsAccentsCJK(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	ids := textEntries(t, db,
		"Invoice 2024 for the café on the corner",       // 0
		"the cafe menu, no invoice here",                // 1
		"東京タワーは東京の電波塔です",                                // 2
		"a report about \"exact phrase\" matching NEAR", // 3
		"phrase exact, reversed",                        // 4
	)
	cases := []struct {
		name  string
		terms []string
		want  []int64 // in any order
	}{
		{"word", []string{"invoice"}, []int64{ids[0], ids[1]}},
		{"two words in one unit", []string{"invoice", "2024"}, []int64{ids[0]}},
		{"accent in the query finds none in the text", []string{"café"}, []int64{ids[0], ids[1]}},
		{"no accent finds the accented", []string{"cafe"}, []int64{ids[0], ids[1]}},
		{"upper case", []string{"INVOICE"}, []int64{ids[0], ids[1]}},
		{"phrase in order only", []string{"exact phrase"}, []int64{ids[3]}},
		{"CJK run of three, inside a word", []string{"京タワ"}, []int64{ids[2]}},
		{"CJK run of two", []string{"電波"}, []int64{ids[2]}},
		{"CJK run of one", []string{"塔"}, []int64{ids[2]}},
		{"FTS syntax is text", []string{"NEAR(a b)"}, []int64{}},
		{"a star is no prefix", []string{"invo*"}, []int64{}},
		{"quote in a word", []string{`"exact`}, []int64{ids[3], ids[4]}},
		{"punctuation only", []string{"--"}, []int64{}},
		{"missing word", []string{"invoice", "zebra"}, []int64{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hs, err := db.SearchText(ctx, c.terms, All(), 50)
			if err != nil {
				t.Fatal(err)
			}
			got := hitIDs(hs)
			if !sameSet(got, c.want) {
				t.Fatalf("SearchText(%q) = %v, want %v", c.terms, got, c.want)
			}
			// The filter package query compiles agrees with the search.
			fids, err := db.FilterIDs(ctx, TextFilter(c.terms))
			if err != nil {
				t.Fatal(err)
			}
			if !sameSet(fids, c.want) {
				t.Fatalf("TextFilter(%q) = %v, want %v", c.terms, fids, c.want)
			}
		})
	}
}

func sameSet(a, b []int64) bool {
	m := map[int64]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

func TestSearchTextHitSaysWhere(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	ids := textEntries(t, db, "nothing to see", "", "")
	units := []TextUnit{
		{Source: "pdf", Page: 1, Text: "a first page about nothing much"},
		{Source: "pdf", Page: 3, Text: "the quarterly invoice is due, pay the invoice"},
		{Source: "pdf", Page: 4, Text: "an invoice, once, among many other words on a long page of the report about other things"},
	}
	err := db.Tx(ctx, func(tx *Tx) error { return tx.ReplaceText(ctx, ids[1], "pdf", units) })
	if err != nil {
		t.Fatal(err)
	}
	b := &TextBox{X: 0.25, Y: 0.5, W: 0.125, H: 0.0625}
	err = db.Tx(ctx, func(tx *Tx) error {
		return tx.ReplaceText(ctx, ids[2], "ocr", []TextUnit{{Source: "ocr", Box: b, Text: "Invoice"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	hs, err := db.SearchText(ctx, []string{"invoice"}, All(), 10)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]TextHit{}
	for _, h := range hs {
		byID[h.EntryID] = h
	}
	h, ok := byID[ids[1]]
	if !ok || len(hs) != 2 {
		t.Fatalf("hits %+v, want entries %d and %d", hs, ids[1], ids[2])
	}
	// bm25 prefers the page that says it twice.
	if h.Page != 3 || h.Source != "pdf" {
		t.Fatalf("best unit: page %d of %q, want page 3 of pdf", h.Page, h.Source)
	}
	if want := "the quarterly " + HitOpen + "invoice" + HitClose + " is due, pay the " + HitOpen + "invoice" + HitClose; h.Snippet != want {
		t.Fatalf("snippet %q, want %q", h.Snippet, want)
	}
	if o := byID[ids[2]]; o.Box == nil || *o.Box != *b || o.Source != "ocr" {
		t.Fatalf("ocr hit %+v, want box %+v", o, *b)
	}
	// A filter over e narrows the search.
	hs, err = db.SearchText(ctx, []string{"invoice"}, Filter{"e.id = ?", []any{ids[2]}}, 10)
	if err != nil || !reflect.DeepEqual(hitIDs(hs), []int64{ids[2]}) {
		t.Fatalf("filtered: %v, %v; want [%d]", hitIDs(hs), err, ids[2])
	}
	// TextUnits reads back what was stored, from one source or all.
	got, err := db.TextUnits(ctx, ids[1], "pdf")
	if err != nil || !reflect.DeepEqual(got, units) {
		t.Fatalf("TextUnits = %+v, %v; want %+v", got, err, units)
	}
	all, err := db.TextUnits(ctx, ids[2], "")
	if err != nil || len(all) != 1 || all[0].Box == nil || *all[0].Box != *b {
		t.Fatalf("TextUnits(all) = %+v, %v", all, err)
	}
}

func TestReplaceTextAndDeleteKeepIndexesInStep(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	ids := textEntries(t, db, "alpha 東京タワー", "beta")
	search := func(w string) []int64 {
		t.Helper()
		hs, err := db.SearchText(ctx, []string{w}, All(), 10)
		if err != nil {
			t.Fatal(err)
		}
		return hitIDs(hs)
	}
	// Replacing one source leaves the others.
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.ReplaceText(ctx, ids[0], "xmp", []TextUnit{{Source: "xmp", Text: "gamma"}}); err != nil {
			return err
		}
		return tx.ReplaceText(ctx, ids[0], "body", []TextUnit{{Source: "body", Text: "delta " + HitOpen + "x"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := search("alpha"); len(got) != 0 {
		t.Fatalf("replaced words still found: %v", got)
	}
	if got := search("京タワ"); len(got) != 0 {
		t.Fatalf("replaced CJK still found: %v", got)
	}
	if got := search("gamma"); !reflect.DeepEqual(got, []int64{ids[0]}) {
		t.Fatalf("gamma: %v", got)
	}
	us, _ := db.TextUnits(ctx, ids[0], "body")
	if len(us) != 1 || strings.Contains(us[0].Text, HitOpen) {
		t.Fatalf("stored %+v: the marker must not be kept", us)
	}
	// Deleting the entry takes its text out of both indexes.
	if _, err := db.DeleteEntries(ctx, []int64{ids[0]}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM text_units`); n != 1 {
		t.Fatalf("%d units left, want 1", n)
	}
	// integrity-check with rank 1 compares the word index with every row.
	if _, err := db.pool.Exec(`INSERT INTO text_fts(text_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Fatalf("text_fts out of step: %v", err)
	}
	// The trigram index holds some rows only: ask it for the rowids it
	// still has for the deleted words (SearchText's join would hide them).
	for tbl, m := range map[string]string{"text_fts": "alpha OR gamma OR delta", "text_tri": `"京タワ"`} {
		if n := count(t, db, `SELECT count(*) FROM `+tbl+` WHERE `+tbl+` MATCH ?`, m); n != 0 {
			t.Fatalf("%s still indexes %d deleted units", tbl, n)
		}
	}
	if got := search("gamma"); len(got) != 0 {
		t.Fatalf("deleted entry found: %v", got)
	}
	if got := search("beta"); !reflect.DeepEqual(got, []int64{ids[1]}) {
		t.Fatalf("beta: %v", got)
	}
}

// A hit says the line its word is on, not the first line of the block of
// lines the unit holds: the word, the CJK run and the short substring
// are on the block's third line (40 + 2), counted here from the text.
func TestTextHitLineIsTheWordsLine(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	ids := textEntries(t, db, "", "")
	block := "first line of the block\nsecond line\nthe walrus sat here 東京タワー 塔\nfourth line"
	want := 40 + strings.Count(block[:strings.Index(block, "walrus")], "\n")
	for _, id := range ids[:1] {
		err := db.Tx(ctx, func(tx *Tx) error {
			return tx.ReplaceText(ctx, id, "body", []TextUnit{{Source: "body", Line: 40, Text: block}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, term := range []string{"walrus", "京タワ", "塔"} {
		hs, err := db.SearchText(ctx, []string{term}, All(), 10)
		if err != nil || len(hs) != 1 {
			t.Fatalf("%s: %+v, %v", term, hs, err)
		}
		if hs[0].Line != want {
			t.Fatalf("%s: line %d, want %d", term, hs[0].Line, want)
		}
		ms, _, err := db.EntryTextMatches(ctx, ids[0], [][]string{{term}}, 10)
		if err != nil || len(ms) != 1 || ms[0].Line != want {
			t.Fatalf("%s: entry matches %+v, %v; want line %d", term, ms, err, want)
		}
	}
}
