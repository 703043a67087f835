package store

import (
	"context"
	"fmt"
)

// Summary is what the library's header shows: how many entries are
// present and missing, how many have a vector of the model and how many
// still wait for one, and the faces and people found.
type Summary struct {
	Entries, Missing int
	Vectors, ToEmbed int // of the model asked for; 0 without one
	Faces, People    int
}

// Summary counts the library for its header (m may be the zero Model).
// The counts walk every entry, so they are taken once per change of the
// library (the header asks after every change event) and kept until the
// next: failed embeddings, which the change log does not record, are in
// the key through their newest row.
func (db *DB) Summary(ctx context.Context, m Model) (Summary, error) {
	var errTop int64
	if err := db.pool.QueryRowContext(ctx, `SELECT coalesce(max(rowid), 0) FROM embed_errors`).Scan(&errTop); err != nil {
		return Summary{}, fmt.Errorf("summary: %w", err)
	}
	return cachedByChange(ctx, db, fmt.Sprintf("summary %d %d", m.ID, errTop), func() (Summary, error) {
		var s Summary
		var err error
		// COUNT(*) of a table walks its smallest index; the missing ones
		// have a partial index of their own (migration 10).
		var all int
		if err := db.pool.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM entries), (SELECT COUNT(*) FROM entries WHERE missing <> 0)`).Scan(&all, &s.Missing); err != nil {
			return s, fmt.Errorf("summary: %w", err)
		}
		s.Entries = all - s.Missing
		if s.Faces, s.People, err = db.CountFaces(ctx); err != nil {
			return s, fmt.Errorf("summary: %w", err)
		}
		if m.ID == 0 {
			return s, nil
		}
		if s.Vectors, err = db.CountVectors(ctx, m); err != nil {
			return s, fmt.Errorf("summary: %w", err)
		}
		// embed_counts holds the embeddable pictures (model 0) and those
		// with each model's vector (migration 11); failures are few, and
		// CROSS JOIN keeps them the outer loop.
		err = db.pool.QueryRowContext(ctx, `SELECT
			coalesce((SELECT n FROM embed_counts WHERE model_id = 0), 0) - coalesce((SELECT n FROM embed_counts WHERE model_id = ?), 0)
			- (SELECT COUNT(*) FROM embed_errors x CROSS JOIN entries e ON e.id = x.entry_id
			   WHERE x.model_id = ? AND x.fingerprint = e.fingerprint AND `+embeddable+`
			   AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.model_id = x.model_id AND v.entry_id = e.id))`,
			m.ID, m.ID).Scan(&s.ToEmbed)
		if err != nil {
			return s, fmt.Errorf("summary: %w", err)
		}
		return s, nil
	})
}
