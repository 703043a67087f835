package store

import (
	"context"
	"fmt"
	"strings"
)

// The search bar's queries: package query compiles a filter into a WHERE
// fragment over entries aliased e (with its args), and these run it.

// Visible adds what every search asks of a filter: present files unless
// includeMissing, and no entry with a hidden tag unless includeHidden, or
// the tag is in shown.
func Visible(where string, args []any, shown []int64, includeHidden, includeMissing bool) (string, []any) {
	if !includeMissing {
		where = "e.missing = 0 AND (" + where + ")"
	}
	if includeHidden {
		return where, args
	}
	cond, hargs := NotHidden(shown)
	return where + " AND " + cond, append(append([]any{}, args...), hargs...)
}

// orderBy turns a sort key ("", "taken", "-taken", "added", "name",
// "path", "size", "random"; "-" for descending) into an ORDER BY over e.
func orderBy(key string) (string, error) {
	desc := strings.HasPrefix(key, "-")
	key = strings.TrimPrefix(key, "-")
	col := map[string]string{"": "e.path", "path": "e.path", "name": "e.path", "taken": "e.taken", "added": "e.added_at", "size": "e.size", "random": "random()"}[key]
	if col == "" {
		return "", fmt.Errorf("unknown sort %q: use taken, added, name, size or random", key)
	}
	if key == "random" {
		return col, nil
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return col + dir + ", e.id" + dir, nil
}

// EntryRef names an entry.
type EntryRef struct {
	ID   int64
	Path string
}

// FilterEntries returns one page of the entries matching where, in the
// order sortKey names, and how many match in all (counted even when the
// page lies past the end).
func (db *DB) FilterEntries(ctx context.Context, where string, args []any, sortKey string, limit, offset int) ([]EntryRef, int, error) {
	ob, err := orderBy(sortKey)
	if err != nil {
		return nil, 0, err
	}
	// One pass: the window count sees every match before LIMIT applies.
	rows, err := db.QueryContext(ctx, `SELECT e.id, e.path, COUNT(*) OVER () FROM entries e WHERE `+where+` ORDER BY `+ob+` LIMIT ? OFFSET ?`,
		append(append([]any{}, args...), limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var out []EntryRef
	total := 0
	for rows.Next() {
		var r EntryRef
		if err := rows.Scan(&r.ID, &r.Path, &total); err != nil {
			return out, total, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return out, total, err
	}
	if len(out) == 0 && offset > 0 {
		// Past the end: the count still matters to the grid.
		err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries e WHERE `+where, args...).Scan(&total)
	}
	return out, total, err
}

// FilterIDs lists the ids of the entries matching where (never nil).
func (db *DB) FilterIDs(ctx context.Context, where string, args []any) ([]int64, error) {
	ids, err := int64s(ctx, db, `SELECT e.id FROM entries e WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

// CountFilterWithVector counts the entries matching where that have a
// vector of model m.
func (db *DB) CountFilterWithVector(ctx context.Context, where string, args []any, m Model) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries e WHERE `+where+
		` AND EXISTS (SELECT 1 FROM vectors v WHERE v.model_id = ? AND v.entry_id = e.id)`,
		append(append([]any{}, args...), m.ID)...).Scan(&n)
	return n, err
}

// EntryPaths returns the paths of the entries among ids (those that exist).
func (db *DB) EntryPaths(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids)
	rows, err := db.QueryContext(ctx, `SELECT id, path FROM entries WHERE id IN `+in, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			return nil, err
		}
		out[id] = p
	}
	return out, rows.Err()
}

// SortEntryIDs returns ids (those that exist) in the order sortKey names.
func (db *DB) SortEntryIDs(ctx context.Context, ids []int64, sortKey string) ([]int64, error) {
	ob, err := orderBy(sortKey)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := inList(ids)
	return int64s(ctx, db, `SELECT e.id FROM entries e WHERE e.id IN `+in+` ORDER BY `+ob, args...)
}
