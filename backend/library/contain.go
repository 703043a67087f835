package library

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/store"
)

// Refusals of Contain.
var (
	// ErrBadPath: not a clean library-relative path (absolute, "..", empty).
	ErrBadPath = errors.New("not a path inside the library")
	// ErrOutside: the path, symlinks followed, leads out of the library.
	ErrOutside = errors.New("leads outside the library")
	// ErrDataDir: the path, symlinks followed, is in a data folder
	// (Tagsight's .tagsight or another tool's), which only the app itself
	// writes and which is never served.
	ErrDataDir = errors.New("leads into the library's data folder")
)

// Contained is a library-relative path that Contain allowed, as it
// resolved it ('/'-separated, relative to the library's real folder).
type Contained struct {
	// Dir is the folder that holds the path, every symlink in it resolved
	// ("" for the library's top). Folders that do not exist yet are kept
	// as named: a writer creates them.
	Dir string
	// Name is the path's last component as named: a symlink there stays
	// the link (a trash moves the link, a write replaces it).
	Name string
	// Real is the whole path resolved: the file a symlink at Name leads
	// to, or Dir/Name when nothing is there or Name is not a symlink.
	Real string
}

// Path is the path with its folders resolved and its last name kept.
func (c Contained) Path() string { return path.Join(c.Dir, c.Name) }

// Contain decides whether the library-relative path rel may be written or
// served: it resolves every component (symlinks, each followed to its
// end) and refuses a path that leads out of the library's real folder or
// into a data folder, whatever the names as typed say. It is the one place
// that decides; every writer and every file route asks it. Writers then
// walk the resolved folders without following symlinks (openFolder), so a
// link swapped in after the decision fails the write instead of
// redirecting it.
func (l *Library) Contain(rel string) (Contained, error) {
	if err := checkRel(rel); err != nil {
		return Contained{}, err
	}
	root, err := filepath.EvalSymlinks(l.Root)
	if err != nil {
		return Contained{}, fmt.Errorf("library folder: %w", err)
	}
	parts := strings.Split(rel, "/")
	c := Contained{Name: parts[len(parts)-1]}
	for i, p := range parts[:len(parts)-1] {
		r, ok, err := resolveIn(root, path.Join(c.Dir, p))
		if err != nil {
			return Contained{}, fmt.Errorf("%s: %w", rel, err)
		}
		if !ok { // nothing there yet: the rest is made by a writer
			c.Dir = path.Join(append([]string{c.Dir}, parts[i:len(parts)-1]...)...)
			break
		}
		c.Dir = r
	}
	c.Real = c.Path()
	r, ok, err := resolveIn(root, c.Real)
	if err != nil && !errors.Is(err, errDangling) {
		return Contained{}, fmt.Errorf("%s: %w", rel, err)
	}
	if ok {
		c.Real = r
	}
	// The data folder may itself be a link to elsewhere in the library.
	data, okData, _ := resolveIn(root, DataDirName)
	for _, p := range []string{c.Dir, c.Real} {
		if inDataDir(p) || okData && (p == data || strings.HasPrefix(p, data+"/")) {
			return Contained{}, fmt.Errorf("%s: %w", rel, ErrDataDir)
		}
	}
	return c, nil
}

// Naming is how a user may name a file to Resolve.
type Naming int

const (
	// LibraryPath: a clean library-relative path ('/'-separated) only, as
	// the web names a picture: it never learns where the library lies, and
	// backslashes and drive letters are refused on every system.
	LibraryPath Naming = iota
	// UserPath: also a path on disk, absolute (a file dropped on the
	// desktop window) or relative to the working folder (the command line).
	UserPath
)

// Named is a library file a user named, as Resolve found it.
type Named struct {
	Rel   string      // library-relative, '/'-separated
	Entry store.Entry // its entry; ID 0 when the file is not indexed yet
}

// Found reports whether the file has an entry.
func (n Named) Found() bool { return n.Entry.ID != 0 }

