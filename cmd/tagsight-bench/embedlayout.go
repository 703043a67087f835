package main

import (
	"context"
	"fmt"
	"image"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/clip"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/ort"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/vectors"
	"github.com/tagsight/tagsight/backend/workspace"
)

// layoutRounds is how often each layout is measured; the rounds
// interleave the layouts, so that a burst of other work on the machine
// slows one round of several layouts rather than every round of one, and
// a layout's figure is its fastest round (other work only ever slows a
// round down).
const layoutRounds = 3

// layoutCandidates are the layouts tried on a machine of n cores: one
// session with n threads, n sessions of one thread, and one session of
// one thread run n times at once, each at batch 1, 8 and 16 (a
// static-batch model runs its own batch whatever the layout says).
func layoutCandidates(n int) []clip.Layout {
	var out []clip.Layout
	seen := map[clip.Layout]bool{}
	for _, shape := range []clip.Layout{{Sessions: 1, Threads: n, Runs: 1}, {Sessions: n, Threads: 1, Runs: n}, {Sessions: 1, Threads: 1, Runs: n}} {
		for _, b := range []int{1, 8, 16} {
			l := shape
			l.Batch = b
			if !seen[l] {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	return out
}

func layoutName(l clip.Layout) string {
	return fmt.Sprintf("%d session × %d thread, %d run, batch %d", l.Sessions, l.Threads, l.Runs, l.Batch)
}

// threadCPU is the calling thread's CPU time (lock the goroutine to its
// thread around the work measured).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type bareFigure struct{ ips, cpuMs []float64 }

// bareLayout embeds n random model inputs with layout l: l.Runs
// goroutines calling EmbedImages with l.Batch inputs each, after one
// warm-up call per run (so that every session has run once).
func bareLayout(ctx context.Context, spec *clip.ModelSpec, l clip.Layout, n int) (ips, cpuMs float64, err error) {
	eng := clip.NewEngine(spec, clip.EngineOptions{Precision: clip.PrecisionFP32, Provider: ort.ProviderCPU, Layout: l})
	defer eng.Close()
	per := spec.Preprocess.Len()
	r := rand.New(rand.NewSource(3))
	inputs := make([][]float32, l.Batch)
	for i := range inputs {
		inputs[i] = make([]float32, per)
		for j := range inputs[i] {
			inputs[i][j] = float32(r.NormFloat64())
		}
	}
	if err := eng.LoadVision(); err != nil {
		return 0, 0, err
	}
	calls := (n + l.Batch - 1) / l.Batch
	run := func(calls int) error {
		next := make(chan struct{}, calls)
		for i := 0; i < calls; i++ {
			next <- struct{}{}
		}
		close(next)
		var wg sync.WaitGroup
		errc := make(chan error, l.Runs)
		for w := 0; w < l.Runs; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range next {
					if _, err := eng.EmbedImages(ctx, inputs); err != nil {
						errc <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errc)
		return <-errc
	}
	if err := run(l.Runs); err != nil {
		return 0, 0, err
	}
	c0, t0 := cpuTime(), time.Now()
	if err := run(calls); err != nil {
		return 0, 0, err
	}
	imgs := float64(calls * l.Batch)
	return imgs / time.Since(t0).Seconds(), float64((cpuTime() - c0).Microseconds()) / 1000 / imgs, nil
}

// timedAnalyzer is the CLIP analyzer with the CPU time of its preprocessing
// (scale to the model's size, normalise: on the decode workers) counted.
type timedAnalyzer struct {
	*vectors.Analyzer
	cpu *atomic.Int64
}

func (a timedAnalyzer) Analyze(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c := threadCPU()
	defer func() { a.cpu.Add(int64(threadCPU() - c)) }()
	return a.Analyzer.Analyze(ctx, it, p)
}

type fullFigure struct {
	ips                    []float64
	decodeMs, preMs, infMs []float64 // CPU ms per picture
}

// fullLayout embeds every picture of the scanned library in db with
// layout l through the indexing pipeline (analysis.Backfill: decode
// workers → batches → writer, as `tagsight index` runs it), the vision
// sessions created first. The analysis is keyed to a model of its own, so
// every run embeds every picture. It returns pictures per second and CPU
// ms per picture: decoding (thread CPU of the pipeline's Decoder),
// preprocessing (of the analyzer's Analyze), and the rest of the process's
// CPU, which is inference (and the writer, small beside it).
func fullLayout(ctx context.Context, db *store.DB, root string, spec *clip.ModelSpec, key string, l clip.Layout, tag string) (ips, decMs, preMs, infMs float64, err error) {
	eng := clip.NewEngine(spec, clip.EngineOptions{Precision: clip.PrecisionFP32, Provider: ort.ProviderCPU, Layout: l})
	defer eng.Close()
	if err := eng.LoadVision(); err != nil {
		return 0, 0, 0, 0, err
	}
	sm, err := db.EnsureModel(ctx, key+"-"+tag, "bench "+tag, spec.EmbedDim)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	var dec, pre atomic.Int64
	a := timedAnalyzer{vectors.NewAnalyzer(sm, eng, spec.Preprocess, vectors.Options{
		MinShort: spec.Preprocess.MinShort(), Batch: eng.PreferredBatch(), InferWorkers: eng.Layout().Runs}), &pre}
	opts := analysis.Options{
		Analyzers: []analysis.Analyzer{a},
		Decode: func(ctx context.Context, src *media.Source, lim media.Limits, enough func(w, h int) bool) (*image.RGBA, media.Info, error) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			c := threadCPU()
			defer func() { dec.Add(int64(threadCPU() - c)) }()
			return src.DecodeOriented(ctx, lim, enough)
		},
	}
	runtime.GC()
	c0, t0 := cpuTime(), time.Now()
	res, err := analysis.Backfill(ctx, db, func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }, opts, nil)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	wall, cpu := time.Since(t0).Seconds(), float64((cpuTime()-c0).Microseconds())/1000
	st := res.Analyzers["clip"]
	if st == nil || st.Done == 0 || st.Failed > 0 {
		return 0, 0, 0, 0, fmt.Errorf("%s: embedded nothing or failed: %+v", tag, st)
	}
	n := float64(st.Done)
	d, p := float64(dec.Load())/1e6, float64(pre.Load())/1e6
	return n / wall, d / n, p / n, (cpu - d - p) / n, nil
}

// fastest is the index of the fastest round.
func fastest(ips []float64) int {
	b := 0
	for i, x := range ips {
		if x > ips[b] {
			b = i
		}
	}
	return b
}

// top is the fastest round's img/s.
func top(ips []float64) float64 { return ips[fastest(ips)] }

func rounds(xs []float64) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += " / "
		}
		s += fmt.Sprintf("%.1f", x)
	}
	return s
}

