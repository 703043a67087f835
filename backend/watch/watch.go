// Package watch turns changes on disk under a library into batches of
// library-relative paths for the analysis pipeline: a source, like a scan
// or an import. It watches every folder (fsnotify: inotify, kqueue,
// ReadDirectoryChangesW), follows new folders as they appear, waits for a
// burst to settle (a card copy of 2 000 files is one batch) and for each
// file to stop changing (a file still being copied is analysed once it is
// complete). Where events cannot be had — the system's watch limit is
// reached, the folder is on a network drive, or the user asked — it falls
// back to a periodic light rescan (size and mtime only) and says why.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Modes of watching.
const (
	ModeEvents  = "events"  // change events from the operating system
	ModePolling = "polling" // a light rescan every Options.PollEvery
	ModeOff     = "off"
)

// Options tune a Watcher; the zero value (with Root) is sensible.
type Options struct {
	Root string
	// Skip reports whether a library-relative path ('/'-separated) is not
	// watched: the library's own folder, .tagsight/ignore's patterns.
	Skip func(rel string, dir bool) bool
	// Quiet: a batch goes out once no event arrived for this long
	// (default 400 ms) ...
	Quiet time.Duration
	// MaxDelay: ... or once its oldest change waited this long, so a
	// copy that never pauses still shows up as it goes (default 4 s).
	MaxDelay time.Duration
	// Stable: a file modified less than this long ago is still being
	// written; it waits for the next batch (default 1 s).
	Stable time.Duration
	// PollEvery is the light rescan's period in polling mode (default 30 s).
	PollEvery time.Duration
	// Mode: "" or "auto" (events, polling where they cannot be had),
	// "poll" (always poll), "off".
	Mode string
	// MaxWatches, when > 0, acts as the system's watch limit (tests).
	MaxWatches int
}

// Batch is what changed: run the pipeline over Paths (files and folders
// that appeared, changed or vanished), or over everything when Rescan.
type Batch struct {
	Paths  []string
	Rescan bool
	// Why, for Rescan: "poll" (the periodic light rescan) or "overflow"
	// (the system dropped events).
	Why string
}

// Watching says how the library is watched, for the UI and the CLI.
type Watching struct {
	Mode    string  `json:"mode" ts:"'events' | 'polling' | 'off'"`
	Folders int     `json:"folders"`          // folders with an event watch
	Every   float64 `json:"every,omitempty"`  // seconds between rescans when polling
	Reason  string  `json:"reason,omitempty"` // why polling (or off)
	Fix     string  `json:"fix,omitempty"`    // what the user can do about it
}

// minGap is the shortest lull a batch waits for even past MaxDelay, so
// the events of one operation (a rename's two halves) stay together.
const minGap = 50 * time.Millisecond

// Watcher watches one library folder.
type Watcher struct {
	o  Options
	fw *fsnotify.Watcher

	mu      sync.Mutex
	status  Watching
	watched map[string]bool // absolute folders with a watch
	pending map[string]time.Time
	first   time.Time // when the oldest pending change arrived
	last    time.Time // when the newest event arrived

	ready     chan struct{} // closed once Run has set up its watches
	readyOnce sync.Once
	wake      chan struct{} // Redo asks the loop to look again
	redo      *Batch        // a rescan to run again (under mu)
}

// New prepares a watcher; Run starts it.
func New(o Options) (*Watcher, error) {
	if o.Root == "" {
		return nil, errors.New("watch: no folder")
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, err
	}
	o.Root = root
	if o.Skip == nil {
		o.Skip = func(string, bool) bool { return false }
	}
	if o.Quiet <= 0 {
		o.Quiet = 400 * time.Millisecond
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 4 * time.Second
	}
	if o.Stable <= 0 {
		o.Stable = time.Second
	}
	if o.PollEvery <= 0 {
		o.PollEvery = 30 * time.Second
	}
	return &Watcher{o: o, watched: map[string]bool{}, pending: map[string]time.Time{}, ready: make(chan struct{}), wake: make(chan struct{}, 1)}, nil
}

