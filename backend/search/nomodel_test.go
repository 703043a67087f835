package search

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// TestSearchWithoutModel: without a model a word that is no tag matches
// nothing, as in TagStudio, and the result's note says why; with a model the
// same words are a search by meaning and there is no note.
func TestSearchWithoutModel(t *testing.T) {
	ctx := context.Background()
	enc := fakeEncoder{texts: map[string][]float32{"sunset": {1, 0}}, def: []float32{0, 1}}
	l := newFakeLibrary(t, 2, enc, []fakeEntry{
		{path: "a.jpg", vec: []float32{1, 0}},
		{path: "b.jpg", vec: []float32{0, 1}},
		{path: "c.png", vec: []float32{1, 1}},
	})
	l.tag(t, "Dog", "a.jpg")
	bare := New(l.db, l.tags, nil, store.Model{}, Encoders{})

	tests := []struct {
		q, hits string
		note    bool
	}{
		{q: "sunset", note: true},
		{q: "sunset dog", note: true},
		{q: "not sunset", hits: "a.jpg b.jpg c.png", note: true},
		{q: "sunset or dog", hits: "a.jpg", note: true},
		{q: "dog", hits: "a.jpg"},
		{q: "filetype:'jpg' not dog", hits: "b.jpg"},
	}
	for _, tt := range tests {
		res, err := bare.Search(ctx, tt.q, Options{Sort: "name"})
		if err != nil {
			t.Errorf("%q: %v", tt.q, err)
			continue
		}
		if got := hitPaths(res.Hits); got != tt.hits || res.Semantic {
			t.Errorf("%q: hits %q (semantic %v), want %q", tt.q, got, res.Semantic, tt.hits)
		}
		if (res.Note != "") != tt.note || tt.note && !strings.Contains(res.Note, `"sunset"`) {
			t.Errorf("%q: note %q", tt.q, res.Note)
		}
	}
	// Asking for meaning outright still needs a model.
	if _, err := bare.Search(ctx, "~sunset", Options{}); !errors.Is(err, ErrNoModel) {
		t.Errorf("~sunset without a model: %v", err)
	}
	// With a model: a search by meaning, no note.
	res, err := l.Search(ctx, "sunset", Options{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Semantic || res.Note != "" || hitPaths(res.Hits) != "a.jpg" {
		t.Errorf("with a model: hits %q semantic %v note %q", hitPaths(res.Hits), res.Semantic, res.Note)
	}
}
