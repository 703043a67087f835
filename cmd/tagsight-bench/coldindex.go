package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/tagsight/tagsight/backend/clip"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/ort"
	"github.com/tagsight/tagsight/backend/store"
)

// coldIndexCommand is what the cold-index case runs (LIB and MODEL are
// filled in), recorded with the figures.
const coldIndexCommand = "tagsight index LIB --model MODEL --precision fp32 --json --timings"

var timingsLine = regexp.MustCompile(`timings: total ([0-9.]+)s, model load ([0-9.]+)s, (\d+) embedded, steady ([0-9.]+) img/s`)

// coldIndex runs one `tagsight index` over new pictures from a cold start
// (a fresh process, model sessions created in the run) and returns the
// whole run's rate, the steady embedding rate within it, and the model
// load time the run reported.
func coldIndex(cli, lib, model string) (coldIPS, steadyIPS, loadS, wallS, cpuMsPerImg float64, n int, err error) {
	os.RemoveAll(filepath.Join(lib, ".tagsight"))
	cmd := exec.Command(cli, "index", lib, "--model", model, "--precision", "fp32", "--json", "--timings")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, 0, 0, 0, 0, fmt.Errorf("index: %v: %s", err, stderr.String())
	}
	wallS = time.Since(t0).Seconds()
	var res struct {
		Added     int
		Embedding struct{ Embedded int }
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return 0, 0, 0, 0, 0, 0, err
	}
	m := timingsLine.FindStringSubmatch(stderr.String())
	if m == nil {
		return 0, 0, 0, 0, 0, 0, fmt.Errorf("no timings line in: %s", stderr.String())
	}
	loadS, _ = strconv.ParseFloat(m[2], 64)
	steadyIPS, _ = strconv.ParseFloat(m[4], 64)
	n = res.Embedding.Embedded
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
	return float64(n) / wallS, steadyIPS, loadS, wallS, cpu / float64(n), n, nil
}

// sessionCost creates the vision session of a model folder the way ways
// differ, each in a fresh session, and returns seconds per way.
type sessionWay struct {
	name string
	opts func(o *ort.SessionOptions) error
	path func(visual string) string
}

func sessionCosts(visual string, size int, data string) ([]string, error) {
	optimized := filepath.Join(data, "vitb32-visual.optimized.onnx")
	os.Remove(optimized)
	level := func(l ort.GraphOptimizationLevel) func(o *ort.SessionOptions) error {
		return func(o *ort.SessionOptions) error { return o.SetGraphOptimizationLevel(l) }
	}
	same := func(v string) string { return v }
	ways := []sessionWay{
		{"ORT_ENABLE_ALL (ONNX Runtime's default, what Tagsight uses)", nil, same},
		{"ORT_ENABLE_EXTENDED", level(ort.GraphOptimizationLevelEnableExtended), same},
		{"ORT_ENABLE_BASIC", level(ort.GraphOptimizationLevelEnableBasic), same},
		{"ORT_DISABLE_ALL", level(ort.GraphOptimizationLevelDisableAll), same},
		{"ORT_ENABLE_ALL + SetOptimizedModelFilePath (first run: optimise and save)", func(o *ort.SessionOptions) error {
			return o.SetOptimizedModelFilePath(optimized)
		}, same},
		{"saved optimised model, ORT_DISABLE_ALL (later runs)", level(ort.GraphOptimizationLevelDisableAll), func(string) string { return optimized }},
	}
	var lines []string
	for _, w := range ways {
		// The first creation also pays for reading the file from disk;
		// each way is timed on its second creation (page cache warm, as
		// for every index run after the first).
		var secs, infMs float64
		for rep := 0; rep < 2; rep++ {
			t := time.Now()
			s, err := ort.NewSession(w.path(visual), []string{"image"}, []string{"embedding"},
				ort.SessionConfig{Provider: ort.ProviderCPU, Threads: 1, Tune: w.opts})
			secs = time.Since(t).Seconds()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", w.name, err)
			}
			if rep == 1 {
				infMs, err = inferMs(s, size)
			}
			s.Destroy()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", w.name, err)
			}
		}
		lines = append(lines, fmt.Sprintf("| %s | %.2f | %.0f |", w.name, secs, infMs))
	}
	if st, err := os.Stat(optimized); err == nil {
		lines = append(lines, fmt.Sprintf("\nThe saved optimised model is %.0f MB.", float64(st.Size())/1e6))
	}
	return lines, nil
}

// baselineIndex runs another build's `tagsight index` (e.g. main's, before
// the one-pass pipeline) the same way and returns its img/s.
func baselineIndex(cli, lib, model string) (float64, float64, error) {
	os.RemoveAll(filepath.Join(lib, ".tagsight"))
	cmd := exec.Command(cli, "index", lib, "--model", model, "--precision", "fp32", "--json")
	var out bytes.Buffer
	cmd.Stdout = &out
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("baseline index: %w", err)
	}
	wall := time.Since(t0).Seconds()
	var res struct{ Embedding struct{ Embedded int } }
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return 0, 0, err
	}
	return float64(res.Embedding.Embedded) / wall, wall, nil
}

