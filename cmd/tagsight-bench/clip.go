package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tagsight/tagsight/backend/clip"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/ort"
	"github.com/tagsight/tagsight/backend/store"
)

// benchModel is a ViT-B/32-architecture model with random weights: the
// same compute as the published one, generated because nothing can be
// downloaded here.
type benchModel struct {
	label, dir string
	dynamic    bool
}

// benchModels are the generated bench models under data: the static one
// first.
func benchModels(data string) []benchModel {
	return []benchModel{
		{"ViT-B/32, static batch 1 (as Immich publishes)", filepath.Join(data, "vitb32"), false},
		{"ViT-B/32, dynamic batch", filepath.Join(data, "vitb32d"), true},
	}
}

// ensureBenchModels makes the first n (0: all) bench models that are
// missing.
func ensureBenchModels(data string, n int) ([]benchModel, error) {
	ms := benchModels(data)
	if n > 0 && n < len(ms) {
		ms = ms[:n]
	}
	for _, m := range ms {
		if err := ensureBenchModel(m); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

// ensureBenchModel makes m unless it is there.
func ensureBenchModel(m benchModel) error {
	if _, err := os.Stat(filepath.Join(m.dir, "textual", "model.onnx")); err == nil {
		return nil
	}
	args := []string{"models/make_test_models.py", m.dir, "--arch", "vitb32", "--random"}
	if m.dynamic {
		args = append(args, "--dynamic-batch")
	}
	fmt.Fprintf(os.Stderr, "generating %s (about a minute)…\n", m.dir)
	cmd := exec.Command("/usr/bin/python3", args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("make %s: %w", m.dir, err)
	}
	return nil
}

func ensure12MPSet(dir string, n int) error {
	return ensureJPEGSet(dir, n, "", "p", 100, photoLike)
}

// ensureJPEGSet writes n 4000×3000 JPEGs (quality 90) drawn by gen into dir,
// once: a stamp file marks a complete set.
func ensureJPEGSet(dir string, n int, what, prefix string, seed int64, gen func(w, h int, seed int64) *image.RGBA) error {
	stamp := filepath.Join(dir, ".complete")
	if _, err := os.Stat(stamp); err == nil {
		return nil
	}
	fmt.Fprintf(os.Stderr, "generating %d 12 MP JPEGs %sin %s…\n", n, what, dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errc := make(chan error, n)
	sem := make(chan struct{}, runtime.NumCPU())
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, gen(4000, 3000, seed+int64(i)), &jpeg.Options{Quality: 90}); err != nil {
				errc <- err
				return
			}
			errc <- os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s%03d.jpg", prefix, i)), buf.Bytes(), 0o644)
		}(i)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			return err
		}
	}
	return os.WriteFile(stamp, nil, 0o644)
}

