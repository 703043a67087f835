package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// collector gathers batches and statuses from a running watcher.
type collector struct {
	mu      sync.Mutex
	batches []Batch
	at      []time.Time
	status  []Watching
	wake    chan struct{}
}

func (c *collector) batch(b Batch) {
	c.mu.Lock()
	c.batches = append(c.batches, b)
	c.at = append(c.at, time.Now())
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *collector) stat(s Watching) {
	c.mu.Lock()
	c.status = append(c.status, s)
	c.mu.Unlock()
}

// paths is every path seen so far, with how many batches named it.
func (c *collector) paths() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := map[string]int{}
	for _, b := range c.batches {
		for _, p := range b.Paths {
			m[p]++
		}
	}
	return m
}

// waitFor waits until cond holds over the batches (the test's deadline is
// the only clock: nothing here asserts how fast it came).
func (c *collector) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			c.mu.Lock()
			t.Fatalf("never saw %s; batches: %+v", what, c.batches)
		}
		select {
		case <-c.wake:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func start(t *testing.T, o Options) (*Watcher, *collector) {
	t.Helper()
	if o.Quiet == 0 {
		o.Quiet = 150 * time.Millisecond
	}
	if o.Stable == 0 {
		o.Stable = 300 * time.Millisecond
	}
	w, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{wake: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx, c.batch, c.stat)
	}()
	t.Cleanup(func() { cancel(); <-done })
	// Run has set its watches once Ready closes: wait for exactly that,
	// and fail (not carry on unwatched) if it never comes.
	select {
	case <-w.Ready():
	case <-time.After(30 * time.Second):
		t.Fatal("the watcher never set up its watches")
	}
	return w, c
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatchFollowsTheTree(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "old", "a.jpg"), "a")
	write(t, filepath.Join(root, "old", "deep", "b.jpg"), "b")
	write(t, filepath.Join(root, "gone.jpg"), "g")
	write(t, filepath.Join(root, ".tagsight", "db"), "x")
	write(t, filepath.Join(root, "skipme", "x.jpg"), "x")
	w, c := start(t, Options{Root: root, Skip: func(rel string, dir bool) bool {
		return rel == ".tagsight" || strings.HasPrefix(rel, ".tagsight/") || dir && rel == "skipme"
	}})
	if s := w.Status(); s.Mode != ModeEvents || s.Folders != 3 {
		t.Fatalf("status %+v: want events on root, old and old/deep only", s)
	}

	// A new folder with files written into it at once: the folder is
	// queued (its files may predate its watch); a file written later in
	// it arrives by its own event.
	write(t, filepath.Join(root, "new", "sub", "c.jpg"), "c")
	c.waitFor(t, "the new folder", func() bool { return c.paths()["new"] > 0 })
	write(t, filepath.Join(root, "new", "sub", "d.jpg"), "d")
	c.waitFor(t, "a file in the new folder", func() bool { return c.paths()["new/sub/d.jpg"] > 0 })

	// Renaming a folder names both sides; the renamed folder is watched
	// under its new name.
	if err := os.Rename(filepath.Join(root, "old"), filepath.Join(root, "renamed")); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "both sides of the rename", func() bool { p := c.paths(); return p["old"] > 0 && p["renamed"] > 0 })
	write(t, filepath.Join(root, "renamed", "deep", "e.jpg"), "e")
	c.waitFor(t, "a file in the renamed folder", func() bool { return c.paths()["renamed/deep/e.jpg"] > 0 })

	// Deletes and overwrites.
	os.Remove(filepath.Join(root, "gone.jpg"))
	write(t, filepath.Join(root, "new", "sub", "c.jpg"), "cc")
	c.waitFor(t, "the delete and the overwrite", func() bool { p := c.paths(); return p["gone.jpg"] > 0 && p["new/sub/c.jpg"] > 0 })

	// Skipped places never show up, even while other changes do.
	write(t, filepath.Join(root, ".tagsight", "db"), "y")
	write(t, filepath.Join(root, "skipme", "y.jpg"), "y")
	write(t, filepath.Join(root, "marker.jpg"), "m")
	c.waitFor(t, "the marker", func() bool { return c.paths()["marker.jpg"] > 0 })
	for p := range c.paths() {
		if strings.HasPrefix(p, ".tagsight") || strings.HasPrefix(p, "skipme") {
			t.Errorf("skipped path %q was batched", p)
		}
	}
	for _, b := range c.batches {
		if b.Rescan {
			t.Errorf("unexpected rescan %+v", b)
		}
	}
}

// A burst of files is a handful of batches, not one per file, and names
// every file exactly once.
func TestWatchBatchesABurst(t *testing.T) {
	root := t.TempDir()
	_, c := start(t, Options{Root: root, Quiet: 300 * time.Millisecond, MaxDelay: 10 * time.Second})
	const n = 2000
	for i := range n {
		write(t, filepath.Join(root, fmt.Sprintf("p%04d.jpg", i)), "x")
	}
	c.waitFor(t, "every file", func() bool { return len(c.paths()) == n })
	for p, k := range c.paths() {
		if k != 1 {
			t.Errorf("%s in %d batches", p, k)
		}
	}
	if len(c.batches) > 5 {
		t.Errorf("%d files came in %d batches; a burst should be a few", n, len(c.batches))
	}
}

