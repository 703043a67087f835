package workspace

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tagsight/tagsight/backend/faces"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/watch"
)

// LiveOptions tune Live.
type LiveOptions struct {
	// Watch tunes the folder watcher (Root and Skip are filled in); its
	// Mode "off" leaves the folder unwatched (changes by other processes
	// are still followed).
	Watch watch.Options
	// FollowEvery is how often the change log is checked while changes
	// come (default 250 ms); IdleEvery once it has been quiet for 10 s
	// (default 1 s). A change this process makes is followed at once (Poke).
	FollowEvery time.Duration
	IdleEvery   time.Duration
	// ChangedEvery: Changed is called at most this often (default 1 s);
	// changes in between are merged into the next call. The search
	// index follows at once either way.
	ChangedEvery time.Duration
	// ModelEvery is how often a library without a model looks for one
	// (a download by the CLI or another window; default 3 s).
	ModelEvery time.Duration
	// Scan gives each batch's scan options (thumbnail size, workers); the
	// watcher's batch sets Only.
	Scan func() library.ScanOptions
	// Run runs a batch's work: the API as a job (the job panel shows what
	// the watcher does), the CLI inline. nil runs it inline.
	// ctx ends when Live closes.
	Run func(ctx context.Context, b watch.Batch, work func(ctx context.Context, report library.Reporter) error)
	// Indexed hears what each batch did. A batch that failed (a full
	// disk) is tried again after RetryAfter, doubling with each failure
	// in a row up to a minute (default 2 s).
	Indexed    func(b watch.Batch, res library.ScanResult, err error)
	RetryAfter time.Duration
	// Changed hears each set of changes once the search index follows
	// them, whichever process made them.
	Changed func(store.Changes)
	// Status hears how the folder is watched, whenever that changes.
	Status func(watch.Watching)
	// Model hears that a model turned up for a library that had none.
	Model func()
}

// Live keeps an open library in step with its folder (package watch: one
// more source for the analysis pipeline) and with every process that writes
// to it (the change log: the in-memory search index takes their vectors,
// and Changed tells the faces once per batch).
type Live struct {
	ws     *Workspace
	o      LiveOptions
	w      *watch.Watcher
	cancel context.CancelFunc
	wg     sync.WaitGroup
	poke   chan struct{}

	mu       sync.Mutex // guards failures, told, untold and pending
	failures int        // batches failed in a row

	told    time.Time     // when Changed was last called
	untold  store.Changes // changes Changed has not heard of yet
	pending bool
}

// Live starts watching the folder and following the change log, until
// Close. It returns once the folders are watched.
func (ws *Workspace) Live(o LiveOptions) (*Live, error) {
	if o.FollowEvery <= 0 {
		o.FollowEvery = 250 * time.Millisecond
	}
	if o.IdleEvery <= 0 {
		o.IdleEvery = time.Second
	}
	if o.ModelEvery <= 0 {
		o.ModelEvery = 3 * time.Second
	}
	if o.ChangedEvery <= 0 {
		o.ChangedEvery = time.Second
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = 2 * time.Second
	}
	if o.Scan == nil {
		o.Scan = func() library.ScanOptions { return library.ScanOptions{} }
	}
	if o.Run == nil {
		o.Run = func(ctx context.Context, _ watch.Batch, work func(context.Context, library.Reporter) error) {
			work(ctx, nil)
		}
	}
	skip, err := ws.Lib.Skipper()
	if err != nil {
		return nil, err
	}
	wo := o.Watch
	wo.Root, wo.Skip = ws.Lib.Root, skip
	w, err := watch.New(wo)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Live{ws: ws, o: o, w: w, cancel: cancel, poke: make(chan struct{}, 1)}
	ws.syncMu.Lock()
	ws.heard = l.heard
	ws.syncMu.Unlock()
	l.wg.Add(2)
	go func() {
		defer l.wg.Done()
		w.Run(ctx, func(b watch.Batch) { l.batch(ctx, b) }, o.Status)
	}()
	go func() {
		defer l.wg.Done()
		l.follow(ctx)
	}()
	// Return only once the folders are watched: a file written after Live
	// returns must be seen, and a caller that scans next (tagsight watch)
	// then misses nothing written in between.
	<-w.Ready()
	return l, nil
}

// Status is how the folder is watched.
func (l *Live) Status() watch.Watching { return l.w.Status() }

// Poke checks the change log now rather than at the next tick (after a
// change this process made).
func (l *Live) Poke() {
	select {
	case l.poke <- struct{}{}:
	default:
	}
}

// Close stops watching and following; a batch in progress is cancelled
// (it commits what it finished).
func (l *Live) Close() {
	l.cancel()
	l.wg.Wait()
	l.ws.syncMu.Lock()
	l.ws.heard = nil
	l.ws.syncMu.Unlock()
}

// batch runs the analysis pipeline over what changed on disk.
func (l *Live) batch(ctx context.Context, b watch.Batch) {
	l.o.Run(ctx, b, func(jctx context.Context, report library.Reporter) error {
		if ctx.Err() != nil {
			return nil // Live closed while the work waited its turn
		}
		// Close cancels the work too.
		jctx, stop := context.WithCancel(jctx)
		defer stop()
		go func() {
			select {
			case <-ctx.Done():
				stop()
			case <-jctx.Done():
			}
		}()
		opts := l.o.Scan()
		opts.Report = report
		if !b.Rescan {
			opts.Only = b.Paths
		}
		var res library.ScanResult
		var err error
		if indexHook != nil {
			err = indexHook()
		}
		if err == nil {
			res, _, err = l.ws.Index(jctx, opts, true)
		}
		if l.o.Indexed != nil {
			l.o.Indexed(b, res, err)
		}
		l.retry(ctx, b, err != nil && !res.Cancelled && jctx.Err() == nil)
		l.Poke()
		return err
	})
}

