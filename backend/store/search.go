package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// The search bar's queries: package query compiles what the user typed
// into a Filter (filter.go), and these run it.

// Visible adds what every search asks of a filter: present files unless
// includeMissing, and no entry with a hidden tag unless includeHidden, or
// the tag is in shown.
func Visible(f Filter, shown []int64, includeHidden, includeMissing bool) Filter {
	where, args := f.sql(), f.args
	if !includeMissing {
		where = "e.missing = 0 AND (" + where + ")"
	}
	if includeHidden {
		return Filter{where: where, args: args}
	}
	cond, hargs := NotHidden(shown)
	return Filter{where: where + " AND " + cond, args: append(append([]any{}, args...), hargs...)}
}

// Except allows what f allows but the entries ids.
func (f Filter) Except(ids []int64) Filter {
	if len(ids) == 0 {
		return f
	}
	args := append([]any{}, f.args...)
	for _, id := range ids {
		args = append(args, id)
	}
	return Filter{where: "(" + f.sql() + ") AND e.id NOT IN (?" + strings.Repeat(",?", len(ids)-1) + ")", args: args}
}

// sortBy reads a sort key ("", "taken", "-taken", "added", "name",
// "path", "size", "random"; "-" for descending): the column over e it
// orders by (with e.id as the tie-break), or random.
func sortBy(key string) (col string, desc, random bool, err error) {
	desc = strings.HasPrefix(key, "-")
	key = strings.TrimPrefix(key, "-")
	col = map[string]string{"": "e.path", "path": "e.path", "name": "e.path", "taken": "e.taken", "added": "e.added_at", "size": "e.size", "random": "random()"}[key]
	if col == "" {
		return "", false, false, fmt.Errorf("unknown sort %q: use taken, added, name, size or random", key)
	}
	return col, desc, key == "random", nil
}

// orderBy turns a sort key into an ORDER BY over e.
func orderBy(key string) (string, error) {
	col, desc, random, err := sortBy(key)
	if err != nil || random {
		return col, err
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

// anchor is where a page of a sorted filter may start without skipping
// rows: the entry at position off-1 has sort key key and id id, so the
// entries from position off on are those after (key, id).
type anchor struct {
	key any
	id  int64
}

// anchors are the positions seen in one filter's sort order, for one
// state of the library (they live in the byChange cache): the grid pages
// through results one page after another, so the next page starts at a
// known key and costs a page, not a walk over every row before it.
type anchors struct {
	mu sync.Mutex
	at map[int]anchor
}

// maxAnchors bounds the positions kept for one filter and sort.
const maxAnchors = 4096

func (a *anchors) nearest(offset int) (int, anchor, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	best, found := -1, anchor{}
	for off, an := range a.at {
		if off <= offset && off > best {
			best, found = off, an
		}
	}
	return best, found, best >= 0
}

func (a *anchors) put(off int, an anchor) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.at) >= maxAnchors {
		clear(a.at)
	}
	a.at[off] = an
}

// FilterEntries returns one page of the entries f allows, in the
// order sortKey names, and how many match in all (counted even when the
// page lies past the end). The count is kept until the library changes
// (the grid asks it with every page); the page is read in the sort's index
// order and, past the first, from the nearest position an earlier page
// left, so neither sorts nor skips the whole match set.
func (db *DB) FilterEntries(ctx context.Context, f Filter, sortKey string, limit, offset int) ([]EntryRef, int, error) {
	where, args := f.sql(), f.args
	col, desc, random, err := sortBy(sortKey)
	if err != nil {
		return nil, 0, err
	}
	ob, _ := orderBy(sortKey)
	total, err := db.countFilter(ctx, where, args)
	if err != nil {
		return nil, 0, err
	}
	if offset >= total || limit <= 0 {
		return nil, total, nil
	}
	if random {
		refs, _, err := db.filterPage(ctx, `SELECT e.id, e.path, NULL FROM entries e WHERE `+where+` ORDER BY `+ob+` LIMIT ? OFFSET ?`,
			append(append([]any{}, args...), limit, offset))
		return refs, total, err
	}
	an, err := cachedByChange(ctx, db, cacheKey("anchors "+sortKey, where, args), func() (*anchors, error) {
		return &anchors{at: map[int]anchor{}}, nil
	})
	if err != nil {
		return nil, 0, err
	}
	// Read from the row before the page when there is one: its key is the
	// anchor of this page's start, for the next time it is asked.
	from, skipFirst := offset, 0
	if off, _, ok := an.nearest(offset); offset > 0 && (!ok || off != offset) {
		from, skipFirst = offset-1, 1
	}
	q := `SELECT e.id, e.path, ` + col + ` FROM entries e WHERE (` + where + `)`
	qargs := append([]any{}, args...)
	skip := from
	if off, a, ok := an.nearest(from); ok {
		cmp := " > "
		if desc {
			cmp = " < "
		}
		q += ` AND (` + col + `, e.id)` + cmp + `(?, ?)`
		qargs = append(qargs, a.key, a.id)
		skip = from - off
	}
	q += ` ORDER BY ` + ob + ` LIMIT ? OFFSET ?`
	qargs = append(qargs, limit+skipFirst, skip)
	refs, keys, err := db.filterPage(ctx, q, qargs)
	if err != nil {
		return nil, total, err
	}
	for i := range refs {
		an.put(from+i+1, anchor{key: keys[i], id: refs[i].ID})
	}
	if len(refs) < skipFirst {
		return nil, total, nil
	}
	return refs[skipFirst:], total, nil
}

// filterPage runs a page query whose rows are id, path and sort key.
func (db *DB) filterPage(ctx context.Context, q string, args []any) ([]EntryRef, []any, error) {
	rows, err := db.pool.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var refs []EntryRef
	var keys []any
	for rows.Next() {
		var r EntryRef
		var k any
		if err := rows.Scan(&r.ID, &r.Path, &k); err != nil {
			return nil, nil, fmt.Errorf("search: %w", err)
		}
		refs, keys = append(refs, r), append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("search: %w", err)
	}
	return refs, keys, nil
}

// CountFilter counts the entries f allows, once per state of the
// library.
func (db *DB) CountFilter(ctx context.Context, f Filter) (int, error) {
	return db.countFilter(ctx, f.sql(), f.args)
}

func (db *DB) countFilter(ctx context.Context, where string, args []any) (int, error) {
	return cachedByChange(ctx, db, cacheKey("count", where, args), func() (int, error) {
		var n int
		if err := db.pool.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries e WHERE `+where, args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("search: count: %w", err)
		}
		return n, nil
	})
}

// FilterIDs lists the ids of the entries f allows (never nil).
func (db *DB) FilterIDs(ctx context.Context, f Filter) ([]int64, error) {
	ids, err := int64s(ctx, db, `SELECT e.id FROM entries e WHERE `+f.sql(), f.args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

// FilterOut lists the ids of the entries f does not allow (never
// nil): for a broad filter, far fewer than those that do.
func (db *DB) FilterOut(ctx context.Context, f Filter) ([]int64, error) {
	ids, err := int64s(ctx, db, `SELECT e.id FROM entries e WHERE NOT coalesce((`+f.sql()+`), 0)`, f.args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

// EntryPaths returns the paths of the entries among ids (those that exist).
func (db *DB) EntryPaths(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids)
	rows, err := db.pool.QueryContext(ctx, `SELECT id, path FROM entries WHERE id IN `+in, args...)
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
