package search

import (
	"context"
	"fmt"
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

// TestSemanticTotalPastThePool: when a search by meaning fills its pool,
// Total is how many entries the filter allows that have a vector, for a
// broad filter (read as what it leaves out), a middling one and a narrow
// one, and "more like this" leaves the picture itself out. The expected
// counts are the library's as written here.
func TestSemanticTotalPastThePool(t *testing.T) {
	ctx := context.Background()
	enc := fakeEncoder{texts: map[string][]float32{"red": {1, 0, 0}}, def: []float32{0, 0, 1}}
	var es []fakeEntry
	for i := range 900 {
		e := fakeEntry{path: fmt.Sprintf("p%03d.jpg", i), vec: []float32{1, float32(i%17) / 10, float32(i%5) / 10}}
		if i%30 == 0 {
			e.vec = nil // 30 without a vector
		}
		es = append(es, e)
	}
	l := newFakeLibrary(t, 3, enc, es)
	var missing, wide, narrow []string
	for i := range 900 {
		p := fmt.Sprintf("p%03d.jpg", i)
		if i%50 == 7 {
			missing = append(missing, p)
		}
		if i < 400 { // over a quarter of the index: a set of those allowed
			wide = append(wide, p)
		}
		if i >= 400 && i < 620 { // under a quarter, over the pool: a list
			narrow = append(narrow, p)
		}
	}
	l.tag(t, "wide", wide...)
	l.tag(t, "narrow", narrow...)
	l.tag(t, "Archived", "p899.jpg", "p898.jpg")
	var ids []int64
	for _, p := range missing {
		ids = append(ids, l.ids[p])
	}
	if err := l.db.Tx(ctx, func(tx *store.Tx) error { return store.SetMissing(ctx, tx, ids, true) }); err != nil {
		t.Fatal(err)
	}
	withVec := func(paths []string) int {
		n := 0
		for _, p := range paths {
			var i int
			fmt.Sscanf(p, "p%03d.jpg", &i)
			if i%30 != 0 && i%50 != 7 && i < 898 {
				n++
			}
		}
		return n
	}
	var all []string
	for i := range 900 {
		all = append(all, fmt.Sprintf("p%03d.jpg", i))
	}
	for _, tt := range []struct {
		q    string
		want int
	}{
		{"red", withVec(all)},
		{"red tag:wide", withVec(wide)},
		{"red tag:narrow", withVec(narrow)},
		{"red NOT tag:narrow", withVec(all) - withVec(narrow)},
	} {
		res, err := l.Search(ctx, tt.q, Options{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != tt.want {
			t.Errorf("%s: total %d, want %d", tt.q, res.Total, tt.want)
		}
	}
	res, err := l.Similar(ctx, l.ids["p001.jpg"], "", Options{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if want := withVec(all) - 1; res.Total != want {
		t.Errorf("more like p001: total %d, want %d", res.Total, want)
	}
}
