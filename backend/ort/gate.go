package ort

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Gate is an engine's sessions' lifecycle: calls in flight are counted in
// (Enter) and out (Leave), and Close destroys the sessions only once those
// calls are over, so that a model engine shared by goroutines can be
// closed while it works. Its zero value is open.
type Gate struct {
	mu      sync.Mutex
	closed  bool
	running sync.WaitGroup
}

// Enter counts a call in; once Close has begun it fails with ErrClosed.
// load, when not nil, runs first under the gate's lock (it loads the
// sessions the call needs), so that Close never destroys sessions a load
// is still creating; its error is returned and the call is not counted.
// Every nil error must be matched by one Leave.
func (g *Gate) Enter(load func() error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrClosed
	}
	if load != nil {
		if err := load(); err != nil {
			return err
		}
	}
	g.running.Add(1)
	return nil
}

// Leave counts a call out.
func (g *Gate) Leave() { g.running.Done() }

// Close turns later calls away, waits for the calls in flight, then runs
// release (which destroys the sessions) and returns its error. Only the
// first Close releases; later ones return nil at once.
func (g *Gate) Close(release func() error) error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	g.mu.Unlock()
	g.running.Wait()
	if release == nil {
		return nil
	}
	return release()
}

// DestroySessions destroys the sessions that are not nil and joins their
// errors: what a Gate's release does.
func DestroySessions(ss ...*Session) error {
	var errs []error
	for _, s := range ss {
		if s != nil {
			errs = append(errs, s.Destroy())
		}
	}
	return errors.Join(errs...)
}

// OpenSession creates a session for the model at path (or, when model is
// not nil, for those bytes, path then only naming it) on info's provider,
// falling back to the CPU as StartSession does, with threads intra-op
// threads: how every engine opens its sessions.
func OpenSession(info *ProviderInfo, path string, model []byte, in, out []string, threads int) (*Session, error) {
	s, err := StartSession(info, func(provider string) (*Session, error) {
		c := SessionConfig{Provider: provider, Threads: threads}
		if model != nil {
			return NewSessionData(model, in, out, c)
		}
		return NewSession(path, in, out, c)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: create session: %w", path, err)
	}
	return s, nil
}

// Run runs s, stopped when ctx is cancelled (then ctx's error is
// returned). On an error the outputs it made are destroyed and set to nil.
func Run(ctx context.Context, s *Session, in, out []Value) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ro, release, err := CancellableRun(ctx)
	if err != nil {
		return err
	}
	err = s.RunWithOptions(in, out, ro)
	release()
	if err != nil {
		for i, v := range out {
			if v != nil {
				v.Destroy()
				out[i] = nil
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

// EngineProvider is the provider an engine's sessions start on (see
// ResolveProvider), once ONNX Runtime is loaded: what an engine's load
// asks first.
func EngineProvider(requested string) (ProviderInfo, error) {
	if !Initialized() {
		return ProviderInfo{}, fmt.Errorf("%w: ONNX Runtime is not loaded", ErrRuntime)
	}
	return ResolveProvider(requested)
}
