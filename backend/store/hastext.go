package store

import (
	"context"
	"fmt"
)

// HasText says whether any entry of the library has text in the index: a
// search without a model then looks for a plain word in the files' text
// instead of matching nothing.
func (db *DB) HasText(ctx context.Context) (bool, error) {
	var ok bool
	if err := db.pool.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM text_units)`).Scan(&ok); err != nil {
		return false, fmt.Errorf("any text: %w", err)
	}
	return ok, nil
}
