package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

func groupStrings(gs []Group) []string {
	var out []string
	for _, g := range gs {
		out = append(out, fmt.Sprintf("%s:%s", g.Kind, strings.Join(g.Paths, ",")))
	}
	return out
}

// TestDuplicatesFollowChanges: the near pairs are kept between calls, and
// a vector re-embedded (Put) or dropped (Forget) after they were found
// shows in the next call exactly as a fresh service reading the store
// finds it (the reference: no cache, vectors loaded anew).
func TestDuplicatesFollowChanges(t *testing.T) {
	ctx := context.Background()
	l := newFakeLibrary(t, 3, fakeEncoder{}, []fakeEntry{
		{path: "a.jpg", vec: []float32{0, 1, 0.05}},
		{path: "b.jpg", vec: []float32{0, 1, 0.1}},
		{path: "c.jpg", vec: []float32{1, 0, 0}},
		{path: "d.jpg", vec: []float32{-1, 0, 0}},
	})
	fresh := func() []string {
		t.Helper()
		s := New(l.db, l.tags, l.Service.files, l.model, Encoders{})
		gs, err := s.Duplicates(ctx, 0.98, nil)
		if err != nil {
			t.Fatal(err)
		}
		return groupStrings(gs)
	}
	check := func(when string, want []string) {
		t.Helper()
		gs, err := l.Duplicates(ctx, 0.98, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := groupStrings(gs)
		if ref := fresh(); !slices.Equal(ref, want) {
			t.Fatalf("%s: the reference found %q, the test expects %q", when, ref, want)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: groups %q, want %q", when, got, want)
		}
	}
	check("first", []string{"near:a.jpg,b.jpg"})
	check("again (cached)", []string{"near:a.jpg,b.jpg"})

	// d is re-embedded like c: the follower stores it, then puts it.
	put := func(path string, v []float32) {
		t.Helper()
		v = unit(v)
		if err := l.db.Tx(ctx, func(tx *store.Tx) error { return store.PutVector(ctx, tx, l.model, l.ids[path], v) }); err != nil {
			t.Fatal(err)
		}
		l.Put(map[int64][]float32{l.ids[path]: v})
	}
	put("d.jpg", []float32{1, 0, 0.01})
	check("after a put", []string{"near:a.jpg,b.jpg", "near:c.jpg,d.jpg"})

	// b moves away from a: the a–b pair goes.
	put("b.jpg", []float32{0, 0, 1})
	check("after a put that breaks a pair", []string{"near:c.jpg,d.jpg"})

	// c is forgotten (as the follower does for an entry whose vector went):
	// the in-memory vectors, and so the groups, lose it.
	l.Forget([]int64{l.ids["c.jpg"]})
	gs, err := l.Duplicates(ctx, 0.98, nil)
	if err != nil || len(gs) != 0 {
		t.Errorf("after a forget: groups %q, %v; want none", groupStrings(gs), err)
	}
}
