package main

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/watch"
	"github.com/tagsight/tagsight/backend/workspace"
)

// liveModel is the cheapest CLIP-layout model that really runs through
// ONNX Runtime: the committed 32 px "colour" test model (8-d vectors).
// What the watcher adds to a picture's way in is the same whichever model
// embeds it; the model only changes the index time beside it.
const liveModel = "models/testmodels/colour"

// liveRound is one batch size of the latency measurement.
type liveRound struct {
	n, repeats int
}

var liveRounds = []liveRound{{1, 15}, {100, 1}, {2000, 1}}

// liveSource makes the pictures copied into the libraries: 640×480
// photo-like JPEGs, each different (made once, reused between runs).
func liveSource(data string) (string, []string, error) {
	total := 2 // a warm-up picture for each library
	for _, r := range liveRounds {
		total += r.n * r.repeats
	}
	dir := filepath.Join(data, fmt.Sprintf("scan%d", total))
	if err := ensureScanFiles(dir, total); err != nil {
		return "", nil, err
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jpg") {
			files = append(files, p)
		}
		return err
	})
	sort.Strings(files)
	if err == nil && len(files) < total {
		err = fmt.Errorf("%s: %d pictures, want %d", dir, len(files), total)
	}
	return dir, files, err
}

// copyFile copies src to dst and returns when the copy is closed.
func copyFile(src, dst string) (time.Time, error) {
	in, err := os.Open(src)
	if err != nil {
		return time.Time{}, err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return time.Time{}, err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return time.Time{}, err
	}
	if err := out.Close(); err != nil {
		return time.Time{}, err
	}
	return time.Now(), nil
}

// liveTracker hears the workspace's Changed callback and remembers when
// each entry's vector was first in the in-memory search index.
type liveTracker struct {
	ws *workspace.Workspace

	mu         sync.Mutex
	searchable map[string]time.Time // library-relative path → first seen with a vector
	dispatch   []time.Time          // when each watcher batch started its work
	batches    []string             // what each batch was (paths, rescan)
	indexed    []time.Time          // when each batch's ws.Index returned
}

func (t *liveTracker) changed(c store.Changes) {
	now := time.Now()
	ctx := context.Background()
	idx, err := t.ws.Now().Search.Index(ctx)
	if err != nil {
		return
	}
	var have []int64
	for _, ids := range [][]int64{c.Vectors, c.Entries} {
		for _, id := range ids {
			if idx.Has(id) {
				have = append(have, id)
			}
		}
	}
	if len(have) == 0 {
		return
	}
	paths, err := t.ws.Lib.DB.EntryPaths(ctx, have)
	if err != nil {
		return
	}
	t.mu.Lock()
	for _, p := range paths {
		if _, ok := t.searchable[p]; !ok {
			t.searchable[p] = now
		}
	}
	t.mu.Unlock()
}

