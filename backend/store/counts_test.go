package store

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
)

// TestTagCountsFollowEveryChange drives a library through every way a
// tag's count of present entries can change (apply, remove, missing and
// back, delete, merge, tag delete, the store's own xmp and face paths are
// the same link writes) and compares ListTags' counts after each step with
// a model of the library kept here in Go.
func TestTagCountsFollowEveryChange(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := rand.New(rand.NewSource(3))
	type entry struct {
		missing bool
		tags    map[int64]bool
	}
	model := map[int64]*entry{}
	var ids []int64
	err := db.Tx(ctx, func(tx *Tx) error {
		for i := range 40 {
			e := Entry{Path: fmt.Sprintf("p%02d.jpg", i), Size: 1, Fingerprint: fmt.Sprint(i), MediaType: "image"}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			ids = append(ids, e.ID)
			model[e.ID] = &entry{tags: map[int64]bool{}}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tagIDs := []int64{}
	for i := range 6 {
		tagIDs = append(tagIDs, mustTag(t, db, fmt.Sprintf("t%d", i)))
	}
	pick := func(n int) []int64 {
		var out []int64
		for range n {
			out = append(out, ids[r.Intn(len(ids))])
		}
		return out
	}
	check := func(step string) {
		t.Helper()
		want := map[int64]int{}
		for _, e := range model {
			for tag := range e.tags {
				if !e.missing {
					want[tag]++
				}
			}
		}
		ts, err := db.ListTags(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range ts {
			if tg.Count != want[tg.ID] {
				t.Fatalf("after %s: tag %s counts %d, want %d", step, tg.Name, tg.Count, want[tg.ID])
			}
		}
	}
	for step := range 60 {
		tag := tagIDs[r.Intn(len(tagIDs))]
		switch op := r.Intn(7); op {
		case 0, 1:
			es := pick(5)
			if _, err := db.ApplyTag(ctx, tag, es); err != nil {
				t.Fatal(err)
			}
			for _, id := range es {
				if model[id] != nil {
					model[id].tags[tag] = true
				}
			}
		case 2:
			es := pick(3)
			if _, err := db.RemoveTag(ctx, tag, es); err != nil {
				t.Fatal(err)
			}
			for _, id := range es {
				if model[id] != nil {
					delete(model[id].tags, tag)
				}
			}
		case 3:
			es, missing := pick(4), r.Intn(2) == 0
			if err := db.Tx(ctx, func(tx *Tx) error { return SetMissing(ctx, tx, es, missing) }); err != nil {
				t.Fatal(err)
			}
			for _, id := range es {
				if model[id] != nil {
					model[id].missing = missing
				}
			}
		case 4:
			es := pick(1)
			if _, err := db.DeleteEntries(ctx, es); err != nil {
				t.Fatal(err)
			}
			delete(model, es[0])
		case 6:
			// Another writer (an older Tagsight) deletes the entry alone:
			// its links go by the foreign key's cascade.
			es := pick(1)
			mustExec(t, db, `DELETE FROM entries WHERE id = ?`, es[0])
			delete(model, es[0])
		case 5:
			if len(tagIDs) < 3 {
				continue
			}
			from := tagIDs[len(tagIDs)-1]
			tagIDs = tagIDs[:len(tagIDs)-1]
			if from == tag {
				tag = tagIDs[0]
			}
			if r.Intn(2) == 0 {
				if err := db.MergeTags(ctx, from, tag); err != nil {
					t.Fatal(err)
				}
				for _, e := range model {
					if e.tags[from] {
						e.tags[tag] = true
					}
				}
			} else if err := db.DeleteTag(ctx, from); err != nil {
				t.Fatal(err)
			}
			for _, e := range model {
				delete(e.tags, from)
			}
			tagIDs = append(tagIDs, mustTag(t, db, fmt.Sprintf("new%d", step)))
		}
		check(fmt.Sprintf("step %d", step))
	}
}
