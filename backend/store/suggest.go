package store

import (
	"context"
)

// The queries behind tag suggestions.

// SuggestionSkips lists the tags never to suggest for an entry: those it
// carries and those dismissed for it.
func (db *DB) SuggestionSkips(ctx context.Context, entryID int64) ([]int64, error) {
	return int64s(ctx, db, `SELECT tag_id FROM entry_tags WHERE entry_id=? UNION SELECT tag_id FROM dismissed_suggestions WHERE entry_id=?`, entryID, entryID)
}

// TagsOfEntries maps each of entryIDs that carries tags to their ids.
func (db *DB) TagsOfEntries(ctx context.Context, entryIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(entryIDs) == 0 {
		return out, nil
	}
	in, args := inList(entryIDs)
	rows, err := db.pool.QueryContext(ctx, `SELECT entry_id, tag_id FROM entry_tags WHERE entry_id IN `+in, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e, t int64
		rows.Scan(&e, &t)
		out[e] = append(out[e], t)
	}
	return out, rows.Err()
}

// TagMembers lists the present entries that carry a tag.
func (db *DB) TagMembers(ctx context.Context, tagID int64) ([]int64, error) {
	return int64s(ctx, db, `SELECT et.entry_id FROM entry_tags et JOIN entries e ON e.id = et.entry_id WHERE et.tag_id=? AND e.missing=0`, tagID)
}

// BatchSuggestionSkips lists the entries never to suggest a tag for: those
// that carry it, those it was dismissed for, and missing ones.
func (db *DB) BatchSuggestionSkips(ctx context.Context, tagID int64) ([]int64, error) {
	return int64s(ctx, db, `SELECT entry_id FROM entry_tags WHERE tag_id=? UNION SELECT entry_id FROM dismissed_suggestions WHERE tag_id=?
		UNION SELECT id FROM entries WHERE missing<>0`, tagID, tagID)
}

// SampleVectorEntries draws up to n present entries that have a vector of
// model m, at random (never nil).
func (db *DB) SampleVectorEntries(ctx context.Context, m Model, n int) ([]int64, error) {
	ids, err := int64s(ctx, db, `SELECT v.entry_id FROM vectors v JOIN entries e ON e.id = v.entry_id
		WHERE v.model_id = ? AND e.missing = 0 ORDER BY random() LIMIT ?`, m.ID, n)
	if ids == nil {
		ids = []int64{}
	}
	return ids, err
}
