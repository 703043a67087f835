package library

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Kinds of derived files: each is a folder of the data folder.
const (
	Thumbs    = "thumbs"   // the thumbnail analyzer's, one per content and size
	Previews  = "previews" // the large pictures the viewer asks for, made on demand
	FaceCrops = "faces"    // the People view's face crops, one per face of a content
	// FrameTiles are a video's moments: one JPEG per kept keyframe of a
	// content, the variant its time in milliseconds.
	FrameTiles = "frames"
)

// derivedKinds are the folders Derived owns and prunes.
var derivedKinds = []string{Thumbs, Previews, FaceCrops, FrameTiles}

// staleTemp is how old a temporary file left by a crashed write (or a
// search by file) must be before Prune removes it: far longer than any
// write takes, so a write in flight is never removed from under its writer.
const staleTemp = time.Hour

// Derived is the one owner of the files Tagsight makes from a picture's
// content under .tagsight/ (thumbnails, previews, face crops, video moments): it alone
// knows their layout, writes them (atomically, through folders reached
// without following a link), opens them for serving, and removes those
// whose content no entry has any more. Files are named after the content,
// not the path, so a moved or copied picture shares them and an edited one
// gets new ones.
type Derived struct{ l *Library }

// Derived is the library's derived files.
func (l *Library) Derived() *Derived { return &Derived{l: l} }

// DerivedRel is where the file of a content (its fingerprint) and a variant
// (a size, or a face's index) lives inside its kind's folder: a two-letter
// shard, then the content and the variant.
func DerivedRel(fingerprint string, variant int) string {
	key := contentKey(fingerprint)
	return fmt.Sprintf("%s/%s-%d.jpg", key[len(key)-2:], key, variant)
}

// PageVariant is the variant of a document's page (from 1) previewed at
// size: page 1 is the preview itself, a later page's number is kept apart
// from the size's digits.
func PageVariant(size, page int) int {
	if page <= 1 {
		return size
	}
	return page*100_000 + size
}

func contentKey(fingerprint string) string {
	key := strings.ReplaceAll(fingerprint, ":", "")
	if len(key) < 2 {
		key = "00" + key
	}
	return key
}

// Path is the absolute path of a derived file (for callers that hand it to
// another program; Tagsight itself reads with Open).
func (d *Derived) Path(kind, rel string) string {
	return filepath.Join(d.l.DataDir(), kind, filepath.FromSlash(rel))
}

// Put writes data as the file of a content and variant, atomically (a
// reader never sees half a file), and returns its rel.
func (d *Derived) Put(kind, fingerprint string, variant int, data []byte) (string, error) {
	rel := DerivedRel(fingerprint, variant)
	if err := d.write(kind, rel, data); err != nil {
		return "", fmt.Errorf("write %s: %w", kind, err)
	}
	return rel, nil
}

func (d *Derived) write(kind, rel string, data []byte) error {
	if err := checkRel(rel); err != nil {
		return err
	}
	f, err := d.l.openFolder(path.Join(DataDirName, kind, path.Dir(rel)), true)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.replace(path.Base(rel), ".tmp-", ".jpg", bytes.NewReader(data), 0o644, time.Time{})
	return err
}

// Has reports whether the derived file exists: a scan asks for every
// unchanged entry, so it is one lstat (reading goes through Open).
func (d *Derived) Has(kind, rel string) bool {
	if rel == "" || checkRel(rel) != nil {
		return false
	}
	st, err := os.Lstat(d.Path(kind, rel))
	return err == nil && st.Mode().IsRegular()
}

// Open opens a derived file for reading, never through a link.
func (d *Derived) Open(kind, rel string) (*os.File, fs.FileInfo, error) {
	return d.l.OpenData(kind, rel)
}

// PruneResult says what a Prune removed.
type PruneResult struct {
	Removed int  `json:"removed"`
	More    bool `json:"more"` // it stopped at its bound: call again
}

// Prune removes derived files whose content no entry has any more (a
// trashed, deleted or edited picture's; a missing entry's stay, since its
// file may turn up again), and temporary files a crashed write left, at
// most max files per call (max ≤ 0: no bound). It takes the index lock, so
// no scan writes a new content's files while it decides.
func (l *Library) Prune(ctx context.Context, max int) (PruneResult, error) {
	release, err := l.lockIndex(ctx, nil)
	if err != nil {
		return PruneResult{}, err
	}
	defer release()
	return l.Derived().prune(ctx, max)
}

// prune is Prune under the index lock the caller holds.
func (d *Derived) prune(ctx context.Context, max int) (PruneResult, error) {
	var res PruneResult
	rows, err := d.l.DB.ScanIndex(ctx)
	if err != nil {
		return res, fmt.Errorf("prune: %w", err)
	}
	live := make(map[string]bool, len(rows))
	for _, r := range rows {
		live[contentKey(r.Fingerprint)] = true
	}
	old := time.Now().Add(-staleTemp)
	full := func() bool { return max > 0 && res.Removed >= max }
	for _, kind := range derivedKinds {
		shards, err := os.ReadDir(filepath.Join(d.l.DataDir(), kind))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return res, fmt.Errorf("prune %s: %w", kind, err)
		}
		for _, sh := range shards {
			if !sh.IsDir() {
				continue
			}
			rel := path.Join(DataDirName, kind, sh.Name())
			files, err := os.ReadDir(d.l.Abs(rel))
			if err != nil {
				continue
			}
			// Removal goes through the folder reached without following a
			// link: a shard swapped for one removes nothing elsewhere.
			dir, err := d.l.openFolder(rel, false)
			if err != nil {
				continue
			}
			for _, f := range files {
				if full() {
					dir.Close()
					res.More = true
					return res, nil
				}
				if err := ctx.Err(); err != nil {
					dir.Close()
					return res, err
				}
				if garbage(f, live, old) && dir.remove(f.Name()) == nil {
					res.Removed++
				}
			}
			dir.Close()
		}
	}
	// What a search by file left in tmp/ (TempFile) when its process died.
	if files, err := os.ReadDir(filepath.Join(d.l.DataDir(), "tmp")); err == nil {
		dir, err := d.l.openFolder(DataDirName+"/tmp", false)
		if err != nil {
			return res, nil
		}
		defer dir.Close()
		for _, f := range files {
			if full() {
				res.More = true
				break
			}
			if st, err := f.Info(); err == nil && f.Type().IsRegular() && st.ModTime().Before(old) && dir.remove(f.Name()) == nil {
				res.Removed++
			}
		}
	}
	return res, nil
}

// garbage decides for one file of a shard: a derived file of a content no
// entry has, or a stale temporary file. Anything else (a name not of ours,
// a link, a folder) stays.
func garbage(f fs.DirEntry, live map[string]bool, old time.Time) bool {
	if !f.Type().IsRegular() {
		return false
	}
	name := f.Name()
	if strings.HasPrefix(name, ".") {
		st, err := f.Info()
		return err == nil && st.ModTime().Before(old)
	}
	base, ok := strings.CutSuffix(name, ".jpg")
	i := strings.LastIndexByte(base, '-')
	if !ok || i <= 0 {
		return false
	}
	return !live[base[:i]]
}
