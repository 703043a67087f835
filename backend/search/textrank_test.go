package search

import (
	"context"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// TestTextResultsRankByRelevance: with no sort chosen, text: (and,
// without a model, a plain word looked up in the text) orders its
// results by how well their text matches, best first: the word three
// times in a short text, then once in a text as short, then once in a
// long one (bm25 grows with a word's count and falls with the text's
// length). Their names and ids run the other way, so neither the
// default order nor the name order passes for it. A chosen sort, in the
// query or the options, still orders by it; an OR keeps the results
// that have no such text after those that do; pages cut the ranking.
func TestTextResultsRankByRelevance(t *testing.T) {
	ctx := context.Background()
	l := newFakeLibrary(t, 2, fakeEncoder{def: []float32{0, 1}}, []fakeEntry{
		{path: "a-long.txt"}, {path: "b-short.txt"}, {path: "c-three.txt"}, {path: "d-none.txt"},
	})
	l.tag(t, "Work", "d-none.txt")
	long := "invoice " + strings.Repeat("the quarterly report covers sales and costs ", 40)
	texts := map[string]string{
		"a-long.txt":  long,
		"b-short.txt": "invoice for march",
		"c-three.txt": "invoice invoice invoice",
		"d-none.txt":  "nothing to pay",
	}
	err := l.db.Tx(ctx, func(tx *store.Tx) error {
		for path, text := range texts {
			if err := tx.ReplaceText(ctx, l.ids[path], "body", []store.TextUnit{{Source: "body", Line: 1, Text: text}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ranked := "c-three.txt b-short.txt a-long.txt"
	bare := New(l.db, l.tags, nil, store.Model{}, Encoders{})
	for _, c := range []struct {
		q     string
		opt   Options
		want  string
		total int
	}{
		{"text:invoice", Options{}, ranked, 3},
		{"invoice", Options{}, ranked, 3},
		{"text:invoice", Options{Sort: "name"}, "a-long.txt b-short.txt c-three.txt", 3},
		{"text:invoice sort:name", Options{}, "a-long.txt b-short.txt c-three.txt", 3},
		{"text:invoice", Options{Limit: 1, Offset: 1}, "b-short.txt", 3},
		{"text:invoice OR work", Options{}, ranked + " d-none.txt", 4},
		{"text:invoice OR work", Options{Limit: 2, Offset: 2}, "a-long.txt d-none.txt", 4},
	} {
		opt := c.opt
		if opt.Limit == 0 {
			opt.Limit = 10
		}
		res, err := bare.Search(ctx, c.q, opt)
		if err != nil {
			t.Errorf("%q %+v: %v", c.q, c.opt, err)
			continue
		}
		if got := hitPaths(res.Hits); got != c.want || res.Total != c.total {
			t.Errorf("%q %+v: %q (total %d), want %q (total %d)", c.q, c.opt, got, res.Total, c.want, c.total)
		}
		for _, h := range res.Hits {
			if (h.Text == nil) != (h.Path == "d-none.txt") {
				t.Errorf("%q: %s text hit %+v", c.q, h.Path, h.Text)
			}
		}
	}
}
