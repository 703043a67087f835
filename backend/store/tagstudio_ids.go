package store

import (
	"context"
	"database/sql"
	"errors"
)

// TagIDForTagStudioID returns the tag imported with TagStudio tag id tsID;
// ok is false when there is none, or when the library has no
// tagstudio_ids(ts_id, tag_id) table yet.
//
// TEMPORARY: a stand-in until the TagStudio import's migration adds
// tagstudio_ids and its own lookup; the merge should replace this with that
// lookup (and drop the sqlite_master check).
func (db *DB) TagIDForTagStudioID(ctx context.Context, tsID int64) (tagID int64, ok bool, err error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tagstudio_ids'`).Scan(&n); err != nil {
		return 0, false, err
	}
	if n == 0 {
		return 0, false, nil
	}
	err = db.QueryRowContext(ctx, `SELECT tag_id FROM tagstudio_ids WHERE ts_id = ?`, tsID).Scan(&tagID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return tagID, true, nil
}
