//go:build cgo

package knn

import (
	"context"
	"database/sql"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	sqlite_vec "github.com/asg017/sqlite-vec-go-bindings/cgo"
	_ "github.com/mattn/go-sqlite3"
)

func TestLoad(t *testing.T) {
	sqlite_vec.Auto()
	db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	const dim = 40
	if _, err := db.ExecContext(ctx, `CREATE VIRTUAL TABLE vec_1 USING vec0(embedding float[40] distance_metric=cosine)`); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	want := map[int64][]float32{}
	tx, _ := db.Begin()
	for i, v := range randVecs(r, 3000, dim) {
		id := int64(i*5 + 1)
		b := make([]byte, 4*dim)
		for j, f := range v {
			binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(f))
		}
		if _, err := tx.Exec(`INSERT INTO vec_1(rowid, embedding) VALUES (?, ?)`, id, b); err != nil {
			t.Fatal(err)
		}
		want[id] = v
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Deletes clear validity bits; delete + insert moves a row.
	for id := int64(1); id < 500; id += 10 {
		if _, err := db.Exec(`DELETE FROM vec_1 WHERE rowid = ?`, id); err != nil {
			t.Fatal(err)
		}
		delete(want, id)
	}
	for i, v := range randVecs(r, 20, dim) {
		id := int64(i*5 + 501)
		b := make([]byte, 4*dim)
		for j, f := range v {
			binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(f))
		}
		db.Exec(`DELETE FROM vec_1 WHERE rowid = ?`, id)
		if _, err := db.Exec(`INSERT INTO vec_1(rowid, embedding) VALUES (?, ?)`, id, b); err != nil {
			t.Fatal(err)
		}
		want[id] = v
	}
	// Both routes agree with what was written.
	for name, load := range map[string]func(context.Context, *sql.DB, string, int) (*Index, error){
		"chunks": loadChunks, "rows": loadRows,
	} {
		x, err := load(ctx, db, "vec_1", dim)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if x.Len() != len(want) {
			t.Fatalf("%s: loaded %d, want %d", name, x.Len(), len(want))
		}
		for id, v := range want {
			if !slices.Equal(x.row(int(x.pos[id])), v) {
				t.Fatalf("%s: row %d differs", name, id)
			}
		}
	}
	// A plain table (no vec0 shadow tables) loads through the public route.
	if _, err := db.Exec(`CREATE TABLE plain(embedding BLOB)`); err != nil {
		t.Fatal(err)
	}
	db.Exec(`INSERT INTO plain(rowid, embedding) VALUES (7, ?)`, make([]byte, 4*dim))
	if p, err := Load(ctx, db, "plain", dim); err != nil || p.Len() != 1 {
		t.Fatalf("plain table: %v", err)
	}
	x, err := Load(ctx, db, "vec_1", dim)
	if err != nil {
		t.Fatal(err)
	}
	if x.Len() != len(want) {
		t.Fatalf("loaded %d, want %d", x.Len(), len(want))
	}
	for id, v := range want {
		if !slices.Equal(x.row(int(x.pos[id])), v) {
			t.Fatalf("row %d differs", id)
		}
	}
	q := randVecs(r, 1, dim)[0]
	checkExact(t, x.Search(q, 50, nil), brute(want, q, nil), 50)
	if _, err := Load(ctx, db, "vec_1", dim+1); err == nil {
		t.Fatal("dimension mismatch not reported")
	}
	if _, err := Load(ctx, db, "vec_1; DROP TABLE x", dim); err == nil {
		t.Fatal("bad table name accepted")
	}
}
