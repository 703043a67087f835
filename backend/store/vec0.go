package store

import (
	"context"
	"database/sql"
	"fmt"
)

// createVec0 creates (when absent) a sqlite-vec index of dim-value vectors
// compared by cosine: the one shape every index here has (entries',
// frames', faces').
func createVec0(ctx context.Context, tx *Tx, table string, dim int) error {
	_, err := tx.tx.ExecContext(ctx, fmt.Sprintf(
		`CREATE VIRTUAL TABLE IF NOT EXISTS %s USING vec0(embedding float[%d] distance_metric=cosine)`, table, dim))
	return err
}

// knnRows runs a nearest-neighbour query on qr, whose two parameters are
// the query vector and k (its "embedding MATCH ? AND k = ?"), and scans
// each row it gives, in its order, with scan.
func knnRows[T any](ctx context.Context, qr querier, query string, q []float32, k int, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := qr.QueryContext(ctx, query, VectorBlob(q), k)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		t, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
