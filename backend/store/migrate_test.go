package store

import (
	"context"
	"strings"
	"testing"
)

// TestMigrateEntriesAutoincrement opens a library written with schema 3
// (entries without AUTOINCREMENT, and the vec0 row and centroid share of a
// deleted entry left behind) and checks migration 4 keeps every row and
// id, makes ids never reused and drops what belonged to deleted entries.
func TestMigrateEntriesAutoincrement(t *testing.T) {
	ctx := context.Background()
	p, exec, done := oldLibrary(t, 3)
	// Foreign keys off, to plant the orphan rows an old bug could leave.
	exec("PRAGMA foreign_keys = OFF")
	vecs := map[int64][]float32{1: {1, 0}, 2: {0, 1}, 5: {1, 1}, 7: {5, 5}} // 7: deleted entry
	for _, id := range []int64{1, 2, 5} {
		exec(`INSERT INTO entries(id, path, size, mtime_ns, fingerprint, media_type, thumb, added_at, updated_at, lat)
			VALUES (?, ?, 1, 2, ?, 'image', 't', 3, 4, 51.5)`, id, "p"+string(rune('0'+id))+".jpg", "fp"+string(rune('0'+id)))
	}
	exec(`INSERT INTO tags(id, name) VALUES (10, 'x')`)
	exec(`INSERT INTO entry_tags(entry_id, tag_id) VALUES (1, 10), (5, 10), (2, 1)`)
	exec(`INSERT INTO entry_fields(entry_id, name, value) VALUES (5, 'note', 'kept')`)
	exec(`INSERT INTO models(id, key, name, dim, created_at) VALUES (1, 'k', 'm', 2, 0)`)
	exec(`CREATE VIRTUAL TABLE vec_1 USING vec0(embedding float[2] distance_metric=cosine)`)
	for id, v := range vecs {
		exec(`INSERT INTO vec_1(rowid, embedding) VALUES (?, ?)`, id, VectorBlob(v))
		exec(`INSERT INTO vectors(model_id, entry_id, embedding) VALUES (1, ?, ?)`, id, VectorBlob(v))
	}
	// Tag x's centroid still counts entry 7, deleted while it carried x.
	exec(`INSERT INTO tag_centroids(tag_id, model_id, sum, count) VALUES (10, 1, ?, 3)`, VectorBlob([]float32{7, 6}))
	done()

	db, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Version != migrationFiles(t) {
		t.Errorf("version %d", db.Version)
	}
	var schema string
	db.pool.QueryRow(`SELECT sql FROM sqlite_master WHERE type='table' AND name='entries'`).Scan(&schema)
	if !strings.Contains(schema, "AUTOINCREMENT") {
		t.Errorf("entries: %s", schema)
	}
	for _, id := range []int64{1, 2, 5} {
		e, err := db.EntryByID(ctx, id)
		if err != nil || e.Path != "p"+string(rune('0'+id))+".jpg" || e.Lat == nil || *e.Lat != 51.5 || e.AddedAt != 3 {
			t.Errorf("entry %d after migration: %+v %v", id, e, err)
		}
	}
	checks := []struct {
		q    string
		want int
	}{
		{`SELECT COUNT(*) FROM entries`, 3},
		{`SELECT COUNT(*) FROM entry_tags`, 3},
		{`SELECT COUNT(*) FROM entry_fields WHERE entry_id = 5`, 1},
		{`SELECT COUNT(*) FROM vec_1`, 3},
		{`SELECT COUNT(*) FROM vec_1 WHERE rowid = 7`, 0},
		{`SELECT COUNT(*) FROM vectors`, 3},
		{`SELECT COUNT(*) FROM vectors WHERE entry_id = 7`, 0},
		{`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('entries_fingerprint', 'entries_taken', 'entries_media_type')`, 3},
		{`SELECT COUNT(*) FROM pragma_foreign_key_check`, 0},
	}
	for _, c := range checks {
		if n := count(t, db, c.q); n != c.want {
			t.Errorf("%s = %d, want %d", c.q, n, c.want)
		}
	}
	m, _ := db.ModelByKey(ctx, "k")
	if sum, n := centroid(t, db, m, 10); n != 2 || sum[0] != 2 || sum[1] != 1 {
		t.Errorf("centroid of x: %v/%d, want [2 1]/2", sum, n)
	}
	// Foreign keys are back on for every connection of the pool.
	for i := 0; i < 6; i++ {
		if n := count(t, db, `SELECT foreign_keys FROM pragma_foreign_keys`); n != 1 {
			t.Fatal("foreign keys left off")
		}
	}
	// No id is handed out twice, not even the deleted entry 7's.
	var id int64
	err = db.Tx(ctx, func(tx *Tx) error {
		e := Entry{Path: "new.jpg", Fingerprint: "n", MediaType: "image"}
		err := InsertEntry(ctx, tx, &e)
		id = e.ID
		return err
	})
	if err != nil || id != 8 {
		t.Errorf("new entry id %d (%v), want 8", id, err)
	}
}