// rawInference runs n preprocessed inputs through the vision tower the way
// the indexing pipeline does (one call per core, each single-threaded) and
// returns CPU ms per image and images per second.
func rawInference(ctx context.Context, eng *clip.Engine, n, batch, workers int) (cpuMs, ips float64, err error) {
	per := eng.Spec().Preprocess.Len()
	r := rand.New(rand.NewSource(3))
	inputs := make([][]float32, batch)
	for i := range inputs {
		inputs[i] = make([]float32, per)
		for j := range inputs[i] {
			inputs[i][j] = float32(r.NormFloat64())
		}
	}
	if _, err := eng.EmbedImages(ctx, inputs[:1]); err != nil { // load + warm up
		return 0, 0, err
	}
	calls := (n + batch - 1) / batch
	next := make(chan struct{}, calls)
	for i := 0; i < calls; i++ {
		next <- struct{}{}
	}
	close(next)
	c0, t0 := cpuTime(), time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				if _, e := eng.EmbedImages(ctx, inputs); e != nil {
					mu.Lock()
					err = e
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	imgs := float64(calls * batch)
	return float64((cpuTime() - c0).Microseconds()) / 1000 / imgs, imgs / time.Since(t0).Seconds(), err
}

func textLatency(ctx context.Context, eng *clip.Engine, n int) (p50, p95 float64, err error) {
	words := []string{"dog on a beach at sunset", "red car", "birthday cake with candles", "snowy mountains",
		"a cat sleeping on a sofa", "city skyline at night", "children playing football", "bowl of ramen"}
	if _, err := eng.EmbedTexts(ctx, []string{"warm up"}); err != nil {
		return 0, 0, err
	}
	var ms []float64
	for i := 0; i < n; i++ {
		t := time.Now()
		if _, err := eng.EmbedTexts(ctx, []string{fmt.Sprintf("%s %d", words[i%len(words)], i)}); err != nil {
			return 0, 0, err
		}
		ms = append(ms, float64(time.Since(t).Microseconds())/1000)
	}
	sort.Float64s(ms)
	return ms[len(ms)/2], ms[len(ms)*95/100], nil
}

type cliIndexOut struct {
	Embedding struct {
		Embedded int
		Seconds  float64
	}
}

// endToEnd indexes the 12 MP set through the real CLI binary: first the
// scan alone, then the embedding, whose throughput and the process's
// peak RSS are returned.
func endToEnd(cli, lib, model, precision string) (ips, cpuMsPerImg float64, rssMB float64, err error) {
	os.RemoveAll(filepath.Join(lib, ".tagsight"))
	if out, err := exec.Command(cli, "index", lib, "--no-embed").CombinedOutput(); err != nil {
		return 0, 0, 0, fmt.Errorf("scan: %v: %s", err, out)
	}
	cmd := exec.Command(cli, "index", lib, "--model", model, "--precision", precision, "--json")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, fmt.Errorf("embed: %w", err)
	}
	// ru_maxrss of a child counts the parent's pages it shared before exec,
	// so read the child's own high-water mark while it runs.
	var hwm float64
	stop := make(chan struct{})
	go func() {
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			b, err := os.ReadFile(status)
			if err != nil {
				continue
			}
			var kb float64
			for _, l := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(l, "VmHWM:") {
					fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")), "%f", &kb)
				}
			}
			if kb/1024 > hwm {
				hwm = kb / 1024
			}
		}
	}()
	err = cmd.Wait()
	close(stop)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("embed: %w", err)
	}
	var res cliIndexOut
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return 0, 0, 0, err
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
	n := float64(res.Embedding.Embedded)
	return n / res.Embedding.Seconds, cpu / n, hwm, nil
}