// Ready is closed once Run has added its watches (or chosen to poll, or
// returned): a change made after that is seen. A caller that scans after
// Ready misses nothing written in between.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

func (w *Watcher) setReady() { w.readyOnce.Do(func() { close(w.ready) }) }

// Redo hands a batch whose work failed (a full disk, a locked database)
// back to the watcher: its paths wait again with the next changes, or the
// rescan runs again. The caller chooses when (it backs off).
func (w *Watcher) Redo(b Batch) {
	if b.Rescan {
		w.mu.Lock()
		if w.redo == nil || b.Why == "overflow" {
			w.redo = &b
		}
		w.mu.Unlock()
	} else {
		now := time.Now()
		for _, rel := range b.Paths {
			w.queue(rel, now)
		}
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Status is how the folder is watched now.
func (w *Watcher) Status() Watching {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.status
	s.Folders = len(w.watched)
	return s
}

// Run watches until ctx ends, calling fn with each batch, one at a time:
// changes that arrive while fn runs wait for the next batch. status, when
// not nil, hears every change of Status.
func (w *Watcher) Run(ctx context.Context, fn func(Batch), status func(Watching)) error {
	if status == nil {
		status = func(Watching) {}
	}
	defer w.setReady()
	switch w.o.Mode {
	case ModeOff:
		w.setStatus(Watching{Mode: ModeOff, Reason: "watching is turned off"}, status)
		w.setReady()
		<-ctx.Done()
		return nil
	case "poll":
		w.poll(Watching{Mode: ModePolling, Reason: "polling was chosen instead of change events"}, status)
	default:
		if fsType, remote := remoteFS(w.o.Root); remote {
			w.poll(Watching{Mode: ModePolling,
				Reason: fmt.Sprintf("the library is on a network drive (%s): changes made by other machines send no events", fsType)}, status)
		}
	}
	var events <-chan fsnotify.Event
	var errs <-chan error
	if w.o.Mode != "poll" {
		fw, err := fsnotify.NewBufferedWatcher(4096)
		if err != nil {
			w.poll(Watching{Mode: ModePolling, Reason: "change events are not available: " + err.Error(), Fix: limitFix(err)}, status)
		} else {
			w.fw = fw
			defer fw.Close()
			events, errs = fw.Events, fw.Errors
			w.mu.Lock()
			if w.status.Mode == "" {
				w.status.Mode = ModeEvents
			}
			w.mu.Unlock()
			w.addTree(w.o.Root, false, status)
			status(w.Status())
		}
	}
	w.setReady()
	var pollTick <-chan time.Time
	var pollT *time.Ticker
	defer func() {
		if pollT != nil {
			pollT.Stop()
		}
	}()
	// The tick runs only while changes wait: an idle watcher sleeps.
	var tick <-chan time.Time
	var t *time.Ticker
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	// One batch at a time runs in its own goroutine, so events keep being
	// read (the system's queue does not overflow during a long batch);
	// what is due meanwhile waits for it.
	busy := false
	finished := make(chan struct{})
	var rescan *Batch // a rescan asked for while a batch ran
	launch := func(b Batch) {
		busy = true
		go func() {
			fn(b)
			finished <- struct{}{}
		}()
	}
	// rescanAll runs a whole rescan now, or once the batch running ends
	// (an overflow's rescan, which shows as a job, wins over a poll's).
	rescanAll := func(b Batch) {
		switch {
		case !busy:
			launch(b)
		case rescan == nil || b.Why == "overflow":
			rescan = &b
		}
	}
	for {
		if pollT == nil && w.Status().Mode == ModePolling {
			pollT = time.NewTicker(w.o.PollEvery)
			pollTick = pollT.C
		}
		// Tick only while changes wait and no batch runs.
		if want := w.waiting() && !busy; want && t == nil {
			t = time.NewTicker(w.o.Quiet / 4)
			tick = t.C
		} else if !want && t != nil {
			t.Stop()
			t, tick = nil, nil
		}
		select {
		case <-ctx.Done():
			if busy {
				<-finished // fn sees ctx too; it must not outlive Run
			}
			return nil
		case <-finished:
			busy = false
			if rescan != nil {
				b := *rescan
				rescan = nil
				launch(b)
			}
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			w.event(ev, status)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// The kernel's queue overflowed: some changes are unknown.
				w.mu.Lock()
				w.pending = map[string]time.Time{}
				w.first = time.Time{}
				w.mu.Unlock()
				rescanAll(Batch{Rescan: true, Why: "overflow"})
			}
		case <-pollTick:
			rescanAll(Batch{Rescan: true, Why: "poll"})
		case <-w.wake:
			// Paths handed back wait in pending (the tick starts at the
			// top of the loop); a rescan handed back runs again.
			w.mu.Lock()
			b := w.redo
			w.redo = nil
			w.mu.Unlock()
			if b != nil {
				rescanAll(*b)
			}
		case <-tick:
			// Events already delivered go in first: the two halves of a
			// rename (old name, new name) must not land in two batches.
			events = w.drain(events, status)
			if b, ok := w.due(time.Now()); ok {
				launch(b)
			}
		}
	}
}

// waiting reports whether changes wait for a batch.
func (w *Watcher) waiting() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.pending) > 0
}