// wait returns when every path is searchable (or after limit).
func (t *liveTracker) wait(paths []string, limit time.Duration) (map[string]time.Time, error) {
	end := time.Now().Add(limit)
	for {
		t.mu.Lock()
		got := map[string]time.Time{}
		for _, p := range paths {
			if at, ok := t.searchable[p]; ok {
				got[p] = at
			}
		}
		t.mu.Unlock()
		if len(got) == len(paths) {
			return got, nil
		}
		if time.Now().After(end) {
			return got, fmt.Errorf("only %d of %d pictures searchable after %s", len(got), len(paths), limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// batchesSince describes the watcher batches from the i-th on.
func (t *liveTracker) batchesSince(i int) (n int, desc string, firstDispatch, lastIndexed time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if i >= len(t.dispatch) {
		return 0, "", time.Time{}, time.Time{}
	}
	if len(t.indexed) > 0 {
		lastIndexed = t.indexed[len(t.indexed)-1]
	}
	return len(t.dispatch) - i, strings.Join(t.batches[i:], ", "), t.dispatch[i], lastIndexed
}

func (t *liveTracker) nBatches() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.dispatch)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func openLiveLib(ctx context.Context, dir string) (*workspace.Workspace, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return workspace.Open(ctx, dir, true, workspace.ModelOptions{Model: liveModel, Precision: "fp32"}, true)
}

// roundDir is the folder of one round's pictures (made before watching
// starts, so no batch is about a new folder).
func roundDir(r liveRound, rep int) string { return fmt.Sprintf("n%04d-%02d", r.n, rep) }

// directIndex times ws.Index over the same batches without the watcher:
// the pictures are copied first, then indexed with ScanOptions.Only.
func directIndex(ctx context.Context, data string, files []string) (map[int][]float64, error) {
	ws, err := openLiveLib(ctx, filepath.Join(data, "live-direct"))
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	root := ws.Lib.Root
	if _, err := ws.Now().Search.Index(ctx); err != nil {
		return nil, err
	}
	// Warm-up: the model's sessions are created by the first index.
	if _, err := copyFile(files[0], filepath.Join(root, "warm.jpg")); err != nil {
		return nil, err
	}
	if _, _, err := ws.Index(ctx, library.ScanOptions{Only: []string{"warm.jpg"}}, true); err != nil {
		return nil, err
	}
	out := map[int][]float64{}
	next := 1
	for _, r := range liveRounds {
		for rep := 0; rep < r.repeats; rep++ {
			dir := roundDir(r, rep)
			if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
				return nil, err
			}
			var only []string
			for i := 0; i < r.n; i++ {
				src := files[next]
				next++
				rel := dir + "/" + filepath.Base(src)
				if _, err := copyFile(src, filepath.Join(root, filepath.FromSlash(rel))); err != nil {
					return nil, err
				}
				only = append(only, rel)
			}
			t0 := time.Now()
			res, emb, err := ws.Index(ctx, library.ScanOptions{Only: only}, true)
			d := time.Since(t0)
			if err != nil {
				return nil, err
			}
			if res.Added != r.n || emb == nil || emb.Embedded != r.n {
				return nil, fmt.Errorf("direct index of %d: added %d, embed %+v", r.n, res.Added, emb)
			}
			out[r.n] = append(out[r.n], ms(d))
		}
	}
	return out, nil
}

// liveLatency copies the same batches into a watched library and times
// each picture from its copy's close to its vector in the search index.
func liveLatency(ctx context.Context, data string, files []string) (lat map[int][]float64, notes []string, parts map[int][3]float64, start time.Duration, err error) {
	ws, err := openLiveLib(ctx, filepath.Join(data, "live-watched"))
	if err != nil {
		return nil, nil, nil, 0, err
	}
	defer ws.Close()
	root := ws.Lib.Root
	for _, r := range liveRounds {
		for rep := 0; rep < r.repeats; rep++ {
			if err := os.MkdirAll(filepath.Join(root, roundDir(r, rep)), 0o755); err != nil {
				return nil, nil, nil, 0, err
			}
		}
	}
	if _, err := ws.Now().Search.Index(ctx); err != nil { // loaded, as after the first search
		return nil, nil, nil, 0, err
	}
	t := &liveTracker{ws: ws, searchable: map[string]time.Time{}}
	ready := make(chan struct{})
	var once sync.Once
	t0 := time.Now()
	live, err := ws.Live(workspace.LiveOptions{
		Changed: t.changed,
		Run: func(ctx context.Context, b watch.Batch, work func(context.Context, library.Reporter) error) {
			t.mu.Lock()
			t.dispatch = append(t.dispatch, time.Now())
			if b.Rescan {
				t.batches = append(t.batches, "rescan ("+b.Why+")")
			} else {
				t.batches = append(t.batches, fmt.Sprint(len(b.Paths)))
			}
			t.mu.Unlock()
			work(ctx, nil)
		},
		Indexed: func(b watch.Batch, res library.ScanResult, err error) {
			t.mu.Lock()
			t.indexed = append(t.indexed, time.Now())
			t.mu.Unlock()
		},
		Status: func(s watch.Watching) {
			if s.Mode == watch.ModeEvents && s.Folders > 0 {
				once.Do(func() { close(ready) })
			}
		},
	})
	if err != nil {
		return nil, nil, nil, 0, err
	}
	defer live.Close()
	select {
	case <-ready:
	case <-time.After(time.Minute):
		return nil, nil, nil, 0, fmt.Errorf("watcher not ready: %+v", live.Status())
	}
	start = time.Since(t0)
	// Warm-up: the model's sessions are created by the first batch.
	if _, err := copyFile(files[0], filepath.Join(root, "warm.jpg")); err != nil {
		return nil, nil, nil, 0, err
	}
	if _, err := t.wait([]string{"warm.jpg"}, time.Minute); err != nil {
		return nil, nil, nil, 0, err
	}
	time.Sleep(500 * time.Millisecond)
	lat = map[int][]float64{}
	parts = map[int][3]float64{}
	next := 1
	for _, r := range liveRounds {
		var wait, index, follow []float64
		for rep := 0; rep < r.repeats; rep++ {
			dir := roundDir(r, rep)
			b0 := t.nBatches()
			written := map[string]time.Time{}
			var paths []string
			var lastWrite time.Time
			for i := 0; i < r.n; i++ {
				src := files[next]
				next++
				rel := dir + "/" + filepath.Base(src)
				at, err := copyFile(src, filepath.Join(root, filepath.FromSlash(rel)))
				if err != nil {
					return nil, nil, nil, 0, err
				}
				written[rel] = at
				paths = append(paths, rel)
				lastWrite = at
			}
			got, err := t.wait(paths, 10*time.Minute)
			if err != nil {
				return nil, nil, nil, 0, err
			}
			var lastSearchable time.Time
			for _, p := range paths {
				lat[r.n] = append(lat[r.n], ms(got[p].Sub(written[p])))
				if got[p].After(lastSearchable) {
					lastSearchable = got[p]
				}
			}
			nb, desc, firstDispatch, lastIndexed := t.batchesSince(b0)
			if nb > 0 {
				wait = append(wait, ms(firstDispatch.Sub(lastWrite)))
				index = append(index, ms(lastIndexed.Sub(firstDispatch)))
				follow = append(follow, ms(lastSearchable.Sub(lastIndexed)))
			}
			if r.repeats == 1 {
				notes = append(notes, fmt.Sprintf("%d pictures: copy took %.0f ms; %d watcher batch(es) of %s pictures",
					r.n, ms(lastWrite.Sub(written[paths[0]])), nb, desc))
			}
			time.Sleep(500 * time.Millisecond) // let the log settle between rounds
		}
		med := func(v []float64) float64 {
			if len(v) == 0 {
				return 0
			}
			p, _ := percentiles(append([]float64(nil), v...))
			return p
		}
		parts[r.n] = [3]float64{med(wait), med(index), med(follow)}
		notes = append(notes, fmt.Sprintf("%d: last copy closed → first batch starts %.0f ms; first batch start → last batch indexed %.0f ms; last batch indexed → last picture searchable %.0f ms (medians over %d run(s))",
			r.n, med(wait), med(index), med(follow), len(wait)))
	}
	return lat, notes, parts, start, nil
}

// ensureIdleLibrary makes a library of n tiny (16×16, each different)
// JPEGs in folders of 100 and indexes it once without the model (vectors
// play no part in the idle cost of watching; embedding 100 000 pictures
// takes minutes on a small machine).
func ensureIdleLibrary(ctx context.Context, data string, n int) (string, float64, error) {
	dir := filepath.Join(data, fmt.Sprintf("idle%d", n))
	stamp := dir + ".indexed"
	if _, err := os.Stat(stamp); err == nil {
		b, _ := os.ReadFile(stamp)
		var secs float64
		fmt.Sscanf(string(b), "%g", &secs)
		return dir, secs, nil
	}
	os.RemoveAll(dir)
	fmt.Fprintf(os.Stderr, "generating %d tiny pictures in %s…\n", n, dir)
	var buf bytes.Buffer
	for i := 0; i < n; i++ {
		if i%100 == 0 {
			if err := os.MkdirAll(filepath.Join(dir, fmt.Sprintf("d%04d", i/100)), 0o755); err != nil {
				return "", 0, err
			}
		}
		buf.Reset()
		if err := jpeg.Encode(&buf, photoLike(16, 16, int64(i)), &jpeg.Options{Quality: 80}); err != nil {
			return "", 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("d%04d", i/100), fmt.Sprintf("p%06d.jpg", i)), buf.Bytes(), 0o644); err != nil {
			return "", 0, err
		}
	}
	fmt.Fprintf(os.Stderr, "indexing %s (model off)…\n", dir)
	ws, err := workspace.Open(ctx, dir, true, workspace.ModelOptions{Model: liveModel, Precision: "fp32"}, true)
	if err != nil {
		return "", 0, err
	}
	defer ws.Close()
	t0 := time.Now()
	res, _, err := ws.Index(ctx, library.ScanOptions{}, false)
	if err != nil {
		return "", 0, err
	}
	secs := time.Since(t0).Seconds()
	if res.Indexed != n {
		return "", 0, fmt.Errorf("idle library: %d indexed, want %d (%+v)", res.Indexed, n, res)
	}
	return dir, secs, os.WriteFile(stamp, []byte(fmt.Sprintf("%g\n", secs)), 0o644)
}

// idleCPU measures this process's CPU over idle seconds with the library
// open, first without watching, then with Live running.
func idleCPU(ctx context.Context, rep *report, data string, n int, idle time.Duration) error {
	dir, indexSecs, err := ensureIdleLibrary(ctx, data, n)
	if err != nil {
		return err
	}
	ws, err := workspace.Open(ctx, dir, false, workspace.ModelOptions{Model: liveModel, Precision: "fp32"}, true)
	if err != nil {
		return err
	}
	defer ws.Close()
	runtime.GC()
	time.Sleep(2 * time.Second)
	c0 := cpuTime()
	time.Sleep(idle)
	base := cpuTime() - c0

	// The change log followed alone (watching off): what Live costs
	// besides the watcher.
	follower, err := ws.Live(workspace.LiveOptions{Watch: watch.Options{Mode: watch.ModeOff}})
	if err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	c0 = cpuTime()
	time.Sleep(idle)
	followOnly := cpuTime() - c0
	follower.Close()

	ready := make(chan watch.Watching, 1)
	var once sync.Once
	t0 := time.Now()
	live, err := ws.Live(workspace.LiveOptions{
		Status: func(s watch.Watching) {
			if s.Mode != "" {
				once.Do(func() { ready <- s })
			}
		},
	})
	if err != nil {
		return err
	}
	defer live.Close()
	var st watch.Watching
	select {
	case st = <-ready:
	case <-time.After(5 * time.Minute):
		return fmt.Errorf("watcher not ready: %+v", live.Status())
	}
	startDur := time.Since(t0)
	time.Sleep(2 * time.Second) // let the start's garbage be collected
	prof := filepath.Join(data, "live-idle.pprof")
	f, err := os.Create(prof)
	if err != nil {
		return err
	}
	c1 := cpuTime()
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	time.Sleep(idle)
	pprof.StopCPUProfile()
	watched := cpuTime() - c1
	f.Close()
	st = live.Status()

	perMin := func(d time.Duration) float64 { return ms(d) * float64(time.Minute) / float64(idle) }
	rep.line("## Idle CPU of watching a %d-picture library", n)
	rep.line("")
	rep.line("%d tiny JPEGs (16×16, each different) in %d folders of 100, indexed once with the model turned off (`ws.Index(ctx, opts, false)`: %.0f s here; vectors play no part in watching). The library open in this process (model loaded), then %s idle without watching, then `ws.Live` (default options) and %s idle; CPU of the whole process from getrusage (user+sys).",
		n, (n+99)/100, indexSecs, idle, idle)
	rep.line("")
	rep.line("| figure | value |")
	rep.line("|---|---|")
	rep.line("| watch mode, folders watched (`live.Status()`) | %s, %d |", st.Mode, st.Folders)
	rep.line("| starting the watcher (`ws.Live` → first status with every folder watched) | %.0f ms |", ms(startDur))
	rep.line("| idle CPU, library open, not watching | %.1f ms per minute |", perMin(base))
	rep.line("| idle CPU, library open, `ws.Live` with watching off (change log followed only: 1 read/s once quiet) | %.1f ms per minute |", perMin(followOnly))
	rep.line("| idle CPU, library open, `ws.Live` running (default options) | %.1f ms per minute |", perMin(watched))
	rep.line("| **difference, `ws.Live` − not watching** | **%.1f ms per minute (%.3f%% of one core)** |", perMin(watched-base), 100*float64(watched-base)/float64(idle))
	rep.line("| of which following the change log (watching off − not watching) | %.1f ms per minute |", perMin(followOnly-base))
	rep.line("| of which the watcher (`ws.Live` − watching off) | %.1f ms per minute |", perMin(watched-followOnly))
	rep.line("")
	rep.line("What dominates idle: nothing that scales with the library — with every folder watched, inotify delivers no events and nothing is walked. What is left: the follower's `ChangeSeq` query (one indexed SQLite read through cgo, once a second after 10 s without changes; 4 a second while changes come: %.1f ms per minute here) and the watcher itself (its tick runs only while changes wait, so idle it only blocks on inotify: %.1f ms per minute). Together %.3f%% of one core, whatever the library's size. The profile below has too few samples (10 ms each) to split them further; what it catches is mostly the SQLite query.",
		perMin(followOnly-base), perMin(watched-followOnly), 100*float64(watched-base)/float64(idle))
	rep.line("")
	top, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=12", prof).Output()
	if err == nil {
		rep.line("CPU profile of the watched idle spell (`go tool pprof -top`, %s):", prof)
		rep.line("")
		rep.line("```")
		for _, l := range strings.Split(strings.TrimSpace(string(top)), "\n") {
			if strings.HasPrefix(l, "File:") || strings.HasPrefix(l, "Build ID:") || strings.HasPrefix(l, "Type:") || strings.HasPrefix(l, "Time:") {
				continue
			}
			rep.line("%s", l)
		}
		rep.line("```")
		rep.line("")
	}
	return nil
}

func benchLive(ctx context.Context, rep *report, data string, idleFiles int, idle time.Duration) error {
	_, files, err := liveSource(data)
	if err != nil {
		return err
	}
	direct, err := directIndex(ctx, data, files)
	if err != nil {
		return err
	}
	lat, notes, parts, start, err := liveLatency(ctx, data, files)
	if err != nil {
		return err
	}
	quiet, stable := 400*time.Millisecond, time.Second // watch.Options defaults
	floor := ms(max(quiet, stable))                    // both clocks start at the copy

	rep.line("Model: `%s` — the committed 32 px \"colour\" CLIP test model (Immich layout, 8-d vectors, fp32, ONNX Runtime CPU provider): the cheapest model that really runs through ONNX Runtime, so the figures are the watcher's and the pipeline's, not a large model's inference. With ViT-B/32 the index column grows by its inference time per picture; the watcher's part does not change.", liveModel)
	rep.line("")
	rep.line("## From file written to searchable")
	rep.line("")
	rep.line("New 640×480 photo-like JPEGs (~40 KB, each different) copied one after another into a library watched by `ws.Live` (default `watch.Options`: Quiet 400 ms, Stable 1 s, MaxDelay 4 s; the change log followed every 250 ms; the search index loaded beforehand, as after a first search). *Written*: that file's copy closed. *Searchable*: the `Changed` callback finds the entry's vector in the in-memory index (`ws.Now().Search.Index(ctx)`, `Has`), so a search by meaning can return it. The watcher started in %.0f ms; one warm-up picture first (model sessions).", ms(start))
	rep.line("")
	rep.line("*Direct*: the same number of pictures, copied first, then `ws.Index(ctx, ScanOptions{Only: paths}, true)` timed alone, in a second library of the same process (no watcher): the ceiling the watcher cannot beat.")
	rep.line("")
	rep.line("| pictures per batch | runs | latency p50 ms | latency p95 ms | settle floor max(Quiet, Stable) ms | p50 / floor | direct `ws.Index` ms (median) | p50 / direct |")
	rep.line("|---|---|---|---|---|---|---|---|")
	for _, r := range liveRounds {
		p50, p95 := percentiles(append([]float64(nil), lat[r.n]...))
		d50, _ := percentiles(append([]float64(nil), direct[r.n]...))
		rep.line("| %d | %d | %.0f | %.0f | %.0f | %.2f | %.0f | %.1f |", r.n, r.repeats, p50, p95, floor, p50/floor, d50, p50/d50)
	}
	rep.line("")
	rep.line("Latency percentiles are over every picture of the batch size (for 1, over the %d runs). Where the time went:", liveRounds[0].repeats)
	rep.line("")
	for _, n := range notes {
		rep.line("- %s", n)
	}
	rep.line("")
	one := parts[1]
	big := liveRounds[len(liveRounds)-1].n
	b50, _ := percentiles(append([]float64(nil), lat[big]...))
	d50, _ := percentiles(append([]float64(nil), direct[big]...))
	rep.line("What dominates: for one picture, the watcher's settle wait (%.0f ms of the %.0f ms; index %.0f ms, follow %.0f ms). That wait is the deliberate floor: a batch goes out once events were quiet for Quiet (400 ms) and every file of the burst was last modified at least Stable (1 s) ago (a file still being copied is not analysed half-written); both clocks start at the copy, so the floor is max(Quiet, Stable) plus up to one 100 ms tick. From 100 pictures on, indexing takes over; with %d, the latency is the index time of the batch (p50 %.0f ms, direct index of all %d at once %.0f ms; a burst goes whole unless it lasts longer than MaxDelay, 4 s, in which case what settled goes first), the settle wait a fixed ~1 s before the first batch, and following the change log (poked after each batch) adds almost nothing.",
		one[0], func() float64 { p, _ := percentiles(append([]float64(nil), lat[1]...)); return p }(), one[1], one[2], big, b50, big, d50)
	rep.line("")
	return idleCPU(ctx, rep, data, idleFiles, idle)
}
