// Package analysis is the one pipeline every file goes through, whatever
// brought it in (a scan, which an import, an upload or a folder watcher
// queue into; or Backfill, over the stored library, when an analyzer is
// turned on later): open the file once, read its headers, decode it once
// at the largest size any pending analyzer needs (orientation applied
// once), hand that picture to each analyzer (thumbnail, metadata, CLIP
// vector, faces, …) and, to those that ask (Need.Frames), the file's frames
// read in the same visit (a video's keyframes), and save everything an entry got in one batched
// writer. Files of every kind go the same way: their kind's decoder
// (media.Decoder) reads their facts and decodes their poster (a video's
// representative frame), which the analyzers see as they see a photo.
// It knows which analyzers to run from
// the store's analysis rows: an analyzer runs for an entry only when there
// is no row for the entry's current fingerprint and the analyzer's version,
// so failures are remembered per content and a cancelled or killed run's
// successor does only the rest. It does not walk folders (package library)
// nor run models (package clip); analyzers bring that.
package analysis

import (
	"context"
	"errors"
	"fmt"
	"image"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tagsight/tagsight/backend/facts"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// Need is the decoded size an analyzer needs: the short side at least
// Short and the long side at least Long. The zero Need means headers only;
// Facts asks for the file's facts too (a video's duration, read by running
// ffprobe: only when someone wants them); Text asks for the file's words
// (media.Texter), read through the same open file.
type Need struct {
	Short, Long int
	Facts       bool
	Text        bool
	// Frames asks for the file's frames (a video's keyframes, through its
	// kind's media.Framer) with their short side at least this; 0: none.
	Frames int
}

func (n Need) pixels() bool { return n.Short > 0 || n.Long > 0 }

// Join is the Need that meets both n and o.
func (n Need) Join(o Need) Need {
	return Need{Short: max(n.Short, o.Short), Long: max(n.Long, o.Long), Facts: n.Facts || o.Facts,
		Text: n.Text || o.Text, Frames: max(n.Frames, o.Frames)}
}

// Enough says whether a w×h decode meets n: what the pipeline asks the
// decoder (and what search by file asks it, to see what the indexer saw).
func (n Need) Enough(w, h int) bool { return min(w, h) >= n.Short && max(w, h) >= n.Long }

// Picture is what an analyzer gets: the file's headers, its facts when a
// pending analyzer needs them and, when any needs pixels, the picture (a
// photo, or another kind's poster) decoded once, oriented, at least as
// large as every pending Need (never upscaled). Analyzers share it and
// must not modify Image.
type Picture struct {
	Path      string // absolute
	Info      media.Info
	InfoErr   error // reading the headers failed; Image is then nil
	Facts     facts.Facts
	FactsErr  error // reading the facts failed (what was read is in Facts)
	Image     *image.RGBA
	DecodeErr error // why Image is nil when pixels were needed
	// Text is the file's words when a pending analyzer needs them
	// (Need.Text), at most media.MaxTextBytes; TextErr why they are not
	// all there (media.ErrUnsupported: the kind has none).
	Text    []media.TextUnit
	TextErr error
	// Frames are the file's frames when a pending analyzer asks for them
	// (Need.Frames), read in the same visit to the file; FramesErr says
	// why there are none or not all (media.ErrUnsupported: the kind has
	// none).
	Frames    []media.Frame
	FramesErr error
}

// Item is one entry to analyze.
type Item struct {
	EntryID     int64  // 0 for a file not yet in the library (Options.Save makes it)
	Rel, Abs    string // library-relative and absolute path
	Fingerprint string // the content the analysis rows are for
	MediaType   string
	// Pending are the analyzers to run, usually chosen with Plan; the
	// scan can only choose in Options.Prepare, once it has fingerprinted
	// the file.
	Pending []Analyzer
	// Source is the queuing source's own data, untouched here.
	Source any
	// Data is the file's whole content when the source has read it
	// already (the scan reads a new picture to fingerprint it): it is
	// probed and decoded from memory, the file not opened again, and
	// dropped once the item is analysed.
	Data []byte
}

// Analyzer is one kind of analysis. Analyze runs on the pipeline's
// workers, concurrently for different items.
type Analyzer interface {
	// Name keys the analysis rows ("thumbnail", "clip").
	Name() string
	// Version changes whenever the analyzer would produce something
	// different (a new algorithm, size or model): every entry is then
	// analyzed again.
	Version() string
	// Applies says whether the analyzer has anything to do for such an
	// entry; entries it does not apply to get no row.
	Applies(mediaType, rel string) bool
	Need() Need
	// Analyze returns what the writer saves (an Output, or for a Batched
	// analyzer the input of Finish). An error is recorded as a failed row
	// for this content (with the Output, when one comes along, still
	// saved); a Reject error drops the whole item instead.
	Analyze(ctx context.Context, it *Item, p *Picture) (any, error)
}

// ItemVersioned analyzers' results depend on more than an entry's
// content (the metadata analyzer reads the picture's XMP sidecar too):
// ItemVersion is the version recorded, and compared, for the entry at rel,
// in place of Version.
type ItemVersioned interface {
	ItemVersion(rel string) string
}

// KindNeeder analyzers need different things of different kinds of file
// (OCR reads a photo's pixels, a video's keyframes, a PDF's scanned
// pages): NeedFor is what they need of a file of that media type, in
// place of Need.
type KindNeeder interface {
	NeedFor(mediaType string) Need
}

// NeedOf is what a needs of a file of the media type.
func NeedOf(a Analyzer, mediaType string) Need {
	if k, ok := a.(KindNeeder); ok {
		return k.NeedFor(mediaType)
	}
	return a.Need()
}

// KindVersioned analyzers changed for some kinds of file only (faces now
// read a video's keyframes, not its poster): KindVersion is the version
// recorded, and compared, for a file of that media type, in place of
// Version, so the files of the other kinds are not analysed again.
type KindVersioned interface {
	KindVersion(mediaType string) string
}

// VersionFor is the version a's row for the entry of that media type at
// rel records.
func VersionFor(a Analyzer, mediaType, rel string) string {
	if kv, ok := a.(KindVersioned); ok {
		return kv.KindVersion(mediaType)
	}
	if iv, ok := a.(ItemVersioned); ok {
		return iv.ItemVersion(rel)
	}
	return a.Version()
}

// Batched analyzers finish their work in batches on their own workers
// (model inference): Analyze prepares an input on the decode workers, Finish
// turns up to Batch() of them into Outputs.
type Batched interface {
	Analyzer
	// Start begins whatever is slow to set up (creating model sessions)
	// while the first pictures decode; Finish waits for it.
	Start(ctx context.Context)
	// Batch says how many inputs one Finish takes, how many Finish calls
	// run at once, and how many prepared items may wait for them (the
	// bound on what piles up while Start is still setting up).
	Batch() (size, workers, queue int)
	// Finish returns one Output and error per input; err fails the whole
	// batch.
	Finish(ctx context.Context, inputs []any) (outs []any, errs []error, err error)
}

// Output is an analyzer's result, saved in the entry's transaction after
// the entry row exists.
type Output interface {
	Save(ctx context.Context, tx *store.Tx, entryID int64) error
}

// Sized outputs say how many bytes they hold until they are saved (a
// file's words, a video's frames): the writer saves what it holds once
// that passes MaxPendingBytes, whatever the batch size.
type Sized interface {
	PendingBytes() int
}

// MaxPendingBytes bounds what finished, unsaved outputs hold.
const MaxPendingBytes = 64 << 20

// pendingBytes is what w's outputs hold until saved.
func (w *work) pendingBytes() int {
	n := 0
	for _, r := range w.results {
		if s, ok := r.value.(Sized); ok && r.err == nil {
			n += s.PendingBytes()
		}
	}
	return n
}

// rejectError marks an analyzer error that drops the whole item.
type rejectError struct{ err error }

func (r rejectError) Error() string { return r.err.Error() }
func (r rejectError) Unwrap() error { return r.err }

// Reject makes err drop the item: nothing of it is saved and it is
// reported (the scan rejects a file that claims to be a picture but does
// not decode, as it always did).
func Reject(err error) error { return rejectError{err} }

// unsupportedError marks a failure that is no one's fault: the format is
// known but there is no decoder for it here (HEIC without libheif).
type unsupportedError struct{ err error }

func (u unsupportedError) Error() string { return u.err.Error() }
func (u unsupportedError) Unwrap() error { return u.err }

// Unsupported marks err as "cannot be done here": the row records the
// failure (not retried for this content), Stats count it apart and do not
// report it.
func Unsupported(err error) error { return unsupportedError{err} }

// Decoder decodes an item's file once; (*media.Source).Poster, the file's
// kind's decoder, is the default. The Source is the one the Prober read the headers from.
type Decoder func(ctx context.Context, src *media.Source, lim media.Limits, enough func(w, h int) bool) (*image.RGBA, media.Info, error)

// Prober reads an item's file's headers; (*media.Source).Probe is the
// default.
type Prober func(ctx context.Context, src *media.Source, lim media.Limits) (media.Info, error)

// Options tune Run; only Analyzers is required.
type Options struct {
	Analyzers []Analyzer
	Workers   int // decode workers, default: CPU count
	Limits    media.Limits
	BatchSize int           // items per transaction, default 256
	Flush     time.Duration // write what is done at least this often, default 500 ms
	Decode    Decoder
	Probe     Prober
	// Prepare runs on a worker before anything else (the scan
	// fingerprints the file there and sets Pending). An error rejects the
	// item.
	Prepare func(ctx context.Context, it *Item) error
	// Save writes the entry row in the writer's transaction, before the
	// outputs, and returns the entry's id. Without it the item's EntryID
	// is used.
	Save func(ctx context.Context, tx *store.Tx, it *Item) (int64, error)
	// Done sees each finished item on the writer's goroutine, in the order
	// they are saved: err is the reason a rejected item was dropped.
	Done func(it *Item, err error)
}

// Stats count one analyzer's work in a run.
type Stats struct {
	Done        int               `json:"done"`
	Failed      int               `json:"failed"`
	Unsupported int               `json:"unsupported"` // failed with Unsupported: not reported
	Errors      []store.ScanError `json:"errors"`
}

// Result sums up a run.
type Result struct {
	Items     int               `json:"items"`    // items saved
	Rejected  int               `json:"rejected"` // items dropped (see Options.Done)
	Decodes   int               `json:"decodes"`
	Analyzers map[string]*Stats `json:"analyzers"`
	// Warnings: pictures analysed from what of them decodes (damaged).
	Warnings  []store.ScanError `json:"warnings"`
	Cancelled bool              `json:"cancelled"`
	Seconds   float64           `json:"seconds"`
}

// Plan returns the analyzers of as that apply to an entry and have no row
// for its content and their version.
func Plan(as []Analyzer, rows map[string]store.AnalysisRow, fingerprint, mediaType, rel string) []Analyzer {
	var out []Analyzer
	for _, a := range as {
		if !a.Applies(mediaType, rel) {
			continue
		}
		if r, ok := rows[a.Name()]; ok && r.Fingerprint == fingerprint && r.Version == VersionFor(a, mediaType, rel) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// PlanStored lists the library's present files that get a poster
// (pictures, RAW files, videos: media.PosterTypes) that any of as has not
// analysed in their current content, each with
// every analyzer pending on it: what a back-fill over an indexed library
// works on. root maps a library path to the file.
func PlanStored(ctx context.Context, db *store.DB, root func(rel string) string, as []Analyzer) ([]*Item, error) {
	cands, err := db.AnalysisCandidates(ctx, media.PosterTypes()...)
	if err != nil {
		return nil, fmt.Errorf("list pictures to analyse: %w", err)
	}
	done, err := db.AnalysisIndex(ctx)
	if err != nil {
		return nil, err
	}
	var items []*Item
	for _, c := range cands {
		if p := Plan(as, done[c.ID], c.Fingerprint, c.MediaType, c.Path); len(p) > 0 {
			items = append(items, &Item{EntryID: c.ID, Rel: c.Path, Abs: root(c.Path),
				Fingerprint: c.Fingerprint, MediaType: c.MediaType, Pending: p})
		}
	}
	return items, nil
}

// Backfill runs opts.Analyzers over the stored library: every present
// picture that one of them has not analysed in its current content is
// decoded once for all those pending on it (a library where faces are
// turned on later, with vectors missing too, is read once, not once per
// analyzer). Analyzers no picture needs are left out, so their models
// never load. It is the one "analyse what the library lacks" run, behind
// `tagsight faces`, the Faces job and every other back-fill; like Run it
// resumes where a cancelled or killed run stopped. report, when set, sees
// done of total pictures and the current one (at the start, at most every
// 100 ms, and at the end).
func Backfill(ctx context.Context, db *store.DB, root func(rel string) string, opts Options, report func(done, total int, current string)) (Result, error) {
	items, err := PlanStored(ctx, db, root, opts.Analyzers)
	if err != nil {
		return Result{Analyzers: map[string]*Stats{}}, err
	}
	needed := map[Analyzer]bool{}
	for _, it := range items {
		for _, a := range it.Pending {
			needed[a] = true
		}
	}
	var as []Analyzer
	for _, a := range opts.Analyzers {
		if needed[a] {
			as = append(as, a)
		}
	}
	opts.Analyzers = as
	if opts.BatchSize <= 0 {
		opts.BatchSize = 32
	}
	if opts.Flush <= 0 {
		opts.Flush = time.Second
	}
	total, done := len(items), 0
	if report != nil {
		report(0, total, "")
	}
	var last time.Time
	inner := opts.Done
	opts.Done = func(it *Item, err error) {
		done++
		if inner != nil {
			inner(it, err)
		}
		if report != nil && (time.Since(last) >= 100*time.Millisecond || done == total) {
			last = time.Now()
			report(done, total, it.Rel)
		}
	}
	return Run(ctx, db, items, opts)
}

// result is one analyzer's outcome for an item.
type result struct {
	a     Analyzer
	value any // Output, or a Batched analyzer's input until Finish
	err   error
	warn  string // the picture it worked on was damaged (media.Info.Warning)
	// missing: a program the file's kind needs is not installed
	// (media.ErrMissingTool): reported, no row kept, so the next run
	// tries again.
	missing bool
}

// work is an item on its way through the pipeline.
type work struct {
	it      *Item
	results []result
	reject  error
	// warn: a file of another kind than a picture is indexed but its
	// decoder failed (a damaged video): reported like a damaged picture.
	warn string
}

// Run analyzes items and saves the results. Work is committed in short
// batched transactions (store.Batcher), so a cancelled run keeps what it
// finished and returns ctx.Err(), and a killed one loses only what was not
// yet committed.
func Run(ctx context.Context, db *store.DB, items []*Item, opts Options) (Result, error) {
	start := time.Now()
	res := Result{Analyzers: map[string]*Stats{}}
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.Limits == (media.Limits{}) {
		opts.Limits = media.DefaultLimits()
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 256
	}
	if opts.Flush <= 0 {
		opts.Flush = 500 * time.Millisecond
	}
	if opts.Decode == nil {
		opts.Decode = func(ctx context.Context, src *media.Source, lim media.Limits, enough func(w, h int) bool) (*image.RGBA, media.Info, error) {
			return src.Poster(ctx, lim, enough)
		}
	}
	if opts.Probe == nil {
		opts.Probe = func(ctx context.Context, src *media.Source, lim media.Limits) (media.Info, error) {
			return src.Probe(ctx, lim)
		}
	}
	var batched []Batched
	stage := map[string]int{}
	for _, a := range opts.Analyzers {
		res.Analyzers[a.Name()] = &Stats{Errors: []store.ScanError{}}
		if b, ok := a.(Batched); ok {
			stage[a.Name()] = len(batched)
			batched = append(batched, b)
		}
	}
	if len(items) == 0 {
		res.Seconds = time.Since(start).Seconds()
		return res, ctx.Err()
	}
	// Slow set-up (model sessions) overlaps the first decodes; what is
	// decoded meanwhile waits in the stages' bounded queues.
	for _, b := range batched {
		b.Start(ctx)
	}

	queue := make(chan *Item)
	stages := make([]chan *work, len(batched))
	for i, b := range batched {
		size, workers, q := b.Batch()
		stages[i] = make(chan *work, max(q, max(size, 1)*max(workers, 1)+opts.Workers))
	}
	out := make(chan *work, opts.Workers*2)
	// route sends w to the first later stage it has input for, else to
	// the writer.
	route := func(w *work, from int) bool {
		next := out
		if w.reject == nil {
			for i := from; i < len(batched); i++ {
				if hasInput(w, batched[i]) {
					next = stages[i]
					break
				}
			}
		}
		select {
		case next <- w:
			return true
		case <-ctx.Done():
			return false
		}
	}
	go func() {
		defer close(queue)
		for _, it := range items {
			select {
			case queue <- it:
			case <-ctx.Done():
				return
			}
		}
	}()
	var nDecodes atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < opts.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range queue {
				if ctx.Err() != nil {
					return
				}
				w, decoded := analyze(ctx, it, opts)
				if decoded {
					nDecodes.Add(1)
				}
				if ctx.Err() != nil {
					return // cancelled mid-item: not the file's fault
				}
				if !route(w, 0) {
					return
				}
			}
		}()
	}
	// Each stage's queue closes once everything that can feed it (the
	// decode workers, the stages before it) is done.
	decoded := make(chan struct{})
	go func() { wg.Wait(); close(decoded) }()
	upstream := decoded
	for i, b := range batched {
		var swg sync.WaitGroup
		size, workers, _ := b.Batch()
		for j := 0; j < max(workers, 1); j++ {
			swg.Add(1)
			go func() {
				defer swg.Done()
				for {
					batch, ok := gather(stages[i], max(size, 1))
					if !ok {
						return
					}
					finish(ctx, b, batch)
					if ctx.Err() != nil {
						continue // drain: nothing of a cancelled batch is kept
					}
					for _, w := range batch {
						route(w, i+1)
					}
				}
			}()
		}
		done := make(chan struct{})
		go func(prev <-chan struct{}) { <-prev; close(stages[i]); swg.Wait(); close(done) }(upstream)
		upstream = done
	}
	go func(prev <-chan struct{}) { <-prev; close(out) }(upstream)

	now := time.Now().Unix()
	batch := store.NewBatcher(ctx, db, opts.BatchSize, func(ctx context.Context, tx *store.Tx, w *work) error {
		return save(ctx, tx, w, opts, now)
	})
	batch.LimitBytes(MaxPendingBytes)
	ticker := time.NewTicker(opts.Flush)
	defer ticker.Stop()
	for out != nil {
		select {
		case w, ok := <-out:
			if !ok {
				out = nil
				break
			}
			if w.reject != nil {
				res.Rejected++
				if opts.Done != nil {
					opts.Done(w.it, w.reject)
				}
				continue
			}
			res.Items++
			for _, r := range w.results {
				if r.warn != "" {
					w.warn = r.warn
					break
				}
				if r.missing {
					w.warn = r.err.Error()
					break
				}
			}
			if w.warn != "" {
				res.Warnings = append(res.Warnings, store.ScanError{Path: w.it.Rel, Error: w.warn})
			}
			for _, r := range w.results {
				st := res.Analyzers[r.a.Name()]
				switch {
				case r.err == nil:
					st.Done++
				case errors.As(r.err, new(unsupportedError)), r.missing:
					st.Unsupported++
				default:
					st.Failed++
					st.Errors = append(st.Errors, store.ScanError{Path: w.it.Rel, Error: r.err.Error()})
				}
			}
			batch.AddSized(w, w.pendingBytes())
			if opts.Done != nil {
				opts.Done(w.it, nil)
			}
		case <-ticker.C:
			batch.Flush()
		}
	}
	err := batch.Flush()
	res.Decodes = int(nDecodes.Load())
	res.Seconds = time.Since(start).Seconds()
	if err != nil {
		return res, fmt.Errorf("save analysis: %w", err)
	}
	if err := ctx.Err(); err != nil {
		res.Cancelled = true
		return res, err
	}
	return res, nil
}

func hasInput(w *work, b Batched) bool {
	for _, r := range w.results {
		if r.a.Name() == b.Name() && r.err == nil {
			return true
		}
	}
	return false
}

// analyze runs everything of an item that happens on a decode worker.
func analyze(ctx context.Context, it *Item, opts Options) (w *work, decoded bool) {
	w = &work{it: it}
	if opts.Prepare != nil {
		if err := opts.Prepare(ctx, it); err != nil {
			w.reject = err
			return w, false
		}
	}
	if len(it.Pending) == 0 {
		it.Data = nil
		return w, false
	}
	p := &Picture{Path: it.Abs}
	var need Need
	for _, a := range it.Pending {
		need = need.Join(NeedOf(a, it.MediaType))
	}
	// One Source per item: the file is opened (or its bytes read) once
	// for its headers and its pixels.
	src := media.NewSource(it.Abs, it.Data)
	p.Info, p.InfoErr = opts.Probe(ctx, src, opts.Limits)
	if errors.Is(p.InfoErr, media.ErrEmpty) {
		// An empty file (a back-fill finds one among the pictures): no
		// content, so nothing to analyse and nothing wrong to report.
		src.Close()
		it.Data = nil
		return w, false
	}
	if p.InfoErr == nil && need.Facts {
		p.Facts, p.FactsErr = src.Facts(ctx, opts.Limits)
	}
	if p.InfoErr == nil && need.Text {
		p.TextErr = src.Text(ctx, opts.Limits, func(u media.TextUnit) error {
			p.Text = append(p.Text, u)
			return nil
		})
	}
	if p.InfoErr != nil {
		p.DecodeErr = p.InfoErr
	} else if need.pixels() {
		var info media.Info
		p.Image, info, p.DecodeErr = opts.Decode(ctx, src, opts.Limits, need.Enough)
		decoded = true
		if p.DecodeErr == nil {
			p.Info = info // what the decoder read, in case the file changed
		} else {
			p.Image = nil
		}
	}
	if p.InfoErr == nil && need.Frames > 0 {
		short := need.Frames
		// The frames stay counted in the decode budget until every
		// analyzer of the item is done with them (up to hundreds of MB
		// for a video at OCR's size), not only while they are read.
		var release func()
		release, p.FramesErr = src.FramesHeld(ctx, opts.Limits, func(w, h int) bool { return min(w, h) >= short }, func(f media.Frame) error {
			p.Frames = append(p.Frames, f)
			return nil
		})
		defer release()
	}
	src.Close()
	it.Data, src = nil, nil // the item waits for the writer: keep no file in memory
	if !media.IsStill(p.Info.MediaType) && p.InfoErr == nil {
		// A damaged video is indexed, not rejected: say why it has no
		// facts or no tile (a missing ffmpeg is said by its own warning).
		for _, err := range []error{p.FactsErr, p.DecodeErr} {
			if err != nil && !errors.Is(err, media.ErrMissingTool) && !errors.Is(err, media.ErrUnsupported) && ctx.Err() == nil {
				w.warn = err.Error()
				break
			}
		}
	}
	for _, a := range it.Pending {
		v, err := a.Analyze(ctx, it, p)
		var rj rejectError
		if errors.As(err, &rj) {
			w.reject = rj.err
			return w, decoded
		}
		r := result{a: a, value: v, err: err, missing: errors.Is(err, media.ErrMissingTool)}
		if err == nil && p.Image != nil && NeedOf(a, it.MediaType).pixels() {
			r.warn = p.Info.Warning // it worked on what of a damaged picture decodes
		}
		w.results = append(w.results, r)
	}
	return w, decoded
}

// finish runs a batched analyzer over the items of a batch that have input
// for it.
func finish(ctx context.Context, b Batched, batch []*work) {
	var inputs []any
	var refs []*result
	for _, w := range batch {
		for i := range w.results {
			r := &w.results[i]
			if r.a.Name() == b.Name() && r.err == nil {
				inputs = append(inputs, r.value)
				refs = append(refs, r)
			}
		}
	}
	if len(inputs) == 0 {
		return
	}
	outs, errs, err := b.Finish(ctx, inputs)
	for i, r := range refs {
		switch {
		case err != nil:
			r.value, r.err = nil, err
		case i < len(outs) && i < len(errs):
			r.value, r.err = outs[i], errs[i]
		default:
			r.value, r.err = nil, fmt.Errorf("%s: no result", b.Name())
		}
	}
}

// save writes one item: its entry row, each analyzer's output and row.
func save(ctx context.Context, tx *store.Tx, w *work, opts Options, now int64) error {
	id := w.it.EntryID
	if opts.Save != nil {
		var err error
		if id, err = opts.Save(ctx, tx, w.it); err != nil {
			return err
		}
	}
	w.it.EntryID = id
	// The user may have removed the entry while it was being analysed.
	if ok, err := store.EntryExists(ctx, tx, id); err != nil || !ok {
		return err
	}
	for _, r := range w.results {
		if o, ok := r.value.(Output); ok && o != nil {
			if err := o.Save(ctx, tx, id); err != nil {
				return fmt.Errorf("%s: %w", r.a.Name(), err)
			}
		}
		if r.missing {
			continue
		}
		row := store.AnalysisRow{EntryID: id, Analyzer: r.a.Name(), Fingerprint: w.it.Fingerprint,
			Version: VersionFor(r.a, w.it.MediaType, w.it.Rel), State: store.AnalysisDone, UpdatedAt: now}
		if r.err != nil {
			row.State, row.Error = store.AnalysisFailed, r.err.Error()
		} else if r.warn != "" {
			row.Error = r.warn // done, with a warning (store.EntryWarnings)
		}
		if err := store.PutAnalysis(ctx, tx, row); err != nil {
			return err
		}
	}
	return nil
}

// gather waits for one item, then takes whatever else is ready, up to max:
// a stage never waits for a full batch while work is queued.
func gather(ch <-chan *work, max int) ([]*work, bool) {
	first, ok := <-ch
	if !ok {
		return nil, false
	}
	batch := []*work{first}
	for len(batch) < max {
		select {
		case w, ok := <-ch:
			if !ok {
				return batch, true
			}
			batch = append(batch, w)
		default:
			return batch, true
		}
	}
	return batch, true
}
