package library

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/tagsight/tagsight/backend/safefile"

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
		if st, err := os.Lstat(l.Abs(name)); err == nil && st.Mode().IsRegular() {
			return name, true
		}
	}
	return rel + ".xmp", false
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
	side, exists := l.SidecarFor(e.Path)
	abs := l.Abs(side)
	var old []byte
	if exists {
		if old, err = readSidecar(abs); err != nil {
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
	if err := safefile.Write(abs, data); err != nil {
		return err
	}
	w.Created, w.Changed = !exists, true
	return nil
}

func readSidecar(abs string) ([]byte, error) {
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if st.Size() > media.MaxXMPBytes {
		return nil, &fs.PathError{Op: "read", Path: abs, Err: errors.New("sidecar over 4 MiB")}
	}
	return os.ReadFile(abs)
}
