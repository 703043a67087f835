package store

import (
	"context"
	"reflect"
	"slices"
	"testing"
)

func TestApplyXMPTags(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	e := Entry{Path: "a.jpg", Size: 1, Fingerprint: "f", MediaType: "image", Orientation: 1}
	if err := db.Tx(ctx, func(tx *Tx) error { return InsertEntry(ctx, tx, &e) }); err != nil {
		t.Fatal(err)
	}
	// "favorite" is Favourite's alias; "Mine" is the user's.
	mine, _ := db.CreateTag(ctx, "Mine", 0)
	db.ApplyTag(ctx, mine, []int64{e.ID})
	apply := func(paths ...[]string) []string {
		t.Helper()
		if err := db.Tx(ctx, func(tx *Tx) error { return ApplyXMPTags(ctx, tx, e.ID, paths, 1) }); err != nil {
			t.Fatal(err)
		}
		ts, err := db.TagsOfEntry(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tg := range ts {
			names = append(names, tg.Name)
		}
		slices.Sort(names)
		return names
	}
	got := apply([]string{"Places", "France", "Nice"}, []string{"favorite"}, []string{"mine"})
	if want := []string{"Favourite", "Mine", "Nice"}; !slices.Equal(got, want) {
		t.Fatalf("tags %q want %q", got, want)
	}
	ids := func(n string) int64 { x, _ := db.TagIDsByName(ctx, n); return x[0] }
	nice, _ := db.TagByID(ctx, ids("Nice"))
	if !slices.Equal(nice.Parents, []int64{ids("France")}) {
		t.Fatalf("Nice parents %v", nice.Parents)
	}
	// A path that would make a cycle links nothing but still tags.
	if got := apply([]string{"Nice", "Places"}); !slices.Equal(got, []string{"Mine", "Places"}) {
		t.Fatalf("after the cycle path: %q", got)
	}
	places, _ := db.TagByID(ctx, ids("Places"))
	if len(places.Parents) != 0 {
		t.Fatalf("a cycle was made: %v", places.Parents)
	}
	// No XMP at all: the XMP's tags go, the user's stays.
	if got := apply(); !slices.Equal(got, []string{"Mine"}) {
		t.Fatalf("after no XMP: %q", got)
	}
	paths, err := db.TagPaths(ctx, []int64{ids("Nice"), mine})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64][][]string{ids("Nice"): {{"Places", "France", "Nice"}}, mine: {{"Mine"}}}
	if !reflect.DeepEqual(paths, want) {
		t.Fatalf("paths %v", paths)
	}
}
