package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
)

// OpenReadOnly opens an existing library for reading only: no migration
// and no write, so whoever polls another process's library (a test
// watching a running indexer) never changes what it reads. A library still
// being created fails to open or to answer; that is the caller's "not yet".
func OpenReadOnly(ctx context.Context, dbPath string) (*DB, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("_busy_timeout", "5000")
	db := &DB{Path: dbPath}
	db.pool = sql.OpenDB(connector{dsn: "file:" + escapeDSNPath(dbPath) + "?" + q.Encode(), n: &db.stmts})
	if err := db.pool.QueryRowContext(ctx, "PRAGMA user_version").Scan(&db.Version); err != nil {
		db.pool.Close()
		return nil, fmt.Errorf("open read-only: %w", err)
	}
	return db, nil
}

// Tally is what a check after crashes and races holds a library to: every
// file once, every vector once, each index as long as what it indexes.
type Tally struct {
	Entries, Paths                             int // all entry rows; distinct paths among them
	Present, PresentPaths, PresentFingerprints int // the same over present entries
	Vectors, VectorEntries                     int // rows of vectors; distinct entries among them
	Faces, FaceVectors, People                 int // face rows; rows of the faces' vector index; people
	FacesAnalysed                              int // entries the faces analyzer has recorded
	Frames, FrameVectors                       int // video moments' rows; rows of every model's frame index
}

// Tally counts the library's rows as Tally describes.
func (db *DB) Tally(ctx context.Context) (Tally, error) {
	var t Tally
	err := db.pool.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM entries), (SELECT COUNT(DISTINCT path) FROM entries),
		(SELECT COUNT(*) FROM entries WHERE missing=0), (SELECT COUNT(DISTINCT path) FROM entries WHERE missing=0),
		(SELECT COUNT(DISTINCT fingerprint) FROM entries WHERE missing=0),
		(SELECT COUNT(*) FROM vectors), (SELECT COUNT(DISTINCT entry_id) FROM vectors),
		(SELECT COUNT(*) FROM faces), (SELECT COUNT(*) FROM people),
		(SELECT COUNT(*) FROM analysis WHERE analyzer='faces')`).Scan(&t.Entries, &t.Paths,
		&t.Present, &t.PresentPaths, &t.PresentFingerprints, &t.Vectors, &t.VectorEntries,
		&t.Faces, &t.People, &t.FacesAnalysed)
	if err != nil {
		return t, fmt.Errorf("tally: %w", err)
	}
	if hasFaceIndex(ctx, db) {
		if err := db.pool.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+faceVecTable).Scan(&t.FaceVectors); err != nil {
			return t, fmt.Errorf("tally: %w", err)
		}
	}
	if err := db.pool.QueryRowContext(ctx, `SELECT COUNT(*) FROM frames`).Scan(&t.Frames); err != nil {
		return t, fmt.Errorf("tally: %w", err)
	}
	// Each model's frames have their own index; a model without one (a
	// library opened read-only before migration 18 ran) counts none, so a
	// check sees the gap.
	models, err := Models(ctx, db)
	if err != nil {
		return t, fmt.Errorf("tally: %w", err)
	}
	for _, m := range models {
		var has int
		if err := db.pool.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name=?`, frameVecTable(m.ID)).Scan(&has); err != nil {
			return t, fmt.Errorf("tally: %w", err)
		}
		if has == 0 {
			continue
		}
		n, err := db.IndexedFrames(ctx, m)
		if err != nil {
			return t, fmt.Errorf("tally: %w", err)
		}
		t.FrameVectors += n
	}
	return t, nil
}

// IndexedVectors counts the rows of m's sqlite-vec table (only those of
// ids, when given): the index, not the plain copy CountVectors counts, so
// a check can hold the two to each other.
func (db *DB) IndexedVectors(ctx context.Context, m Model, ids ...int64) (int, error) {
	q, args := `SELECT COUNT(*) FROM `+vecTable(m.ID), []any(nil)
	if len(ids) > 0 {
		var in string
		in, args = inList(ids)
		q += ` WHERE rowid IN ` + in
	}
	var n int
	if err := db.pool.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count indexed vectors: %w", err)
	}
	return n, nil
}

// ForgetModel drops every vector of m (index and plain copy, with the
// centroids built from them) and its videos' frames (their index follows
// by trigger), and what the analyzer that made the vectors and the frames
// analyzer recorded, so the next index embeds the whole library again:
// frames kept without their analysis rows would never be redone, and
// their rows kept without the frames would say the work was done.
func (db *DB) ForgetModel(ctx context.Context, m Model, analyzer string) error {
	err := db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM `+vecTable(m.ID)); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM vectors WHERE model_id=?`, m.ID); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM frames WHERE model_id=?`, m.ID); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM analysis WHERE analyzer IN (?, ?)`, analyzer, FramesAnalyzer); err != nil {
			return err
		}
		return rebuildCentroids(ctx, tx, []Model{m})
	})
	if err != nil {
		return fmt.Errorf("forget model: %w", err)
	}
	return nil
}

// ResetAnalyzer forgets what analyzer recorded for every entry, so the
// next index runs it over the whole library again; what it stored stays
// until that run replaces it.
func (db *DB) ResetAnalyzer(ctx context.Context, analyzer string) error {
	if _, err := db.pool.ExecContext(ctx, `DELETE FROM analysis WHERE analyzer=?`, analyzer); err != nil {
		return fmt.Errorf("reset analyzer: %w", err)
	}
	return nil
}

// Analyze refreshes SQLite's statistics for the query planner, after a
// bulk load (a generated benchmark library) changed the tables' shape.
func (db *DB) Analyze(ctx context.Context) error {
	_, err := db.pool.ExecContext(ctx, `ANALYZE`)
	return err
}
