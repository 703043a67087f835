package store

import (
	"context"
	"fmt"
)

// TableCounts is the number of rows in each of the database's own tables
// (sqlite-vec's shadow tables and SQLite's internals left out): a cheap
// picture of the whole library's state, for checks that nothing changed.
func (db *DB) TableCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		if err := db.pool.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM %q`, n)).Scan(&c); err != nil {
			return nil, fmt.Errorf("count %s: %w", n, err)
		}
		out[n] = c
	}
	return out, nil
}
