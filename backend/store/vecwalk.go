package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"slices"
	"unsafe"
)

// VectorChunk is one run of vectors that ForEachVector hands over.
type VectorChunk struct {
	IDs  []int64   // entry ids (vec0 rowids)
	Vecs []float32 // their vectors, row-major: len(IDs)×dim floats
	// Total is how many vectors the whole walk hands over (0 when unknown),
	// so a caller can size its storage once instead of growing it.
	Total int
}

// ForEachVector calls fn with every vector stored for model m, in runs of
// at most chunk rows (chunk <= 0: 1024), stopping at fn's first error.
// Both slices of a chunk are reused once fn returns: fn copies what it
// keeps. See forEachVec0 for how the vectors are read.
func (db *DB) ForEachVector(ctx context.Context, m Model, chunk int, fn func(VectorChunk) error) error {
	return forEachVec0(ctx, db.pool, vecTable(m.ID), m.Dim, chunk, fn)
}

var vecTableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// errLayout: vec0's shadow tables are not laid out as walkChunks knows.
var errLayout = errors.New("vec0 layout")

// ForEachVec0File is ForEachVector over a table of the SQLite file at path,
// which need not be a library (cmd/knn-bench's is not): the table has an
// embedding column of dim float32s keyed by rowid (a sqlite-vec vec0
// table, or a plain one); table is a bare identifier. The file is opened
// read-only for the walk.
func ForEachVec0File(ctx context.Context, path, table string, dim, chunk int, fn func(VectorChunk) error) error {
	db, err := sql.Open("sqlite3", "file:"+escapeDSNPath(path)+"?mode=ro")
	if err != nil {
		return fmt.Errorf("load vectors: %w", err)
	}
	defer db.Close()
	return forEachVec0(ctx, db, table, dim, chunk, fn)
}

// forEachVec0 walks table of db as ForEachVec0File describes.
//
// The public route, SELECT rowid, embedding, costs vec0 a position lookup
// and a blob open per row (~30 µs: 30 s for a million rows), so it first
// reads vec0's shadow tables a vec0 chunk (1024 rows) at a time, all in
// one read snapshot. Before handing over anything it checks that layout
// (sqlite-vec v0.1.x): the sizes of every chunk, the valid rows against
// <table>_rowids, and a few rows against what vec0 itself returns. If the
// layout is not the one it knows, it reads the public route instead.
func forEachVec0(ctx context.Context, db *sql.DB, table string, dim, chunk int, fn func(VectorChunk) error) error {
	if !vecTableName.MatchString(table) {
		return fmt.Errorf("load vectors: bad table name %q", table)
	}
	if dim <= 0 {
		return fmt.Errorf("load vectors: dimension %d", dim)
	}
	if chunk <= 0 {
		chunk = 1024
	}
	err := walkChunks(ctx, db, table, dim, chunk, fn)
	if err == nil || !errors.Is(err, errLayout) {
		return err
	}
	if ctx.Err() != nil {
		return fmt.Errorf("load vectors: %w", ctx.Err())
	}
	return walkRows(ctx, db, table, dim, chunk, fn)
}

// layoutErr marks an error found before anything was handed over: the
// caller may still take the public route.
func layoutErr(err error) error { return fmt.Errorf("%w: %w", errLayout, err) }

