package store

import (
	"context"
)

// afterMigration holds the Go steps of migrations whose work SQL alone
// cannot do (each model's vec0 table has a name only known at run time).
// A step runs right after its migration's SQL, in the same transaction.
var afterMigration = map[int]func(ctx context.Context, tx *Tx) error{
	4:  dropOrphanVectors,
	18: indexFrames,
}

// dropOrphanVectors (migration 4) removes vec0 rows of entries that no
// longer exist (deleting an entry used to leave them: vec0 has no foreign
// key), keeps their ids from ever being handed out again, and rebuilds the
// tag centroids, which still counted the vectors of deleted entries.
func dropOrphanVectors(ctx context.Context, tx *Tx) error {
	var top int64
	if err := tx.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM entries`).Scan(&top); err != nil {
		return err
	}
	models, err := Models(ctx, tx)
	if err != nil {
		return err
	}
	for _, m := range models {
		t := vecTable(m.ID)
		var n int
		if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = ?`, t).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		orphans, err := int64s(ctx, tx, `SELECT rowid FROM `+t+` WHERE rowid NOT IN (SELECT id FROM entries)`)
		if err != nil {
			return err
		}
		for _, id := range orphans {
			if _, err := tx.tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE rowid = ?`, id); err != nil {
				return err
			}
			top = max(top, id)
		}
	}
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO sqlite_sequence(name, seq) SELECT 'entries', 0
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'entries')`); err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'entries'`, top); err != nil {
		return err
	}
	return rebuildCentroids(ctx, tx, models)
}

// rebuildCentroids recomputes every tag's centroid sums from the stored
// vectors of its entries.
func rebuildCentroids(ctx context.Context, tx *Tx, models []Model) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM tag_centroids`); err != nil {
		return err
	}
	for _, m := range models {
		sums := map[int64][]float32{}
		counts := map[int64]int{}
		rows, err := tx.tx.QueryContext(ctx, `SELECT et.tag_id, v.embedding FROM entry_tags et
			JOIN vectors v ON v.entry_id = et.entry_id AND v.model_id = ?`, m.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var tag int64
			var b []byte
			if err := rows.Scan(&tag, &b); err != nil {
				rows.Close()
				return err
			}
			v := BlobVector(b)
			if len(v) != m.Dim {
				continue
			}
			s := sums[tag]
			if s == nil {
				s = make([]float32, m.Dim)
				sums[tag] = s
			}
			for i, x := range v {
				s[i] += x
			}
			counts[tag]++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for tag, s := range sums {
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO tag_centroids(tag_id, model_id, sum, count) VALUES (?,?,?,?)`,
				tag, m.ID, VectorBlob(s), counts[tag]); err != nil {
				return err
			}
		}
	}
	return nil
}
