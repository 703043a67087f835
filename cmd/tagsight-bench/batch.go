package main

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/watch"
	"github.com/tagsight/tagsight/backend/workspace"
)

// batchSizes are the libraries the one-file watcher delay is measured in.
var batchSizes = []int{1000, 100000}

// batchRepeats is how many single pictures each library's watcher sees.
const batchRepeats = 11

// fillBatchLibrary gives a fresh library n generated entries (rows only, no
// files) as a scanned library has them: in folders of 100, every 50th
// missing, each with its metadata, thumbnail and CLIP analysis rows and an
// 8-d vector for the model, in transactions of 10 000.
func fillBatchLibrary(ctx context.Context, ws *workspace.Workspace, n int) error {
	m := ws.Now().StoreModel
	r := rand.New(rand.NewSource(int64(n)))
	now := time.Now().Unix()
	for lo := 0; lo < n; lo += 10000 {
		err := ws.Lib.DB.Tx(ctx, func(tx *store.Tx) error {
			for i := lo; i < min(n, lo+10000); i++ {
				e := store.Entry{Path: fmt.Sprintf("gen/d%04d/p%06d.jpg", i/100, i), Size: int64(20000 + i), MtimeNs: 1,
					Fingerprint: fmt.Sprintf("gen%016x", r.Uint64()), MediaType: "image", Format: "jpeg", Mime: "image/jpeg",
					Width: 640, Height: 480, Orientation: 1, Thumb: fmt.Sprintf("gen/%06d-256.jpg", i), AddedAt: now, UpdatedAt: now}
				if err := store.InsertEntry(ctx, tx, &e); err != nil {
					return err
				}
				for _, a := range [][2]string{{"metadata", "m1"}, {"thumbnail", "t1:256"}, {"clip", "c1:" + m.Key}} {
					if err := store.PutAnalysis(ctx, tx, store.AnalysisRow{EntryID: e.ID, Analyzer: a[0], Fingerprint: e.Fingerprint,
						Version: a[1], State: store.AnalysisDone, UpdatedAt: now}); err != nil {
						return err
					}
				}
				v := make([]float32, m.Dim)
				for j := range v {
					v[j] = r.Float32() - 0.5
				}
				if err := store.PutVector(ctx, tx, m, e.ID, v); err != nil {
					return err
				}
				if i%50 == 0 {
					if err := store.SetMissing(ctx, tx, []int64{e.ID}, true); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("fill library: %w", err)
		}
	}
	return ws.Lib.DB.PruneChanges(ctx)
}

// batchRun is one library's measurement.
type batchRun struct {
	n               int
	fill            time.Duration
	delay, index    []float64 // ms: written → committed; batch start → committed
	direct          []float64 // ms: ws.Index of one file, no watcher
	seconds, cpuSec float64
}

// batchDelay measures, in a fresh library of n generated entries watched by
// ws.Live (default watch options), the delay from one new picture's copy
// closing to its watcher batch having committed its entry, batchRepeats
// times; then times ws.Index of one new picture alone.
func batchDelay(ctx context.Context, data string, n int, pics [][]byte, prof string) (batchRun, error) {
	run := batchRun{n: n}
	ws, err := openLiveLib(ctx, filepath.Join(data, fmt.Sprintf("batch%d", n)))
	if err != nil {
		return run, err
	}
	defer ws.Close()
	t0 := time.Now()
	if err := fillBatchLibrary(ctx, ws, n); err != nil {
		return run, err
	}
	run.fill = time.Since(t0)
	root := ws.Lib.Root
	for _, d := range []string{"watched", "direct"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return run, err
		}
	}
	if _, err := ws.Now().Search.Index(ctx); err != nil { // loaded, as after the first search
		return run, err
	}
	type done struct {
		paths      []string
		start, end time.Time
		err        error
	}
	batches := make(chan done, 16)
	var started time.Time
	live, err := ws.Live(workspace.LiveOptions{
		Run: func(ctx context.Context, b watch.Batch, work func(context.Context, library.Reporter) error) {
			started = time.Now()
			work(ctx, nil)
		},
		Indexed: func(b watch.Batch, res library.ScanResult, err error) {
			batches <- done{paths: b.Paths, start: started, end: time.Now(), err: err}
		},
	})
	if err != nil {
		return run, err
	}
	defer live.Close()
	await := func(rel string) (done, error) {
		limit := time.After(time.Minute)
		for {
			select {
			case d := <-batches:
				if d.err != nil {
					return d, d.err
				}
				for _, p := range d.paths {
					if p == rel {
						return d, nil
					}
				}
			case <-limit:
				return done{}, fmt.Errorf("%s: no batch within a minute", rel)
			}
		}
	}
	write := func(rel string, pic []byte) (time.Time, error) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.WriteFile(p, pic, 0o644); err != nil {
			return time.Time{}, err
		}
		return time.Now(), nil
	}
	var pf *os.File
	c0, w0 := cpuTime(), time.Now()
	for i := 0; i <= batchRepeats; i++ {
		if i == 1 && prof != "" { // the first picture warms the model up
			if pf, err = os.Create(prof); err != nil {
				return run, err
			}
			if err := pprof.StartCPUProfile(pf); err != nil {
				return run, err
			}
			c0, w0 = cpuTime(), time.Now()
		}
		rel := fmt.Sprintf("watched/new%02d.jpg", i)
		at, err := write(rel, pics[i])
		if err != nil {
			return run, err
		}
		d, err := await(rel)
		if err != nil {
			return run, err
		}
		if e, err := ws.Lib.DB.EntryByPath(ctx, rel); err != nil || e.Missing {
			return run, fmt.Errorf("%s not committed after its batch: %v", rel, err)
		}
		if i > 0 {
			run.delay = append(run.delay, ms(d.end.Sub(at)))
			run.index = append(run.index, ms(d.end.Sub(d.start)))
		}
	}
	if pf != nil {
		pprof.StopCPUProfile()
		pf.Close()
	}
	run.seconds, run.cpuSec = time.Since(w0).Seconds(), (cpuTime() - c0).Seconds()
	live.Close()
	for i := 0; i < batchRepeats; i++ {
		rel := fmt.Sprintf("direct/new%02d.jpg", i)
		if _, err := write(rel, pics[batchRepeats+1+i]); err != nil {
			return run, err
		}
		t := time.Now()
		res, _, err := ws.Index(ctx, library.ScanOptions{Only: []string{rel}}, true)
		if err != nil {
			return run, err
		}
		if res.Added != 1 {
			return run, fmt.Errorf("direct index of %s: %+v", rel, res)
		}
		run.direct = append(run.direct, ms(time.Since(t)))
	}
	return run, nil
}

func benchBatch(ctx context.Context, rep *report, data string) error {
	var pics [][]byte
	for i := 0; i < 2*batchRepeats+1; i++ {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, photoLike(640, 480, int64(9000+i)), &jpeg.Options{Quality: 85}); err != nil {
			return err
		}
		pics = append(pics, b.Bytes())
	}
	var runs []batchRun
	prof := filepath.Join(data, "batch-100k.pprof")
	for _, n := range batchSizes {
		p := ""
		if n == batchSizes[len(batchSizes)-1] {
			p = prof
		}
		fmt.Fprintf(os.Stderr, "batch: library of %d entries…\n", n)
		r, err := batchDelay(ctx, data, n, pics, p)
		if err != nil {
			return fmt.Errorf("batch %d: %w", n, err)
		}
		runs = append(runs, r)
	}
	med := func(v []float64) float64 { p, _ := percentiles(append([]float64(nil), v...)); return p }
	p95 := func(v []float64) float64 { _, p := percentiles(append([]float64(nil), v...)); return p }
	rep.line("Model: `%s` (8-d vectors, fp32, ONNX Runtime CPU provider), as in live.md: the figures are the watcher's and the scan's, not a large model's.", liveModel)
	rep.line("")
	rep.line("## One new picture in a watched library of 1k and of 100k entries")
	rep.line("")
	rep.line("Each library is made fresh: its entries are generated rows written through `store` in transactions of 10 000 (paths in folders of 100, every 50th missing, metadata, thumbnail and CLIP analysis rows and an 8-d vector each, as a scanned library has them; no files). `ws.Live` (default `watch.Options`: Quiet 400 ms, Stable 1 s) then sees %d new 640×480 JPEGs written one at a time into `watched/`, each after the previous one's batch committed; the first warms the model up and is left out. *Delay*: that picture's `os.WriteFile` returned → the `Indexed` callback of the batch holding it (its entry, analyses and vector committed; checked with `EntryByPath`). *Batch*: the batch's work started → `Indexed`. *Direct*: `ws.Index(ctx, ScanOptions{Only: [one new file]}, true)` timed alone in the same library with the watcher closed, %d times. Both sizes in this one run.", batchRepeats+1, batchRepeats)
	rep.line("")
	rep.line("| entries | generating them s | delay p50 ms | delay p95 ms | batch p50 ms | batch p95 ms | direct `ws.Index` p50 ms | CPU s over the %d watched pictures |", batchRepeats)
	rep.line("|---|---|---|---|---|---|---|---|")
	for _, r := range runs {
		rep.line("| %d | %.1f | %.0f | %.0f | %.1f | %.1f | %.1f | %.2f (of %.1f s wall) |", r.n, r.fill.Seconds(), med(r.delay), p95(r.delay),
			med(r.index), p95(r.index), med(r.direct), r.cpuSec, r.seconds)
	}
	rep.line("")
	a, b := runs[0], runs[len(runs)-1]
	rep.line("Growth from %d to %d entries (×%d), p50 to p50: **delay %.3f×**, batch work %.2f×, direct index %.2f× (goal: delay within 1.2×).",
		a.n, b.n, b.n/a.n, med(b.delay)/med(a.delay), med(b.index)/med(a.index), med(b.direct)/med(a.direct))
	rep.line("")
	rep.line("The delay is the watcher's settle wait (a batch goes once the file was last modified Stable = 1 s ago) plus the batch's work. The batch's scan reads only what its paths hold: the entry rows at or under each path through the path index (`store.ScanIndexUnder`), their analysis rows by key (`AnalysisFor`), the scan errors under the paths, the missing entries with a new file's content through `entries_fingerprint` (`MissingByContent`), and counts the missing entries through the partial index `entries_missing` (`CountMissing`, migration 10); `TestBatchScanReadsItsBatch` holds a one-file batch in a 5 000-entry library under 50 rows read. Before this change the batch read every entry and analysis row (`ScanIndex`, `AnalysisIndex`) and counted every entry.")
	rep.line("")
	top, err := exec.Command("go", "tool", "pprof", "-top", "-cum", "-nodecount=25", prof).Output()
	if err == nil {
		rep.line("CPU profile of the %d watched pictures in the %d-entry library (`go tool pprof -top -cum`, %s), what is left to each batch:", batchRepeats, b.n, prof)
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
