package knn

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"slices"
	"unsafe"
)

var tableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Load reads every vector of a sqlite-vec vec0 table (integer rowid = id,
// one float[dim] column) into a new index. table is a bare identifier.
//
// The public route, SELECT rowid, embedding, costs vec0 a position lookup
// and a blob open per row (~30 µs: 30 s for a million rows), so Load first
// reads vec0's shadow tables a chunk (1024 rows) at a time, checks the
// result against the public route, and falls back to it if the layout is
// not the one it knows (sqlite-vec v0.1.x).
func Load(ctx context.Context, db *sql.DB, table string, dim int) (*Index, error) {
	if !tableName.MatchString(table) {
		return nil, fmt.Errorf("load vectors: bad table name %q", table)
	}
	if dim <= 0 {
		return nil, fmt.Errorf("load vectors: dimension %d", dim)
	}
	if x, err := loadChunks(ctx, db, table, dim); err == nil {
		return x, nil
	} else if ctx.Err() != nil {
		return nil, fmt.Errorf("load vectors: %w", ctx.Err())
	}
	return loadRows(ctx, db, table, dim)
}

// loadChunks reads <table>_chunks (validity bitmap, rowids) joined with
// <table>_vector_chunks00 (the vectors of the chunk, row-major float32).
func loadChunks(ctx context.Context, db *sql.DB, table string, dim int) (*Index, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// One read transaction: the count, the chunks and the spot checks see
	// the same snapshot.
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var want int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`_rowids"`).Scan(&want); err != nil {
		return nil, err
	}
	x := New(dim)
	x.reserve(want)
	rows, err := tx.QueryContext(ctx, `SELECT c.validity, c.rowids, v.vectors FROM "`+table+`_chunks" c
		JOIN "`+table+`_vector_chunks00" v ON v.rowid = c.chunk_id ORDER BY c.chunk_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var validity, rowids, vectors sql.RawBytes
	nchunk := 0
	for rows.Next() {
		// The driver copies each chunk (2 MB at 512-d) into a new slice.
		// With gigabytes of live vectors the heap goal lets gigabytes of
		// these copies pile up, each page freshly faulted in; collecting
		// every 64 chunks reuses the same memory (measured 3.6 → 3.0 s for
		// a million rows, and a peak of +128 MB instead of up to +2 GB).
		if nchunk++; nchunk%64 == 0 {
			runtime.GC()
		}
		if err := rows.Scan(&validity, &rowids, &vectors); err != nil {
			return nil, err
		}
		size := 8 * len(validity)
		if len(rowids) != 8*size || len(vectors) != 4*dim*size {
			return nil, fmt.Errorf("chunk layout: %d validity, %d rowid, %d vector bytes", len(validity), len(rowids), len(vectors))
		}
		for i := range size {
			if validity[i/8]>>(i%8)&1 == 0 {
				continue
			}
			id := int64(binary.LittleEndian.Uint64(rowids[8*i:]))
			decode(x.row(x.slot(id)), vectors[4*dim*i:4*dim*(i+1)])
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if x.Len() != want {
		return nil, fmt.Errorf("chunks hold %d rows, rowids %d", x.Len(), want)
	}
	// Spot-check a few rows against what vec0 itself returns.
	for _, p := range []int{0, x.Len() / 2, x.Len() - 1} {
		if p < 0 || p >= x.Len() {
			continue
		}
		var b []byte
		if err := tx.QueryRowContext(ctx, `SELECT embedding FROM "`+table+`" WHERE rowid = ?`, x.ids[p]).Scan(&b); err != nil {
			return nil, err
		}
		if len(b) != 4*dim {
			return nil, fmt.Errorf("row %d holds %d bytes, want %d", x.ids[p], len(b), 4*dim)
		}
		v := make([]float32, dim)
		decode(v, b)
		if !slices.Equal(v, x.row(p)) {
			return nil, fmt.Errorf("row %d differs from the chunk copy", x.ids[p])
		}
	}
	return x, nil
}

// loadRows is the public route: one row at a time through vec0.
func loadRows(ctx context.Context, db *sql.DB, table string, dim int) (*Index, error) {
	x := New(dim)
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`_rowids"`).Scan(&n); err == nil && n > 0 {
		x.reserve(n) // avoids copying gigabytes while growing
	}
	rows, err := db.QueryContext(ctx, `SELECT rowid, embedding FROM "`+table+`"`)
	if err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	defer rows.Close()
	var (
		id   int64
		blob sql.RawBytes
	)
	for rows.Next() {
		if err := rows.Scan(&id, &blob); err != nil {
			return nil, fmt.Errorf("load vectors: %w", err)
		}
		if len(blob) != 4*dim {
			return nil, fmt.Errorf("load vectors: row %d holds %d bytes, want %d for %d floats", id, len(blob), 4*dim, dim)
		}
		decode(x.row(x.slot(id)), blob)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	return x, nil
}

var littleEndian = func() bool { v := uint16(1); return *(*byte)(unsafe.Pointer(&v)) == 1 }()

// decode copies little-endian float32s (sqlite-vec's format) into dst.
func decode(dst []float32, b []byte) {
	if littleEndian {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst)), b)
		return
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
}
