package store

import (
	"context"
	"database/sql"
	"fmt"
)

// frameVecTable is the sqlite-vec index of m's frame vectors (migration
// 18): rowid = frames.id. Frame ids are never reused (AUTOINCREMENT), so a
// row can never be taken for another frame's.
func frameVecTable(modelID int64) string { return fmt.Sprintf("vec_frames_%d", modelID) }

// ensureFrameIndex creates m's frame index and the triggers that keep it
// in step with frames, and fills it from the frames m already has when
// the index is new. Triggers rather than writes beside each DELETE: a
// frame also goes when its entry or model row goes by cascade, which no
// Go code sees.
func ensureFrameIndex(ctx context.Context, tx *Tx, m Model) error {
	t := frameVecTable(m.ID)
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = ?`, t).Scan(&n); err != nil {
		return fmt.Errorf("frame index: %w", err)
	}
	if err := createVec0(ctx, tx, t, m.Dim); err != nil {
		return fmt.Errorf("frame index: %w", err)
	}
	for _, q := range []string{
		fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS %[1]s_ins AFTER INSERT ON frames WHEN NEW.model_id = %[2]d BEGIN
			INSERT INTO %[1]s(rowid, embedding) VALUES (NEW.id, NEW.embedding); END`, t, m.ID),
		fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS %[1]s_del AFTER DELETE ON frames WHEN OLD.model_id = %[2]d BEGIN
			DELETE FROM %[1]s WHERE rowid = OLD.id; END`, t, m.ID),
	} {
		if _, err := tx.tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("frame index: %w", err)
		}
	}
	if n == 0 {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO `+t+`(rowid, embedding) SELECT id, embedding FROM frames WHERE model_id = ?`, m.ID); err != nil {
			return fmt.Errorf("frame index: %w", err)
		}
	}
	return nil
}

// indexFrames (migration 18) gives every model a library already has its
// frame index.
func indexFrames(ctx context.Context, tx *Tx) error {
	models, err := Models(ctx, tx)
	if err != nil {
		return err
	}
	for _, m := range models {
		if err := ensureFrameIndex(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// FrameHit is one frame KNNFrames found.
type FrameHit struct {
	FrameID, EntryID int64
	AtMS             int64
	Distance         float64 // cosine distance, 0 = same direction
}

// KNNFrames returns the k frames nearest to q for model m through its
// frame index, best first, skipping frames of missing entries: the frames'
// counterpart of KNN.
func (db *DB) KNNFrames(ctx context.Context, m Model, q []float32, k int) ([]FrameHit, error) {
	if len(q) != m.Dim {
		return nil, fmt.Errorf("knn frames: query of %d values for a %d-d model", len(q), m.Dim)
	}
	if k <= 0 {
		return nil, nil
	}
	hits, err := knnRows(ctx, db.pool, `SELECT v.rowid, f.entry_id, f.at_ms, v.distance FROM `+frameVecTable(m.ID)+` v
		JOIN frames f ON f.id = v.rowid
		JOIN entries e ON e.id = f.entry_id
		WHERE v.embedding MATCH ? AND k = ? AND e.missing = 0
		ORDER BY v.distance`, q, k, func(rows *sql.Rows) (FrameHit, error) {
		var h FrameHit
		err := rows.Scan(&h.FrameID, &h.EntryID, &h.AtMS, &h.Distance)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("knn frames: %w", err)
	}
	return hits, nil
}

// IndexedFrames counts the rows of m's frame index: the index, not the
// frames table CountFrames counts, so a check can hold the two to each
// other.
func (db *DB) IndexedFrames(ctx context.Context, m Model) (int, error) {
	var n int
	if err := db.pool.QueryRowContext(ctx, `SELECT count(*) FROM `+frameVecTable(m.ID)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count indexed frames: %w", err)
	}
	return n, nil
}
