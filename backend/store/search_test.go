package store

import (
	"context"
	"slices"
	"testing"
)

// library makes entries a..f (sizes 6..1, so size order reverses name
// order) with vectors for a..d only; e is missing; a, b and e share
// content (a and b with the same size), c has an older x0 fingerprint
// matching d's content. Tag "hid" (hidden) is on b.
func library(t *testing.T, db *DB) (map[string]int64, Model) {
	t.Helper()
	ctx := context.Background()
	m, err := db.EnsureModel(ctx, "k2", "two", 2)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	fps := map[string]string{"a": "x1:same", "b": "x1:same", "c": "x0:old", "d": "x0:old", "e": "x1:same", "f": "x1:f"}
	sizes := map[string]int64{"a": 6, "b": 6, "c": 4, "d": 4, "e": 6, "f": 1}
	err = db.Tx(ctx, func(tx *Tx) error {
		for i, p := range []string{"a", "b", "c", "d", "e", "f"} {
			e := Entry{Path: p + ".jpg", Size: sizes[p], Fingerprint: fps[p], MediaType: "image", Thumb: "t", AddedAt: int64(100 - i)}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			ids[p] = e.ID
			if i < 4 {
				if err := PutVector(ctx, tx, m, e.ID, []float32{1, float32(i)}); err != nil {
					return err
				}
			}
		}
		return SetMissing(ctx, tx, []int64{ids["e"]}, true)
	})
	if err != nil {
		t.Fatal(err)
	}
	hid := mustTag(t, db, "hid")
	if err := db.SetTagHidden(ctx, hid, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyTag(ctx, hid, []int64{ids["b"]}); err != nil {
		t.Fatal(err)
	}
	ids["hid"] = hid
	return ids, m
}

func TestFilterQueries(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	ids, _ := library(t, db)
	paths := func(refs []EntryRef) []string {
		var out []string
		for _, r := range refs {
			if r.ID != ids[r.Path[:1]] {
				t.Errorf("%s has id %d, want %d", r.Path, r.ID, ids[r.Path[:1]])
			}
			out = append(out, r.Path)
		}
		return out
	}
	vis := func(shown []int64, hidden, missing bool) (string, []any) {
		f := Visible(All(), shown, hidden, missing)
		return f.where, f.args
	}
	all, aargs := vis(nil, false, false)
	withHidden, hargs := vis(nil, true, false)
	shown, sargs := vis([]int64{ids["hid"]}, false, false)
	withMissing, margs := vis(nil, false, true)
	tests := []struct {
		name          string
		where         string
		args          []any
		sort          string
		limit, offset int
		want          []string
		total         int
	}{
		{"visible", all, aargs, "", 10, 0, []string{"a.jpg", "c.jpg", "d.jpg", "f.jpg"}, 4},
		{"with hidden", withHidden, hargs, "", 10, 0, []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg", "f.jpg"}, 5},
		{"hidden tag named", shown, sargs, "", 10, 0, []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg", "f.jpg"}, 5},
		{"with missing", withMissing, margs, "", 10, 0, []string{"a.jpg", "c.jpg", "d.jpg", "e.jpg", "f.jpg"}, 5},
		{"page", all, aargs, "-name", 2, 1, []string{"d.jpg", "c.jpg"}, 4},
		{"by size", all, aargs, "size", 10, 0, []string{"f.jpg", "c.jpg", "d.jpg", "a.jpg"}, 4},
		{"by added", all, aargs, "-added", 10, 0, []string{"a.jpg", "c.jpg", "d.jpg", "f.jpg"}, 4},
		{"past the end still counts", all, aargs, "", 10, 10, nil, 4},
		{"filter args", "e.size > ?", []any{3}, "", 10, 0, []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refs, total, err := db.FilterEntries(ctx, Filter{tt.where, tt.args}, tt.sort, tt.limit, tt.offset)
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(refs); !slices.Equal(got, tt.want) || total != tt.total {
				t.Errorf("got %v of %d, want %v of %d", got, total, tt.want, tt.total)
			}
			got, err := db.FilterIDs(ctx, Filter{tt.where, tt.args})
			if err != nil || len(got) != tt.total {
				t.Errorf("FilterIDs: %d ids (%v), want %d", len(got), err, tt.total)
			}
		})
	}
	if _, _, err := db.FilterEntries(ctx, Filter{all, aargs}, "colour", 1, 0); err == nil {
		t.Error("an unknown sort is accepted")
	}
	if _, err := db.SortEntryIDs(ctx, []int64{ids["a"]}, "-taken"); err != nil {
		t.Errorf("sort -taken: %v", err)
	}
	if got, err := db.FilterIDs(ctx, Filter{"0", nil}); err != nil || got == nil || len(got) != 0 {
		t.Errorf("no match: %#v %v, want an empty list", got, err)
	}
	if out, err := db.FilterOut(ctx, Filter{all, aargs}); err != nil || !slices.Equal(sortedCopy(out), sortedCopy([]int64{ids["b"], ids["e"]})) {
		t.Errorf("left out of the visible: %v %v, want b (hidden) and e (missing)", out, err)
	}
	ps, err := db.EntryPaths(ctx, []int64{ids["c"], ids["a"], 999})
	if err != nil || len(ps) != 2 || ps[ids["a"]] != "a.jpg" || ps[ids["c"]] != "c.jpg" {
		t.Errorf("EntryPaths = %v %v", ps, err)
	}
	sorted, err := db.SortEntryIDs(ctx, []int64{ids["a"], ids["f"], ids["c"]}, "size")
	if want := []int64{ids["f"], ids["c"], ids["a"]}; err != nil || !slices.Equal(sorted, want) {
		t.Errorf("SortEntryIDs = %v %v, want %v", sorted, err, want)
	}
}

func TestSuggestQueries(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	ids, m := library(t, db)
	dog, cat := mustTag(t, db, "dog"), mustTag(t, db, "cat")
	for tag, es := range map[int64][]int64{dog: {ids["a"], ids["c"], ids["e"]}, cat: {ids["a"]}} {
		if _, err := db.ApplyTag(ctx, tag, es); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.DismissSuggestions(ctx, cat, []int64{ids["c"], ids["d"]}); err != nil {
		t.Fatal(err)
	}
	sorted := func(xs []int64, err error) []int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(xs)
		return xs
	}
	if got, want := sorted(db.SuggestionSkips(ctx, ids["c"])), []int64{dog, cat}; !slices.Equal(got, want) {
		t.Errorf("skips for c: %v, want carried and dismissed %v", got, want)
	}
	if got := sorted(db.SuggestionSkips(ctx, ids["f"])); len(got) != 0 {
		t.Errorf("skips for f: %v", got)
	}
	if got, want := sorted(db.TagMembers(ctx, dog)), []int64{ids["a"], ids["c"]}; !slices.Equal(got, want) {
		t.Errorf("dog's present members %v, want %v", got, want)
	}
	if got, want := sorted(db.BatchSuggestionSkips(ctx, cat)), []int64{ids["a"], ids["c"], ids["d"], ids["e"]}; !slices.Equal(got, want) {
		t.Errorf("batch skips for cat %v, want tagged, dismissed and missing %v", got, want)
	}
	nb, err := db.TagsOfEntries(ctx, []int64{ids["a"], ids["c"], ids["f"]})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(nb[ids["a"]])
	if len(nb) != 2 || !slices.Equal(nb[ids["a"]], []int64{dog, cat}) || !slices.Equal(nb[ids["c"]], []int64{dog}) {
		t.Errorf("TagsOfEntries = %v", nb)
	}
	if nb, err := db.TagsOfEntries(ctx, nil); err != nil || len(nb) != 0 {
		t.Errorf("TagsOfEntries(nil) = %v %v", nb, err)
	}
	// a..d have vectors and are present.
	if got, want := sorted(db.SampleVectorEntries(ctx, m, 100)), []int64{ids["a"], ids["b"], ids["c"], ids["d"]}; !slices.Equal(got, want) {
		t.Errorf("sample %v, want %v", got, want)
	}
	if got, err := db.SampleVectorEntries(ctx, m, 2); err != nil || len(got) != 2 {
		t.Errorf("sample of 2: %v %v", got, err)
	}
	if got, err := db.SampleVectorEntries(ctx, Model{ID: 99, Dim: 2}, 2); err != nil || got == nil || len(got) != 0 {
		t.Errorf("sample of a model with no vectors: %#v %v, want an empty list", got, err)
	}
}

func TestDuplicateQueries(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	ids, _ := library(t, db)
	groups, err := db.ExactDuplicates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// a and b: same x1 hash and size; e is missing; c and d only share an
	// x0 fingerprint, which is not a content hash.
	if len(groups) != 1 || !slices.Equal(sortedCopy(groups[0]), sortedCopy([]int64{ids["a"], ids["b"]})) {
		t.Errorf("exact groups %v, want [[a b]] = %v", groups, []int64{ids["a"], ids["b"]})
	}
	if n, err := db.EntryTagCount(ctx, ids["b"]); err != nil || n != 1 {
		t.Errorf("b carries %d tags (%v), want 1", n, err)
	}
	if n, err := db.EntryTagCount(ctx, ids["a"]); err != nil || n != 0 {
		t.Errorf("a carries %d tags (%v), want 0", n, err)
	}
}

func sortedCopy(xs []int64) []int64 {
	c := slices.Clone(xs)
	slices.Sort(c)
	return c
}