// drain files every event waiting in the channel (nil once it closed).
func (w *Watcher) drain(events <-chan fsnotify.Event, status func(Watching)) <-chan fsnotify.Event {
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			w.event(ev, status)
		default:
			return events
		}
	}
}

// poll switches to (or adds) the periodic rescan, saying why.
func (w *Watcher) poll(s Watching, status func(Watching)) {
	s.Every = w.o.PollEvery.Seconds()
	w.setStatus(s, status)
}

func (w *Watcher) setStatus(s Watching, status func(Watching)) {
	w.mu.Lock()
	w.status = s
	w.mu.Unlock()
	status(w.Status())
}

// rel is abs relative to the root, '/'-separated ("" for the root).
func (w *Watcher) rel(abs string) (string, bool) {
	r, err := filepath.Rel(w.o.Root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	if r == "." {
		return "", true
	}
	return filepath.ToSlash(r), true
}

// addTree watches dir and every folder below it. When found is set (a
// folder that appeared), the folder itself is queued: files created in it
// before its watch existed are found by the pipeline's walk.
func (w *Watcher) addTree(dir string, found bool, status func(Watching)) {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		rel, ok := w.rel(p)
		if !ok || rel != "" && w.o.Skip(rel, true) {
			return fs.SkipDir
		}
		if err := w.add(p); err != nil {
			w.limitHit(err, status)
			return fs.SkipAll
		}
		return nil
	})
	if found {
		if rel, ok := w.rel(dir); ok {
			w.queue(rel, time.Now())
		}
	}
}

func (w *Watcher) add(dir string) error {
	w.mu.Lock()
	if w.watched[dir] {
		w.mu.Unlock()
		return nil
	}
	if w.o.MaxWatches > 0 && len(w.watched) >= w.o.MaxWatches {
		w.mu.Unlock()
		return fmt.Errorf("watch %s: %w", dir, syscall.ENOSPC)
	}
	w.mu.Unlock()
	if err := w.fw.Add(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			return nil // gone already, or unreadable: the scan reports it
		}
		return err
	}
	w.mu.Lock()
	w.watched[dir] = true
	w.mu.Unlock()
	return nil
}

// limitHit: some folders cannot be watched. The watches made stay (their
// changes still arrive at once); the periodic rescan covers the rest.
func (w *Watcher) limitHit(err error, status func(Watching)) {
	if w.Status().Mode == ModePolling {
		return
	}
	reason := "not every folder can be watched: " + err.Error()
	if errors.Is(err, syscall.ENOSPC) {
		reason = "the system's limit on watched folders is reached"
		if n := maxUserWatches(); n > 0 {
			reason += fmt.Sprintf(" (fs.inotify.max_user_watches = %d)", n)
		}
	}
	w.poll(Watching{Mode: ModePolling, Reason: reason, Fix: limitFix(err)}, status)
}

