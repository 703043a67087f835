package store

import (
	"context"
	"reflect"
	"testing"
)

// The change log records what every writer does, read back per kind; a
// reader whose cursor was pruned away is told to reload everything.
func TestChangeLog(t *testing.T) {
	db, path := openTemp(t)
	ctx := context.Background()
	m, err := db.EnsureModel(ctx, "k", "m", 2)
	if err != nil {
		t.Fatal(err)
	}
	start, err := db.ChangeSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var a, b int64
	err = db.Tx(ctx, func(tx *Tx) error {
		for _, p := range []string{"a.jpg", "b.jpg"} {
			e := Entry{Path: p, Size: 1, Fingerprint: "fp-" + p, MediaType: "image", Thumb: "t"}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			a, b = b, e.ID
		}
		return PutVector(ctx, tx, m, b, []float32{1, 0})
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.ChangesSince(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Entries, []int64{a, b}) || !reflect.DeepEqual(c.Vectors, []int64{b}) || c.Tagged != nil && len(c.Tagged) != 0 || c.TagDefs || c.Lost {
		t.Fatalf("after inserts: %+v", c)
	}
	if top, _ := db.ChangeSeq(ctx); top != c.Seq || c.Seq <= start {
		t.Fatalf("cursor %d, newest %d", c.Seq, top)
	}

	// A second connection (another process) tags and makes a tag.
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := other.CreateTag(ctx, "Sea", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.ApplyTag(ctx, tag, []int64{a}); err != nil {
		t.Fatal(err)
	}
	other.Close()
	d, err := db.ChangesSince(ctx, c.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Tagged, []int64{a}) || !d.TagDefs || len(d.Entries) != 0 || len(d.Vectors) != 0 {
		t.Fatalf("after tagging: %+v", d)
	}
	if none, _ := db.ChangesSince(ctx, d.Seq); !none.Empty() || none.Seq != d.Seq {
		t.Fatalf("nothing new, yet: %+v", none)
	}
	all := c.Merge(d)
	if !reflect.DeepEqual(all.Entries, []int64{a, b}) || !reflect.DeepEqual(all.Tagged, []int64{a}) || !all.TagDefs || all.Seq != d.Seq {
		t.Fatalf("merged: %+v", all)
	}

	// Deleting an entry drops its vector: both are logged.
	if _, err := db.DeleteEntries(ctx, []int64{b}); err != nil {
		t.Fatal(err)
	}
	e, _ := db.ChangesSince(ctx, d.Seq)
	if !reflect.DeepEqual(e.Entries, []int64{b}) || !reflect.DeepEqual(e.Vectors, []int64{b}) {
		t.Fatalf("after delete: %+v", e)
	}

	// Pruning past a reader's cursor tells it to reload.
	old := ChangeLogKeep
	ChangeLogKeep = 1
	defer func() { ChangeLogKeep = old }()
	if err := db.PruneChanges(ctx); err != nil {
		t.Fatal(err)
	}
	lost, err := db.ChangesSince(ctx, start)
	if err != nil || !lost.Lost || lost.Seq != e.Seq {
		t.Fatalf("behind the pruned log: %+v %v", lost, err)
	}
	if cur, _ := db.ChangesSince(ctx, e.Seq); cur.Lost {
		t.Fatalf("a current reader told to reload: %+v", cur)
	}
}

// At the edge of the pruned log: a reader whose cursor is just before the
// oldest row kept has lost nothing; one row further back it has lost one
// change and must reload.
func TestChangeLogLostEdge(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *Tx) error {
		for _, p := range []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg", "f.jpg"} {
			e := Entry{Path: p, Size: 1, Fingerprint: "fp-" + p, MediaType: "image", Thumb: "t"}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	top, err := db.ChangeSeq(ctx)
	if err != nil || top < 6 {
		t.Fatalf("change log top %d %v", top, err)
	}
	old := ChangeLogKeep
	ChangeLogKeep = 3 // keeps seq top-2, top-1, top
	defer func() { ChangeLogKeep = old }()
	if err := db.PruneChanges(ctx); err != nil {
		t.Fatal(err)
	}
	oldest := top - 2
	edge, err := db.ChangesSince(ctx, oldest-1)
	if err != nil || edge.Lost || len(edge.Entries) != 3 || edge.Seq != top {
		t.Errorf("cursor just before the oldest kept row: %+v %v, want the 3 kept changes, not lost", edge, err)
	}
	behind, err := db.ChangesSince(ctx, oldest-2)
	if err != nil || !behind.Lost || behind.Seq != top {
		t.Errorf("cursor one change behind the kept rows: %+v %v, want lost", behind, err)
	}
}
