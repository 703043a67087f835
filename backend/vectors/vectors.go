// Package vectors keeps a library's CLIP vectors in step with its entries:
// the embedding pipeline (decode → preprocess → batched inference → store)
// with progress, cancellation and resume. It does not know how a model runs
// (package clip) nor how files are scanned (package library).
package vectors

import (
	"context"
	"fmt"
	"image"
	"runtime"
	"sync"
	"time"

	"github.com/tagsight/tagsight/backend/jobs"
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

// Progress of an embedding run.
type Progress struct {
	Phase   string  `json:"phase"` // "embed", "done", "cancelled"
	Done    int     `json:"done"`
	Total   int     `json:"total"`
	Rate    float64 `json:"rate"` // images per second
	ETA     float64 `json:"eta"`  // seconds
	Current string  `json:"current"`
	Errors  int     `json:"errors"`
}

// Options tune Run.
type Options struct {
	// MinShort is the short side, in pixels, pictures are decoded to
	// (the model's input size; decoding never goes much below it).
	MinShort      int
	DecodeWorkers int // default: CPU count
	InferWorkers  int // concurrent inference calls, default: CPU count
	Batch         int // images per inference call, default 1 (see README of clip)
	Report        func(Progress)
	Limits        media.Limits
	// Saved, when set, receives the vectors of each batch once it is
	// committed (entry id → vector), so an in-memory index can follow
	// without reloading. It must not keep the map.
	Saved func(map[int64][]float32)
}

// Result sums up a run.
type Result struct {
	Embedded  int               `json:"embedded"`
	Failed    int               `json:"failed"`
	Total     int               `json:"total"` // vectors the model now has in this library
	Errors    []store.ScanError `json:"errors"`
	Cancelled bool              `json:"cancelled"`
	Seconds   float64           `json:"seconds"`
}

type prepped struct {
	item  store.ToEmbed
	input []float32
	err   error
}

type embedded struct {
	item store.ToEmbed
	vec  []float32
	err  error
}

// Run embeds every picture of the library that lacks a vector for model m.
// Decoding feeds inference through a bounded channel (backpressure: at most
// a few batches wait), vectors are committed in batches, and a run that is
// cancelled or killed resumes where it stopped because only entries without
// a vector are picked up.
func Run(ctx context.Context, db *store.DB, root func(rel string) string, m store.Model, emb Embedder, pre Preprocessor, opts Options) (Result, error) {
	start := time.Now()
	var res Result
	if opts.DecodeWorkers <= 0 {
		opts.DecodeWorkers = runtime.NumCPU()
	}
	if opts.InferWorkers <= 0 {
		opts.InferWorkers = runtime.NumCPU()
	}
	if opts.Batch <= 0 {
		opts.Batch = 1
	}
	if opts.MinShort <= 0 {
		opts.MinShort = 224
	}
	if opts.Limits == (media.Limits{}) {
		opts.Limits = media.DefaultLimits()
	}
	todo, err := db.EntriesToEmbed(ctx, m)
	if err != nil {
		return res, fmt.Errorf("list pictures to embed: %w", err)
	}
	total := len(todo)

	queue := make(chan store.ToEmbed)
	ready := make(chan prepped, opts.Batch*opts.InferWorkers+opts.DecodeWorkers)
	out := make(chan embedded, opts.Batch*opts.InferWorkers)
	go func() {
		defer close(queue)
		for _, t := range todo {
			select {
			case queue <- t:
			case <-ctx.Done():
				return
			}
		}
	}()
	var dwg sync.WaitGroup
	for i := 0; i < opts.DecodeWorkers; i++ {
		dwg.Add(1)
		go func() {
			defer dwg.Done()
			for t := range queue {
				p := prepped{item: t}
				img, _, err := media.DecodeScaled(ctx, root(t.Path), opts.MinShort, opts.Limits)
				if err == nil {
					p.input, err = pre.Preprocess(img)
				}
				p.err = err
				select {
				case ready <- p:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { dwg.Wait(); close(ready) }()
	var iwg sync.WaitGroup
	for i := 0; i < opts.InferWorkers; i++ {
		iwg.Add(1)
		go func() {
			defer iwg.Done()
			for {
				batch, ok := gather(ready, opts.Batch)
				if !ok {
					return
				}
				var inputs [][]float32
				var items []store.ToEmbed
				for _, p := range batch {
					if p.err != nil {
						out <- embedded{item: p.item, err: p.err}
						continue
					}
					inputs = append(inputs, p.input)
					items = append(items, p.item)
				}
				if len(inputs) == 0 {
					continue
				}
				vecs, err := emb.EmbedImages(ctx, inputs)
				for j, it := range items {
					e := embedded{item: it, err: err}
					if err == nil {
						e.vec = vecs[j]
					}
					out <- e
				}
			}
		}()
	}
	go func() { iwg.Wait(); close(out) }()

	// Vectors are saved in short batched transactions (store.Batcher): a
	// killed or cancelled run keeps what it finished.
	wctx := context.WithoutCancel(ctx)
	batch := store.NewBatcher(ctx, db, 64, func(ctx context.Context, tx *store.Tx, e embedded) error {
		if e.err != nil {
			return store.PutEmbedError(ctx, tx, m, e.item.ID, e.item.Fingerprint, e.err.Error())
		}
		return store.PutVector(ctx, tx, m, e.item.ID, e.vec)
	})
	if opts.Saved != nil {
		batch.AfterCommit = func(items []embedded) {
			vs := make(map[int64][]float32, len(items))
			for _, e := range items {
				if e.err == nil {
					vs[e.item.ID] = e.vec
				}
			}
			if len(vs) > 0 {
				opts.Saved(vs)
			}
		}
	}
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	var last time.Time
	done := 0
	for out != nil {
		select {
		case e, ok := <-out:
			if !ok {
				out = nil
				break
			}
			if e.err != nil && ctx.Err() != nil {
				continue // cancelled mid-inference: not the file's fault
			}
			done++
			if e.err != nil {
				res.Failed++
				res.Errors = append(res.Errors, store.ScanError{Path: e.item.Path, Error: e.err.Error()})
			} else {
				res.Embedded++
			}
			batch.Add(e)
			if opts.Report != nil && time.Since(last) > 100*time.Millisecond {
				last = time.Now()
				p := Progress{Phase: "embed", Done: done, Total: total, Current: e.item.Path, Errors: res.Failed}
				p.Rate, p.ETA = jobs.Pace(float64(done), float64(total-done), time.Since(start))
				opts.Report(p)
			}
		case <-ticker.C:
			batch.Flush()
		}
	}
	if err := batch.Flush(); err != nil {
		return res, fmt.Errorf("save vectors: %w", err)
	}
	if res.Errors == nil {
		res.Errors = []store.ScanError{}
	}
	res.Total, _ = db.CountVectors(wctx, m)
	res.Seconds = time.Since(start).Seconds()
	if err := ctx.Err(); err != nil {
		res.Cancelled = true
		if opts.Report != nil {
			opts.Report(Progress{Phase: "cancelled", Done: done, Total: total, Errors: res.Failed})
		}
		return res, err
	}
	if opts.Report != nil {
		opts.Report(Progress{Phase: "done", Done: done, Total: total, Errors: res.Failed})
	}
	return res, nil
}

// gather waits for one item, then takes whatever else is ready, up to max:
// inference never waits for a full batch while decoded images are queued.
func gather(ch <-chan prepped, max int) ([]prepped, bool) {
	first, ok := <-ch
	if !ok {
		return nil, false
	}
	batch := []prepped{first}
	for len(batch) < max {
		select {
		case p, ok := <-ch:
			if !ok {
				return batch, true
			}
			batch = append(batch, p)
		default:
			return batch, true
		}
	}
	return batch, true
}
