package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// TagPathID resolves a tag path (root first, names already cleaned) to the
// id of its last tag, in tx: each name is looked up as a tag name, then an
// alias (case-insensitive), and created when absent; each tag gets the one
// before it as a parent unless that would make a cycle.
func TagPathID(ctx context.Context, tx *Tx, path []string, now int64) (int64, error) {
	var prev int64
	for _, name := range path {
		id, err := tagIDTx(ctx, tx, name, now)
		if err != nil {
			return 0, err
		}
		if prev != 0 && prev != id {
			var n int
			// Linking prev above id is a cycle when prev descends from id.
			err := tx.tx.QueryRowContext(ctx, `WITH RECURSIVE d(id) AS (SELECT ? UNION SELECT tp.child_id FROM tag_parents tp JOIN d ON tp.parent_id = d.id)
				SELECT COUNT(*) FROM d WHERE id = ?`, id, prev).Scan(&n)
			if err != nil {
				return 0, err
			}
			if n == 0 {
				if _, err := tx.tx.ExecContext(ctx, `INSERT OR IGNORE INTO tag_parents(child_id, parent_id) VALUES (?, ?)`, id, prev); err != nil {
					return 0, err
				}
			}
		}
		prev = id
	}
	if prev == 0 {
		return 0, errors.New("empty tag path")
	}
	return prev, nil
}

func tagIDTx(ctx context.Context, tx *Tx, name string, now int64) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE name = ? COLLATE NOCASE
		UNION ALL SELECT tag_id FROM tag_aliases WHERE alias = ? COLLATE NOCASE LIMIT 1`, name, name).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO tags(name, created_at) VALUES (?, ?)`, name, now)
	if err != nil {
		return 0, fmt.Errorf("create tag %q: %w", name, err)
	}
	return res.LastInsertId()
}

// ApplyXMPTags makes an entry's tags follow its XMP keywords, in tx: each
// path's last tag is applied (created as needed, see TagPathID) and
// remembered as coming from the XMP when the entry did not have it yet;
// tags remembered so that the XMP no longer names are taken off. Tags the
// user applied are never taken off. Centroids follow.
func ApplyXMPTags(ctx context.Context, tx *Tx, entryID int64, paths [][]string, now int64) error {
	want := map[int64]bool{}
	for _, p := range paths {
		id, err := TagPathID(ctx, tx, p, now)
		if err != nil {
			return err
		}
		want[id] = true
	}
	have, err := idSet(ctx, tx, `SELECT tag_id FROM entry_tags WHERE entry_id=?`, entryID)
	if err != nil {
		return err
	}
	fromXMP, err := idSet(ctx, tx, `SELECT tag_id FROM entry_xmp_tags WHERE entry_id=?`, entryID)
	if err != nil {
		return err
	}
	for id := range want {
		if have[id] {
			continue
		}
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO entry_tags(entry_id, tag_id) VALUES (?, ?)`, entryID, id); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `INSERT OR IGNORE INTO entry_xmp_tags(entry_id, tag_id) VALUES (?, ?)`, entryID, id); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM dismissed_suggestions WHERE entry_id=? AND tag_id=?`, entryID, id); err != nil {
			return err
		}
		if err := AdjustCentroids(ctx, tx, id, []int64{entryID}, 1); err != nil {
			return err
		}
	}
	for id := range fromXMP {
		if want[id] {
			continue
		}
		if have[id] {
			if _, err := tx.tx.ExecContext(ctx, `DELETE FROM entry_tags WHERE entry_id=? AND tag_id=?`, entryID, id); err != nil {
				return err
			}
			if err := AdjustCentroids(ctx, tx, id, []int64{entryID}, -1); err != nil {
				return err
			}
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM entry_xmp_tags WHERE entry_id=? AND tag_id=?`, entryID, id); err != nil {
			return err
		}
	}
	return nil
}

func idSet(ctx context.Context, tx *Tx, q string, args ...any) (map[int64]bool, error) {
	rows, err := tx.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// SetEntryFieldTx sets (replacing) a field on an entry in tx.
func SetEntryFieldTx(ctx context.Context, tx *Tx, entryID int64, f Field) error {
	kind := f.Kind
	if kind == "" {
		kind = "text"
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT OR REPLACE INTO entry_fields(entry_id, name, kind, value) VALUES (?,?,?,?)`, entryID, f.Name, kind, f.Value)
	return err
}

// TagPaths returns, for each of the entries' tags, every path from a root
// tag down to it (names, root first): a tag with two parents has two. Used
// to write hierarchical keywords. Parent links form no cycles (AddTagParent
// refuses them); depth is bounded anyway.
func (db *DB) TagPaths(ctx context.Context, tagIDs []int64) (map[int64][][]string, error) {
	tags, err := db.ListTags(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int64]Tag{}
	for _, t := range tags {
		byID[t.ID] = t
	}
	var up func(id int64, depth int) [][]string
	up = func(id int64, depth int) [][]string {
		t, ok := byID[id]
		if !ok {
			return nil
		}
		if len(t.Parents) == 0 || depth > 32 {
			return [][]string{{t.Name}}
		}
		var out [][]string
		for _, p := range t.Parents {
			for _, pp := range up(p, depth+1) {
				out = append(out, append(append([]string(nil), pp...), t.Name))
			}
		}
		if len(out) == 0 {
			out = [][]string{{t.Name}}
		}
		return out
	}
	res := map[int64][][]string{}
	for _, id := range tagIDs {
		res[id] = up(id, 0)
	}
	return res, nil
}
