package search

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// TestPlainWordsFindTextWithoutModel: without a model, once the library
// has text, a plain word that is no tag finds the files whose text has it
// (with their snippet), combined with tags as any filter, and the note
// says the words were looked for in text; a word no text has still finds
// nothing.
func TestPlainWordsFindTextWithoutModel(t *testing.T) {
	ctx := context.Background()
	l := newFakeLibrary(t, 2, fakeEncoder{def: []float32{0, 1}}, []fakeEntry{
		{path: "bill.pdf"}, {path: "notes.txt"}, {path: "other.txt"}, {path: "a.jpg"},
	})
	l.tag(t, "Work", "notes.txt", "other.txt")
	bare := New(l.db, l.tags, nil, store.Model{}, Encoders{})
	// Before the library has text: TagStudio's rule.
	res, err := bare.Search(ctx, "invoice", Options{Sort: "name"})
	if err != nil || len(res.Hits) != 0 || !strings.Contains(res.Note, "match nothing") {
		t.Fatalf("no text yet: hits %q note %q err %v", hitPaths(res.Hits), res.Note, err)
	}
	err = l.db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceText(ctx, l.ids["bill.pdf"], "pdf", []store.TextUnit{{Source: "pdf", Page: 3, Text: "Invoice 2024 for March"}}); err != nil {
			return err
		}
		if err := tx.ReplaceText(ctx, l.ids["notes.txt"], "body", []store.TextUnit{{Source: "body", Line: 7, Text: "pay the invoice"}}); err != nil {
			return err
		}
		return tx.ReplaceText(ctx, l.ids["other.txt"], "body", []store.TextUnit{{Source: "body", Line: 1, Text: "nothing to pay"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ q, hits string }{
		{"invoice", "bill.pdf notes.txt"},
		{"invoice work", "notes.txt"},
		{"pay", "notes.txt other.txt"},
		{"pay not work", ""},
		{"zebra", ""},
	} {
		res, err := bare.Search(ctx, tt.q, Options{Sort: "name"})
		if err != nil {
			t.Errorf("%q: %v", tt.q, err)
			continue
		}
		if got := hitPaths(res.Hits); got != tt.hits || res.Semantic {
			t.Errorf("%q: hits %q (semantic %v), want %q", tt.q, got, res.Semantic, tt.hits)
		}
		if !strings.Contains(res.Note, "text") {
			t.Errorf("%q: note %q", tt.q, res.Note)
		}
		for _, h := range res.Hits {
			if h.Text == nil {
				t.Errorf("%q: %s has no snippet", tt.q, h.Path)
			}
		}
	}
	res, err = bare.Search(ctx, "invoice", Options{Sort: "name"})
	if err == nil && len(res.Hits) > 0 && (res.Hits[0].Text.Page != 3) {
		t.Errorf("invoice in bill.pdf: %+v, want page 3", res.Hits[0].Text)
	}
}

// TestTextMatchesWithoutModel: without a model, the inspector lists where
// a plain word is in a file's text, the units the same search found the
// file by (TextMatches used to read the word as a meaning word there, and
// list nothing).
func TestTextMatchesWithoutModel(t *testing.T) {
	ctx := context.Background()
	l := newFakeLibrary(t, 2, fakeEncoder{def: []float32{0, 1}}, []fakeEntry{{path: "notes.txt"}, {path: "other.txt"}})
	bare := New(l.db, l.tags, nil, store.Model{}, Encoders{})
	err := l.db.Tx(ctx, func(tx *store.Tx) error {
		return tx.ReplaceText(ctx, l.ids["notes.txt"], "body", []store.TextUnit{
			{Source: "body", Line: 1, Text: "shopping list"},
			{Source: "body", Line: 7, Text: "pay the invoice"},
			{Source: "body", Line: 9, Text: "invoice sent"},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := bare.Search(ctx, "invoice", Options{Sort: "name"})
	if err != nil || hitPaths(res.Hits) != "notes.txt" {
		t.Fatalf("search: %q %v", hitPaths(res.Hits), err)
	}
	hits, more, err := bare.TextMatches(ctx, l.ids["notes.txt"], "invoice", 10)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, h := range hits {
		lines = append(lines, h.Line)
	}
	if fmt.Sprint(lines) != "[7 9]" || more {
		t.Errorf("inspector lists lines %v (more %v), want [7 9]", lines, more)
	}
	if hits, _, err := bare.TextMatches(ctx, l.ids["other.txt"], "invoice", 10); err != nil || len(hits) != 0 {
		t.Errorf("other.txt: %+v %v", hits, err)
	}
}