func benchColdIndex(ctx context.Context, rep *report, data string, images int, prepareOnly bool, baseline string) error {
	models, err := ensureBenchModels(data, 1)
	if err != nil {
		return err
	}
	model := models[0]
	set := filepath.Join(data, fmt.Sprintf("12mp-x%d", images))
	if err := ensure12MPSet(set, images); err != nil {
		return err
	}
	if prepareOnly {
		return nil
	}
	cli := filepath.Join(data, "tagsight")
	if out, err := exec.Command("go", "build", "-tags", store.BuildTags, "-o", cli, "./cmd/tagsight").CombinedOutput(); err != nil {
		return fmt.Errorf("build cli: %v: %s", err, out)
	}
	if _, err := ort.FindAndInit(""); err != nil {
		return err
	}
	cores := runtime.NumCPU()
	spec, err := clip.LoadModelDir(model.dir)
	if err != nil {
		return err
	}

	// The runs first: nothing else in this process competes with them.
	cold, steady, load, wall, cpuPerImg, n, err := coldIndex(cli, set, model.dir)
	if err != nil {
		return err
	}
	var baseIPS, baseWall float64
	if baseline != "" {
		if baseIPS, baseWall, err = baselineIndex(baseline, set, model.dir); err != nil {
			return err
		}
	}

	// Per-picture CPU outside inference, as the pipeline spends it: one
	// decode at the size both the 256 px thumbnail and the 224 px model
	// input need, the thumbnail, the model input.
	big := filepath.Join(set, "p000.jpg")
	thumbDst := filepath.Join(data, "cold-thumb.jpg")
	minShort := spec.Preprocess.MinShort()
	decWall, decCPU := measure(15, func() error {
		img, _, err := media.DecodeOriented(ctx, big, media.DefaultLimits(), func(w, h int) bool { return min(w, h) >= minShort && max(w, h) >= 256 })
		if err != nil {
			return err
		}
		if err := media.ThumbnailFrom(ctx, img, thumbDst, 256); err != nil {
			return err
		}
		_, err = spec.Preprocess.Preprocess(media.ScaleShort(img, minShort))
		return err
	})
	eng := clip.NewEngine(spec, clip.EngineOptions{Precision: clip.PrecisionFP32})
	t := time.Now()
	if err := eng.LoadVision(); err != nil {
		return err
	}
	engLoad := time.Since(t).Seconds()
	infCPU, infIPS, err := rawInference(ctx, eng, 64, eng.PreferredBatch(), cores)
	if err != nil {
		return err
	}
	eng.Close()
	ceiling := float64(cores) * 1000 / (decCPU + infCPU)
	sessions, err := sessionCosts(spec.VisualPath, spec.Preprocess.Height, data)
	if err != nil {
		return err
	}

	rep.line("## Cold index: %d new 12 MP JPEGs, one `tagsight index` from a cold start", images)
	rep.line("")
	rep.line("Model: %s (ViT-B/32 architecture, random weights, fp32, CPU provider). Command: `%s`", model.label, coldIndexCommand)
	rep.line("(a fresh process, no `.tagsight` folder: fingerprint, EXIF, thumbnail and CLIP vector for every picture, model sessions created in the run).")
	rep.line("")
	rep.line("| figure | value |")
	rep.line("|---|---|")
	rep.line("| pictures embedded | %d |", n)
	rep.line("| wall seconds, process start to exit | %.2f |", wall)
	rep.line("| **cold img/s** (pictures / wall seconds) | **%.2f** |", cold)
	rep.line("| steady embedding-phase img/s in the same run (end of first inference call → end of last) | %.2f |", steady)
	rep.line("| **ratio cold / steady** (goal ≥ 0.9) | **%.2f** |", cold/steady)
	rep.line("| vision session creation inside the run (overlapping the first decodes) | %.2f s |", load)
	rep.line("| process CPU ms per picture | %.1f |", cpuPerImg)
	rep.line("| decode once + thumbnail + model input, CPU ms per picture (one thread) | %.1f (%.1f ms wall) |", decCPU, decWall)
	rep.line("| raw inference CPU ms per picture (%d concurrent calls × 1 thread; %.1f img/s) | %.1f |", cores, infIPS, infCPU)
	rep.line("| machine ceiling = cores × 1000 / (decode CPU ms + inference CPU ms) | %.2f img/s (%d cores) |", ceiling, cores)
	rep.line("| cold / ceiling | %.2f |", cold/ceiling)
	rep.line("| vision session creation alone (Engine.LoadVision, nothing else running) | %.2f s |", engLoad)
	if baseline != "" {
		rep.line("| baseline `%s`: same command without --timings, img/s (wall s) | %.2f (%.2f) |", baseline, baseIPS, baseWall)
	}
	rep.line("")
	rep.line("### What vision session creation costs, by graph optimisation level")
	rep.line("")
	rep.line("Second creation of each (page cache warm), one intra-op thread, nothing else running in the process.")
	rep.line("")
	rep.line("| way | session creation s | inference ms/picture (batch 1, 1 thread, median of 5) |")
	rep.line("|---|---|---|")
	for _, l := range sessions {
		rep.line("%s", l)
	}
	rep.line("")
	return nil
}

// inferMs is the median wall ms of one single-picture inference.
func inferMs(s *ort.Session, size int) (float64, error) {
	in, err := ort.NewTensor(ort.NewShape(1, 3, int64(size), int64(size)), make([]float32, 3*size*size))
	if err != nil {
		return 0, err
	}
	defer in.Destroy()
	var ms []float64
	for i := 0; i < 6; i++ {
		out := []ort.Value{nil}
		t := time.Now()
		if err := s.Run([]ort.Value{in}, out); err != nil {
			return 0, err
		}
		if i > 0 {
			ms = append(ms, float64(time.Since(t).Microseconds())/1000)
		}
		out[0].Destroy()
	}
	sort.Float64s(ms)
	return ms[len(ms)/2], nil
}
