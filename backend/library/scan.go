package library

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// Progress is a snapshot of a running scan.
type Progress struct {
	Phase   string  `json:"phase"` // "walk", "index", "done"
	Done    int     `json:"done"`
	Total   int     `json:"total"`
	Rate    float64 `json:"rate"` // files per second over the files that needed work
	ETA     float64 `json:"eta"`  // seconds, 0 when unknown
	Current string  `json:"current"`
	Errors  int     `json:"errors"`
}

// Reporter receives progress; it is called from the scan's goroutine at most
// every ReportEvery and once at the end of each phase, and must not block.
type Reporter func(Progress)

// ScanOptions tune a scan; the zero value is sensible.
type ScanOptions struct {
	Workers     int // default: number of CPUs
	ThumbSize   int // long side in px, default 256
	Limits      media.Limits
	Report      Reporter
	ReportEvery time.Duration // default 100 ms
	BatchSize   int           // entries per transaction, default 256

	// open replaces openRegular in tests (e.g. to simulate EACCES as root).
	open func(string) (*os.File, os.FileInfo, error)
}

// ScanResult sums up a scan.
type ScanResult struct {
	Indexed   int               `json:"indexed"` // good files now in the index
	Added     int               `json:"added"`
	Updated   int               `json:"updated"`
	Moved     int               `json:"moved"`
	Unchanged int               `json:"unchanged"`
	Missing   int               `json:"missing"` // entries whose file is gone
	Skipped   int               `json:"skipped"` // files reported in Errors
	Errors    []store.ScanError `json:"errors"`
	Cancelled bool              `json:"cancelled"`
	Seconds   float64           `json:"seconds"`
}

type walkItem struct {
	rel     string
	abs     string
	size    int64
	mtimeNs int64
}

type workItem struct {
	walkItem
	prev *store.IndexRow // the entry at this path, if any
}

type workResult struct {
	item  workItem
	entry store.Entry
	err   error
}

