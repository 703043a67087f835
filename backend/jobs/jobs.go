// Package jobs runs long work (scans, embedding, imports, downloads) in the
// background with progress, cancellation and one-at-a-time ordering per
// kind of resource. Progress goes to an injected emitter; the package does
// not know Wails, HTTP or what the work is.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Event names, `domain:verb`; frontend/src/lib/api/types.ts mirrors them.
const (
	EventProgress = "job:progress"
	EventDone     = "job:done"
)

// States of a job.
const (
	Running   = "running"
	Done      = "done"
	Failed    = "failed"
	Cancelled = "cancelled"
)

// Job is the public state of a job.
type Job struct {
	ID      string  `json:"id"`
	Kind    string  `json:"kind" ts:"'scan' | 'embed' | 'import' | 'download' | 'index' | 'watch' | 'tagstudio' | 'xmp' | 'faces' | 'recluster' | 'duplicates'"`
	Title   string  `json:"title"`
	Phase   string  `json:"phase"`
	Done    int64   `json:"done"`
	Total   int64   `json:"total"`
	Rate    float64 `json:"rate"` // per second, in the job's unit
	Unit    string  `json:"unit"`
	ETA     float64 `json:"eta"` // seconds
	Current string  `json:"current"`
	State   string  `json:"state" ts:"'running' | 'done' | 'failed' | 'cancelled'"`
	Error   string  `json:"error,omitempty"`
	Result  any     `json:"result,omitempty"`
	started time.Time
}

// Emitter delivers events to the UI (Wails events or server-sent events).
type Emitter func(name string, payload any)

// Progress is what a running job reports.
type Progress struct {
	Phase   string
	Done    int64
	Total   int64
	Rate    float64
	Unit    string
	ETA     float64
	Current string
}

// Func is the work; it reports through report and stops when ctx ends. Its
// result is attached to the finished job.
type Func func(ctx context.Context, report func(Progress)) (any, error)

// Manager owns the jobs of a process.
type Manager struct {
	emit   Emitter
	mu     sync.Mutex
	jobs   map[string]*entry
	seq    atomic.Int64
	queues map[string]chan func()
	every  time.Duration
	closed bool
	wg     sync.WaitGroup
}

type entry struct {
	job    Job
	cancel context.CancelFunc
	last   time.Time
	// hidden: a quiet job (StartQuiet) that has not reported work yet;
	// it sends no events and is not listed.
	hidden bool
}

// NewManager returns a manager that emits through emit (nil: no events).
func NewManager(emit Emitter) *Manager {
	if emit == nil {
		emit = func(string, any) {}
	}
	return &Manager{emit: emit, jobs: map[string]*entry{}, queues: map[string]chan func(){}, every: 150 * time.Millisecond}
}

// ErrClosed: the manager is shutting down.
var ErrClosed = errors.New("jobs: shutting down")

// Start runs fn in the background. Jobs with the same lock name run one
// after another (e.g. every job that writes a library's index).
func (m *Manager) Start(kind, title, lock string, fn Func) (Job, error) {
	return m.start(kind, title, lock, fn, false)
}

// StartQuiet is Start for work that often turns out to be nothing (the
// watcher's check of files an import already indexed): the job stays out
// of sight until it reports work left to do (Done < Total) or that it
// waits (phase "waiting"); if it never does, nobody hears of it.
func (m *Manager) StartQuiet(kind, title, lock string, fn Func) (Job, error) {
	return m.start(kind, title, lock, fn, true)
}