// limitFix is the advice for a failed watch.
func limitFix(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return "raise the limit: sudo sysctl fs.inotify.max_user_watches=524288, and keep it with " +
			"echo fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/60-tagsight.conf"
	case errors.Is(err, syscall.EMFILE):
		return "raise the limit on open files (ulimit -n, or fs.inotify.max_user_instances on Linux)"
	}
	return ""
}

func maxUserWatches() int {
	b, err := os.ReadFile("/proc/sys/fs/inotify/max_user_watches")
	if err != nil {
		return 0
	}
	var n int
	fmt.Sscanf(strings.TrimSpace(string(b)), "%d", &n)
	return n
}

// event files one change.
func (w *Watcher) event(ev fsnotify.Event, status func(Watching)) {
	rel, ok := w.rel(ev.Name)
	if !ok || rel == "" {
		return
	}
	now := time.Now()
	switch {
	case ev.Has(fsnotify.Create):
		st, err := os.Lstat(ev.Name)
		if err == nil && st.IsDir() {
			if w.o.Skip(rel, true) {
				return
			}
			w.addTree(ev.Name, true, status)
			return
		}
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		w.forget(ev.Name) // a folder that went (or moved away) loses its watches
	case ev.Has(fsnotify.Write):
	default:
		return // Chmod: neither content nor name changed
	}
	if w.o.Skip(rel, false) {
		return
	}
	w.queue(rel, now)
}

// forget drops the watches of dir and below (the system drops a removed
// folder's own; a renamed one keeps its watch under its old name).
func (w *Watcher) forget(dir string) {
	w.mu.Lock()
	var gone []string
	for p := range w.watched {
		if p == dir || strings.HasPrefix(p, dir+string(filepath.Separator)) {
			gone = append(gone, p)
			delete(w.watched, p)
		}
	}
	w.mu.Unlock()
	for _, p := range gone {
		_ = w.fw.Remove(p)
	}
}

func (w *Watcher) queue(rel string, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		w.first = now
	}
	w.pending[rel] = now
	w.last = now
}

// due returns the batch to run now, if one is: events have been quiet for
// Quiet (or the oldest waited MaxDelay), leaving out files that changed
// less than Stable ago (they stay pending).
func (w *Watcher) due(now time.Time) (Batch, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 || now.Sub(w.last) < w.o.Quiet && now.Sub(w.first) < w.o.MaxDelay {
		return Batch{}, false
	}
	if now.Sub(w.last) < minGap && now.Sub(w.first) < 2*w.o.MaxDelay {
		// Mid-burst: an event's partner may be on its way. A stream that
		// never pauses still goes out in slices of 2×MaxDelay.
		return Batch{}, false
	}
	settling := func(rel string) bool {
		st, err := os.Lstat(filepath.Join(w.o.Root, filepath.FromSlash(rel)))
		// Modified less than Stable ago: still being written (a clock far
		// ahead is not waited for).
		return err == nil && st.Mode().IsRegular() && now.Sub(st.ModTime()) < w.o.Stable && st.ModTime().Before(now.Add(time.Minute))
	}
	if now.Sub(w.first) < w.o.MaxDelay {
		// A burst goes whole, once its last file has settled.
		for rel := range w.pending {
			if settling(rel) {
				return Batch{}, false
			}
		}
	}
	var b Batch
	for rel := range w.pending {
		if settling(rel) {
			continue // past MaxDelay: what has settled goes, the rest waits
		}
		b.Paths = append(b.Paths, rel)
		delete(w.pending, rel)
	}
	if len(w.pending) > 0 {
		w.first = now // what waits is checked again after the next quiet spell
	}
	if len(b.Paths) == 0 {
		return Batch{}, false
	}
	sort.Strings(b.Paths)
	return b, true
}
