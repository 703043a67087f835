package library

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/store"
)

// Conflict policies for files that already exist at the destination.
const (
	ConflictSkip     = "skip"
	ConflictKeepBoth = "keep-both"
	ConflictReplace  = "replace"
)

// ImportPlan is what an import would do.
type ImportPlan struct {
	Files     int      `json:"files"`
	Bytes     int64    `json:"bytes"`
	Conflicts []string `json:"conflicts"` // library-relative destinations that exist
}

// ImportResult sums up an import.
type ImportResult struct {
	Copied   int               `json:"copied"`
	Skipped  int               `json:"skipped"`
	Replaced int               `json:"replaced"`
	Renamed  int               `json:"renamed"`
	Bytes    int64             `json:"bytes"`
	Paths    []string          `json:"paths"` // library-relative destinations written
	Errors   []store.ScanError `json:"errors"`
}

type importItem struct {
	src  string // absolute source
	dest string // library-relative destination
	size int64
}

// CleanTarget checks how a library-relative folder is written: no "..",
// not named as .tagsight, and returns it '/'-separated ("" = the root).
// Where it leads on disk is Contain's to decide, at the write.
func CleanTarget(target string) (string, error) {
	t := strings.Trim(filepath.ToSlash(strings.TrimSpace(target)), "/")
	if t == "" || t == "." {
		return "", nil
	}
	if strings.Contains(t, "\x00") || path.Clean(t) != t || t == ".." || strings.HasPrefix(t, "../") {
		return "", fmt.Errorf("import target %q must be a folder inside the library", target)
	}
	if inDataDir(t) {
		return "", fmt.Errorf("import target %q is Tagsight's own folder", target)
	}
	return t, nil
}

func (l *Library) collect(ctx context.Context, paths []string, target string) ([]importItem, []store.ScanError, error) {
	target, err := CleanTarget(target)
	if err != nil {
		return nil, nil, err
	}
	var items []importItem
	var errs []store.ScanError
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			errs = append(errs, store.ScanError{Path: p, Error: err.Error()})
			continue
		}
		st, err := os.Stat(abs)
		if err != nil {
			errs = append(errs, store.ScanError{Path: p, Error: unwrapPathError(err).Error()})
			continue
		}
		if rel, err := l.Rel(abs); err == nil && !st.IsDir() {
			_ = rel // already inside the library: nothing to copy, the scan picks it up
			continue
		}
		base := filepath.Base(abs)
		if !st.IsDir() {
			if st.Mode().IsRegular() {
				items = append(items, importItem{src: abs, dest: path.Join(target, base), size: st.Size()})
			} else {
				errs = append(errs, store.ScanError{Path: p, Error: "not a regular file"})
			}
			continue
		}
		if inside, _ := l.Rel(abs); inside != "" || abs == l.Root {
			errs = append(errs, store.ScanError{Path: p, Error: "folder is already inside the library"})
			continue
		}
		filepath.WalkDir(abs, func(q string, d fs.DirEntry, err error) error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				errs = append(errs, store.ScanError{Path: q, Error: unwrapPathError(err).Error()})
				return nil
			}
			if d.IsDir() {
				if d.Name() == DataDirName {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil // symlinks and special files are not copied
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			r, _ := filepath.Rel(abs, q)
			items = append(items, importItem{src: q, dest: path.Join(target, base, filepath.ToSlash(r)), size: info.Size()})
			return nil
		})
	}
	return items, errs, ctx.Err()
}

// PlanImport says what importing paths (files or folders, copied with
// their names) into the library folder target would copy and which
// destinations already exist.
func (l *Library) PlanImport(ctx context.Context, paths []string, target string) (ImportPlan, error) {
	items, _, err := l.collect(ctx, paths, target)
	if err != nil {
		return ImportPlan{}, err
	}
	plan := ImportPlan{Conflicts: []string{}}
	for _, it := range items {
		plan.Files++
		plan.Bytes += it.size
		if c, err := l.Contain(it.dest); err == nil {
			if _, err := os.Lstat(l.Abs(c.Path())); err == nil {
				plan.Conflicts = append(plan.Conflicts, it.dest)
			}
		}
	}
	return plan, nil
}