// walkChunks reads <table>_chunks (validity bitmap, rowids) joined with
// <table>_vector_chunks00 (the chunk's vectors, row-major float32).
func walkChunks(ctx context.Context, db *sql.DB, table string, dim, chunk int, fn func(VectorChunk) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return layoutErr(err)
	}
	defer conn.Close()
	// One read transaction: the checks and the chunks see one snapshot.
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return layoutErr(err)
	}
	defer tx.Rollback()
	total, err := checkChunks(ctx, tx, table, dim)
	if err != nil {
		return layoutErr(err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT c.validity, c.rowids, v.vectors FROM "`+table+`_chunks" c
		JOIN "`+table+`_vector_chunks00" v ON v.rowid = c.chunk_id ORDER BY c.chunk_id`)
	if err != nil {
		return fmt.Errorf("load vectors: %w", err)
	}
	defer rows.Close()
	var validity, rowids, vectors sql.RawBytes
	ids := make([]int64, 0, chunk)
	var scratch []float32
	nchunk := 0
	for rows.Next() {
		// The driver copies each chunk (2 MB at 512-d) into a new slice.
		// With gigabytes of vectors the heap goal lets gigabytes of these
		// copies pile up, each page freshly faulted in; collecting every
		// 64 chunks reuses the same memory (measured 3.6 → 3.0 s for a
		// million rows, and a peak of +128 MB instead of up to +2 GB).
		if nchunk++; nchunk%64 == 0 {
			runtime.GC()
		}
		if err := rows.Scan(&validity, &rowids, &vectors); err != nil {
			return fmt.Errorf("load vectors: %w", err)
		}
		size := 8 * len(validity)
		if len(rowids) != 8*size || len(vectors) != 4*dim*size {
			return fmt.Errorf("load vectors: chunk layout changed while reading")
		}
		valid := func(i int) bool { return validity[i/8]>>(i%8)&1 == 1 }
		for i := 0; i < size; {
			if !valid(i) {
				i++
				continue
			}
			j := i
			for j < size && j-i < chunk && valid(j) {
				j++
			}
			ids = ids[:0]
			for k := i; k < j; k++ {
				ids = append(ids, int64(binary.LittleEndian.Uint64(rowids[8*k:])))
			}
			var vs []float32
			vs, scratch = floats(vectors[4*dim*i:4*dim*j], scratch)
			if err := fn(VectorChunk{IDs: ids, Vecs: vs, Total: total}); err != nil {
				return err
			}
			i = j
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load vectors: %w", err)
	}
	return nil
}

// checkChunks checks the shadow tables' layout without reading the
// vectors, spot-checks the first, middle and last valid rows against the
// public route, and returns how many rows are valid.
func checkChunks(ctx context.Context, tx *sql.Tx, table string, dim int) (int, error) {
	var want int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`_rowids"`).Scan(&want); err != nil {
		return 0, err
	}
	type chunkInfo struct {
		id    int64
		valid int
	}
	var chunks []chunkInfo
	// length() of a blob reads its header, not its pages.
	rows, err := tx.QueryContext(ctx, `SELECT c.chunk_id, c.validity, length(c.rowids), length(v.vectors) FROM "`+table+`_chunks" c
		JOIN "`+table+`_vector_chunks00" v ON v.rowid = c.chunk_id ORDER BY c.chunk_id`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var c chunkInfo
		var validity []byte
		var nrowids, nvectors int
		if err := rows.Scan(&c.id, &validity, &nrowids, &nvectors); err != nil {
			return 0, err
		}
		size := 8 * len(validity)
		if nrowids != 8*size || nvectors != 4*dim*size {
			return 0, fmt.Errorf("chunk layout: %d validity, %d rowid, %d vector bytes", len(validity), nrowids, nvectors)
		}
		for _, b := range validity {
			for ; b != 0; b &= b - 1 {
				c.valid++
			}
		}
		n += c.valid
		chunks = append(chunks, c)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	rows.Close()
	if n != want {
		return 0, fmt.Errorf("chunks hold %d rows, rowids %d", n, want)
	}
	// Spot-check rows (in the order they will be handed over) against
	// what vec0 itself returns.
	for _, p := range []int{0, n / 2, n - 1} {
		if p < 0 || p >= n {
			continue
		}
		k := 0
		for p >= chunks[k].valid {
			p -= chunks[k].valid
			k++
		}
		var validity, rowids, vectors []byte
		err := tx.QueryRowContext(ctx, `SELECT c.validity, c.rowids, v.vectors FROM "`+table+`_chunks" c
			JOIN "`+table+`_vector_chunks00" v ON v.rowid = c.chunk_id WHERE c.chunk_id = ?`, chunks[k].id).Scan(&validity, &rowids, &vectors)
		if err != nil {
			return 0, err
		}
		i := 0
		for ; i < 8*len(validity); i++ {
			if validity[i/8]>>(i%8)&1 == 1 {
				if p == 0 {
					break
				}
				p--
			}
		}
		id := int64(binary.LittleEndian.Uint64(rowids[8*i:]))
		var b []byte
		if err := tx.QueryRowContext(ctx, `SELECT embedding FROM "`+table+`" WHERE rowid = ?`, id).Scan(&b); err != nil {
			return 0, err
		}
		if len(b) != 4*dim {
			return 0, fmt.Errorf("row %d holds %d bytes, want %d", id, len(b), 4*dim)
		}
		if !slices.Equal(b, vectors[4*dim*i:4*dim*(i+1)]) {
			return 0, fmt.Errorf("row %d differs from the chunk copy", id)
		}
	}
	return n, nil
}

// walkRows is the public route: one row at a time through vec0.
func walkRows(ctx context.Context, db *sql.DB, table string, dim, chunk int, fn func(VectorChunk) error) error {
	var total int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`_rowids"`).Scan(&total); err != nil {
		total = 0 // not a vec0 table: unknown
	}
	rows, err := db.QueryContext(ctx, `SELECT rowid, embedding FROM "`+table+`"`)
	if err != nil {
		return fmt.Errorf("load vectors: %w", err)
	}
	defer rows.Close()
	var (
		id   int64
		blob sql.RawBytes
	)
	ids := make([]int64, 0, chunk)
	vecs := make([]float32, 0, chunk*dim)
	for rows.Next() {
		if err := rows.Scan(&id, &blob); err != nil {
			return fmt.Errorf("load vectors: %w", err)
		}
		if len(blob) != 4*dim {
			return fmt.Errorf("load vectors: row %d holds %d bytes, want %d for %d floats", id, len(blob), 4*dim, dim)
		}
		ids = append(ids, id)
		vecs = vecs[:len(vecs)+dim]
		decode(vecs[len(vecs)-dim:], blob)
		if len(ids) == chunk {
			if err := fn(VectorChunk{IDs: ids, Vecs: vecs, Total: total}); err != nil {
				return err
			}
			ids, vecs = ids[:0], vecs[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load vectors: %w", err)
	}
	if len(ids) > 0 {
		return fn(VectorChunk{IDs: ids, Vecs: vecs, Total: total})
	}
	return nil
}

var littleEndian = func() bool { v := uint16(1); return *(*byte)(unsafe.Pointer(&v)) == 1 }()

// floats returns b (little-endian float32s, sqlite-vec's format) as
// float32s: b itself where the host is little-endian and b is aligned,
// else a copy in scratch (grown as needed and returned for reuse).
func floats(b []byte, scratch []float32) ([]float32, []float32) {
	if len(b) == 0 {
		return nil, scratch
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%4 == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4), scratch
	}
	if cap(scratch) < len(b)/4 {
		scratch = make([]float32, len(b)/4)
	}
	v := scratch[:len(b)/4]
	decode(v, b)
	return v, scratch
}

// decode copies little-endian float32s into dst.
func decode(dst []float32, b []byte) {
	if littleEndian {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst)), b)
		return
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
}
