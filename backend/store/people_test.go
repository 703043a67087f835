package store

import (
	"context"
	"fmt"
	"testing"
)

// TestPeopleCountsAndCovers: each person's faces and pictures count
// present entries only, the cover is a pinned face before a better one,
// else the best, and the list asked again after a change (a face moved to
// another person, an entry gone missing) is the library's new one.
func TestPeopleCountsAndCovers(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var faces []int64 // faces[i] is in entry i/2, quality (i+1)/10
	var entries []int64
	var p1, p2 int64
	err := db.Tx(ctx, func(tx *Tx) error {
		for i := range 4 {
			e := Entry{Path: fmt.Sprintf("p%d.jpg", i), Size: 1, Fingerprint: fmt.Sprint(i), MediaType: "image"}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			entries = append(entries, e.ID)
			fs := []Face{{X: 0.1, W: 0.2, H: 0.2, Quality: float64(2*i+1) / 10}, {X: 0.6, W: 0.2, H: 0.2, Quality: float64(2*i+2) / 10}}
			ids, _, err := ReplaceFaces(ctx, tx, e.ID, fs, 0)
			if err != nil {
				return err
			}
			faces = append(faces, ids...)
		}
		var err error
		if p1, err = NewPerson(ctx, tx); err != nil {
			return err
		}
		// p1: faces 0, 1, 2 (entries 0 and 1), face 0 pinned; p2: faces 5, 6, 7.
		if err := AssignFaces(ctx, tx, p1, faces[1:3], false); err != nil {
			return err
		}
		if err := AssignFaces(ctx, tx, p1, faces[:1], true); err != nil {
			return err
		}
		if p2, err = NewPerson(ctx, tx); err != nil { // after: a person without faces goes
			return err
		}
		return AssignFaces(ctx, tx, p2, faces[5:8], false)
	})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		faces, entries int
		cover          int64
	}
	check := func(step string, w map[int64]want) {
		t.Helper()
		ps, err := db.People(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != len(w) {
			t.Fatalf("%s: %d people, want %d", step, len(ps), len(w))
		}
		for _, p := range ps {
			if g := (want{p.Faces, p.Entries, p.Cover.ID}); g != w[p.ID] {
				t.Errorf("%s: person %d has %+v, want %+v", step, p.ID, g, w[p.ID])
			}
		}
	}
	check("first", map[int64]want{p1: {3, 2, faces[0]}, p2: {3, 2, faces[7]}})
	if err := db.Tx(ctx, func(tx *Tx) error { return AssignFaces(ctx, tx, p1, faces[7:8], false) }); err != nil {
		t.Fatal(err)
	}
	check("face 7 moved", map[int64]want{p1: {4, 3, faces[0]}, p2: {2, 2, faces[6]}})
	if err := db.Tx(ctx, func(tx *Tx) error { return SetMissing(ctx, tx, entries[:1], true) }); err != nil {
		t.Fatal(err)
	}
	check("entry 0 missing", map[int64]want{p1: {2, 2, faces[7]}, p2: {2, 2, faces[6]}})
	if err := db.HidePerson(ctx, p2, true); err != nil {
		t.Fatal(err)
	}
	check("p2 hidden, all asked", map[int64]want{p1: {2, 2, faces[7]}, p2: {2, 2, faces[6]}})
	if ps, err := db.People(ctx, false); err != nil || len(ps) != 1 || ps[0].ID != p1 {
		t.Errorf("p2 hidden, the shown asked: %+v, %v", ps, err)
	}
}
