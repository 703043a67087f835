package knn

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"regexp"
	"unsafe"
)

var tableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Load reads every vector of a sqlite-vec vec0 table (rowid = id, column
// embedding = float32 blob) into a new index. table is a bare identifier.
func Load(ctx context.Context, db *sql.DB, table string, dim int) (*Index, error) {
	if !tableName.MatchString(table) {
		return nil, fmt.Errorf("load vectors: bad table name %q", table)
	}
	x := New(dim)
	// Sizing up front avoids copying gigabytes while growing. vec0 keeps
	// its rowids in the shadow table <name>_rowids; if that ever changes,
	// growing as we go still works.
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+table+`_rowids`).Scan(&n); err == nil && n > 0 {
		x.reserve(n)
	}
	rows, err := db.QueryContext(ctx, `SELECT rowid, embedding FROM `+table)
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
