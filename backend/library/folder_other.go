//go:build !unix

package library

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"
)

// folder is a library folder reached through os.Root, which never leaves
// the library's real folder whatever links appear on the way. Unlike the
// Unix walk (folder_unix.go) it follows a link that stays inside, so here
// a folder swapped for a link into .tagsight between Contain's decision
// and the write is not caught; there is no portable O_NOFOLLOW per
// component to do better with.
type folder struct {
	root *os.Root
	dir  string // relative to root, '/'-separated
}

func openFolder(root, rel string, create bool) (*folder, error) {
	if rel != "" {
		if err := checkRel(rel); err != nil {
			return nil, err
		}
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	if rel != "" {
		if create {
			err = r.MkdirAll(filepath.FromSlash(rel), 0o755)
		} else {
			var st fs.FileInfo
			if st, err = r.Stat(filepath.FromSlash(rel)); err == nil && !st.IsDir() {
				err = &fs.PathError{Op: "open", Path: rel, Err: fs.ErrInvalid}
			}
		}
		if err != nil {
			r.Close()
			return nil, err
		}
	}
	return &folder{root: r, dir: rel}, nil
}

func (d *folder) Close() error { return d.root.Close() }

func (d *folder) at(name string) string { return filepath.FromSlash(path.Join(d.dir, name)) }

func (d *folder) create(name string, perm fs.FileMode) (*os.File, error) {
	return d.root.OpenFile(d.at(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
}

func (d *folder) open(name string) (*os.File, error) {
	if m, err := d.lstat(name); err == nil && m&fs.ModeSymlink != 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	return d.root.Open(d.at(name))
}

func (d *folder) lstat(name string) (fs.FileMode, error) {
	st, err := d.root.Lstat(d.at(name))
	if err != nil {
		return 0, err
	}
	return st.Mode(), nil
}

func (d *folder) rename(old string, to *folder, name string) error {
	return d.root.Rename(d.at(old), to.at(name))
}

func (d *folder) remove(name string) error { return d.root.Remove(d.at(name)) }

func (d *folder) chtimes(name string, mtime time.Time) error {
	return d.root.Chtimes(d.at(name), time.Now(), mtime)
}