// A file still being written waits until it stops changing.
func TestWatchWaitsForAFileToSettle(t *testing.T) {
	root := t.TempDir()
	_, c := start(t, Options{Root: root, Stable: 3 * time.Second, MaxDelay: 200 * time.Millisecond})
	p := filepath.Join(root, "copying.jpg")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	for range 30 { // ~3 s of a slow copy, pauses longer than Quiet
		f.Write([]byte(strings.Repeat("x", 1000)))
		time.Sleep(100 * time.Millisecond)
	}
	f.Close()
	st, _ := os.Stat(p)
	finished := st.ModTime()
	c.waitFor(t, "the copied file", func() bool { return c.paths()["copying.jpg"] > 0 })
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, b := range c.batches {
		if slices.Contains(b.Paths, "copying.jpg") {
			if c.at[i].Before(finished) {
				t.Fatalf("the file was batched at %v, before its last write at %v", c.at[i], finished)
			}
			return
		}
	}
}

// When the watch limit is hit, the watcher polls and says why and how to
// fix it; folders it did watch still send events.
func TestWatchFallsBackToPolling(t *testing.T) {
	root := t.TempDir()
	for i := range 10 {
		os.MkdirAll(filepath.Join(root, fmt.Sprintf("d%d", i)), 0o755)
	}
	w, c := start(t, Options{Root: root, MaxWatches: 3, PollEvery: 200 * time.Millisecond})
	s := w.Status()
	if s.Mode != ModePolling || !strings.Contains(s.Reason, "limit") || !strings.Contains(s.Fix, "max_user_watches") || s.Every != 0.2 {
		t.Fatalf("status %+v: want polling because of the limit, with the sysctl fix", s)
	}
	c.waitFor(t, "two rescans", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		n := 0
		for _, b := range c.batches {
			if b.Rescan && b.Why == "poll" {
				n++
			}
		}
		return n >= 2
	})
	write(t, filepath.Join(root, "top.jpg"), "t") // the root is watched
	c.waitFor(t, "an event from a watched folder", func() bool { return c.paths()["top.jpg"] > 0 })
}

func TestWatchModes(t *testing.T) {
	root := t.TempDir()
	w, c := start(t, Options{Root: root, Mode: "poll", PollEvery: 100 * time.Millisecond})
	if s := w.Status(); s.Mode != ModePolling || s.Folders != 0 || s.Reason == "" {
		t.Fatalf("poll mode status %+v", s)
	}
	c.waitFor(t, "a rescan", func() bool { c.mu.Lock(); defer c.mu.Unlock(); return len(c.batches) > 0 && c.batches[0].Rescan })

	w2, c2 := start(t, Options{Root: root, Mode: ModeOff})
	write(t, filepath.Join(root, "x.jpg"), "x")
	time.Sleep(500 * time.Millisecond) // nothing may come; there is nothing to wait for
	if s := w2.Status(); s.Mode != ModeOff || len(c2.paths()) != 0 {
		t.Fatalf("off: status %+v, batches %v", s, c2.batches)
	}
}

// A burst whose files settle at slightly different moments still goes as
// one batch: the batch waits for its last file rather than cutting the
// burst at the Stable boundary.
func TestWatchKeepsABurstWhole(t *testing.T) {
	root := t.TempDir()
	_, c := start(t, Options{Root: root, Quiet: 100 * time.Millisecond, Stable: 800 * time.Millisecond, MaxDelay: 20 * time.Second})
	for i := range 50 {
		write(t, filepath.Join(root, fmt.Sprintf("b%02d.jpg", i)), "x")
		time.Sleep(5 * time.Millisecond)
	}
	c.waitFor(t, "the burst", func() bool { return len(c.paths()) == 50 })
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.batches) != 1 {
		sizes := []int{}
		for _, b := range c.batches {
			sizes = append(sizes, len(b.Paths))
		}
		t.Errorf("a 50-file burst came in batches of %v, want one", sizes)
	}
}

// A batch handed back (its work failed) runs again by itself, with no new
// event: its paths as a batch, a rescan as a rescan.
func TestWatchRedo(t *testing.T) {
	root := t.TempDir()
	w, c := start(t, Options{Root: root})
	w.Redo(Batch{Paths: []string{"a/one.jpg", "two.jpg"}})
	c.waitFor(t, "the paths handed back", func() bool {
		p := c.paths()
		return p["a/one.jpg"] == 1 && p["two.jpg"] == 1
	})
	w.Redo(Batch{Rescan: true, Why: "overflow"})
	c.waitFor(t, "the rescan handed back", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, b := range c.batches {
			if b.Rescan && b.Why == "overflow" {
				return true
			}
		}
		return false
	})
}
