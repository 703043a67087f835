package search

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// TestPlainSearchFusesText: a plain search ranks by meaning and by the
// words in the files in one list (reciprocal rank fusion, k=60, computed
// here from the two rankings), text-only hits (no vector, or far in
// meaning) among them with where their text matched, and within the
// relevance cutoff.
func TestPlainSearchFusesText(t *testing.T) {
	ctx := context.Background()
	enc := fakeEncoder{texts: map[string][]float32{"invoice": {1, 0, 0}}, def: []float32{0, 1, 0}}
	var es []fakeEntry
	for i := 1; i <= 10; i++ {
		es = append(es, fakeEntry{path: fmt.Sprintf("pics/p%02d.jpg", i), vec: []float32{1, 0.02 * float32(i), 0}})
	}
	es = append(es, fakeEntry{path: "docs/bill.pdf", vec: []float32{0, 0, 1}}, fakeEntry{path: "docs/notes.txt"},
		fakeEntry{path: "docs/other.txt"})
	l := newFakeLibrary(t, 3, enc, es)
	err := l.db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceText(ctx, l.ids["docs/bill.pdf"], "pdf", []store.TextUnit{
			{Source: "pdf", Page: 1, Text: "cover"}, {Source: "pdf", Page: 3, Text: "Invoice 2024 for services rendered in March"}}); err != nil {
			return err
		}
		if err := tx.ReplaceText(ctx, l.ids["docs/notes.txt"], "body", []store.TextUnit{{Source: "body", Line: 7, Text: "pay the invoice"}}); err != nil {
			return err
		}
		return tx.ReplaceText(ctx, l.ids["docs/other.txt"], "body", []store.TextUnit{{Source: "body", Line: 1, Text: "nothing to pay"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	// The two rankings on their own: by meaning (sem: searches meaning
	// only) and by text (the store's search).
	sem, err := l.Search(ctx, "sem:invoice", Options{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	txt, err := l.db.SearchText(ctx, []string{"invoice"}, store.All(), 50)
	if err != nil || len(txt) != 2 {
		t.Fatalf("text ranking: %v, %v", txt, err)
	}
	if sem.Cutoff != 10 {
		t.Fatalf("meaning's cutoff %d, want the 10 pictures", sem.Cutoff)
	}
	rrf := map[int64]float64{}
	relevant := map[int64]bool{}
	for i, h := range sem.Hits {
		rrf[h.EntryID] += 1 / float64(60+i+1)
		relevant[h.EntryID] = relevant[h.EntryID] || i < sem.Cutoff
	}
	for i, h := range txt {
		rrf[h.EntryID] += 1 / float64(60+i+1)
		relevant[h.EntryID] = true
	}
	var want []int64
	for id := range rrf {
		want = append(want, id)
	}
	sort.Slice(want, func(i, j int) bool {
		a, b := want[i], want[j]
		if relevant[a] != relevant[b] {
			return relevant[a]
		}
		if rrf[a] != rrf[b] {
			return rrf[a] > rrf[b]
		}
		return a < b
	})

	res, err := l.Search(ctx, "invoice", Options{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, h := range res.Hits {
		got = append(got, h.EntryID)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("fused order %v (%s), want %v", got, hitPaths(res.Hits), want)
	}
	if res.Cutoff != 12 || res.FromText != 2 || res.FromMeaning != 10 {
		t.Fatalf("cutoff %d, from text %d, from meaning %d; want 12 (10 pictures, 2 texts), 2, 10", res.Cutoff, res.FromText, res.FromMeaning)
	}
	// 11 entries have a vector; notes.txt has none but its text matched.
	if res.Total != 12 {
		t.Fatalf("total %d, want 12", res.Total)
	}
	byPath := map[string]Hit{}
	for _, h := range res.Hits {
		byPath[h.Path] = h
	}
	if h := byPath["docs/bill.pdf"]; h.Text == nil || h.Text.Page != 3 || h.Text.Source != "pdf" {
		t.Fatalf("bill.pdf's text hit: %+v", h.Text)
	}
	if h := byPath["docs/notes.txt"]; h.Text == nil || h.Text.Line != 7 || h.Text.Snippet != "pay the "+store.HitOpen+"invoice"+store.HitClose {
		t.Fatalf("notes.txt's text hit: %+v", h.Text)
	}
	if h := byPath["pics/p01.jpg"]; h.Text != nil {
		t.Fatalf("a picture without words has a text hit: %+v", h.Text)
	}
	// A page further on continues the same ranking.
	page, err := l.Search(ctx, "invoice", Options{Limit: 3, Offset: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Hits) != 3 || page.Hits[0].EntryID != want[2] || page.Cutoff != 10 {
		t.Fatalf("page 2: %s, cutoff %d", hitPaths(page.Hits), page.Cutoff)
	}

	// text: alone searches the text only, and says where.
	res, err = l.Search(ctx, `text:"invoice 2024"`, Options{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if hitPaths(res.Hits) != "docs/bill.pdf" || res.Hits[0].Text == nil || res.Hits[0].Text.Page != 3 || res.FromText != 1 {
		t.Fatalf("text:\"invoice 2024\": %s, %+v", hitPaths(res.Hits), res)
	}
}
