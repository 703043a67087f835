package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

func entryTagIDs(ctx context.Context, tx *Tx, entryID int64) ([]int64, error) {
	return int64s(ctx, tx, `SELECT tag_id FROM entry_tags WHERE entry_id=?`, entryID)
}

// addToCentroid adds sign×v to a tag's running sum for model m.
func addToCentroid(ctx context.Context, tx *Tx, m Model, tagID int64, v []float32, sign int) error {
	return addSum(ctx, tx, m, tagID, v, sign, sign)
}

func addSum(ctx context.Context, tx *Tx, m Model, tagID int64, sum []float32, sign, count int) error {
	var blob []byte
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT sum, count FROM tag_centroids WHERE tag_id=? AND model_id=?`, tagID, m.ID).Scan(&blob, &n)
	cur := make([]float32, m.Dim)
	if err == nil {
		cur = BlobVector(blob)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if len(cur) != m.Dim || len(sum) != m.Dim {
		return fmt.Errorf("centroid of tag %d: dimension mismatch", tagID)
	}
	for i := range cur {
		cur[i] += float32(sign) * sum[i]
	}
	n += count
	if n <= 0 {
		_, err = tx.tx.ExecContext(ctx, `DELETE FROM tag_centroids WHERE tag_id=? AND model_id=?`, tagID, m.ID)
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `INSERT OR REPLACE INTO tag_centroids(tag_id, model_id, sum, count) VALUES (?,?,?,?)`,
		tagID, m.ID, VectorBlob(cur), n)
	return err
}

// Models lists the models registered in the library.
func Models(ctx context.Context, r Reader) ([]Model, error) {
	rows, err := r.reader().QueryContext(ctx, `SELECT id, key, name, dim FROM models ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Model
	for rows.Next() {
		var m Model
		if err := rows.Scan(&m.ID, &m.Key, &m.Name, &m.Dim); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// AdjustCentroids folds entries that just gained (sign 1) or lost (sign -1)
// a tag into that tag's centroids, for every model. Call it in the
// transaction that changes entry_tags, with only the entries whose link
// really changed.
func AdjustCentroids(ctx context.Context, tx *Tx, tagID int64, entryIDs []int64, sign int) error {
	if len(entryIDs) == 0 {
		return nil
	}
	models, err := Models(ctx, tx)
	if err != nil {
		return err
	}
	for _, m := range models {
		sum := make([]float32, m.Dim)
		n := 0
		for start := 0; start < len(entryIDs); start += 500 {
			chunk := entryIDs[start:min(start+500, len(entryIDs))]
			in, ids := inList(chunk)
			rows, err := tx.tx.QueryContext(ctx, `SELECT embedding FROM vectors WHERE model_id=? AND entry_id IN `+in,
				append([]any{m.ID}, ids...)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var b []byte
				if err := rows.Scan(&b); err != nil {
					rows.Close()
					return err
				}
				for i, x := range BlobVector(b) {
					sum[i] += x
				}
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if n == 0 {
			continue
		}
		if err := addSum(ctx, tx, m, tagID, sum, sign, sign*n); err != nil {
			return err
		}
	}
	return nil
}

// RecomputeCentroids rebuilds a tag's centroids from its entries (after a
// merge, or to repair).
func RecomputeCentroids(ctx context.Context, tx *Tx, tagID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM tag_centroids WHERE tag_id=?`, tagID); err != nil {
		return err
	}
	ids, err := int64s(ctx, tx, `SELECT entry_id FROM entry_tags WHERE tag_id=?`, tagID)
	if err != nil {
		return err
	}
	return AdjustCentroids(ctx, tx, tagID, ids, 1)
}

// Centroid is a tag's mean vector for a model, and how many vectors made it.
type Centroid struct {
	TagID int64
	Mean  []float32
	Count int
}

// Centroids returns the centroids of every tag that has one for m.
func (db *DB) Centroids(ctx context.Context, m Model) ([]Centroid, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT tag_id, sum, count FROM tag_centroids WHERE model_id=? AND count>0`, m.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Centroid
	for rows.Next() {
		var c Centroid
		var b []byte
		if err := rows.Scan(&c.TagID, &b, &c.Count); err != nil {
			return nil, err
		}
		c.Mean = BlobVector(b)
		for i := range c.Mean {
			c.Mean[i] /= float32(c.Count)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
