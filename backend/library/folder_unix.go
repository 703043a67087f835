//go:build unix

package library

import (
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// folder is a library folder reached from the library's real folder one
// component at a time with openat(O_NOFOLLOW|O_DIRECTORY), and whose files
// are made with O_CREAT|O_EXCL|O_NOFOLLOW and renamed with renameat inside
// it. Chosen over os.Root on Unix because os.Root follows a symlink that
// stays inside its root: a folder swapped for a link to .tagsight after
// Contain's decision would still be entered. Here any link on the way
// fails the operation instead.
type folder struct {
	f *os.File
}

func openFolder(root, rel string, create bool) (*folder, error) {
	if rel != "" {
		if err := checkRel(rel); err != nil { // ".." would climb out of root
			return nil, err
		}
	}
	const dirFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC
	fd, err := unix.Open(root, dirFlags, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: root, Err: err}
	}
	if rel != "" {
		for _, p := range strings.Split(rel, "/") {
			next, err := unix.Openat(fd, p, dirFlags|unix.O_NOFOLLOW, 0)
			if err == unix.ENOENT && create {
				if err = unix.Mkdirat(fd, p, 0o755); err == nil || err == unix.EEXIST {
					next, err = unix.Openat(fd, p, dirFlags|unix.O_NOFOLLOW, 0)
				}
			}
			unix.Close(fd)
			if err != nil {
				return nil, &fs.PathError{Op: "open", Path: rel, Err: err}
			}
			fd = next
		}
	}
	return &folder{f: os.NewFile(uintptr(fd), path.Join(root, rel))}, nil
}

func (d *folder) Close() error { return d.f.Close() }

func (d *folder) fd() int { return int(d.f.Fd()) }

func (d *folder) err(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: path.Join(d.f.Name(), name), Err: err}
}

// create makes a new file; an existing name, a link included, fails.
func (d *folder) create(name string, perm fs.FileMode) (*os.File, error) {
	fd, err := unix.Openat(d.fd(), name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(perm))
	if err != nil {
		return nil, d.err("create", name, err)
	}
	return os.NewFile(uintptr(fd), path.Join(d.f.Name(), name)), nil
}

// open opens name for reading, never through a link, and never blocking
// on a FIFO put in a file's place.
func (d *folder) open(name string) (*os.File, error) {
	fd, err := unix.Openat(d.fd(), name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, d.err("open", name, err)
	}
	return os.NewFile(uintptr(fd), path.Join(d.f.Name(), name)), nil
}

// lstat describes name itself (a link is not followed).
func (d *folder) lstat(name string) (fs.FileMode, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(d.fd(), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return 0, d.err("lstat", name, err)
	}
	m := fs.FileMode(st.Mode & 0o777)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFDIR:
		m |= fs.ModeDir
	case unix.S_IFLNK:
		m |= fs.ModeSymlink
	default:
		m |= fs.ModeIrregular
	}
	return m, nil
}

func (d *folder) rename(old string, to *folder, name string) error {
	if err := unix.Renameat(d.fd(), old, to.fd(), name); err != nil {
		return d.err("rename", old, err)
	}
	return nil
}

func (d *folder) remove(name string) error {
	if err := unix.Unlinkat(d.fd(), name, 0); err != nil {
		return d.err("remove", name, err)
	}
	return nil
}

func (d *folder) chtimes(name string, mtime time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(time.Now().UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	if err := unix.UtimesNanoAt(d.fd(), name, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return d.err("chtimes", name, err)
	}
	return nil
}