func (m *Manager) start(kind, title, lock string, fn Func, quiet bool) (Job, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return Job{}, ErrClosed
	}
	id := fmt.Sprintf("%s-%d", kind, m.seq.Add(1))
	ctx, cancel := context.WithCancel(context.Background())
	e := &entry{job: Job{ID: id, Kind: kind, Title: title, Phase: "queued", State: Running, started: time.Now()}, cancel: cancel, hidden: quiet}
	m.jobs[id] = e
	q := m.queues[lock]
	if q == nil {
		// One goroutine per lock runs its jobs in the order they came.
		q = make(chan func(), 1024)
		m.queues[lock] = q
		go func() {
			for run := range q {
				run()
			}
		}()
	}
	job := e.job
	m.wg.Add(1)
	m.mu.Unlock()
	if !quiet {
		m.emit(EventProgress, job)
	}

	q <- func() {
		defer m.wg.Done()
		defer cancel()
		var res any
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("internal error: %v", r)
				}
			}()
			if ctx.Err() == nil {
				res, err = fn(ctx, func(p Progress) { m.progress(id, p) })
			} else {
				err = ctx.Err()
			}
		}()
		m.mu.Lock()
		e.job.Result = res
		switch {
		case errors.Is(err, context.Canceled) || ctx.Err() != nil && err != nil:
			e.job.State = Cancelled
		case err != nil:
			e.job.State, e.job.Error = Failed, err.Error()
		default:
			e.job.State = Done
			if e.job.Total > 0 {
				e.job.Done = e.job.Total
			}
		}
		e.job.ETA = 0
		final, hidden := e.job, e.hidden
		if hidden && final.State != Failed {
			delete(m.jobs, id) // it did nothing worth a line
		}
		m.mu.Unlock()
		if !hidden || final.State == Failed {
			m.emit(EventDone, final)
		}
	}
	return job, nil
}

func (m *Manager) progress(id string, p Progress) {
	m.mu.Lock()
	e := m.jobs[id]
	if e == nil {
		m.mu.Unlock()
		return
	}
	e.job.Phase, e.job.Done, e.job.Total, e.job.Rate, e.job.Unit, e.job.ETA, e.job.Current =
		p.Phase, p.Done, p.Total, p.Rate, p.Unit, p.ETA, p.Current
	now := time.Now()
	shown := e.hidden && (p.Done < p.Total || p.Phase == "waiting")
	if shown {
		e.hidden = false
	}
	send := !e.hidden && (shown || now.Sub(e.last) >= m.every)
	if send {
		e.last = now
	}
	j := e.job
	m.mu.Unlock()
	if send {
		m.emit(EventProgress, j)
	}
}

// Cancel stops a job; it ends as "cancelled" after committing what it finished.
func (m *Manager) Cancel(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.jobs[id]
	if e == nil {
		return fmt.Errorf("no job %q", id)
	}
	e.cancel()
	return nil
}

// List returns the jobs, newest first; finished jobs are kept for a while
// so the UI can show how they ended.
func (m *Manager) List() []Job {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Job, 0, len(m.jobs))
	for id, e := range m.jobs {
		if e.hidden {
			continue
		}
		if e.job.State != Running && time.Since(e.job.started) > 10*time.Minute {
			delete(m.jobs, id)
			continue
		}
		out = append(out, e.job)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].started.After(out[j].started) })
	return out
}

// Get returns one job.
func (m *Manager) Get(id string) (Job, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.jobs[id]
	if !ok {
		return Job{}, false
	}
	return e.job, true
}

// Wait blocks until the job ends and returns its final state.
func (m *Manager) Wait(ctx context.Context, id string) (Job, error) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		j, ok := m.Get(id)
		if !ok {
			return j, fmt.Errorf("no job %q", id)
		}
		if j.State != Running {
			return j, nil
		}
		select {
		case <-ctx.Done():
			return j, ctx.Err()
		case <-t.C:
		}
	}
}

// Close cancels every job and waits for them to stop.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	for _, e := range m.jobs {
		e.cancel()
	}
	m.mu.Unlock()
	m.wg.Wait()
	m.mu.Lock()
	for k, q := range m.queues {
		close(q)
		delete(m.queues, k)
	}
	m.mu.Unlock()
}

// Pace is the rate of a job that finished done units in elapsed time, and
// the seconds the left units will take at that rate (0, 0 before any time
// has passed).
func Pace(done, left float64, elapsed time.Duration) (rate, eta float64) {
	s := elapsed.Seconds()
	if s <= 0 {
		return 0, 0
	}
	rate = done / s
	if rate > 0 {
		eta = left / rate
	}
	return rate, eta
}