// ImportProgress reports bytes copied.
type ImportProgress struct {
	Done, Total int64
	Current     string
}

// Import copies files and folders into the library. Each file is written
// to a temporary name and renamed into place, so a killed import never
// leaves half a file under a real name. The caller scans afterwards.
func (l *Library) Import(ctx context.Context, paths []string, target, policy string, report func(ImportProgress)) (ImportResult, error) {
	res := ImportResult{Paths: []string{}, Errors: []store.ScanError{}}
	switch policy {
	case ConflictSkip, ConflictKeepBoth, ConflictReplace:
	default:
		return res, fmt.Errorf("conflict policy %q: use skip, keep-both or replace", policy)
	}
	items, errs, err := l.collect(ctx, paths, target)
	res.Errors = append(res.Errors, errs...)
	if err != nil {
		return res, err
	}
	var total, done int64
	for _, it := range items {
		total += it.size
	}
	for _, it := range items {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if report != nil {
			report(ImportProgress{Done: done, Total: total, Current: it.dest})
		}
		f, err := os.Open(it.src)
		if err != nil {
			res.Errors = append(res.Errors, store.ScanError{Path: it.src, Error: unwrapPathError(err).Error()})
			continue
		}
		var mtime time.Time
		if st, err := f.Stat(); err == nil {
			mtime = st.ModTime()
		}
		_, n, err := l.writeInto(ctx, it.dest, f, policy, mtime, &res)
		f.Close()
		if err != nil {
			res.Errors = append(res.Errors, store.ScanError{Path: it.src, Error: err.Error()})
			continue
		}
		done += it.size
		res.Bytes += n
	}
	if report != nil {
		report(ImportProgress{Done: total, Total: total})
	}
	return res, nil
}

// ImportReader writes one uploaded file to the library-relative path rel
// under the policy (the browser face's upload).
func (l *Library) ImportReader(ctx context.Context, rel string, r io.Reader, policy string, res *ImportResult) error {
	clean, err := CleanTarget(rel)
	if err != nil || clean == "" {
		return fmt.Errorf("bad upload name %q", rel)
	}
	_, _, err = l.writeInto(ctx, clean, r, policy, time.Time{}, res)
	return err
}

// writeInto copies r to rel, applying the conflict policy, and returns the
// destination written ("" when skipped). The destination is where rel
// leads (Contain): a folder link inside the library is followed, one that
// leads out or into .tagsight refuses the write; the file is created in
// the resolved folder and never through a link (folder.replace).
func (l *Library) writeInto(ctx context.Context, rel string, r io.Reader, policy string, mtime time.Time, res *ImportResult) (string, int64, error) {
	c, err := l.Contain(rel)
	if err != nil {
		return "", 0, fmt.Errorf("write %s: %w", rel, err)
	}
	d, err := l.openFolder(c.Dir, true)
	if err != nil {
		return "", 0, fmt.Errorf("write %s: %w", rel, unwrapPathError(err))
	}
	defer d.Close()
	name := c.Name
	if _, err := d.lstat(name); err == nil {
		switch policy {
		case ConflictSkip:
			res.Skipped++
			return "", 0, nil
		case ConflictKeepBoth:
			name = freeName(d, name)
			res.Renamed++
		case ConflictReplace:
			res.Replaced++
		default:
			return "", 0, fmt.Errorf("%s exists", rel)
		}
	}
	dest := path.Join(c.Dir, name)
	n, err := d.replace(name, ".tagsight-import-", "", &ctxReader{ctx: ctx, r: r}, 0o644, mtime)
	if err != nil {
		return "", 0, fmt.Errorf("copy to %s: %w", dest, unwrapPathError(err))
	}
	res.Copied++
	res.Paths = append(res.Paths, dest)
	return dest, n, nil
}

// freeName finds a "name (2).ext" style name that is free in d.
func freeName(d *folder, name string) string {
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 2; ; i++ {
		c := fmt.Sprintf("%s (%d)%s", stem, i, ext)
		if _, err := d.lstat(c); errors.Is(err, fs.ErrNotExist) {
			return c
		}
	}
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