// indexHook, when set by tests, runs before each batch's index; an error
// from it fails the batch as a full disk would.
var indexHook func() error

// retry hands a failed batch back to the watcher after a pause that
// doubles with each failure in a row (2 s up to a minute): a full disk or
// a locked database is retried until it works, without spinning. A
// success resets the pause.
func (l *Live) retry(ctx context.Context, b watch.Batch, failed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !failed {
		l.failures = 0
		return
	}
	l.failures++
	wait := min(l.o.RetryAfter<<min(l.failures-1, 10), time.Minute)
	time.AfterFunc(wait, func() {
		if ctx.Err() == nil {
			l.w.Redo(b)
		}
	})
}

// follow reads the change log whenever it grows and brings the in-memory
// search index along.
func (l *Live) follow(ctx context.Context) {
	// Every FollowEvery while changes come (or wait to be told), every
	// IdleEvery once the library has been quiet for a while: an idle
	// library costs one indexed read a second.
	t := time.NewTimer(l.o.FollowEvery)
	defer t.Stop()
	lastModelLook := time.Now()
	var lastChange time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-l.poke:
		}
		if changed, _ := l.ws.Sync(ctx); changed { // an error: the next tick tries again
			lastChange = time.Now()
		}
		l.tell()
		noFaces := errors.Is(l.ws.Faces().Err, faces.ErrNoModels)
		if (noFaces || errors.Is(l.ws.Now().ModelErr, ErrNoModel)) && time.Since(lastModelLook) >= l.o.ModelEvery {
			lastModelLook = time.Now()
			found := l.ws.findModel(ctx)
			if noFaces && l.ws.findFaces(ctx) {
				found = true
			}
			if found && l.o.Model != nil {
				l.o.Model()
			}
		}
		next := l.o.IdleEvery
		l.mu.Lock()
		pending := l.pending
		l.mu.Unlock()
		if pending || time.Since(lastChange) < 10*time.Second {
			next = l.o.FollowEvery
		}
		t.Reset(next) // (Go 1.23 timers: no stale tick survives a Reset)
	}
}

// heard keeps what Sync followed (here or in an index this process ran)
// for the next Changed.
func (l *Live) heard(c store.Changes) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.untold = l.untold.Merge(c)
	l.pending = true
}

// tell calls Changed with what it has not heard of, at most every
// ChangedEvery (a long index commits every half second; the faces
// refresh once a second).
func (l *Live) tell() {
	l.mu.Lock()
	if !l.pending || time.Since(l.told) < l.o.ChangedEvery {
		l.mu.Unlock()
		return
	}
	c := l.untold
	l.untold, l.pending, l.told = store.Changes{}, false, time.Now()
	l.mu.Unlock()
	if l.o.Changed != nil {
		l.o.Changed(c)
	}
}

// Follow brings the in-memory search index in step with changes read from
// the change log (made by this process or another): new and changed
// vectors are put, dropped ones forgotten, a video's frames replaced; a
// lost log reloads everything.
func (ws *Workspace) Follow(ctx context.Context, c store.Changes) error {
	st := ws.Now()
	if c.Lost {
		st.Search.Invalidate()
		return nil
	}
	if st.StoreModel.ID == 0 {
		return nil
	}
	if err := ws.followFrames(ctx, st, c); err != nil {
		return err
	}
	ids := append(append([]int64(nil), c.Vectors...), c.Entries...)
	if len(ids) == 0 {
		return nil
	}
	vs, err := ws.Lib.DB.Vectors(ctx, st.StoreModel, ids)
	if err != nil {
		st.Search.Invalidate() // unsure: reload on the next search
		return err
	}
	var gone []int64
	for _, id := range ids {
		if _, ok := vs[id]; !ok {
			gone = append(gone, id)
		}
	}
	st.Search.Put(vs)
	st.Search.Forget(gone)
	return nil
}

// followFrames brings the in-memory video frames along: the frames of
// the entries whose frames or entry rows changed are read again (only
// theirs: a watcher batch never reads the whole table).
func (ws *Workspace) followFrames(ctx context.Context, st *State, c store.Changes) error {
	if !st.Search.FramesLoaded() {
		return nil // their first use reads them all
	}
	ids := append(append([]int64(nil), c.Frames...), c.Entries...)
	if len(ids) == 0 {
		return nil
	}
	fs, err := ws.Lib.DB.FramesOf(ctx, st.StoreModel, ids)
	if err != nil {
		st.Search.Invalidate()
		return err
	}
	st.Search.PutFrames(ids, fs)
	return nil
}

// findModel loads the library's model if one has appeared since the
// library opened without one (reports whether it did).
func (ws *Workspace) findModel(ctx context.Context) bool {
	ws.swap.Lock()
	defer ws.swap.Unlock()
	if ws.Now().Model != nil {
		return false
	}
	m, sm, err := ws.loadModel(ctx, ws.opts.Model)
	if err != nil {
		return false
	}
	ws.state.Store(ws.newState(m, sm, nil))
	return true
}
