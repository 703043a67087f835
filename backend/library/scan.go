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
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tagsight/tagsight/backend/analysis"
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

	// Analyzers run after the built-in metadata and thumbnail ones, in
	// the same pass over each picture (the CLIP vector).
	Analyzers []analysis.Analyzer
	// Decode replaces the decoder (tests count decodes with it).
	Decode analysis.Decoder
	// Only, when set, limits the scan to these library-relative files and
	// folders (what an import or upload just brought): nothing else is
	// walked, and no entry outside them is marked missing.
	Only []string

	// open replaces openRegular in tests (e.g. to simulate EACCES as root).
	open func(string) (*os.File, os.FileInfo, error)
}

// DefaultThumbSize is the thumbnails' long side unless ScanOptions say.
const DefaultThumbSize = 256

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
	// Warnings: damaged pictures indexed from the part that decodes, files
	// of other kinds indexed although their decoder failed, and what a
	// kind lacks to be read (ffmpeg for video).
	Warnings  []store.ScanError `json:"warnings"`
	Cancelled bool              `json:"cancelled"`
	Seconds   float64           `json:"seconds"`
	// Analysis is what the analyzers did (their counts and failures).
	Analysis *analysis.Result `json:"-"`
}

type walkItem struct {
	rel     string
	abs     string
	size    int64
	mtimeNs int64
}

// scanItem is the scan's part of an analysis item.
type scanItem struct {
	walkItem
	prev *store.IndexRow // the entry at this path, if any
	// full: the file is read (new, changed, touched or lost its
	// thumbnail) and its entry written; otherwise only analyzers are
	// pending for an unchanged entry.
	full  bool
	entry store.Entry // what Prepare read, for full items
}