func benchCLIP(ctx context.Context, rep *report, data string, images int) error {
	models, err := ensureBenchModels(data, 0)
	if err != nil {
		return err
	}
	set := filepath.Join(data, fmt.Sprintf("12mp-x%d", images))
	if err := ensure12MPSet(set, images); err != nil {
		return err
	}
	cli := filepath.Join(data, "tagsight")
	if out, err := exec.Command("go", "build", "-tags", store.BuildTags, "-o", cli, "./cmd/tagsight").CombinedOutput(); err != nil {
		return fmt.Errorf("build cli: %v: %s", err, out)
	}
	if _, err := ort.FindAndInit(""); err != nil {
		return err
	}
	cores := runtime.NumCPU()

	// Decode + preprocess, single thread.
	spec, err := clip.LoadModelDir(models[0].dir)
	if err != nil {
		return err
	}
	big := filepath.Join(set, "p000.jpg")
	decWall, decCPU := measure(15, func() error {
		img, _, err := media.DecodeScaled(ctx, big, spec.Preprocess.MinShort(), media.DefaultLimits())
		if err != nil {
			return err
		}
		_, err = spec.Preprocess.Preprocess(img)
		return err
	})

	rep.line("## CLIP: %s", "ViT-B/32 architecture, random weights, fp32, CPU provider")
	rep.line("")
	rep.line("Inference runs as the indexing pipeline runs it: %d concurrent calls, one intra-op thread each.", cores)
	rep.line("Decode + preprocess of one 12 MP JPEG (libjpeg-turbo DCT scaling to ≥224, Catmull-Rom, centre crop, normalise): **%.1f CPU ms** (%.1f ms wall).", decCPU, decWall)
	rep.line("")
	rep.line("| model | precision | batch | raw inference CPU ms/img | raw img/s | end-to-end img/s (%d × 12 MP JPEG, real CLI) | ceiling img/s | ratio | text query p50 / p95 ms | peak RSS MB |", images)
	rep.line("|---|---|---|---|---|---|---|---|---|---|")
	var q8 []string
	for _, m := range models {
		spec, err := clip.LoadModelDir(m.dir)
		if err != nil {
			return err
		}
		qr, err := clip.Quantize(ctx, spec)
		if err != nil {
			return err
		}
		q8 = append(q8, fmt.Sprintf("%s: vision %.0f MB, min cosine %.4f; text %.0f MB, min cosine %.4f; used: %v",
			m.label, qr.VisualMB, qr.VisualCosine, qr.TextualMB, qr.TextualCosine, qr.OK))
		for _, prec := range []string{clip.PrecisionFP32, clip.PrecisionInt8} {
			eng := clip.NewEngine(spec, clip.EngineOptions{Precision: prec})
			batch := eng.PreferredBatch()
			infCPU, infIPS, err := rawInference(ctx, eng, 64, batch, cores)
			if err != nil {
				return err
			}
			p50, p95, err := textLatency(ctx, eng, 40)
			if err != nil {
				return err
			}
			eng.Close()
			e2e, _, rss, err := endToEnd(cli, set, m.dir, prec)
			if err != nil {
				return err
			}
			ceiling := float64(cores) * 1000 / (infCPU + decCPU)
			rep.line("| %s | %s | %d | %.1f | %.1f | %.2f | %.2f | %.2f | %.0f / %.0f | %.0f |", m.label, prec, batch, infCPU, infIPS, e2e, ceiling, e2e/ceiling, p50, p95, rss)
		}
	}
	rep.line("")
	rep.line("### Why one intra-op thread per call (static fp32 model, raw inference)")
	rep.line("")
	rep.line("| concurrent calls × intra-op threads | img/s | CPU ms/img | text query p50 / p95 ms |")
	rep.line("|---|---|---|---|")
	spec0, err := clip.LoadModelDir(models[0].dir)
	if err != nil {
		return err
	}
	for _, c := range [][2]int{{cores, 1}, {1, cores}, {cores, cores}, {1, 1}} {
		eng := clip.NewEngine(spec0, clip.EngineOptions{Precision: clip.PrecisionFP32, Layout: clip.Layout{Threads: c[1]}})
		cpu, ips, err := rawInference(ctx, eng, 48, 1, c[0])
		if err != nil {
			return err
		}
		p50, p95, err := textLatency(ctx, eng, 30)
		if err != nil {
			return err
		}
		eng.Close()
		rep.line("| %d × %d | %.1f | %.1f | %.0f / %.0f |", c[0], c[1], ips, cpu, p50, p95)
	}
	rep.line("")
	rep.line("The pipeline uses %d × 1 for pictures (throughput) and one call × %d threads for a text query (latency); spinning is off in both.", cores, cores)
	rep.line("")
	rep.line("int8 variants made by `tagsight models quantize` (7-bit weights, DynamicQuantizeMatMul); check on 8 synthetic images and 12 texts:")
	rep.line("")
	for _, l := range q8 {
		rep.line("- %s", l)
	}
	rep.line("")
	rep.line("Ceiling = cores × 1000 / (inference CPU ms + decode CPU ms). End-to-end = the embedding phase of `tagsight index LIB --model DIR` after a `--no-embed` scan; peak RSS is that process's.")
	rep.line("")
	return nil
}
