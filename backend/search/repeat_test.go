package search

import (
	"context"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// TestRepeatedSearchSeesChanges: the same query by meaning, asked again
// after the library changed (a tag that now filters, a hidden tag, an
// entry gone missing), answers for the library as it is, not as the
// previous identical search found it.
func TestRepeatedSearchSeesChanges(t *testing.T) {
	ctx := context.Background()
	enc := fakeEncoder{texts: map[string][]float32{"red": {1, 0, 0}}, def: []float32{0, 0, 1}}
	var es []fakeEntry
	for i, p := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		es = append(es, fakeEntry{path: p + ".jpg", vec: []float32{1, float32(i) / 10, 0}})
	}
	l := newFakeLibrary(t, 3, enc, es)
	search := func(q string) string {
		t.Helper()
		res, err := l.Search(ctx, q, Options{Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		return hitPaths(res.Hits)
	}
	if got := search("red"); got != "a.jpg b.jpg c.jpg" {
		t.Fatalf("red: %s", got)
	}
	if got := search("red NOT tag:x"); got != "a.jpg b.jpg c.jpg" {
		t.Fatalf("red NOT tag:x before tagging: %s", got)
	}
	l.tag(t, "x", "a.jpg", "c.jpg")
	if got := search("red NOT tag:x"); got != "b.jpg d.jpg e.jpg" {
		t.Errorf("red NOT tag:x after tagging a and c: %s", got)
	}
	l.tag(t, "Archived", "b.jpg")
	if got := search("red"); got != "a.jpg c.jpg d.jpg" {
		t.Errorf("red after archiving b: %s", got)
	}
	if err := l.db.Tx(ctx, func(tx *store.Tx) error {
		return store.SetMissing(ctx, tx, []int64{l.ids["a.jpg"]}, true)
	}); err != nil {
		t.Fatal(err)
	}
	if got := search("red"); got != "c.jpg d.jpg e.jpg" {
		t.Errorf("red after a went missing: %s", got)
	}
}