// Scan brings the index in step with the folder and runs the analysis
// pipeline (package analysis) over what needs it: metadata and thumbnail
// always, plus opts.Analyzers (the CLIP vector), each picture decoded once.
// It is incremental (files whose size and mtime are unchanged are not read,
// and analyzers run only where the entry has no row for its content and
// their version), resumable (work is committed in batches, so a killed
// scan's successor only does the rest) and cancellable through ctx, in
// which case it returns ctx.Err() with the partial result and marks
// nothing missing.
func (l *Library) Scan(ctx context.Context, opts ScanOptions) (ScanResult, error) {
	start := time.Now()
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.ThumbSize <= 0 {
		opts.ThumbSize = DefaultThumbSize
	}
	if opts.Limits == (media.Limits{}) {
		opts.Limits = l.ReadLimits()
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

	// One indexer per library: a second process waits here (and says so)
	// rather than racing the first to insert the same files.
	release, err := l.lockIndex(ctx, func(holder string) {
		rep.set(Progress{Phase: "waiting", Current: holder + " is indexing this library; waiting for it to finish"}, true)
	})
	if err != nil {
		res.Cancelled = ctx.Err() != nil
		return res, err
	}
	defer release()

	ign, err := loadIgnore(l.DataDir())
	if err != nil {
		return res, fmt.Errorf("read ignore file: %w", err)
	}
	roots, scope := []string{l.Root}, []string{""}
	if len(opts.Only) > 0 {
		opts.Only = l.withSidecarPartners(opts.Only)
		if roots, scope, err = l.scanRoots(opts.Only); err != nil {
			return res, err
		}
	}
	inScope := func(rel string) bool { return covered(scope, rel) }
	items, errs := l.walk(ctx, ign, rep, roots)
	if err := ctx.Err(); err != nil {
		res.Cancelled = true
		return res, err
	}
	// XMP sidecars are not entries: they belong to their pictures.
	items, sidecars, sidecarSeen := splitSidecars(items)

	// What the scan reads grows with its scope, not with the library: a
	// watcher's batch of one file reads that file's entry and analysis
	// rows, and the missing entries with a new file's content (mv.lookup).
	rows, err := l.DB.ScanIndexUnder(ctx, scope)
	if err != nil {
		return res, fmt.Errorf("read index: %w", err)
	}
	whole := slices.Contains(scope, "")
	var done map[int64]map[string]store.AnalysisRow
	if whole {
		done, err = l.DB.AnalysisIndex(ctx)
	} else {
		ids := make([]int64, len(rows))
		for i := range rows {
			ids[i] = rows[i].ID
		}
		done, err = l.DB.AnalysisFor(ctx, ids)
	}
	if err != nil {
		return res, err
	}
	if indexReadHook != nil {
		indexReadHook(len(rows) + analysisRows(done))
	}
	thumbs := &thumbnailAnalyzer{files: l.Derived(), size: opts.ThumbSize}
	analyzers := append([]analysis.Analyzer{metadataAnalyzer{sidecars: sidecars}, thumbs, textAnalyzer{}}, opts.Analyzers...)
	byPath := make(map[string]*store.IndexRow, len(rows))
	for i := range rows {
		byPath[rows[i].Path] = &rows[i]
	}
	seen := make(map[string]bool, len(items))
	var work []*analysis.Item
	for _, it := range items {
		seen[it.rel] = true
		prev := byPath[it.rel]
		if prev != nil && !prev.Missing && prev.Size == it.size && prev.MtimeNs == it.mtimeNs && l.thumbOK(prev.Thumb) {
			res.Unchanged++
			if prev.Size == 0 {
				continue // nothing to analyse in an empty file
			}
			if p := analysis.Plan(analyzers, done[prev.ID], prev.Fingerprint, prev.MediaType, it.rel); len(p) > 0 {
				work = append(work, &analysis.Item{EntryID: prev.ID, Rel: it.rel, Abs: it.abs, Fingerprint: prev.Fingerprint,
					MediaType: prev.MediaType, Pending: p, Source: &scanItem{walkItem: it, prev: prev}})
			}
			continue
		}
		work = append(work, &analysis.Item{Rel: it.rel, Abs: it.abs, Source: &scanItem{walkItem: it, prev: prev, full: true}})
	}
	// Entries not found on disk may have moved: a new file with the same
	// fingerprint and size takes over the entry (and its tags, vectors,
	// analyses).
	mv := &moves{db: l.DB, whole: whole, pool: map[string][]*store.IndexRow{},
		done: map[string]map[string]store.AnalysisRow{}, looked: map[string]bool{}, known: map[int64]bool{}}
	for i := range rows {
		mv.known[rows[i].ID] = true
	}
	var vanished []*store.IndexRow
	var formerSidecars []int64
	for i := range rows {
		r := &rows[i]
		if seen[r.Path] || !r.Missing && !inScope(r.Path) {
			continue // still there, or outside what this scan looked at
		}
		if sidecarSeen[r.Path] {
			// Indexed as a file of its own by an older Tagsight: now
			// part of its picture.
			formerSidecars = append(formerSidecars, r.ID)
			continue
		}
		if !r.Missing {
			vanished = append(vanished, r)
		}
		mv.add(r, done[r.ID])
	}
	// Entries whose file the walk saw may still have moved while it walked
	// (from a folder it had passed into one it had not reached): a new file
	// with their content claims them if their path is gone by then.
	present := map[string][]*store.IndexRow{}
	for i := range rows {
		if r := &rows[i]; seen[r.Path] && !r.Missing {
			k := moveKey(r.Fingerprint, r.Size)
			present[k] = append(present[k], r)
		}
	}
	claimed := map[int64]bool{}

	total := len(items)
	finished := total - len(work)
	rep.set(Progress{Phase: "index", Done: finished, Total: total, Errors: len(errs)}, true)
	workStart := time.Now()
	worked := 0
	ares, err := analysis.Run(ctx, l.DB, work, analysis.Options{
		Analyzers: analyzers,
		Workers:   opts.Workers,
		Limits:    opts.Limits,
		BatchSize: opts.BatchSize,
		Decode:    opts.Decode,
		Prepare: func(ctx context.Context, it *analysis.Item) error {
			si := it.Source.(*scanItem)
			if !si.full {
				return nil
			}
			e, data, err := l.read(ctx, si.walkItem, opts)
			if err != nil {
				return err
			}
			si.entry, it.Data = e, data
			it.Fingerprint, it.MediaType = e.Fingerprint, e.MediaType
			if e.Size == 0 {
				return nil // nothing to analyse, and no thumbnail to lose
			}
			// Same content as the entry at this path (touched), or as a
			// vanished entry (moved): what was analysed for it holds.
			var rows map[string]store.AnalysisRow
			switch {
			case si.prev != nil && si.prev.Fingerprint == e.Fingerprint:
				rows = done[si.prev.ID]
			case si.prev == nil:
				if rows, err = mv.lookup(ctx, e.Fingerprint, e.Size); err != nil {
					return err
				}
			}
			it.Pending = analysis.Plan(analyzers, rows, e.Fingerprint, e.MediaType, it.Rel)
			if si.prev != nil && !l.thumbOK(si.prev.Thumb) && thumbs.Applies(e.MediaType, it.Rel) && !slices.Contains(it.Pending, analysis.Analyzer(thumbs)) {
				it.Pending = append(it.Pending, thumbs) // its file is gone
			}
			return nil
		},
		Save: func(ctx context.Context, tx *store.Tx, it *analysis.Item) (int64, error) {
			si := it.Source.(*scanItem)
			if !si.full {
				return it.EntryID, nil
			}
			return l.save(ctx, tx, si, mv, present, claimed, &res)
		},
		Done: func(it *analysis.Item, err error) {
			finished++
			worked++
			if err != nil {
				errs = append(errs, store.ScanError{Path: it.Rel, Error: err.Error()})
			}
			p := Progress{Phase: "index", Done: finished, Total: total, Current: it.Rel, Errors: len(errs)}
			p.Rate, p.ETA = jobs.Pace(float64(worked), float64(len(work)-worked), time.Since(workStart))
			rep.set(p, false)
		},
	})
	res.Analysis = &ares
	if err != nil && ctx.Err() == nil {
		return res, fmt.Errorf("save entries: %w", err)
	}

	res.Errors = errs
	if res.Errors == nil {
		res.Errors = []store.ScanError{}
	}
	res.Warnings = ares.Warnings
	if res.Warnings == nil {
		res.Warnings = []store.ScanError{}
	}
	res.Skipped = len(errs)
	res.Indexed = res.Added + res.Updated + res.Moved + res.Unchanged
	res.Seconds = time.Since(start).Seconds()
	if err := ctx.Err(); err != nil {
		res.Cancelled = true
		rep.set(Progress{Phase: "cancelled", Done: finished, Total: total, Errors: len(errs)}, true)
		return res, err
	}
	// Only a complete scan knows what is gone.
	wctx := context.WithoutCancel(ctx)
	var gone, goneEmpty []int64
	for _, r := range vanished {
		switch {
		case claimed[r.ID]:
		case r.Size == 0:
			goneEmpty = append(goneEmpty, r.ID) // no content to find it by (see save)
		default:
			gone = append(gone, r.ID)
		}
	}
	err = l.DB.Tx(wctx, func(tx *store.Tx) error {
		// A gone entry may have moved with no scan seeing both ends (a
		// batch of the new path alone, or a tag given by path, made a new
		// entry there first): it takes its twin's place, tags and all.
		missing := goneEmpty
		for _, id := range gone {
			p, err := store.AdoptTwin(wctx, tx, id, time.Now().Unix())
			if err != nil {
				return err
			}
			if p != "" {
				res.Moved++
				continue
			}
			missing = append(missing, id)
		}
		if err := store.SetMissing(wctx, tx, missing, true); err != nil {
			return err
		}
		return store.ReplaceScanErrors(wctx, tx, errs, time.Now().Unix(), scope)
	})
	if err != nil {
		return res, fmt.Errorf("finish scan: %w", err)
	}
	if _, err := l.DB.DeleteEntries(wctx, formerSidecars); err != nil {
		return res, fmt.Errorf("finish scan: %w", err)
	}
	if res.Missing, err = l.DB.CountMissing(wctx); err != nil {
		return res, err
	}
	if err := l.DB.PruneChanges(wctx); err != nil {
		return res, fmt.Errorf("prune change log: %w", err)
	}
	if whole {
		// Thumbnails and the rest of what trashed, deleted or edited
		// pictures left (a bounded share: a huge backlog goes over
		// several scans). Under the index lock this scan holds; a failure
		// costs disk space, not the scan.
		l.Derived().prune(wctx, pruneEach)
	}
	res.Seconds = time.Since(start).Seconds()
	rep.set(Progress{Phase: "done", Done: total, Total: total, Errors: len(errs)}, true)
	return res, nil
}

// pruneEach bounds the derived files a whole scan removes.
const pruneEach = 10000

// walkHook, when set by tests, hears each file the walk takes, so a test can
// change the disk at a chosen point of a walk.
var walkHook func(rel string)

func moveKey(fp string, size int64) string { return fmt.Sprintf("%s/%d", fp, size) }

// indexReadHook, when set by tests, hears how many entry and analysis rows
// a scan read to plan its work (mv.lookup's reads included).
var indexReadHook func(rows int)

func analysisRows(done map[int64]map[string]store.AnalysisRow) int {
	n := 0
	for _, m := range done {
		n += len(m)
	}
	return n
}

// moves are the entries a new file of a scan may be the moved copy of, by
// content (moveKey): those the scan read and did not find on disk, and, for
// a scan of some paths only, the missing entries anywhere in the library
// with a new file's content, looked up when its fingerprint is known (so a
// file that vanished in an earlier scan is still found when it turns up
// again, without reading every missing entry). Prepare looks up on the
// workers while save claims on the writer: mu guards both.
type moves struct {
	db    *store.DB
	whole bool // the scan read every entry: nothing to look up

	mu     sync.Mutex
	pool   map[string][]*store.IndexRow
	done   map[string]map[string]store.AnalysisRow // analysis rows of a key's first candidate
	looked map[string]bool
	known  map[int64]bool // entries already read by the scan
}

func (m *moves) add(r *store.IndexRow, done map[string]store.AnalysisRow) {
	k := moveKey(r.Fingerprint, r.Size)
	m.pool[k] = append(m.pool[k], r)
	if _, ok := m.done[k]; !ok {
		m.done[k] = done
	}
}

// lookup returns what was analysed for a candidate with this content,
// reading the missing entries with it first when the scan did not.
func (m *moves) lookup(ctx context.Context, fp string, size int64) (map[string]store.AnalysisRow, error) {
	k := moveKey(fp, size)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.whole || m.looked[k] {
		return m.done[k], nil
	}
	m.looked[k] = true
	rows, err := m.db.MissingByContent(ctx, fp, size)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for i := range rows {
		if !m.known[rows[i].ID] {
			ids = append(ids, rows[i].ID)
		}
	}
	done, err := m.db.AnalysisFor(ctx, ids)
	if err != nil {
		return nil, err
	}
	if indexReadHook != nil {
		indexReadHook(len(rows) + analysisRows(done))
	}
	for i := range rows {
		if r := &rows[i]; !m.known[r.ID] {
			m.known[r.ID] = true
			m.add(r, done[r.ID])
		}
	}
	return m.done[k], nil
}

// save writes a read file's entry: the entry at its path (touched: only
// path, size and mtime change; new content: rewritten, its analyses gone),
// a vanished entry with the same content (moved), or a new entry. The
// analyzers' outputs fill in the rest in the same transaction.
func (l *Library) save(ctx context.Context, tx *store.Tx, si *scanItem, mv *moves, present map[string][]*store.IndexRow, claimed map[int64]bool, res *ScanResult) (int64, error) {
	e := si.entry
	now := time.Now().Unix()
	e.UpdatedAt = now
	if si.prev != nil && claimed[si.prev.ID] {
		// Its entry went with the file to where it moved during the walk
		// (read here before it moved): nothing to write.
		return si.prev.ID, nil
	}
	if si.prev != nil {
		res.Updated++
		if si.prev.Fingerprint == e.Fingerprint {
			return si.prev.ID, store.TouchEntry(ctx, tx, si.prev.ID, e.Path, e.Size, e.MtimeNs, now)
		}
		e.ID = si.prev.ID
		return e.ID, store.UpdateEntry(ctx, tx, &e)
	}
	if e.Size == 0 {
		// Every empty file has the same content, which so says nothing
		// of which one this is: a new empty file is a new entry, never
		// a vanished one that moved (whose tags it would take).
		e.AddedAt = now
		res.Added++
		return e.ID, store.InsertEntry(ctx, tx, &e)
	}
	k := moveKey(e.Fingerprint, e.Size)
	// Identical files (copies, bursts of a static scene) share a key: the
	// entry whose old path ends most like the new one is this file's (a
	// renamed folder keeps each file's own entry, and so its tags).
	mv.mu.Lock()
	defer mv.mu.Unlock()
	pool := mv.pool
	best := -1
	for i, cand := range pool[k] {
		if claimed[cand.ID] {
			continue
		}
		if best < 0 || store.MoveCandidateBefore(cand, pool[k][best], e.Path) {
			best = i
		}
	}
	if best >= 0 {
		cand := pool[k][best]
		pool[k] = append(pool[k][:best:best], pool[k][best+1:]...)
		claimed[cand.ID] = true
		res.Moved++
		return cand.ID, store.TouchEntry(ctx, tx, cand.ID, e.Path, e.Size, e.MtimeNs, now)
	}
	// An entry the walk saw at its old path whose file is gone now moved
	// during the walk: this file is it.
	for _, cand := range present[k] {
		if claimed[cand.ID] || cand.Path == e.Path {
			continue
		}
		if _, err := os.Lstat(l.Abs(cand.Path)); !errors.Is(err, fs.ErrNotExist) {
			continue // still there: this file is a copy
		}
		claimed[cand.ID] = true
		res.Moved++
		return cand.ID, store.TouchEntry(ctx, tx, cand.ID, e.Path, e.Size, e.MtimeNs, now)
	}
	e.AddedAt = now
	res.Added++
	return e.ID, store.InsertEntry(ctx, tx, &e)
}

func (l *Library) thumbOK(rel string) bool {
	return rel == "" || l.Derived().Has(Thumbs, rel)
}

// imageExts are extensions whose files claim to be decodable pictures: when
// their content is not, that is an error worth reporting, not "other".
var imageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".jpe": true, ".jfif": true, ".png": true, ".gif": true,
	".webp": true, ".bmp": true, ".tif": true, ".tiff": true,
}

