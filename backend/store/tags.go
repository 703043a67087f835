package store

import (
	"context"
	"strings"
)

// TagRelatives returns ids with every descendant and every ancestor
// through tag_parents (several parents and cycles allowed), sorted, no
// repeats. Siblings and cousins are not relatives.
func (db *DB) TagRelatives(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, 2*len(ids))
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, args...)
	seed := "VALUES (?)" + strings.Repeat(", (?)", len(ids)-1)
	// UNION (not UNION ALL) stops the recursion on cycles.
	rows, err := db.QueryContext(ctx, `WITH RECURSIVE
		down(id) AS (`+seed+` UNION SELECT tp.child_id FROM tag_parents tp JOIN down ON tp.parent_id = down.id),
		up(id) AS (`+seed+` UNION SELECT tp.parent_id FROM tag_parents tp JOIN up ON tp.child_id = up.id)
		SELECT id FROM down UNION SELECT id FROM up ORDER BY 1`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// NotHidden is a condition over entries aliased e: the entry carries no
// hidden tag, except those in shown (the tags a query names).
func NotHidden(shown []int64) (string, []any) {
	var b strings.Builder
	// A list subquery, evaluated once, not a correlated one per row.
	b.WriteString(`e.id NOT IN (SELECT ht.entry_id FROM entry_tags ht WHERE ht.tag_id IN (SELECT id FROM tags WHERE is_hidden = 1`)
	args := make([]any, len(shown))
	if len(shown) > 0 {
		b.WriteString(` AND id NOT IN (?` + strings.Repeat(",?", len(shown)-1) + `)`)
		for i, id := range shown {
			args[i] = id
		}
	}
	b.WriteString(`))`)
	return b.String(), args
}
