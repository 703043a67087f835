package search

import (
	"context"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// TestEachTextTermMayBeOnItsOwnPage: text:a text:b finds a file whose
// page 1 has one word and page 2 the other, and its result shows where
// (the first term's page), not nothing.
func TestEachTextTermMayBeOnItsOwnPage(t *testing.T) {
	ctx := context.Background()
	l := newFakeLibrary(t, 2, fakeEncoder{def: []float32{0, 1}}, []fakeEntry{{path: "report.pdf"}, {path: "both.pdf"}})
	err := l.db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceText(ctx, l.ids["report.pdf"], "pdf", []store.TextUnit{
			{Source: "pdf", Page: 1, Text: "the walrus"}, {Source: "pdf", Page: 2, Text: "the carpenter"},
		}); err != nil {
			return err
		}
		return tx.ReplaceText(ctx, l.ids["both.pdf"], "pdf", []store.TextUnit{{Source: "pdf", Page: 5, Text: "the walrus and the carpenter"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Search(ctx, "text:walrus text:carpenter", Options{Sort: "name"})
	if err != nil {
		t.Fatal(err)
	}
	if got := hitPaths(res.Hits); got != "both.pdf report.pdf" {
		t.Fatalf("hits %q, want both.pdf report.pdf", got)
	}
	want := map[string]int{"both.pdf": 5, "report.pdf": 1}
	for _, h := range res.Hits {
		if h.Text == nil || h.Text.Page != want[h.Path] {
			t.Errorf("%s: text hit %+v, want page %d", h.Path, h.Text, want[h.Path])
		}
	}
}
