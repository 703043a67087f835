package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// collect walks with fn's runs checked against chunk and gathers every
// vector by id (a later run replaces an id's vector, as an index would).
func collect(t *testing.T, walk func(fn func(VectorChunk) error) error, dim, chunk int) (map[int64][]float32, []int, int) {
	t.Helper()
	got := map[int64][]float32{}
	var sizes []int
	total := -1
	err := walk(func(c VectorChunk) error {
		if len(c.IDs) == 0 || len(c.IDs) > chunk || len(c.Vecs) != len(c.IDs)*dim {
			t.Fatalf("run of %d ids, %d floats (chunk %d, dim %d)", len(c.IDs), len(c.Vecs), chunk, dim)
		}
		if total >= 0 && c.Total != total {
			t.Fatalf("total changed from %d to %d", total, c.Total)
		}
		total = c.Total
		sizes = append(sizes, len(c.IDs))
		for i, id := range c.IDs {
			got[id] = slices.Clone(c.Vecs[i*dim : (i+1)*dim])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, sizes, total
}

func randVec(r *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

func TestForEachVec0Routes(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	const dim = 40
	mustExec(t, db, `CREATE VIRTUAL TABLE vec_t USING vec0(embedding float[40] distance_metric=cosine)`)
	r := rand.New(rand.NewPCG(7, 7))
	want := map[int64][]float32{}
	tx, err := db.pool.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3000 {
		id := int64(i*5 + 1)
		v := randVec(r, dim)
		if _, err := tx.Exec(`INSERT INTO vec_t(rowid, embedding) VALUES (?, ?)`, id, VectorBlob(v)); err != nil {
			t.Fatal(err)
		}
		want[id] = v
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Deletes clear validity bits; delete + insert moves a row.
	for id := int64(1); id < 500; id += 10 {
		mustExec(t, db, `DELETE FROM vec_t WHERE rowid = ?`, id)
		delete(want, id)
	}
	for i := range 20 {
		id := int64(i*5 + 501)
		v := randVec(r, dim)
		mustExec(t, db, `DELETE FROM vec_t WHERE rowid = ?`, id)
		mustExec(t, db, `INSERT INTO vec_t(rowid, embedding) VALUES (?, ?)`, id, VectorBlob(v))
		want[id] = v
	}
	routes := map[string]func(context.Context, int, func(VectorChunk) error) error{
		"chunks": func(ctx context.Context, chunk int, fn func(VectorChunk) error) error {
			return walkChunks(ctx, db.pool, "vec_t", dim, chunk, fn)
		},
		"rows": func(ctx context.Context, chunk int, fn func(VectorChunk) error) error {
			return walkRows(ctx, db.pool, "vec_t", dim, chunk, fn)
		},
		"either": func(ctx context.Context, chunk int, fn func(VectorChunk) error) error {
			return forEachVec0(ctx, db.pool, "vec_t", dim, chunk, fn)
		},
	}
	// Both routes agree with what was written, at every run size.
	for name, walk := range routes {
		for _, chunk := range []int{1, 7, 1024, 5000} {
			got, sizes, total := collect(t, func(fn func(VectorChunk) error) error { return walk(ctx, chunk, fn) }, dim, chunk)
			if len(got) != len(want) || total != len(want) {
				t.Fatalf("%s/%d: %d vectors, total %d, want %d", name, chunk, len(got), total, len(want))
			}
			n := 0
			for _, s := range sizes {
				n += s
			}
			if n != len(want) {
				t.Errorf("%s/%d: %d rows handed over for %d vectors (an id twice?)", name, chunk, n, len(want))
			}
			for id, v := range want {
				if !slices.Equal(got[id], v) {
					t.Fatalf("%s/%d: row %d differs", name, chunk, id)
				}
			}
			if chunk == 7 && name == "rows" && slices.Max(sizes) != 7 {
				t.Errorf("rows/7: runs %v never fill a chunk", sizes)
			}
		}
	}
	// fn's error stops the walk and comes back as is.
	stop := errors.New("stop")
	for name, walk := range routes {
		calls := 0
		err := walk(ctx, 100, func(VectorChunk) error { calls++; return stop })
		if err != stop || calls != 1 {
			t.Errorf("%s: %v after %d calls, want stop after 1", name, err, calls)
		}
	}

	// A plain table (no vec0 shadow tables) is read through the public route.
	mustExec(t, db, `CREATE TABLE plain(embedding BLOB)`)
	mustExec(t, db, `INSERT INTO plain(rowid, embedding) VALUES (7, ?)`, make([]byte, 4*dim))
	got, _, total := collect(t, func(fn func(VectorChunk) error) error { return forEachVec0(ctx, db.pool, "plain", dim, 0, fn) }, dim, 1024)
	if len(got) != 1 || got[7] == nil || total != 0 {
		t.Errorf("plain table: %v, total %d", got, total)
	}
	nop := func(VectorChunk) error { return nil }
	if err := forEachVec0(ctx, db.pool, "vec_t", dim+1, 0, nop); err == nil {
		t.Fatal("dimension mismatch not reported")
	}
	if err := forEachVec0(ctx, db.pool, "vec_t; DROP TABLE x", dim, 0, nop); err == nil {
		t.Fatal("bad table name accepted")
	}
	if err := forEachVec0(ctx, db.pool, "vec_t", 0, 0, nop); err == nil {
		t.Fatal("dimension 0 accepted")
	}
}

// A vec0 chunk with holes is handed over as runs of consecutive valid
// rows, none longer than the chunk asked for.
func TestForEachVectorRuns(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	ids, m, _ := seed(t, db) // a, b, c with vectors [1 1] [2 1] [3 1]
	got, sizes, total := collect(t, func(fn func(VectorChunk) error) error { return db.ForEachVector(ctx, m, 2, fn) }, 2, 2)
	if !slices.Equal(sizes, []int{2, 1}) || total != 3 || !slices.Equal(got[ids[2]], []float32{3, 1}) {
		t.Errorf("runs %v, total %d, c = %v", sizes, total, got[ids[2]])
	}
	if _, err := db.DeleteEntries(ctx, ids[1:2]); err != nil {
		t.Fatal(err)
	}
	got, sizes, total = collect(t, func(fn func(VectorChunk) error) error { return db.ForEachVector(ctx, m, 0, fn) }, 2, 1024)
	if !slices.Equal(sizes, []int{1, 1}) || total != 2 || len(got) != 2 || got[ids[1]] != nil {
		t.Errorf("after deleting b: runs %v, total %d, got %v", sizes, total, got)
	}
	// A model with no vectors hands over nothing.
	m2, err := db.EnsureModel(ctx, "k3", "three", 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ForEachVector(ctx, m2, 0, func(VectorChunk) error { t.Error("called"); return nil }); err != nil {
		t.Error(err)
	}
}

// A layout the chunk route does not trust is reported before anything is
// handed over, so forEachVec0 can take the public route instead.
func TestWalkChunksChecksBeforeHandingOver(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	mustExec(t, db, `CREATE VIRTUAL TABLE vec_u USING vec0(embedding float[2])`)
	for id := int64(1); id <= 3; id++ {
		mustExec(t, db, `INSERT INTO vec_u(rowid, embedding) VALUES (?, ?)`, id, VectorBlob([]float32{float32(id), 0}))
	}
	mustExec(t, db, `DELETE FROM vec_u_rowids WHERE rowid = 2`) // rowids now disagree with the chunks
	err := walkChunks(ctx, db.pool, "vec_u", 2, 0+1024, func(VectorChunk) error { t.Error("handed over"); return nil })
	if !errors.Is(err, errLayout) {
		t.Errorf("walkChunks: %v, want a layout error", err)
	}
}
