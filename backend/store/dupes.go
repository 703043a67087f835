package store

import (
	"context"
	"strings"
)

// ExactDuplicates groups the present entries whose content fingerprint
// (the x1: content hash) and size are the same; only groups of two or more.
func (db *DB) ExactDuplicates(ctx context.Context) ([][]int64, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT group_concat(id) FROM entries WHERE missing=0 AND fingerprint LIKE 'x1:%'
		GROUP BY fingerprint, size HAVING COUNT(*) > 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]int64
	for rows.Next() {
		var list string
		rows.Scan(&list)
		var g []int64
		for _, f := range strings.Split(list, ",") {
			var id int64
			for _, c := range f {
				id = id*10 + int64(c-'0')
			}
			g = append(g, id)
		}
		out = append(out, g)
	}
	return out, nil
}

// EntryTagCount is how many tags an entry carries.
func (db *DB) EntryTagCount(ctx context.Context, entryID int64) (int, error) {
	var n int
	err := db.pool.QueryRowContext(ctx, `SELECT COUNT(*) FROM entry_tags WHERE entry_id=?`, entryID).Scan(&n)
	return n, err
}