// read stats and fingerprints one file and sniffs its type: the entry's
// identity. Headers, thumbnail and the rest are the analyzers' work; a
// picture small enough to be hashed whole is read into memory once, and
// data (then not nil) is what they probe and decode, so a new picture is
// opened once.
func (l *Library) read(ctx context.Context, it walkItem, opts ScanOptions) (e store.Entry, data []byte, err error) {
	if err := ctx.Err(); err != nil {
		return e, nil, err
	}
	f, st, err := opts.open(it.abs)
	if err != nil {
		return e, nil, fmt.Errorf("open: %w", unwrapPathError(err))
	}
	defer f.Close()
	size := st.Size()
	if size == 0 {
		// An entry like any other (TagStudio lists and tags empty files),
		// typed by its name: there is nothing to sniff or analyse.
		mediaType, format := media.TypeFromName(it.rel)
		return store.Entry{
			Path: it.rel, MtimeNs: st.ModTime().UnixNano(), Fingerprint: FingerprintBytes(nil),
			MediaType: mediaType, Format: format, Orientation: 1,
		}, nil, nil
	}
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if n == 0 && err != nil {
		return e, nil, fmt.Errorf("read: %w", unwrapPathError(err))
	}
	head = head[:n]
	mediaType, format := media.Sniff(head, path.Base(it.rel))
	var fp string
	if size <= wholeHashLimit && pictureLike(mediaType, it.rel) {
		data, err = readWhole(f, size)
		if err == nil {
			fp = FingerprintBytes(data)
		}
	} else {
		fp, err = Fingerprint(f, size)
	}
	if err != nil {
		return e, nil, err
	}
	return store.Entry{
		Path: it.rel, Size: size, MtimeNs: st.ModTime().UnixNano(), Fingerprint: fp,
		MediaType: mediaType, Format: format, Orientation: 1,
	}, data, nil
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
func (l *Library) walk(ctx context.Context, ign matcher, rep *reporter, roots []string) ([]walkItem, []store.ScanError) {
	var items []walkItem
	var errs []store.ScanError
	report := func(rel string, err error) {
		errs = append(errs, store.ScanError{Path: rel, Error: err.Error()})
	}
	root := l.Root
	for _, start := range roots {
		_ = filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
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
				if ownData(rel) || ign.Ignored(rel, true) {
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
				}
				if _, err := l.Contain(rel); errors.Is(err, ErrDataDir) {
					report(rel, errors.New("symlink into the library's data folder, not followed"))
					return nil
				} else if err != nil {
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
			if walkHook != nil {
				walkHook(rel)
			}
			rep.set(Progress{Phase: "walk", Done: len(items), Current: rel, Errors: len(errs)}, false)
			return nil
		})
	}
	return items, errs
}

