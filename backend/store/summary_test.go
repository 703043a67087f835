package store

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"testing"
)

// TestSummaryFollowsChanges: the header's counts, asked again after each
// kind of change (a vector, a failed embedding, which the change log does
// not record, an entry going missing, a new entry, a video), are the
// library's as written here, not the ones kept from the previous ask.
func TestSummaryFollowsChanges(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	m, err := db.EnsureModel(ctx, "k3", "three", 3)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	insert := func(path, media, thumb string) int64 {
		t.Helper()
		var id int64
		err := db.Tx(ctx, func(tx *Tx) error {
			e := Entry{Path: path, Size: 1, Fingerprint: "fp-" + path, MediaType: media, Thumb: thumb}
			err := InsertEntry(ctx, tx, &e)
			id = e.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	for i := range 6 {
		ids = append(ids, insert(fmt.Sprintf("p%d.jpg", i), "image", "t.jpg"))
	}
	insert("clip.mp4", "video", "t.jpg") // never embedded
	insert("nothumb.jpg", "image", "")   // not yet thumbnailed
	insert("raw.cr2", "raw", "t.jpg")    // embedded like a picture
	tx := func(f func(tx *Tx) error) {
		t.Helper()
		if err := db.Tx(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	check := func(step string, want Summary) {
		t.Helper()
		for range 2 { // asked twice: the second answer is the kept one
			got, err := db.Summary(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s: %+v, want %+v", step, got, want)
			}
		}
	}
	check("fresh", Summary{Entries: 9, ToEmbed: 7})
	tx(func(tx *Tx) error { return PutVector(ctx, tx, m, ids[0], []float32{1, 0, 0}) })
	check("one vector", Summary{Entries: 9, Vectors: 1, ToEmbed: 6})
	tx(func(tx *Tx) error { return PutEmbedError(ctx, tx, m, ids[1], "fp-p1.jpg", "broken") })
	check("one failure", Summary{Entries: 9, Vectors: 1, ToEmbed: 5})
	tx(func(tx *Tx) error { return PutEmbedError(ctx, tx, m, ids[2], "old content", "broken") })
	check("a failure of older content", Summary{Entries: 9, Vectors: 1, ToEmbed: 5})
	tx(func(tx *Tx) error { return SetMissing(ctx, tx, []int64{ids[3], ids[0]}, true) })
	check("two missing", Summary{Entries: 7, Missing: 2, Vectors: 1, ToEmbed: 4})
	insert("new.jpg", "image", "t.jpg")
	check("a new picture", Summary{Entries: 8, Missing: 2, Vectors: 1, ToEmbed: 5})
	e, err := db.EntryByID(ctx, ids[4])
	if err != nil {
		t.Fatal(err)
	}
	e.MediaType = "video" // its headers, read again, say so
	tx(func(tx *Tx) error { return SetEntryInfo(ctx, tx, &e) })
	check("a picture that is a video", Summary{Entries: 8, Missing: 2, Vectors: 1, ToEmbed: 4})
	if got, err := db.Summary(ctx, Model{}); err != nil || got != (Summary{Entries: 8, Missing: 2}) {
		t.Fatalf("without a model: %+v, %v", got, err)
	}
}

// TestToEmbedCountFollowsEveryWrite drives a library with two models
// through every write that changes what is left to embed (new pictures,
// vectors added and replaced, failures of current and older content,
// thumbnails made and dropped, entries going missing and back, new
// content, a video becoming a picture, deletes by the store and by a
// cascade) and compares the header's count with the list of entries to
// embed (EntriesToEmbed: its own query, over the vec0 table) after each.
func TestToEmbedCountFollowsEveryWrite(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var models []Model
	for i := range 2 {
		m, err := db.EnsureModel(ctx, fmt.Sprintf("k%d", i), "m", 2)
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, m)
	}
	r := rand.New(rand.NewSource(11))
	var ids []int64
	do := func(f func(tx *Tx) error) {
		t.Helper()
		if err := db.Tx(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	media := []string{"image", "image", "raw", "video"}
	for step := range 400 {
		var id int64
		if len(ids) > 0 {
			id = ids[r.Intn(len(ids))]
		}
		m := models[r.Intn(2)]
		switch op := r.Intn(10); {
		case op == 0 || len(ids) < 5:
			do(func(tx *Tx) error {
				e := Entry{Path: fmt.Sprintf("p%03d", step), Size: 1, Fingerprint: fmt.Sprint(step), MediaType: media[r.Intn(4)],
					Thumb: []string{"", "t.jpg", "t.jpg"}[r.Intn(3)]}
				err := InsertEntry(ctx, tx, &e)
				ids = append(ids, e.ID)
				return err
			})
		case op <= 2:
			do(func(tx *Tx) error { return PutVector(ctx, tx, m, id, []float32{1, float32(step)}) })
		case op == 3:
			e, err := db.EntryByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			fp := e.Fingerprint
			if r.Intn(3) == 0 {
				fp = "older"
			}
			do(func(tx *Tx) error { return PutEmbedError(ctx, tx, m, id, fp, "broken") })
		case op == 4:
			do(func(tx *Tx) error { return SetThumb(ctx, tx, id, []string{"", "t2.jpg"}[r.Intn(2)]) })
		case op == 5:
			do(func(tx *Tx) error { return SetMissing(ctx, tx, []int64{id}, r.Intn(2) == 0) })
		case op == 6:
			e, err := db.EntryByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			switch r.Intn(3) {
			case 0:
				e.Fingerprint = fmt.Sprint("new", step)
				do(func(tx *Tx) error { return UpdateEntry(ctx, tx, &e) })
			case 1:
				e.MediaType = media[r.Intn(4)]
				do(func(tx *Tx) error { return UpdateEntry(ctx, tx, &e) })
			default: // the headers read again: the type alone changes
				e.MediaType = media[r.Intn(4)]
				do(func(tx *Tx) error { return SetEntryInfo(ctx, tx, &e) })
			}
		case op == 7:
			if _, err := db.DeleteEntries(ctx, []int64{id}); err != nil {
				t.Fatal(err)
			}
			ids = slices.DeleteFunc(ids, func(x int64) bool { return x == id })
		case op == 8:
			mustExec(t, db, `DELETE FROM entries WHERE id = ?`, id) // an older writer: the cascade alone
			ids = slices.DeleteFunc(ids, func(x int64) bool { return x == id })
		default:
			e, err := db.EntryByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			do(func(tx *Tx) error { return TouchEntry(ctx, tx, id, e.Path, 2, 2, 2) })
		}
		for _, m := range models {
			todo, err := db.EntriesToEmbed(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			s, err := db.Summary(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			if s.ToEmbed != len(todo) {
				t.Fatalf("step %d, model %d: %d to embed, the list holds %d", step, m.ID, s.ToEmbed, len(todo))
			}
		}
	}
}
