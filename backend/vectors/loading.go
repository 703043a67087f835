package vectors

import (
	"context"
	"time"
)

// loading is a model loading (Options.Load) in the background while the
// first pictures decode: what both analyzers' Start begins and their
// Finish waits for.
type loading struct {
	ready chan struct{}
	err   error
}

// start begins load (nil: nothing to load); took, when not nil, is told
// how long it ran.
func (l *loading) start(ctx context.Context, load func(context.Context) error, took func(time.Duration)) {
	l.ready = make(chan struct{})
	go func() {
		defer close(l.ready)
		if load != nil {
			t := time.Now()
			l.err = load(ctx)
			if took != nil {
				took(time.Since(t))
			}
		}
	}()
}

// wait waits for the load and returns its error, or ctx's when cancelled first.
func (l *loading) wait(ctx context.Context) error {
	select {
	case <-l.ready:
		return l.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Dot is the dot product of two vectors (the cosine similarity of
// L2-normalised ones) over their common length.
func Dot(a, b []float32) float32 {
	var s float32
	for i := range min(len(a), len(b)) {
		s += a[i] * b[i]
	}
	return s
}