// scanRoots turns ScanOptions.Only into absolute starting points and
// cleaned relative scopes. A path outside the library, or Tagsight's own
// folder, is refused; one that no longer exists is skipped.
func (l *Library) scanRoots(only []string) (roots, scope []string, err error) {
	for _, rel := range only {
		clean := path.Clean("/" + filepath.ToSlash(rel))[1:]
		if clean == "" || clean == "." {
			return []string{l.Root}, []string{""}, nil // the whole library
		}
		if inDataDir(clean) {
			return nil, nil, fmt.Errorf("scan %q: Tagsight's own folder", rel)
		}
		if covered(scope, clean) {
			continue // a folder already named holds it
		}
		// A path that is gone stays in scope: its entries are missing now,
		// or moved to another path of the same scan.
		scope = slices.DeleteFunc(scope, func(s string) bool { return strings.HasPrefix(s, clean+"/") })
		scope = append(scope, clean)
	}
	for _, s := range scope {
		if _, err := os.Lstat(l.Abs(s)); err == nil {
			roots = append(roots, l.Abs(s))
		}
	}
	return roots, scope, nil
}

// covered reports whether rel is one of scope or inside one of them.
func covered(scope []string, rel string) bool {
	for _, s := range scope {
		if s == "" || rel == s || strings.HasPrefix(rel, s+"/") {
			return true
		}
	}
	return false
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
