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
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(rowid), 0) FROM embed_errors`).Scan(&errTop); err != nil {
		return Summary{}, fmt.Errorf("summary: %w", err)
	}
	return cachedByChange(ctx, db, fmt.Sprintf("summary %d %d", m.ID, errTop), func() (Summary, error) {
		var s Summary
		var err error
		if s.Entries, s.Missing, err = db.CountEntries(ctx); err != nil {
			return s, fmt.Errorf("summary: %w", err)
		}
		if s.Faces, s.People, err = db.CountFaces(ctx); err != nil {
			return s, fmt.Errorf("summary: %w", err)
		}
		if m.ID == 0 {
			return s, nil
		}
		if s.Vectors, err = db.CountVectors(ctx, m); err != nil {
			return s, fmt.Errorf("summary: %w", err)
		}
		err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries e WHERE `+toEmbed(m), m.ID).Scan(&s.ToEmbed)
		if err != nil {
			return s, fmt.Errorf("summary: %w", err)
		}
		return s, nil
	})
}
