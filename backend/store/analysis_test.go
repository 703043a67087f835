package store

import (
	"context"
	"testing"
)

// TestMigrateBackfillsAnalysis opens a schema-4 library and checks that
// migration 5 records what it already has (metadata for every entry, the
// thumbnail at its size, the CLIP vector or remembered failure of the
// newest model for the current content), so upgrading redoes nothing.
func TestMigrateBackfillsAnalysis(t *testing.T) {
	ctx := context.Background()
	p, exec, done := oldLibrary(t, 4)
	for id, thumb := range map[int64]string{1: "ab/x1abc-256.jpg", 2: "", 3: "cd/x1cd-512.jpg", 4: "ef/x1ef-256.jpg"} {
		exec(`INSERT INTO entries(id, path, size, mtime_ns, fingerprint, media_type, thumb, added_at, updated_at)
			VALUES (?, ?, 1, 2, ?, 'image', ?, 3, 4)`, id, "p"+string(rune('0'+id)), "fp"+string(rune('0'+id)), thumb)
	}
	exec(`INSERT INTO models(id, key, name, dim, created_at) VALUES (1, 'old', 'm', 2, 0), (2, 'new', 'n', 2, 0)`)
	exec(`INSERT INTO vectors(model_id, entry_id, embedding) VALUES (1, 1, x'00'), (2, 1, x'00'), (1, 3, x'00')`)
	exec(`INSERT INTO embed_errors(entry_id, model_id, fingerprint, error) VALUES (4, 2, 'fp4', 'broken'), (2, 2, 'stale', 'old content')`)
	done()

	db, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	idx, err := db.AnalysisIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		id                 int64
		analyzer           string
		version, state, fp string
	}
	for _, w := range []want{
		{1, "metadata", "m1", "done", "fp1"}, {2, "metadata", "m1", "done", "fp2"},
		{1, "thumbnail", "t1:256", "done", "fp1"}, {3, "thumbnail", "t1:512", "done", "fp3"},
		{1, "clip", "c1:new", "done", "fp1"}, {3, "clip", "c1:old", "done", "fp3"},
		{4, "clip", "c1:new", "failed", "fp4"},
	} {
		r, ok := idx[w.id][w.analyzer]
		if !ok || r.Version != w.version || r.State != w.state || r.Fingerprint != w.fp {
			t.Errorf("entry %d %s: %+v (present %v), want %+v", w.id, w.analyzer, r, ok, w)
		}
	}
	if _, ok := idx[2]["thumbnail"]; ok {
		t.Error("entry without a thumbnail got a thumbnail row")
	}
	if _, ok := idx[2]["clip"]; ok {
		t.Error("a failure of older content was carried over")
	}
}

// TestAnalysisRowsGoWithEntryAndContent: deleting an entry or changing its
// content removes its analysis rows in the same transaction; a touch or a
// move keeps them.
func TestAnalysisRowsGoWithEntryAndContent(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var a, b Entry
	err := db.Tx(ctx, func(tx *Tx) error {
		a = Entry{Path: "a.jpg", Fingerprint: "fa", MediaType: "image"}
		b = Entry{Path: "b.jpg", Fingerprint: "fb", MediaType: "image"}
		for _, e := range []*Entry{&a, &b} {
			if err := InsertEntry(ctx, tx, e); err != nil {
				return err
			}
			for _, an := range []string{"thumbnail", "clip"} {
				if err := PutAnalysis(ctx, tx, AnalysisRow{EntryID: e.ID, Analyzer: an, Fingerprint: e.Fingerprint, Version: "1", State: AnalysisDone}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := func(id int64) int {
		m, err := db.EntryAnalysis(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return len(m)
	}
	err = db.Tx(ctx, func(tx *Tx) error { return TouchEntry(ctx, tx, a.ID, "moved/a.jpg", 9, 9, 9) })
	if err != nil || rows(a.ID) != 2 {
		t.Fatalf("touch: %v, %d rows", err, rows(a.ID))
	}
	a.Path, a.Fingerprint = "moved/a.jpg", "fa2"
	if err := db.Tx(ctx, func(tx *Tx) error { return UpdateEntry(ctx, tx, &a) }); err != nil || rows(a.ID) != 0 {
		t.Fatalf("content change: %v, %d rows left", err, rows(a.ID))
	}
	if n, err := db.DeleteEntries(ctx, []int64{b.ID}); err != nil || n != 1 || rows(b.ID) != 0 {
		t.Fatalf("delete: %d %v, %d rows left", n, err, rows(b.ID))
	}
}
