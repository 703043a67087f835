package library

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// XMPWritten is what WriteXMP did for one entry.
type XMPWritten struct {
	Path     string `json:"path"`    // the entry
	Sidecar  string `json:"sidecar"` // library-relative; "" when none was written
	Keywords int    `json:"keywords"`
	Created  bool   `json:"created"`
	Changed  bool   `json:"changed"` // false: the sidecar already said this
	Error    string `json:"error,omitempty"`
}

// SidecarFor is the sidecar WriteXMP writes for the picture at rel: the
// existing "photo.jpg.xmp", else an existing "photo.xmp", else a new
// "photo.jpg.xmp" (what darktable and digiKam read; digiKam and Lightroom
// read "photo.xmp" for RAW files, which is used when it exists).
func (l *Library) SidecarFor(rel string) (string, bool) {
	for _, name := range sidecarNames(rel) {
		if l.regularAt(name) {
			return name, true
		}
	}
	return rel + ".xmp", false
}

// regularAt reports whether rel is a regular file where Contain allows it
// (a link, even to a regular file, is not a sidecar to merge into).
func (l *Library) regularAt(rel string) bool {
	c, err := l.Contain(rel)
	if err != nil || c.Real != c.Path() {
		return false
	}
	st, err := os.Lstat(l.Abs(c.Path()))
	return err == nil && st.Mode().IsRegular()
}

// WriteXMP writes each entry's tags into its XMP sidecar: the tags' names
// as dc:subject and their full parent chains as lr:hierarchicalSubject
// ("A|B|C", one per chain), replacing those properties (and
// digiKam:TagsList, when the sidecar has it) and keeping every other one.
// Keywords already in the sidecar stay unless they name a Tagsight tag the
// entry does not have (a tag taken off in Tagsight goes from the sidecar
// too). Originals are never written; an entry without tags and without a
// sidecar gets none, and only pictures, RAW files and videos get one.
// Failures are per entry, in the result.
func (l *Library) WriteXMP(ctx context.Context, entries []store.Entry) ([]XMPWritten, error) {
	tags, err := l.DB.ListTags(ctx)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, t := range tags {
		known[strings.ToLower(t.Name)] = true
		for _, a := range t.Aliases {
			known[strings.ToLower(a)] = true
		}
	}
	out := make([]XMPWritten, 0, len(entries))
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if e.MediaType != media.TypeImage && e.MediaType != media.TypeRaw && e.MediaType != media.TypeVideo {
			continue // sidecars are for pictures (and videos)
		}
		w := XMPWritten{Path: e.Path}
		if err := l.writeXMP(ctx, e, known, &w); err != nil {
			w.Error = unwrapPathError(err).Error()
		}
		out = append(out, w)
	}
	return out, nil
}

func (l *Library) writeXMP(ctx context.Context, e store.Entry, known map[string]bool, w *XMPWritten) error {
	et, err := l.DB.TagsOfEntry(ctx, e.ID)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(et))
	for _, t := range et {
		ids = append(ids, t.ID)
	}
	paths, err := l.DB.TagPaths(ctx, ids)
	if err != nil {
		return err
	}
	var kw media.XMPKeywords
	seenS, seenP := map[string]bool{}, map[string]bool{}
	addS := func(s string) {
		if k := strings.ToLower(s); !seenS[k] {
			seenS[k] = true
			kw.Subjects = append(kw.Subjects, s)
		}
	}
	addP := func(p []string) {
		if k := strings.ToLower(strings.Join(p, "|")); !seenP[k] {
			seenP[k] = true
			kw.Paths = append(kw.Paths, p)
		}
	}
	mine := map[string]bool{}
	for _, t := range et {
		mine[strings.ToLower(t.Name)] = true
		addS(t.Name)
		for _, p := range paths[t.ID] {
			if len(p) > 1 {
				addP(p)
			}
		}
	}
	// The picture and its sidecar must both be where the library may
	// write: a folder link that leads out refuses the entry.
	if _, err := l.Contain(e.Path); err != nil {
		return err
	}
	side, exists := l.SidecarFor(e.Path)
	c, err := l.Contain(side)
	if err != nil {
		return err
	}
	d, err := l.openFolder(c.Dir, false)
	if err != nil {
		return err
	}
	defer d.Close()
	var old []byte
	perm := fs.FileMode(0o644)
	if exists {
		if old, perm, err = readSidecar(d, c.Name); err != nil {
			return err
		}
		x, err := media.ParseXMP(old)
		if err != nil {
			return err
		}
		// What the sidecar says that Tagsight does not know stays.
		for _, s := range x.Subjects {
			if !known[strings.ToLower(s)] || mine[strings.ToLower(s)] {
				addS(s)
			}
		}
		for _, p := range x.Paths {
			if leaf := strings.ToLower(p[len(p)-1]); !known[leaf] || mine[leaf] {
				addP(p)
			}
		}
	} else if len(et) == 0 {
		return nil
	}
	slices.SortStableFunc(kw.Subjects, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	w.Keywords = len(kw.Subjects)
	data, err := media.MergeXMPKeywords(old, kw)
	if err != nil {
		return err
	}
	w.Sidecar = side
	if exists && string(data) == string(old) {
		return nil
	}
	// Hidden and ending in the sidecar's extension, the temporary file is
	// skipped by a scan that runs meanwhile, like any sidecar.
	if _, err := d.replace(c.Name, "."+c.Name+"-", path.Ext(c.Name), bytes.NewReader(data), perm, time.Time{}); err != nil {
		return err
	}
	w.Created, w.Changed = !exists, true
	return nil
}

// readSidecar reads a sidecar in d, never through a link, and returns its
// permissions so that a rewrite keeps them.
func readSidecar(d *folder, name string) ([]byte, fs.FileMode, error) {
	f, err := d.open(name)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if !st.Mode().IsRegular() || st.Size() > media.MaxXMPBytes {
		return nil, 0, &fs.PathError{Op: "read", Path: name, Err: errors.New("sidecar over 4 MiB or not a regular file")}
	}
	b, err := io.ReadAll(io.LimitReader(f, media.MaxXMPBytes+1))
	if err == nil && len(b) > media.MaxXMPBytes {
		err = &fs.PathError{Op: "read", Path: name, Err: errors.New("sidecar over 4 MiB")}
	}
	return b, st.Mode().Perm(), err
}