// benchEmbedLayout tries the session/thread/batch layouts on this
// machine's cores, bare (random inputs) and in the indexing pipeline over
// 12 MP JPEGs, and says which is best and whether clip.LayoutFor picks it.
func benchEmbedLayout(ctx context.Context, rep *report, data string, images, bareN int) error {
	m := benchModels(data)[1] // dynamic batch: every layout's batch runs
	if err := ensureBenchModel(m); err != nil {
		return err
	}
	spec, err := clip.LoadModelDir(m.dir)
	if err != nil {
		return err
	}
	key, err := vectors.ModelKey(m.dir)
	if err != nil {
		return err
	}
	if _, err := ort.FindAndInit(""); err != nil {
		return err
	}
	set := filepath.Join(data, fmt.Sprintf("12mp-x%d", images))
	if err := ensure12MPSet(set, images); err != nil {
		return err
	}
	// The library over the set, scanned (entries, metadata, thumbnails)
	// with no CLIP model: each full run adds only the embedding.
	if err := os.RemoveAll(filepath.Join(set, library.DataDirName)); err != nil {
		return err
	}
	empty := filepath.Join(data, "no-models")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		return err
	}
	ws, err := workspace.Open(ctx, set, true, workspace.ModelOptions{ModelsDir: empty, Provider: ort.ProviderCPU}, false)
	if err != nil {
		return err
	}
	defer ws.Close()
	if ws.Now().Model != nil {
		return fmt.Errorf("embedlayout: a CLIP model loaded into the scan; it must stay out")
	}
	if err := ws.SetFacesOn(ctx, false); err != nil {
		return err
	}
	if _, _, err := ws.Index(ctx, library.ScanOptions{}, false); err != nil {
		return err
	}

	cores := runtime.NumCPU()
	chosen := clip.LayoutFor(cores)
	cands := layoutCandidates(cores)
	if indexOf(cands, chosen) < 0 {
		cands = append(cands, chosen)
	}
	bare := make([]bareFigure, len(cands))
	for r := 0; r < layoutRounds; r++ {
		for i, l := range cands {
			fmt.Fprintf(os.Stderr, "bare round %d: %s…\n", r+1, layoutName(l))
			ips, cpu, err := bareLayout(ctx, spec, l, bareN)
			if err != nil {
				return fmt.Errorf("%s: %w", layoutName(l), err)
			}
			bare[i].ips, bare[i].cpuMs = append(bare[i].ips, ips), append(bare[i].cpuMs, cpu)
		}
	}
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return top(bare[order[a]].ips) > top(bare[order[b]].ips) })
	bareBest := order[0]

	// The pipeline runs the four best bare layouts and the default.
	var full []int
	hasDefault := false
	for _, i := range order[:min(4, len(order))] {
		full = append(full, i)
		hasDefault = hasDefault || cands[i] == chosen
	}
	if !hasDefault {
		for i, l := range cands {
			if l == chosen {
				full = append(full, i)
			}
		}
	}
	figs := map[int]*fullFigure{}
	for r := 0; r < layoutRounds; r++ {
		for _, i := range full {
			fmt.Fprintf(os.Stderr, "pipeline round %d: %s…\n", r+1, layoutName(cands[i]))
			ips, d, p, inf, err := fullLayout(ctx, ws.Lib.DB, set, spec, key, cands[i], fmt.Sprintf("r%d-%d", r, i))
			if err != nil {
				return err
			}
			f := figs[i]
			if f == nil {
				f = &fullFigure{}
				figs[i] = f
			}
			f.ips, f.decodeMs, f.preMs, f.infMs = append(f.ips, ips), append(f.decodeMs, d), append(f.preMs, p), append(f.infMs, inf)
		}
	}
	sort.SliceStable(full, func(a, b int) bool { return top(figs[full[a]].ips) > top(figs[full[b]].ips) })
	fullBest := full[0]

	rep.line("Model: ViT-B/32 architecture, random weights, fp32, dynamic batch, CPU provider, spinning off. %d cores seen (`runtime.NumCPU`).", cores)
	rep.line("Each layout is measured %d times, the rounds interleaving the layouts; a layout's figures are those of its fastest round (other work on the machine only slows a round down), all rounds' img/s beside them.", layoutRounds)
	rep.line("")
	rep.line("### Bare inference (%d random inputs, no decoding)", bareN)
	rep.line("")
	rep.line("| layout | img/s | rounds | CPU ms/img |")
	rep.line("|---|---|---|---|")
	for _, i := range order {
		f := fastest(bare[i].ips)
		rep.line("| %s | %.1f | %s | %.1f |", layoutName(cands[i]), bare[i].ips[f], rounds(bare[i].ips), bare[i].cpuMs[f])
	}
	rep.line("")
	rep.line("### Indexing pipeline (%d × 12 MP JPEG, decode + preprocess + infer + write)", images)
	rep.line("")
	rep.line("`analysis.Backfill` with the CLIP analyzer alone over the scanned set, %d decode workers, the layout's runs as inference workers, sessions created before the clock starts. CPU ms per picture: *decode* is the thread CPU of the pipeline's decoder (libjpeg-turbo, DCT-scaled), *preprocess* of the analyzer's Analyze (scale, crop, normalise), *inference* the rest of the process's CPU (the writer is in it, small).", cores)
	rep.line("")
	rep.line("| layout | img/s | rounds | decode CPU ms | preprocess CPU ms | inference CPU ms | full / best bare |")
	rep.line("|---|---|---|---|---|---|---|")
	for _, i := range full {
		f := figs[i]
		mark := ""
		if cands[i] == chosen {
			mark = " (LayoutFor)"
		}
		k := fastest(f.ips)
		rep.line("| %s%s | %.1f | %s | %.1f | %.1f | %.1f | %.2f |", layoutName(cands[i]), mark, f.ips[k], rounds(f.ips),
			f.decodeMs[k], f.preMs[k], f.infMs[k], f.ips[k]/top(bare[bareBest].ips))
	}
	rep.line("")
	rep.line("Best bare: **%s**, %.1f img/s. Best in the pipeline: **%s**, %.1f img/s (%.2f× the best bare figure, same run).",
		layoutName(cands[bareBest]), top(bare[bareBest].ips), layoutName(cands[fullBest]), top(figs[fullBest].ips),
		top(figs[fullBest].ips)/top(bare[bareBest].ips))
	verdict := "the same layout"
	if cands[fullBest] != chosen {
		verdict = fmt.Sprintf("**not** the best here (%.1f img/s, %.2f× the best pipeline figure)", top(figs[indexOf(cands, chosen)].ips), top(figs[indexOf(cands, chosen)].ips)/top(figs[fullBest].ips))
	}
	rep.line("`clip.LayoutFor(%d)` = %s: %s.", cores, layoutName(chosen), verdict)
	rep.line("")
	return nil
}

func indexOf(ls []clip.Layout, l clip.Layout) int {
	for i, x := range ls {
		if x == l {
			return i
		}
	}
	return -1
}
