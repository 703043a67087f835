package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"
)

// indexedFrames reads m's frame index back: frame id → vector.
func indexedFrames(t *testing.T, db *DB, m Model) map[int64][]float32 {
	t.Helper()
	rows, err := db.pool.Query(`SELECT rowid, embedding FROM ` + frameVecTable(m.ID))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]float32{}
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			t.Fatal(err)
		}
		out[id] = BlobVector(b)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// frameIDs is what the frames table holds for m: frame id → entry id.
func frameIDs(t *testing.T, db *DB, m Model) map[int64]int64 {
	t.Helper()
	rows, err := db.pool.Query(`SELECT id, entry_id FROM frames WHERE model_id = ?`, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, eid int64
		if err := rows.Scan(&id, &eid); err != nil {
			t.Fatal(err)
		}
		out[id] = eid
	}
	return out
}

// TestFrameIndexFollowsFrames checks each model's sqlite-vec frame index
// holds exactly the vectors the test stored, under their frames' ids, and
// loses them by every way frames go: replaced, the entry's content
// changed, the entry deleted, and the foreign-key cascades from an entry
// row and a model row that no Go code sees.
func TestFrameIndexFollowsFrames(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	m3, err := db.EnsureModel(ctx, "k3", "three", 3)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := db.EnsureModel(ctx, "k2", "two", 2)
	if err != nil {
		t.Fatal(err)
	}
	var es []Entry
	stored := map[int64][][]float32{} // entry → the m3 vectors it was given
	put := func(e Entry, vs ...[]float32) {
		t.Helper()
		fs := make([]Frame, len(vs))
		for i, v := range vs {
			fs[i] = Frame{AtMS: int64(1000 * i), Vec: v}
		}
		if err := db.Tx(ctx, func(tx *Tx) error { return ReplaceFrames(ctx, tx, m3, e.ID, fs) }); err != nil {
			t.Fatal(err)
		}
		stored[e.ID] = vs
	}
	err = db.Tx(ctx, func(tx *Tx) error {
		for i := range 5 {
			e := Entry{Path: fmt.Sprintf("v%d.mp4", i), Size: 1, Fingerprint: fmt.Sprintf("fp%d", i), MediaType: "video", Thumb: "t"}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			es = append(es, e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	put(es[0], []float32{1, 0, 0}, []float32{0, 1, 0}, []float32{0.6, 0.8, 0})
	put(es[1], []float32{0, 0, 1}, []float32{0.8, 0, 0.6})
	put(es[2], []float32{-1, 0, 0})
	put(es[3], []float32{0.5, 0.5, 0.7})
	put(es[4], []float32{0.1, 0.9, 0.4})
	if err := db.Tx(ctx, func(tx *Tx) error {
		return ReplaceFrames(ctx, tx, m2, es[0].ID, []Frame{{AtMS: 5, Vec: []float32{1, 1}}})
	}); err != nil {
		t.Fatal(err)
	}

	// The index of m3 is the frames table of m3, vector for vector.
	check := func(step string) {
		t.Helper()
		got := indexedFrames(t, db, m3)
		ids := frameIDs(t, db, m3)
		if len(got) != len(ids) {
			t.Fatalf("%s: index holds %d frames, the table %d", step, len(got), len(ids))
		}
		byEntry := map[int64][][]float32{}
		var fids []int64
		for id := range ids {
			fids = append(fids, id)
		}
		slices.Sort(fids) // ids grow in insertion order, which is time order
		for _, id := range fids {
			v, ok := got[id]
			if !ok {
				t.Fatalf("%s: frame %d not indexed", step, id)
			}
			byEntry[ids[id]] = append(byEntry[ids[id]], v)
		}
		for eid, vs := range stored {
			if len(vs) == 0 {
				continue
			}
			if fmt.Sprint(byEntry[eid]) != fmt.Sprint(vs) {
				t.Errorf("%s: entry %d indexed %v, stored %v", step, eid, byEntry[eid], vs)
			}
		}
		if n, err := db.IndexedFrames(ctx, m3); err != nil || n != len(ids) {
			t.Errorf("%s: IndexedFrames %d %v, want %d", step, n, err, len(ids))
		}
	}
	check("stored")
	if got := indexedFrames(t, db, m2); len(got) != 1 {
		t.Errorf("model 2's index: %v", got)
	}

	// KNN through the index against cosine distances worked out here.
	q := []float32{1, 0.2, 0}
	type ref struct {
		eid  int64
		dist float64
	}
	var refs []ref
	for eid, vs := range stored {
		for _, v := range vs {
			var dot, nq, nv float64
			for i := range q {
				dot += float64(q[i] * v[i])
				nq += float64(q[i] * q[i])
				nv += float64(v[i] * v[i])
			}
			refs = append(refs, ref{eid, 1 - dot/math.Sqrt(nq*nv)})
		}
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].dist < refs[j].dist })
	hits, err := db.KNNFrames(ctx, m3, q, 4)
	if err != nil || len(hits) != 4 {
		t.Fatalf("knn frames: %v %+v", err, hits)
	}
	for i, h := range hits {
		if h.EntryID != refs[i].eid || math.Abs(h.Distance-refs[i].dist) > 1e-5 {
			t.Errorf("hit %d: entry %d at %.5f, want entry %d at %.5f", i, h.EntryID, h.Distance, refs[i].eid, refs[i].dist)
		}
	}
	if _, err := db.KNNFrames(ctx, m3, []float32{1, 0}, 3); err == nil {
		t.Error("a 2-value query of a 3-d model accepted")
	}
	// A missing entry's frames are not found.
	if err := db.Tx(ctx, func(tx *Tx) error { return SetMissing(ctx, tx, []int64{es[0].ID}, true) }); err != nil {
		t.Fatal(err)
	}
	hits, _ = db.KNNFrames(ctx, m3, q, 20)
	for _, h := range hits {
		if h.EntryID == es[0].ID {
			t.Errorf("missing entry's frame found: %+v", h)
		}
	}
	if len(hits) != 5 {
		t.Errorf("%d hits of the 5 present frames", len(hits))
	}
	db.Tx(ctx, func(tx *Tx) error { return SetMissing(ctx, tx, []int64{es[0].ID}, false) })

	// Replaced: the old frames leave the index.
	put(es[0], []float32{0, 1, 1})
	check("replaced")
	// Content changed.
	e1 := es[1]
	e1.Fingerprint = "other"
	if err := db.Tx(ctx, func(tx *Tx) error { return UpdateEntry(ctx, tx, &e1) }); err != nil {
		t.Fatal(err)
	}
	stored[e1.ID] = nil
	check("content changed")
	// Deleted through the store.
	if _, err := db.DeleteEntries(ctx, []int64{es[2].ID}); err != nil {
		t.Fatal(err)
	}
	stored[es[2].ID] = nil
	check("entry deleted")
	// The entry row deleted by SQL alone: the foreign key's cascade.
	if _, err := db.pool.Exec(`DELETE FROM entries WHERE id = ?`, es[3].ID); err != nil {
		t.Fatal(err)
	}
	stored[es[3].ID] = nil
	check("entry row cascaded")
	if n := len(indexedFrames(t, db, m3)); n != 2 {
		t.Errorf("%d frames indexed, want es[0]'s and es[4]'s", n)
	}
	// The model row deleted: its frames cascade, and so does its index.
	if _, err := db.pool.Exec(`DELETE FROM models WHERE id = ?`, m3.ID); err != nil {
		t.Fatal(err)
	}
	if got := indexedFrames(t, db, m3); len(got) != 0 {
		t.Errorf("deleted model's index holds %v", got)
	}
	if got := indexedFrames(t, db, m2); len(got) != 1 {
		t.Errorf("the other model's index lost its frame: %v", got)
	}
}

// TestMigrateFrameIndex opens a library written with schema 17, whose
// frames have no index, and checks migration 18 indexes each model's
// frames with their vectors, and that the index then follows new frames.
func TestMigrateFrameIndex(t *testing.T) {
	ctx := context.Background()
	p, exec, done := oldLibrary(t, 17)
	exec(`INSERT INTO entries(id, path, size, mtime_ns, fingerprint, media_type, added_at, updated_at) VALUES (4, 'v.mp4', 1, 2, 'fp', 'video', 3, 4)`)
	exec(`INSERT INTO models(id, key, name, dim, created_at) VALUES (1, 'a', 'a', 2, 0), (2, 'b', 'b', 3, 0)`)
	want := map[int64][]float32{11: {1, 0}, 12: {0.6, 0.8}, 13: {0, 0, 1}}
	for id, v := range want {
		exec(`INSERT INTO frames(id, entry_id, model_id, at_ms, embedding) VALUES (?, 4, ?, 0, ?)`, id, len(v)-1, VectorBlob(v))
	}
	done()

	db, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := map[int64][]float32{}
	for _, m := range []Model{{ID: 1, Dim: 2}, {ID: 2, Dim: 3}} {
		for id, v := range indexedFrames(t, db, m) {
			got[id] = v
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("indexed after migration %v, want %v", got, want)
	}
	m, err := db.EnsureModel(ctx, "a", "a", 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(ctx, func(tx *Tx) error { return ReplaceFrames(ctx, tx, m, 4, []Frame{{Vec: []float32{0, 1}}}) }); err != nil {
		t.Fatal(err)
	}
	if got := indexedFrames(t, db, m); len(got) != 1 || fmt.Sprint(got[14]) != "[0 1]" {
		t.Errorf("index after replacing frames: %v", got)
	}
}
