package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// TrashDirName is the folder under the data folder that trashed files move
// to, one subfolder per trash operation (.tagsight/trash/<time>/<path>): on
// the same disk, so nothing is copied and everything can be put back by hand.
const TrashDirName = "trash"

// Trash moves entries' files into the library's trash folder and forgets
// the entries (their tags, fields, vectors and centroid shares go with
// them, see store.DeleteEntries). It returns the ids it trashed, in order;
// on an error, those before it stay trashed.
func (l *Library) Trash(ctx context.Context, ids []int64) ([]int64, error) {
	dir := filepath.Join(l.DataDir(), TrashDirName, time.Now().Format("20060102-150405"))
	done := make([]int64, 0, len(ids))
	for _, id := range ids {
		e, err := l.DB.EntryByID(ctx, id)
		if err != nil {
			return done, err
		}
		if !e.Missing {
			dst := filepath.Join(dir, filepath.FromSlash(e.Path))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return done, err
			}
			if err := os.Rename(l.Abs(e.Path), dst); err != nil && !errors.Is(err, os.ErrNotExist) {
				return done, fmt.Errorf("trash %s: %w", e.Path, err)
			}
		}
		if _, err := l.DB.DeleteEntries(ctx, []int64{id}); err != nil {
			return done, err
		}
		done = append(done, id)
	}
	return done, nil
}
