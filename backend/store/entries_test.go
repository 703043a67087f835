package store

import (
	"context"
	"database/sql"
	"testing"
)

// seed makes entries a.jpg, b.jpg, c.jpg tagged with one new tag, with
// vectors for a 2-d model, and returns their ids, the model and the tag.
func seed(t *testing.T, db *DB) ([]int64, Model, int64) {
	t.Helper()
	ctx := context.Background()
	m, err := db.EnsureModel(ctx, "k2", "two", 2)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	var tag int64
	err = db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO tags(name) VALUES ('t')`)
		if err != nil {
			return err
		}
		tag, _ = res.LastInsertId()
		for i, p := range []string{"a.jpg", "b.jpg", "c.jpg"} {
			e := Entry{Path: p, Size: int64(i + 1), Fingerprint: "fp-" + p, MediaType: "image", Thumb: "t"}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			ids = append(ids, e.ID)
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO entry_tags(entry_id, tag_id) VALUES (?,?)`, e.ID, tag); err != nil {
				return err
			}
			if err := PutVector(ctx, tx, m, e.ID, []float32{float32(i + 1), 1}); err != nil {
				return err
			}
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO entry_fields(entry_id, name, value) VALUES (?, 'note', 'x')`, e.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, m, tag
}

func centroid(t *testing.T, db *DB, m Model, tag int64) ([]float32, int) {
	t.Helper()
	var b []byte
	var n int
	err := db.pool.QueryRow(`SELECT sum, count FROM tag_centroids WHERE tag_id=? AND model_id=?`, tag, m.ID).Scan(&b, &n)
	if err == sql.ErrNoRows {
		return nil, 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return BlobVector(b), n
}

func count(t *testing.T, db *DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.pool.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestUpdateEntryNewContentDropsVectors(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	ids, m, tag := seed(t, db)
	update := func(e Entry) {
		t.Helper()
		if err := db.Tx(ctx, func(tx *Tx) error { return UpdateEntry(ctx, tx, &e) }); err != nil {
			t.Fatal(err)
		}
	}
	// Touched, same content: the vector stays.
	a, _ := db.EntryByID(ctx, ids[0])
	a.MtimeNs++
	update(a)
	if _, err := db.Vector(ctx, m, ids[0]); err != nil {
		t.Fatalf("same content lost its vector: %v", err)
	}
	// New content: vector, failures and centroid share go.
	db.Tx(ctx, func(tx *Tx) error { return PutEmbedError(ctx, tx, m, ids[0], "old", "bad") })
	a.Fingerprint = "fp-new"
	update(a)
	if n := count(t, db, `SELECT COUNT(*) FROM vec_1 WHERE rowid=?`, ids[0]); n != 0 {
		t.Errorf("vec0 keeps %d rows of the old content", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM vectors WHERE entry_id=?`, ids[0]); n != 0 {
		t.Errorf("vectors keeps %d rows of the old content", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM embed_errors WHERE entry_id=?`, ids[0]); n != 0 {
		t.Errorf("embed_errors keeps %d rows", n)
	}
	if sum, n := centroid(t, db, m, tag); n != 2 || sum[0] != 5 || sum[1] != 2 {
		t.Errorf("centroid %v/%d, want [5 2]/2 (b and c)", sum, n)
	}
	todo, _ := db.EntriesToEmbed(ctx, m)
	if len(todo) != 1 || todo[0].ID != ids[0] {
		t.Errorf("to embed: %+v", todo)
	}
}

func TestDeleteEntriesLeavesNothingBehind(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	ids, m, tag := seed(t, db)
	db.Tx(ctx, func(tx *Tx) error { return PutEmbedError(ctx, tx, m, ids[2], "x", "bad") })
	n, err := db.DeleteEntries(ctx, []int64{ids[2], 9999})
	if err != nil || n != 1 {
		t.Fatalf("delete: %d %v", n, err)
	}
	for _, q := range []string{
		`SELECT COUNT(*) FROM entries WHERE id=?`, `SELECT COUNT(*) FROM vec_1 WHERE rowid=?`,
		`SELECT COUNT(*) FROM vectors WHERE entry_id=?`, `SELECT COUNT(*) FROM entry_tags WHERE entry_id=?`,
		`SELECT COUNT(*) FROM entry_fields WHERE entry_id=?`, `SELECT COUNT(*) FROM embed_errors WHERE entry_id=?`,
	} {
		if c := count(t, db, q, ids[2]); c != 0 {
			t.Errorf("%s: %d", q, c)
		}
	}
	if sum, n := centroid(t, db, m, tag); n != 2 || sum[0] != 3 || sum[1] != 2 {
		t.Errorf("centroid %v/%d, want [3 2]/2 (a and b)", sum, n)
	}
	// The deleted entry had the highest id; a new entry must not get it.
	var id int64
	db.Tx(ctx, func(tx *Tx) error {
		e := Entry{Path: "new.jpg", Fingerprint: "n", MediaType: "image", Thumb: "t"}
		err := InsertEntry(ctx, tx, &e)
		id = e.ID
		return err
	})
	if id <= ids[2] {
		t.Errorf("new entry got id %d, the deleted one had %d", id, ids[2])
	}
	todo, _ := db.EntriesToEmbed(ctx, m)
	if len(todo) != 1 || todo[0].ID != id {
		t.Errorf("to embed: %+v", todo)
	}
	// A scan that finds entry a's file at b's path removes b the same way.
	a, _ := db.EntryByID(ctx, ids[0])
	a.Path = "b.jpg"
	if err := db.Tx(ctx, func(tx *Tx) error { return UpdateEntry(ctx, tx, &a) }); err != nil {
		t.Fatal(err)
	}
	if c := count(t, db, `SELECT COUNT(*) FROM vec_1 WHERE rowid=?`, ids[1]); c != 0 {
		t.Errorf("path clash left %d vectors of the replaced entry", c)
	}
	if sum, n := centroid(t, db, m, tag); n != 1 || sum[0] != 1 || sum[1] != 1 {
		t.Errorf("centroid %v/%d, want [1 1]/1 (a)", sum, n)
	}
}