// Scan brings the index in step with the folder. It is incremental (files
// whose size and mtime are unchanged are not read), resumable (work is
// committed in batches, so a killed scan's successor only does the rest)
// and cancellable through ctx, in which case it returns ctx.Err() with the
// partial result and marks nothing missing.
func (l *Library) Scan(ctx context.Context, opts ScanOptions) (ScanResult, error) {
	start := time.Now()
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.ThumbSize <= 0 {
		opts.ThumbSize = 256
	}
	if opts.Limits == (media.Limits{}) {
		opts.Limits = media.DefaultLimits()
	}
	if opts.ReportEvery <= 0 {
		opts.ReportEvery = 100 * time.Millisecond
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 256
	}
	if opts.open == nil {
		opts.open = openRegular
	}
	rep := newReporter(opts.Report, opts.ReportEvery)
	var res ScanResult

	ign, err := loadIgnore(l.DataDir())
	if err != nil {
		return res, fmt.Errorf("read ignore file: %w", err)
	}
	items, errs := l.walk(ctx, ign, rep)
	if err := ctx.Err(); err != nil {
		res.Cancelled = true
		return res, err
	}

	rows, err := l.DB.ScanIndex(ctx)
	if err != nil {
		return res, fmt.Errorf("read index: %w", err)
	}
	byPath := make(map[string]*store.IndexRow, len(rows))
	for i := range rows {
		byPath[rows[i].Path] = &rows[i]
	}
	seen := make(map[string]bool, len(items))
	var work []workItem
	for _, it := range items {
		seen[it.rel] = true
		prev := byPath[it.rel]
		if prev != nil && !prev.Missing && prev.Size == it.size && prev.MtimeNs == it.mtimeNs && l.thumbOK(prev.Thumb) {
			res.Unchanged++
			continue
		}
		work = append(work, workItem{walkItem: it, prev: prev})
	}
	// Entries not found on disk may have moved: a new file with the same
	// fingerprint and size takes over the entry (and its tags, vectors).
	movePool := map[string][]*store.IndexRow{}
	var vanished []*store.IndexRow
	for i := range rows {
		r := &rows[i]
		if seen[r.Path] {
			continue
		}
		if !r.Missing {
			vanished = append(vanished, r)
		}
		k := moveKey(r.Fingerprint, r.Size)
		movePool[k] = append(movePool[k], r)
	}
	claimed := map[int64]bool{}

	total := len(items)
	done := res.Unchanged
	rep.set(Progress{Phase: "index", Done: done, Total: total, Errors: len(errs)}, true)

	queue := make(chan workItem)
	results := make(chan workResult, opts.Workers*2)
	var wg sync.WaitGroup
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range queue {
				e, err := l.process(ctx, it, opts)
				results <- workResult{item: it, entry: e, err: err}
			}
		}()
	}
	go func() {
		defer close(queue)
		for _, it := range work {
			select {
			case queue <- it:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	// One writer: results are saved in short batched transactions (see
	// store.Batcher), so the user can tag while a scan runs and finished
	// work survives cancellation.
	wctx := context.WithoutCancel(ctx)
	batch := store.NewBatcher(ctx, l.DB, opts.BatchSize, func(ctx context.Context, tx *store.Tx, r workResult) error {
		return l.save(ctx, tx, &r, movePool, claimed, &res)
	})
	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	workStart := time.Now()
	worked := 0
	for results != nil {
		select {
		case r, ok := <-results:
			if !ok {
				results = nil
				break
			}
			done++
			worked++
			if r.err != nil {
				errs = append(errs, store.ScanError{Path: r.item.rel, Error: r.err.Error()})
			} else {
				batch.Add(r)
			}
			p := Progress{Phase: "index", Done: done, Total: total, Current: r.item.rel, Errors: len(errs)}
			p.Rate, p.ETA = jobs.Pace(float64(worked), float64(len(work)-worked), time.Since(workStart))
			rep.set(p, false)
		case <-ticker.C:
			batch.Flush()
		}
	}
	if err := batch.Flush(); err != nil {
		return res, fmt.Errorf("save entries: %w", err)
	}

	res.Errors = errs
	if res.Errors == nil {
		res.Errors = []store.ScanError{}
	}
	res.Skipped = len(errs)
	res.Indexed = res.Added + res.Updated + res.Moved + res.Unchanged
	res.Seconds = time.Since(start).Seconds()
	if err := ctx.Err(); err != nil {
		res.Cancelled = true
		rep.set(Progress{Phase: "cancelled", Done: done, Total: total, Errors: len(errs)}, true)
		return res, err
	}
	// Only a complete scan knows what is gone.
	var gone []int64
	for _, r := range vanished {
		if !claimed[r.ID] {
			gone = append(gone, r.ID)
		}
	}
	err = l.DB.Tx(wctx, func(tx *store.Tx) error {
		if err := store.SetMissing(wctx, tx, gone, true); err != nil {
			return err
		}
		return store.ReplaceScanErrors(wctx, tx, errs, time.Now().Unix())
	})
	if err != nil {
		return res, fmt.Errorf("finish scan: %w", err)
	}
	_, res.Missing, err = l.DB.CountEntries(wctx)
	if err != nil {
		return res, err
	}
	res.Seconds = time.Since(start).Seconds()
	rep.set(Progress{Phase: "done", Done: total, Total: total, Errors: len(errs)}, true)
	return res, nil
}

func moveKey(fp string, size int64) string { return fmt.Sprintf("%s/%d", fp, size) }

// save writes one processed file: an update of the entry at its path, a
// move of a vanished entry with the same content, or a new entry.
func (l *Library) save(ctx context.Context, tx *store.Tx, r *workResult, pool map[string][]*store.IndexRow, claimed map[int64]bool, res *ScanResult) error {
	e := &r.entry
	now := time.Now().Unix()
	e.UpdatedAt = now
	if r.item.prev != nil {
		e.ID = r.item.prev.ID
		res.Updated++
		return store.UpdateEntry(ctx, tx, e)
	}
	k := moveKey(e.Fingerprint, e.Size)
	for len(pool[k]) > 0 {
		cand := pool[k][0]
		pool[k] = pool[k][1:]
		if claimed[cand.ID] {
			continue
		}
		claimed[cand.ID] = true
		e.ID = cand.ID
		res.Moved++
		return store.UpdateEntry(ctx, tx, e)
	}
	e.AddedAt = now
	res.Added++
	return store.InsertEntry(ctx, tx, e)
}

func (l *Library) thumbOK(rel string) bool {
	if rel == "" {
		return true
	}
	_, err := os.Stat(filepath.Join(l.ThumbDir(), filepath.FromSlash(rel)))
	return err == nil
}

// imageExts are extensions whose files claim to be decodable pictures: when
// their content is not, that is an error worth reporting, not "other".
var imageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".jpe": true, ".jfif": true, ".png": true, ".gif": true,
	".webp": true, ".bmp": true, ".tif": true, ".tiff": true,
}

// process reads one file: fingerprint, media type, headers and EXIF, and a
// thumbnail. It never returns a partial entry: any error skips the file.
func (l *Library) process(ctx context.Context, it workItem, opts ScanOptions) (store.Entry, error) {
	var e store.Entry
	if err := ctx.Err(); err != nil {
		return e, err
	}
	f, st, err := opts.open(it.abs)
	if err != nil {
		return e, fmt.Errorf("open: %w", unwrapPathError(err))
	}
	size := st.Size()
	if size == 0 {
		f.Close()
		return e, errors.New("empty file (0 bytes)")
	}
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if n == 0 && err != nil {
		f.Close()
		return e, fmt.Errorf("read: %w", unwrapPathError(err))
	}
	head = head[:n]
	fp, err := Fingerprint(f, size)
	f.Close()
	if err != nil {
		return e, err
	}
	name := path.Base(it.rel)
	mediaType, format := media.Sniff(head, name)
	e = store.Entry{
		Path: it.rel, Size: size, MtimeNs: st.ModTime().UnixNano(), Fingerprint: fp,
		MediaType: mediaType, Format: format, Orientation: 1,
	}
	claimsImage := mediaType == "image" || imageExts[strings.ToLower(path.Ext(name))]
	if !claimsImage && mediaType != "raw" {
		return e, nil
	}
	info, err := media.Probe(ctx, it.abs, opts.Limits)
	if err != nil {
		if claimsImage {
			return e, err
		}
		return e, nil // RAW we cannot read is still a file worth tagging
	}
	applyInfo(&e, info)
	key := strings.ReplaceAll(fp, ":", "")
	thumbRel := fmt.Sprintf("%s/%s-%d.jpg", key[len(key)-2:], key, opts.ThumbSize)
	if it.prev != nil && it.prev.Thumb == thumbRel && l.thumbOK(thumbRel) {
		e.Thumb = thumbRel // same content, only touched
		return e, nil
	}
	_, err = media.Thumbnail(ctx, it.abs, filepath.Join(l.ThumbDir(), filepath.FromSlash(thumbRel)), opts.ThumbSize, opts.Limits)
	switch {
	case err == nil:
		e.Thumb = thumbRel
	case errors.Is(err, media.ErrUnsupported) || !claimsImage:
		// Known format without a decoder here (HEIC, RAW): indexed, no thumbnail.
	default:
		return e, err
	}
	return e, nil
}

func applyInfo(e *store.Entry, info media.Info) {
	if info.MediaType != "" {
		e.MediaType = info.MediaType
	}
	if info.Format != "" {
		e.Format = info.Format
	}
	e.Mime = info.Mime
	e.Width, e.Height = info.Width, info.Height
	if info.Orientation >= 1 && info.Orientation <= 8 {
		e.Orientation = info.Orientation
	}
	if x := info.Exif; x != nil {
		e.Taken, e.Make, e.Model, e.Lens = x.Taken, x.Make, x.Model, x.Lens
		e.ISO, e.FNumber, e.Exposure, e.FocalLength = x.ISO, x.FNumber, x.Exposure, x.FocalLength
		e.Lat, e.Lon = x.Lat, x.Lon
	}
}

// walk lists the library's files. Anything that cannot be indexed (special
// files, broken or looping symlinks, unreadable folders) is reported, never
// opened; symlinked folders are not followed, so loops cannot happen, and
// neither are symlinks to files outside the library: a library is its
// folder (it moves between machines as one), and what Tagsight reads for it,
// and may serve from it, stays inside.
func (l *Library) walk(ctx context.Context, ign matcher, rep *reporter) ([]walkItem, []store.ScanError) {
	var items []walkItem
	var errs []store.ScanError
	report := func(rel string, err error) {
		errs = append(errs, store.ScanError{Path: rel, Error: err.Error()})
	}
	root := l.Root
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		rel := filepath.ToSlash(strings.TrimPrefix(strings.TrimPrefix(p, root), string(filepath.Separator)))
		if err != nil {
			if rel != "" {
				report(rel, fmt.Errorf("read folder: %w", unwrapPathError(err)))
			}
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if rel == "" {
			return nil
		}
		if d.IsDir() {
			if rel == DataDirName || ign.Ignored(rel, true) {
				return fs.SkipDir
			}
			return nil
		}
		if ign.Ignored(rel, false) {
			return nil
		}
		var info fs.FileInfo
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			st, err := os.Stat(p)
			switch {
			case errors.Is(err, syscall.ELOOP):
				report(rel, errors.New("symlink loop"))
				return nil
			case errors.Is(err, fs.ErrNotExist):
				report(rel, errors.New("dangling symlink (target does not exist)"))
				return nil
			case err != nil:
				report(rel, fmt.Errorf("symlink: %w", unwrapPathError(err)))
				return nil
			case st.IsDir():
				report(rel, errors.New("symlink to a folder, not followed"))
				return nil
			case !l.Inside(p):
				report(rel, errors.New("symlink to a file outside the library, not followed"))
				return nil
			}
			info = st
		case d.Type().IsRegular():
			st, err := d.Info()
			if err != nil {
				report(rel, fmt.Errorf("stat: %w", unwrapPathError(err)))
				return nil
			}
			info = st
		default:
			report(rel, fmt.Errorf("not a regular file (%s), not opened", describeMode(d.Type())))
			return nil
		}
		if !info.Mode().IsRegular() {
			report(rel, fmt.Errorf("not a regular file (%s), not opened", describeMode(info.Mode())))
			return nil
		}
		items = append(items, walkItem{rel: rel, abs: p, size: info.Size(), mtimeNs: info.ModTime().UnixNano()})
		rep.set(Progress{Phase: "walk", Done: len(items), Current: rel, Errors: len(errs)}, false)
		return nil
	})
	return items, errs
}

func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	case m.IsDir():
		return "folder"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	}
	return m.Type().String()
}

// unwrapPathError drops the *PathError's repeated path: reports already name it.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// reporter throttles progress callbacks.
type reporter struct {
	fn    Reporter
	every time.Duration
	last  time.Time
}

func newReporter(fn Reporter, every time.Duration) *reporter {
	return &reporter{fn: fn, every: every}
}

func (r *reporter) set(p Progress, force bool) {
	if r.fn == nil {
		return
	}
	now := time.Now()
	if !force && now.Sub(r.last) < r.every {
		return
	}
	r.last = now
	r.fn(p)
}
