package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSearchTextFilterBeforeRankCut: an entry the filter allows has its
// hit however many entries outrank it. The reviewer's case: more entries
// than maxRankedUnits have the word, the one asked about is the last and
// longest (bm25 ranks it last); SearchText used to rank the library's
// best maxRankedUnits units first and filter them after, and gave none.
func TestSearchTextFilterBeforeRankCut(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	n := maxRankedUnits + 100
	var target int64
	err := db.Tx(ctx, func(tx *Tx) error {
		for i := range n {
			e := Entry{Path: fmt.Sprintf("gen/%05d.txt", i), Fingerprint: fmt.Sprint(i), MediaType: "document"}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			text := "common word"
			if i == n-1 {
				text, target = "common "+strings.Repeat("filler ", 200), e.ID
			}
			if err := tx.ReplaceText(ctx, e.ID, "body", []TextUnit{{Source: "body", Line: 3, Text: text}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The reference: the filter finds it.
	tf := TextFilter([]string{"common"})
	ids, err := db.FilterIDs(ctx, Filter{"(" + tf.where + ") AND e.id = ?", append(tf.args, target)})
	if err != nil || len(ids) != 1 {
		t.Fatalf("TextFilter: %v %v", ids, err)
	}
	check := func(name string, hits []TextHit, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(hits) != 1 || hits[0].EntryID != target || hits[0].Line != 3 || !strings.Contains(hits[0].Snippet, HitOpen+"common"+HitClose) {
			t.Errorf("%s: %+v, want the one hit of entry %d on line 3", name, hits, target)
		}
	}
	hits, err := db.SearchText(ctx, []string{"common"}, Filter{"e.id = ?", []any{target}}, 10)
	check("SearchText", hits, err)
	start := time.Now()
	hits, err = db.SearchTextIn(ctx, []string{"common"}, []int64{target})
	check("SearchTextIn", hits, err)
	in := time.Since(start)
	start = time.Now()
	hits, err = db.SearchText(ctx, []string{"common"}, Filter{"e.id IN (?)", []any{target}}, 1)
	check("SearchText by an id list", hits, err)
	t.Logf("one entry among %d with the word: SearchTextIn %v, SearchText with e.id IN %v", n, in, time.Since(start))
}

// TestSearchTextInGoesByTheEntries: a page's snippets cost a lookup per
// unit of the page's entries, never a pass over every match in the
// library: SQLite's plan reads the units by the entries' index and each
// index (words, trigrams) by the unit's rowid, and the statements are
// the same few for a page of 10 as for one of 100.
func TestSearchTextInGoesByTheEntries(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	var ids []int64
	err := db.Tx(ctx, func(tx *Tx) error {
		for i := range 100 {
			e := Entry{Path: fmt.Sprintf("gen/%03d.txt", i), Fingerprint: fmt.Sprint(i), MediaType: "document"}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			ids = append(ids, e.ID)
			if err := tx.ReplaceText(ctx, e.ID, "body", []TextUnit{{Source: "body", Text: "common 東京タワー"}, {Source: "body", Text: "other"}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, terms := range [][]string{{"common"}, {"東京タワー"}, {"東京タワー", "common"}, {"東京"}} {
		q, args := planText(terms).inQuery(ids[:3])
		plan := queryPlan(t, db, q, args)
		if !strings.HasPrefix(plan[0], "SEARCH u USING") || !strings.Contains(plan[0], "INDEX text_units_entry (entry_id=?)") {
			t.Errorf("%q: the units are not read by entry first: %q", terms, plan)
		}
		for _, step := range plan {
			// FTS5's plan names its constraints: "=" a rowid, "M" a MATCH.
			if strings.Contains(step, "VIRTUAL TABLE") && !regexp.MustCompile(`INDEX \d+:=M`).MatchString(step) {
				t.Errorf("%q: an index is not read by the unit's rowid: %q", terms, step)
			}
		}
		cost := map[int]int64{}
		for _, page := range []int{10, 100} {
			before := db.Statements()
			hits, err := db.SearchTextIn(ctx, terms, ids[:page])
			if err != nil || len(hits) != page {
				t.Fatalf("%q: %d hits for %d entries: %v", terms, len(hits), page, err)
			}
			cost[page] = db.Statements() - before
		}
		if cost[10] != cost[100] || cost[100] > 3 {
			t.Errorf("%q: a page of 10 costs %d statements, of 100 %d; want the same, at most 3", terms, cost[10], cost[100])
		}
	}
}

// queryPlan is SQLite's plan for q, a step a line.
func queryPlan(t *testing.T, db *DB, q string, args []any) []string {
	t.Helper()
	rows, err := db.pool.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var step string
		if err := rows.Scan(&id, &parent, &unused, &step); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, step)
	}
	if err := rows.Err(); err != nil || len(plan) == 0 {
		t.Fatalf("plan %q: %v", plan, err)
	}
	return plan
}
