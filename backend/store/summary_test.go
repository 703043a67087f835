package store

import (
	"context"
	"fmt"
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
	if got, err := db.Summary(ctx, Model{}); err != nil || got != (Summary{Entries: 8, Missing: 2}) {
		t.Fatalf("without a model: %+v, %v", got, err)
	}
}
