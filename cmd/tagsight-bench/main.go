// Command tagsight-bench measures Tagsight's speed on generated data and
// writes the figures, with the machine they came from, under docs/bench/.
// It prints and records; it asserts nothing (tests do that).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/image/draw"

	"github.com/tagsight/tagsight/backend/clip"
	"github.com/tagsight/tagsight/backend/knn"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/ort"
)

func main() {
	out := flag.String("out", "docs/bench", "folder for the recorded figures")
	data := flag.String("data", "build/bench-data", "folder for generated inputs (reused between runs)")
	files := flag.Int("files", 10000, "files in the scan benchmark")
	runs := flag.Int("runs", 15, "runs per decode measurement")
	only := flag.String("only", "foundation,clip,embedlayout,query,live,batch,faces,ocr,scale,interactive,kinds,moments", "comma-separated parts to run: foundation, clip, embedlayout, query, coldindex, live, batch, faces, ocr, scale, interactive, kinds, moments")
	images := flag.Int("images", 200, "12 MP JPEGs in the end-to-end CLIP benchmark")
	coldImages := flag.Int("cold-images", 300, "new 12 MP JPEGs in the cold-index benchmark")
	prepare := flag.Bool("prepare", false, "coldindex: only generate the model and pictures")
	baseline := flag.String("baseline-cli", "", "coldindex: also time this tagsight binary (e.g. built from main)")
	idleFiles := flag.Int("idle-files", 100000, "live: files in the library watched while idle")
	idle := flag.Duration("idle", 30*time.Second, "live: each idle CPU measurement")
	faceImages := flag.Int("face-images", 80, "faces: 12 MP JPEGs in each cold index (faces off, on with stand-ins, on with test models)")
	faceRuns := flag.Int("face-runs", 10, "faces: runs per part measurement")
	layoutImages := flag.Int("layout-images", 96, "embedlayout: 12 MP JPEGs each layout embeds through the indexing pipeline")
	layoutBare := flag.Int("layout-bare", 96, "embedlayout: random inputs each layout embeds bare")
	sizes := flag.String("sizes", "10000,30000,100000", "interactive: library sizes")
	callRuns := flag.Int("call-runs", 30, "interactive: timed runs per call")
	ocrRuns := flag.Int("ocr-runs", 5, "ocr: runs per picture and step")
	kindRuns := flag.Int("kind-runs", 10, "kinds: runs per kind")
	longVideo := flag.Bool("long-video", true, "kinds: also time a 10-minute 1080p video's poster against its whole decode")
	flag.Parse()
	parts := map[string]bool{}
	for _, p := range strings.Split(*only, ",") {
		parts[strings.TrimSpace(p)] = true
	}
	must(os.MkdirAll(*data, 0o755))
	must(os.MkdirAll(*out, 0o755))
	if parts["clip"] {
		var rep report
		rep.line("# CLIP benchmarks")
		rep.line("")
		rep.line("Recorded by `make bench` (`go run ./cmd/tagsight-bench -only clip`) on %s.", time.Now().UTC().Format("2006-01-02 15:04 MST"))
		rep.line("Machine: %s, %d cores, %s %s/%s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		rep.line("")
		must(benchCLIP(context.Background(), &rep, *data, *images))
		fmt.Print(rep.String())
		must(os.WriteFile(filepath.Join(*out, "clip.md"), []byte(rep.String()), 0o644))
	}
	if parts["embedlayout"] {
		var rep report
		rep.line("# Embedding layout: sessions × intra-op threads × concurrent runs × batch")
		rep.line("")
		rep.line("Recorded by `go run ./cmd/tagsight-bench %s` on %s (`make bench` runs it too; `go run ./cmd/tagsight-bench -only embedlayout` reproduces it).", strings.Join(os.Args[1:], " "), time.Now().UTC().Format("2006-01-02 15:04 MST"))
		rep.line("Machine: %s, %d cores, %s %s/%s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		rep.line("")
		must(benchEmbedLayout(context.Background(), &rep, *data, *layoutImages, *layoutBare))
		fmt.Print(rep.String())
		name := "embed-layout.md"
		if n := runtime.NumCPU(); n != 2 {
			name = fmt.Sprintf("embed-layout-%dcore.md", n)
		}
		must(os.WriteFile(filepath.Join(*out, name), []byte(rep.String()), 0o644))
	}
	if parts["sessions"] { // the session-creation table of coldindex alone
		ms, err := ensureBenchModels(*data, 1)
		must(err)
		spec, err := clip.LoadModelDir(ms[0].dir)
		must(err)
		_, err = ort.FindAndInit("")
		must(err)
		lines, err := sessionCosts(spec.VisualPath, spec.Preprocess.Height, *data)
		must(err)
		fmt.Println(strings.Join(lines, "\n"))
	}
	if parts["moments"] {
		var rep report
		rep.line("# Video moments: keyframe extraction")
		rep.line("")
		rep.line("Recorded by `go run ./cmd/tagsight-bench -only moments` on %s (`make bench` runs it too).", time.Now().UTC().Format("2006-01-02 15:04 MST"))
		rep.line("Machine: %s, %d cores, %s %s/%s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		rep.line("")
		benchMoments(&rep, *data)
		fmt.Print(rep.String())
		must(os.WriteFile(filepath.Join(*out, "moments.md"), []byte(rep.String()), 0o644))
	}
	if parts["coldindex"] {
		var rep report
		rep.line("# Cold index benchmark")
		rep.line("")
		rep.line("Recorded by `go run ./cmd/tagsight-bench %s` on %s.", strings.Join(os.Args[1:], " "), time.Now().UTC().Format("2006-01-02 15:04 MST"))
		rep.line("Machine: %s, %d cores, %s %s/%s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		rep.line("")
		must(benchColdIndex(context.Background(), &rep, *data, *coldImages, *prepare, *baseline))
		if *prepare {
			return
		}
		fmt.Print(rep.String())
		must(os.WriteFile(filepath.Join(*out, "cold-index.md"), []byte(rep.String()), 0o644))
	}
	if parts["live"] {
		var rep report
		rep.line("# Live watching benchmark")
		rep.line("")
		rep.line("Recorded by `go run ./cmd/tagsight-bench %s` on %s (`make bench` runs it too).", strings.Join(os.Args[1:], " "), time.Now().UTC().Format("2006-01-02 15:04 MST"))
		rep.line("Machine: %s, %d cores, %s %s/%s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		rep.line("")
		must(benchLive(context.Background(), &rep, *data, *idleFiles, *idle))
		fmt.Print(rep.String())
		must(os.WriteFile(filepath.Join(*out, "live.md"), []byte(rep.String()), 0o644))
	}
	if parts["batch"] {
		var rep report
		rep.line("# Watcher batch benchmark: one file in a small and a large library")
		rep.line("")
		rep.line("Recorded by `go run ./cmd/tagsight-bench %s` on %s (`make bench` runs it too; `go run ./cmd/tagsight-bench -only batch` reproduces it).", strings.Join(os.Args[1:], " "), time.Now().UTC().Format("2006-01-02 15:04 MST"))
		rep.line("Machine: %s, %d cores, %s %s/%s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		rep.line("")
		must(benchBatch(context.Background(), &rep, *data))
		fmt.Print(rep.String())
		must(os.WriteFile(filepath.Join(*out, "batch.md"), []byte(rep.String()), 0o644))
	}
	if parts["faces"] {
		var rep report
		rep.line("# Faces benchmark")
		rep.line("")
		rep.line("Recorded by `go run ./cmd/tagsight-bench %s` on %s (`make bench` runs it too; `go run ./cmd/tagsight-bench -only faces` reproduces it).", strings.Join(os.Args[1:], " "), time.Now().UTC().Format("2006-01-02 15:04 MST"))
		rep.line("Machine: %s, %d cores, %s %s/%s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		must(benchFaces(context.Background(), &rep, *data, *faceImages, *faceRuns))
		fmt.Print(rep.String())
		must(os.WriteFile(filepath.Join(*out, "faces.md"), []byte(rep.String()), 0o644))
	}
	if parts["ocr"] {
		var rep report
		rep.line("# OCR benchmark: character error rate and CPU per picture")
		rep.line("")
		rep.line("Recorded by `go run ./cmd/tagsight-bench %s` on %s (`make bench` runs it too; `go run ./cmd/tagsight-bench -only ocr` reproduces it).", strings.Join(os.Args[1:], " "), time.Now().UTC().Format("2006-01-02 15:04 MST"))
		rep.line("Machine: %s, %d cores, %s %s/%s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		must(benchOCR(context.Background(), &rep, *data, *ocrRuns))
		fmt.Print(rep.String())
		must(os.WriteFile(filepath.Join(*out, "ocr.md"), []byte(rep.String()), 0o644))
	}
	if parts["scale"] {
		var rep report
		rep.line("# Near-duplicates and regrouping faces at 100k")
		rep.line("")
		rep.line("Recorded by `go run ./cmd/tagsight-bench %s` on %s (`make bench` runs it too; `go run ./cmd/tagsight-bench -only scale` reproduces it).", strings.Join(os.Args[1:], " "), time.Now().UTC().Format("2006-01-02 15:04 MST"))
		rep.line("Machine: %s, %d cores, %s %s/%s; dot-product kernel: %s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, knn.Kernel())
		rep.line("")
		must(benchScale(context.Background(), &rep, *data))
		fmt.Print(rep.String())
		must(os.WriteFile(filepath.Join(*out, "scale.md"), []byte(rep.String()), 0o644))
	}
	if parts["query"] {
		var rep report
		rep.line("# Query benchmarks")
		rep.line("")
		rep.line("Recorded by `make bench` (`go run ./cmd/tagsight-bench -only query`) on %s.", time.Now().UTC().Format("2006-01-02 15:04 MST"))
		rep.line("Machine: %s, %d cores, %s %s/%s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		rep.line("")
		must(benchQueries(context.Background(), &rep, *data))
		fmt.Print(rep.String())
		must(os.WriteFile(filepath.Join(*out, "query.md"), []byte(rep.String()), 0o644))
	}
	if parts["interactive"] {
		var ns []int
		for _, f := range strings.Split(*sizes, ",") {
			var n int
			_, err := fmt.Sscan(strings.TrimSpace(f), &n)
			must(err)
			ns = append(ns, n)
		}
		var rep report
		rep.line("# Interactive calls")
		rep.line("")
		rep.line("Recorded by `go run ./cmd/tagsight-bench %s` on %s.", strings.Join(os.Args[1:], " "), time.Now().UTC().Format("2006-01-02 15:04 MST"))
		rep.line("Machine: %s, %d cores, %s %s/%s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		rep.line("")
		must(benchInteractive(context.Background(), &rep, *data, ns, *callRuns))
		fmt.Print(rep.String())
		must(os.WriteFile(filepath.Join(*out, "interactive.md"), []byte(rep.String()), 0o644))
	}
	if parts["kinds"] {
		var rep report
		rep.line("# File kinds: tile + facts")
		rep.line("")
		rep.line("Recorded by `go run ./cmd/tagsight-bench %s` on %s (`make bench` runs it too).", strings.Join(os.Args[1:], " "), time.Now().UTC().Format("2006-01-02 15:04 MST"))
		rep.line("Machine: %s, %d cores, %s %s/%s; %s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, ffmpegVersion())
		rep.line("")
		must(benchKinds(context.Background(), &rep, *data, *kindRuns, *longVideo))
		fmt.Print(rep.String())
		must(os.WriteFile(filepath.Join(*out, "kinds.md"), []byte(rep.String()), 0o644))
	}
	if !parts["foundation"] {
		return
	}
	ctx := context.Background()
	var rep report
	rep.line("# Foundation benchmarks")
	rep.line("")
	rep.line("Recorded by `make bench` (`go run ./cmd/tagsight-bench`) on %s.", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	rep.line("Machine: %s, %d cores, %s %s/%s.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	rep.line("")

	must(os.MkdirAll(*data, 0o755))
	big := filepath.Join(*data, "12mp.jpg")
	must(ensure12MP(big))
	rep.line("## Decoding a 12 MP JPEG (4000×3000, 4:2:0)")
	rep.line("")
	rep.line("Median of %d runs, one thread; CPU ms from getrusage.", *runs)
	rep.line("")
	rep.line("| path | wall ms | CPU ms |")
	rep.line("|---|---|---|")
	lim := media.DefaultLimits()
	thumbDst := filepath.Join(*data, "thumb-out.jpg")
	cases := []struct {
		name string
		fn   func() error
	}{
		{"stdlib image/jpeg full decode + CatmullRom to 224 short side", func() error { return stdlibDecode(big, 224) }},
		{"media.DecodeScaled (libjpeg-turbo DCT scaling) to ≥224 short side", func() error {
			_, _, err := media.DecodeScaled(ctx, big, 224, lim)
			return err
		}},
		{"media.Thumbnail 256 px (decode + resize + encode + write)", func() error {
			_, err := media.Thumbnail(ctx, big, thumbDst, 256, lim)
			return err
		}},
	}
	for _, c := range cases {
		wall, cpu := measure(*runs, c.fn)
		rep.line("| %s | %.1f | %.1f |", c.name, wall, cpu)
	}
	rep.line("")

	scanDir := filepath.Join(*data, fmt.Sprintf("scan%d", *files))
	must(ensureScanFiles(scanDir, *files))
	must(os.RemoveAll(filepath.Join(scanDir, library.DataDirName)))
	lib, err := library.Open(ctx, scanDir, library.Options{Create: true})
	must(err)
	t0 := time.Now()
	res, err := lib.Scan(ctx, library.ScanOptions{})
	must(err)
	first := time.Since(t0).Seconds()
	t0 = time.Now()
	res2, err := lib.Scan(ctx, library.ScanOptions{})
	must(err)
	again := time.Since(t0).Seconds()
	lib.Close()
	rep.line("## Scanning %d generated JPEGs (640×480, ~40 KB each)", *files)
	rep.line("")
	rep.line("| scan | files | seconds | files/s |")
	rep.line("|---|---|---|---|")
	rep.line("| first (fingerprint, EXIF, thumbnail, insert) | %d | %.2f | %.0f |", res.Indexed, first, float64(res.Indexed)/first)
	rep.line("| again, nothing changed | %d | %.2f | %.0f |", res2.Unchanged, again, float64(res2.Unchanged)/again)
	rep.line("")

	text := rep.String()
	fmt.Print(text)
	must(os.MkdirAll(*out, 0o755))
	must(os.WriteFile(filepath.Join(*out, "foundation.md"), []byte(text), 0o644))
}

type report struct{ strings.Builder }

func (r *report) line(f string, a ...any) { fmt.Fprintf(&r.Builder, f+"\n", a...) }

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure returns median wall ms and mean CPU ms per run, after a warm-up.
func measure(n int, fn func() error) (float64, float64) {
	must(fn())
	var walls []float64
	c0 := cpuTime()
	for i := 0; i < n; i++ {
		t := time.Now()
		must(fn())
		walls = append(walls, float64(time.Since(t).Microseconds())/1000)
	}
	cpu := float64((cpuTime() - c0).Microseconds()) / 1000 / float64(n)
	sort.Float64s(walls)
	return walls[n/2], cpu
}

func stdlibDecode(path string, short int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return err
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	nw, nh := short*w/h, short
	if w < h {
		nw, nh = short, short*h/w
	}
	dst := image.NewRGBA(image.Rect(0, 0, nw, nh))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	return nil
}

// photoLike paints smooth gradients plus noise: JPEG sizes and decode cost
// close to a real photo's, unlike a flat image.
func photoLike(w, h int, seed int64) *image.RGBA {
	r := rand.New(rand.NewSource(seed))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	c0 := [3]float64{r.Float64() * 255, r.Float64() * 255, r.Float64() * 255}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			n := r.Intn(24)
			img.SetRGBA(x, y, color.RGBA{
				uint8(int(c0[0]*(1-fx)+255*fx*fy)%232 + n), uint8(int(c0[1]*fy+100*fx)%232 + n),
				uint8(int(c0[2]*(1-fy)+60)%232 + n), 255})
		}
	}
	return img
}

func ensure12MP(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, photoLike(4000, 3000, 1), &jpeg.Options{Quality: 90}); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func ensureScanFiles(dir string, n int) error {
	stamp := filepath.Join(dir, ".complete")
	if _, err := os.Stat(stamp); err == nil {
		return nil
	}
	fmt.Fprintf(os.Stderr, "generating %d files in %s…\n", n, dir)
	var wg sync.WaitGroup
	errc := make(chan error, runtime.NumCPU())
	next := make(chan int)
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := filepath.Join(dir, fmt.Sprintf("%03d", i/100), fmt.Sprintf("img%05d.jpg", i))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					errc <- err
					return
				}
				var buf bytes.Buffer
				if err := jpeg.Encode(&buf, photoLike(640, 480, int64(i)), &jpeg.Options{Quality: 85}); err != nil {
					errc <- err
					return
				}
				if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case err := <-errc:
			close(next)
			return err
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	return os.WriteFile(stamp, nil, 0o644)
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			if _, v, ok := strings.Cut(l, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}