// Resolve turns what a user typed into a file of the library and its
// entry: the one reading of a user's path, shared by the command line
// (ls, info, tag, similar), the desktop (search by a dropped file, like:)
// and the web (like:), so a name means the same on every face. A
// library-relative path with an entry wins over a file of that name in
// the working folder. With LibraryPath the file must have an entry and
// pass Contain. With UserPath a file on disk inside the library that is
// not indexed yet comes back with no entry (it must pass Contain, so it
// may be indexed); a name that leads to nothing of the library is
// store.ErrNotFound.
func (l *Library) Resolve(ctx context.Context, name string, how Naming) (Named, error) {
	if how == LibraryPath {
		if err := checkRel(name); err != nil || strings.Contains(name, `\`) || len(name) > 1 && name[1] == ':' {
			return Named{}, fmt.Errorf("%q: %w", name, ErrBadPath)
		}
		e, err := l.DB.EntryByPath(ctx, name)
		if err != nil {
			return Named{}, err
		}
		if _, err := l.Contain(name); err != nil {
			return Named{}, err
		}
		return Named{Rel: name, Entry: e}, nil
	}
	var inLib, onDisk string // name as a library path; as a path on disk
	if !filepath.IsAbs(name) {
		if r := filepath.ToSlash(filepath.Clean(name)); checkRel(r) == nil {
			inLib = r
		}
	}
	if _, err := os.Lstat(name); err == nil {
		if r, err := l.Rel(name); err == nil && checkRel(r) == nil {
			onDisk = r
		}
	}
	for _, rel := range []string{inLib, onDisk} {
		if rel == "" {
			continue
		}
		e, err := l.DB.EntryByPath(ctx, rel)
		if err == nil {
			return Named{Rel: rel, Entry: e}, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return Named{}, err
		}
	}
	for _, rel := range []string{inLib, onDisk} {
		if rel == "" {
			continue
		}
		if st, err := os.Stat(l.Abs(rel)); err != nil || !st.Mode().IsRegular() {
			continue
		}
		if _, err := l.Contain(rel); err != nil {
			return Named{}, err
		}
		return Named{Rel: rel}, nil
	}
	return Named{}, fmt.Errorf("%w: %s", store.ErrNotFound, name)
}

// checkRel refuses what is not a clean '/'-separated path below the
// library's top, before anything on disk is looked at.
func checkRel(rel string) error {
	if rel == "" || rel == "." || path.Clean(rel) != rel || path.IsAbs(rel) || filepath.IsAbs(rel) ||
		rel == ".." || strings.HasPrefix(rel, "../") || strings.Contains(rel, "\x00") ||
		(filepath.Separator != '/' && strings.ContainsAny(rel, `\:`)) {
		return fmt.Errorf("%q: %w", rel, ErrBadPath)
	}
	return nil
}

// CheckEntryPath refuses a path no entry can have, before anything on
// disk is looked at: one checkRel refuses, or one in a data folder (which
// a scan never indexes). Importers of other tools' lists ask it.
func CheckEntryPath(rel string) error {
	if err := checkRel(rel); err != nil {
		return err
	}
	if inDataDir(rel) {
		return fmt.Errorf("%q: %w", rel, ErrDataDir)
	}
	return nil
}

// inDataDir reports whether a resolved library-relative path is, or is
// in, a data folder at the library's top. Names compare without case:
// macOS's and Windows' file systems ignore it, so ".TAGSIGHT" is
// ".tagsight" there.
func inDataDir(rel string) bool {
	first, _, _ := strings.Cut(rel, "/")
	if strings.EqualFold(first, DataDirName) {
		return true
	}
	for _, d := range foreignDataDirs {
		if strings.EqualFold(first, d) {
			return true
		}
	}
	return false
}

var errDangling = errors.New("dangling symlink")

// resolveIn resolves the root-relative rel, whose folders are already
// resolved, and returns it relative to root (which is resolved itself).
// ok is false when nothing is there; a dangling symlink is errDangling.
func resolveIn(root, rel string) (string, bool, error) {
	abs := filepath.Join(root, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(abs)
	if errors.Is(err, fs.ErrNotExist) {
		if _, lerr := os.Lstat(abs); lerr == nil {
			return "", false, errDangling
		}
		return "", false, nil
	}
	if err != nil {
		return "", false, unwrapPathError(err)
	}
	r, err := filepath.Rel(root, real)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		return "", false, ErrOutside
	}
	if r == "." {
		r = ""
	}
	return filepath.ToSlash(r), true, nil
}

// openFolder opens the root-relative folder rel (resolved: no symlink in
// it) from the library's real folder, creating what is missing when
// create. The walk never follows a symlink (see folder_*.go).
func (l *Library) openFolder(rel string, create bool) (*folder, error) {
	root, err := filepath.EvalSymlinks(l.Root)
	if err != nil {
		return nil, fmt.Errorf("library folder: %w", err)
	}
	return openFolder(root, rel, create)
}

// OpenFile opens the file at a library-relative path for reading, through
// Contain, then by a walk that follows no symlink, so a link swapped in
// after the check cannot serve another file. Only regular files open.
func (l *Library) OpenFile(rel string) (*os.File, fs.FileInfo, error) {
	c, err := l.Contain(rel)
	if err != nil {
		return nil, nil, err
	}
	return l.openIn(path.Dir("/" + c.Real)[1:], path.Base(c.Real))
}

// OpenData opens a file of the library's data folder for reading: rel,
// inside the data folder's subfolder dir (thumbs, previews, faces), by a
// walk that follows no symlink.
func (l *Library) OpenData(dir, rel string) (*os.File, fs.FileInfo, error) {
	if err := checkRel(rel); err != nil {
		return nil, nil, err
	}
	return l.openIn(path.Join(DataDirName, dir, path.Dir("/" + rel)[1:]), path.Base(rel))
}

func (l *Library) openIn(dir, name string) (*os.File, fs.FileInfo, error) {
	d, err := l.openFolder(dir, false)
	if err != nil {
		return nil, nil, err
	}
	defer d.Close()
	f, err := d.open(name)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("not a regular file (%s)", describeMode(st.Mode()))
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// replace writes r to a new hidden file in d, created (never opened
// through a link), synced, then renamed to name: whatever was at name (a
// file, a link) is replaced, and a crash or a reader never sees half a
// file. The temporary name is prefix + random + suffix. A zero mtime
// leaves the time of writing.
func (d *folder) replace(name, prefix, suffix string, r io.Reader, perm fs.FileMode, mtime time.Time) (int64, error) {
	var f *os.File
	var tmp string
	var err error
	for range 100 {
		tmp = prefix + strconv.FormatUint(rand.Uint64(), 36) + suffix
		if f, err = d.create(tmp, perm); !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, r)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && !mtime.IsZero() {
		err = d.chtimes(tmp, mtime)
	}
	if err == nil {
		err = d.rename(tmp, d, name)
	}
	if err != nil {
		d.remove(tmp)
		return 0, err
	}
	return n, nil
}
