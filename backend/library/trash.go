package library

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"time"
)

// TrashDirName is the folder under the data folder that trashed files move
// to, one subfolder per trash operation (.tagsight/trash/<time>/<path>): on
// the same disk, so nothing is copied and everything can be put back by hand.
const TrashDirName = "trash"

// Trash moves entries' files into the library's trash folder and forgets
// the entries (their tags, fields, vectors and centroid shares go with
// them, see store.DeleteEntries). It returns the ids it trashed, in order;
// on an error, those before it stay trashed. An entry whose path leads out
// of the library or into its data folder (a folder swapped for a link since
// the scan) is refused, never moved: the trash would pull that file in.
func (l *Library) Trash(ctx context.Context, ids []int64) ([]int64, error) {
	stamp := time.Now().Format("20060102-150405")
	done := make([]int64, 0, len(ids))
	for _, id := range ids {
		e, err := l.DB.EntryByID(ctx, id)
		if err != nil {
			return done, err
		}
		if !e.Missing {
			if err := l.trashFile(e.Path, stamp); err != nil {
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

// trashFile moves the file at rel (a link moves as the link) under the
// trash folder; a file that is gone already is no error.
func (l *Library) trashFile(rel, stamp string) error {
	c, err := l.Contain(rel)
	if err != nil {
		return err
	}
	src, err := l.openFolder(c.Dir, false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return unwrapPathError(err)
	}
	defer src.Close()
	if _, err := src.lstat(c.Name); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	dst, err := l.openFolder(path.Join(DataDirName, TrashDirName, stamp, c.Dir), true)
	if err != nil {
		return unwrapPathError(err)
	}
	defer dst.Close()
	if err := src.rename(c.Name, dst, c.Name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return unwrapPathError(err)
	}
	return nil
}
