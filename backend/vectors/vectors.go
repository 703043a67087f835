// Package vectors keeps a library's CLIP vectors in step with its entries:
// the CLIP analyzer of the analysis pipeline (preprocess the decoded
// picture → batched inference → store). The pipeline runs it, in a scan
// or in a back-fill over the stored library (analysis.Backfill), with
// whatever other analyzers are pending on the same pictures. It does not
// know how a model runs (package clip) nor how files are scanned (package
// library).
package vectors

import (
	"context"
	"errors"
	"fmt"
	"image"
	"runtime"
	"sync"
	"time"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// Embedder turns preprocessed images into L2-normalised vectors.
type Embedder interface {
	EmbedImages(ctx context.Context, images [][]float32) ([][]float32, error)
}

// Preprocessor turns an oriented picture into a model input.
type Preprocessor interface {
	Preprocess(img image.Image) ([]float32, error)
}

// Options tune the analyzer.
type Options struct {
	// MinShort is the short side, in pixels, pictures are decoded to
	// (the model's input size; decoding never goes much below it).
	MinShort     int
	InferWorkers int // concurrent inference calls, default: CPU count
	Batch        int // images per inference call, default 1 (see README of clip)
	// Queue bounds the preprocessed pictures waiting for inference,
	// default 64 (≈ 38 MB at 224 px): enough for the decoders to keep
	// going while the model loads.
	Queue int
	// Load, when set, prepares the model (creates its sessions); it runs
	// while the first pictures decode, and inference waits for it.
	Load func(ctx context.Context) error
}

// Result sums up a run.
type Result struct {
	Embedded  int               `json:"embedded"`
	Failed    int               `json:"failed"`
	Total     int               `json:"total"` // vectors the model now has in this library
	Errors    []store.ScanError `json:"errors"`
	Cancelled bool              `json:"cancelled"`
	Seconds   float64           `json:"seconds"`
	// Timing of the inference (set by workspace.Index).
	Timing *Timing `json:"-"`
}

// Version is the CLIP analyzer's version for a model: vectors of another
// model are another analysis.
func Version(modelKey string) string { return "c1:" + modelKey }

// Analyzer is the CLIP analyzer of package analysis: it preprocesses the
// pipeline's one decoded picture on the decode workers and embeds
// preprocessed pictures in batches on its own inference workers.
type Analyzer struct {
	m    store.Model
	emb  Embedder
	pre  Preprocessor
	opts Options

	load loading

	mu       sync.Mutex
	loadTime time.Duration
	firstEnd time.Time // end of the first inference call
	firstN   int
	lastEnd  time.Time
	n        int
}

// Timing says how a run's inference went: how long the model took to
// load and the steady rate once it had (from the end of the first
// inference call to the end of the last), to compare with the whole run's.
type Timing struct {
	LoadSeconds float64 `json:"load_seconds"`
	Embedded    int     `json:"embedded"`
	SteadyRate  float64 `json:"steady_rate"` // pictures per second
}

// Timing reports the last run's timing.
func (a *Analyzer) Timing() *Timing {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := &Timing{LoadSeconds: a.loadTime.Seconds(), Embedded: a.n}
	if d := a.lastEnd.Sub(a.firstEnd).Seconds(); d > 0 {
		t.SteadyRate = float64(a.n-a.firstN) / d
	}
	return t
}

// NewAnalyzer returns the CLIP analyzer for model m.
func NewAnalyzer(m store.Model, emb Embedder, pre Preprocessor, opts Options) *Analyzer {
	if opts.InferWorkers <= 0 {
		opts.InferWorkers = runtime.NumCPU()
	}
	if opts.Batch <= 0 {
		opts.Batch = 1
	}
	if opts.MinShort <= 0 {
		opts.MinShort = 224
	}
	if opts.Queue <= 0 {
		opts.Queue = 64
	}
	return &Analyzer{m: m, emb: emb, pre: pre, opts: opts}
}

// Name implements analysis.Analyzer.
func (a *Analyzer) Name() string { return "clip" }

// Version implements analysis.Analyzer.
func (a *Analyzer) Version() string { return Version(a.m.Key) }

// Applies implements analysis.Analyzer: every kind that gets a poster
// (pictures, RAW files, a video's frame).
func (a *Analyzer) Applies(mediaType, rel string) bool {
	return media.HasPoster(mediaType)
}

// Need implements analysis.Analyzer: the model's input size.
func (a *Analyzer) Need() analysis.Need { return analysis.Need{Short: a.opts.MinShort} }

// Batch implements analysis.Batched.
func (a *Analyzer) Batch() (int, int, int) { return a.opts.Batch, a.opts.InferWorkers, a.opts.Queue }

// Start implements analysis.Batched: the model loads (Options.Load) while
// the first pictures decode.
func (a *Analyzer) Start(ctx context.Context) {
	a.load.start(ctx, a.opts.Load, func(took time.Duration) {
		a.mu.Lock()
		a.loadTime = took
		a.mu.Unlock()
	})
}

// Analyze implements analysis.Analyzer: the decoded picture's model
// input (Input).
func (a *Analyzer) Analyze(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
	fail := func(err error) (any, error) {
		return failedOut{m: a.m, fingerprint: it.Fingerprint, msg: err.Error()}, err
	}
	if p.Image == nil {
		if p.InfoErr == nil && errors.Is(p.DecodeErr, media.ErrUnsupported) {
			return fail(analysis.Unsupported(p.DecodeErr))
		}
		return fail(p.DecodeErr)
	}
	in, err := Input(p.Image, a.opts.MinShort, a.pre)
	if err != nil {
		return fail(err)
	}
	return prepared{in: in, fingerprint: it.Fingerprint}, nil
}

// Input is what the model sees of a decoded, oriented picture: scaled so
// that its short side is minShort (never up), then preprocessed. Indexing
// and search by file (FileInput) both make it here.
func Input(img *image.RGBA, minShort int, pre Preprocessor) ([]float32, error) {
	return pre.Preprocess(media.ScaleShort(img, minShort))
}

// FileInput is a picture file's model input, decoded as the analysis
// pipeline decodes it (media.DecodeOriented at the smallest size that meets
// need): given the Need the indexer had for the file, the input, and so the
// vector, is exactly the indexer's.
func FileInput(ctx context.Context, path string, need analysis.Need, minShort int, pre Preprocessor, lim media.Limits) ([]float32, error) {
	img, _, err := media.DecodeOriented(ctx, path, lim, need.Join(analysis.Need{Short: minShort}).Enough)
	if err != nil {
		return nil, err
	}
	return Input(img, minShort, pre)
}

type prepared struct {
	in          []float32
	fingerprint string
}

// Finish implements analysis.Batched.
func (a *Analyzer) Finish(ctx context.Context, inputs []any) ([]any, []error, error) {
	if err := a.load.wait(ctx); err != nil {
		return nil, nil, err
	}
	ins := make([][]float32, len(inputs))
	for i, v := range inputs {
		ins[i] = v.(prepared).in
	}
	vecs, err := a.emb.EmbedImages(ctx, ins)
	if err == nil {
		a.mu.Lock()
		now := time.Now()
		if a.firstEnd.IsZero() {
			a.firstEnd, a.firstN = now, len(ins)
		}
		a.lastEnd = now
		a.n += len(ins)
		a.mu.Unlock()
	}
	outs := make([]any, len(inputs))
	errs := make([]error, len(inputs))
	for i, v := range inputs {
		switch {
		case err != nil:
			outs[i], errs[i] = failedOut{m: a.m, fingerprint: v.(prepared).fingerprint, msg: err.Error()}, err
		case i >= len(vecs):
			errs[i] = fmt.Errorf("embed: %d vectors for %d pictures", len(vecs), len(inputs))
		default:
			outs[i] = vectorOut{m: a.m, vec: vecs[i]}
		}
	}
	return outs, errs, nil
}

type vectorOut struct {
	m   store.Model
	vec []float32
}

func (o vectorOut) Save(ctx context.Context, tx *store.Tx, id int64) error {
	return store.PutVector(ctx, tx, o.m, id, o.vec)
}

// failedOut also remembers the failure where the API's pending count
// (store.EntriesToEmbed) looks.
type failedOut struct {
	m                store.Model
	fingerprint, msg string
}

func (o failedOut) Save(ctx context.Context, tx *store.Tx, id int64) error {
	return store.PutEmbedError(ctx, tx, o.m, id, o.fingerprint, o.msg)
}

// FromAnalysis is the embedding result of an analysis run that included
// the CLIP analyzer for m.
func FromAnalysis(ctx context.Context, db *store.DB, m store.Model, ar *analysis.Result) Result {
	res := Result{Errors: []store.ScanError{}, Cancelled: ar.Cancelled, Seconds: ar.Seconds}
	if st := ar.Analyzers["clip"]; st != nil {
		res.Embedded, res.Failed, res.Errors = st.Done, st.Failed, st.Errors
	}
	res.Total, _ = db.CountVectors(context.WithoutCancel(ctx), m)
	return res
}
