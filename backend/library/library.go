// Package library is a folder of files seen as a Tagsight library: it
// creates and opens `<folder>/.tagsight/`, walks the folder, fingerprints
// and probes files, makes thumbnails, and keeps the database's entries in
// step with the disk. It alone decides which paths may be written or served
// (Contain) and writes into the library (import, sidecars, trash). It does
// not decode pixels itself (package media) nor own SQL (package store).
package library

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// DataDirName is the folder inside a library that holds Tagsight's data.
const DataDirName = ".tagsight"

// foreignDataDirs are other tools' data folders at a library's top, never
// indexed: TagStudio's (its database and thumbnails are not photos).
var foreignDataDirs = []string{".TagStudio"}

// ownData reports whether a library-relative folder is Tagsight's own data
// folder or another tool's, which scans and watchers leave alone.
func ownData(rel string) bool {
	return !strings.Contains(rel, "/") && inDataDir(rel)
}

// Library is an open library.
type Library struct {
	Root string // absolute, cleaned
	DB   *store.DB
	// Limits bound every read of the library's files that a face asks
	// for, as a scan's (a scan given none takes them; zero:
	// media.DefaultLimits). Set before the library is shared.
	Limits media.Limits
}

// ReadLimits are the limits every read of the library's files goes by:
// Limits, else media.DefaultLimits.
func (l *Library) ReadLimits() media.Limits {
	if l.Limits == (media.Limits{}) {
		return media.DefaultLimits()
	}
	return l.Limits
}

// ErrNotLibrary: the folder has no .tagsight/ and creation was not asked for.
var ErrNotLibrary = errors.New("not a Tagsight library (no .tagsight folder)")

// Options for Open.
type Options struct {
	// Create makes the folder a library when it is not one yet.
	Create bool
}

// DataDir is `<root>/.tagsight`.
func (l *Library) DataDir() string { return filepath.Join(l.Root, DataDirName) }

// ThumbDir is where thumbnails live (see Derived).
func (l *Library) ThumbDir() string { return filepath.Join(l.DataDir(), Thumbs) }

// TempFile copies r into a new file in the library's own data folder (for
// a picture that is searched by and then removed) and returns its path. On
// error nothing is left behind.
func (l *Library) TempFile(r io.Reader, ext string) (string, error) {
	if len(ext) > 16 || strings.ContainsAny(ext, `/\`) {
		ext = ""
	}
	d, err := l.openFolder(DataDirName+"/tmp", true)
	if err != nil {
		return "", err
	}
	defer d.Close()
	for range 100 {
		name := "query-" + strconv.FormatUint(rand.Uint64(), 36) + ext
		f, err := d.create(name, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = io.Copy(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			d.remove(name)
			return "", err
		}
		return filepath.Join(l.DataDir(), "tmp", name), nil
	}
	return "", errors.New("temporary file: no free name")
}

// Abs turns a library-relative '/'-separated path into an absolute one.
func (l *Library) Abs(rel string) string {
	return filepath.Join(l.Root, filepath.FromSlash(rel))
}

// Rel turns a path (absolute, or relative to the working directory) into a
// library-relative '/'-separated path, refusing paths outside the library.
func (l *Library) Rel(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(l.Root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the library %s", p, l.Root)
	}
	return filepath.ToSlash(rel), nil
}

// Open opens the library at root, creating `.tagsight/` when opts.Create.
func Open(ctx context.Context, root string, opts Options) (*Library, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("open library: %s is not a folder", abs)
	}
	l := &Library{Root: abs}
	if _, err := os.Stat(filepath.Join(l.DataDir(), "library.db")); err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open library: %w", err)
		}
		if !opts.Create {
			return nil, fmt.Errorf("open library %s: %w", abs, ErrNotLibrary)
		}
	}
	if err := os.MkdirAll(l.ThumbDir(), 0o755); err != nil {
		return nil, fmt.Errorf("create library: %w", err)
	}
	if err := writeDefaultIgnore(l.DataDir()); err != nil {
		return nil, fmt.Errorf("create library: %w", err)
	}
	db, err := store.Open(ctx, filepath.Join(l.DataDir(), "library.db"))
	if err != nil {
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}
	l.DB = db
	return l, nil
}

// Close closes the database.
func (l *Library) Close() error {
	if l.DB == nil {
		return nil
	}
	return l.DB.Close()
}
