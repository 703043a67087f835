package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/faces"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/ort"
	"github.com/tagsight/tagsight/backend/workspace"
)

// The faces benchmark (issue 13): the faces analyzer's CPU cost per photo
// and per face on 12 MP JPEGs, with cost stand-ins (YuNet's and SFace's
// real layer shapes, random weights), and cold indexing with faces on vs
// off.

const faceStandinCommand = "/usr/bin/python3 models/make_face_models.py OUT --standin"

// ensureFaceStandins writes the stand-ins once into data/faces-standin and
// returns the folder and the script's summary lines (parameter counts).
func ensureFaceStandins(data string) (string, []string, error) {
	dir := filepath.Join(data, "faces-standin")
	summary := filepath.Join(dir, "make_face_models.out")
	if b, err := os.ReadFile(summary); err == nil {
		if _, err := faces.FindModels(dir); err == nil {
			return dir, summaryLines(string(b)), nil
		}
	}
	fmt.Fprintf(os.Stderr, "generating the face cost stand-ins in %s…\n", dir)
	cmd := exec.Command("/usr/bin/python3", "models/make_face_models.py", dir, "--standin")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", nil, fmt.Errorf("make face stand-ins: %w", err)
	}
	if err := os.WriteFile(summary, out.Bytes(), 0o644); err != nil {
		return "", nil, err
	}
	return dir, summaryLines(out.String()), nil
}

func summaryLines(s string) []string {
	var ls []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			ls = append(ls, strings.Join(strings.Fields(l), " "))
		}
	}
	return ls
}

// faceDisc is one bright disc painted into a face-set picture: a face for
// the test models (models/testmodels/faces finds bright discs on a dark
// background).
type faceDisc struct {
	x, y, r int
	c       [3]uint8
}

var discColours = [3][3]uint8{{225, 55, 50}, {60, 215, 70}, {70, 95, 230}}

// facePicture is photoLike's gradients and noise with the gradients
// compressed below 60 (the noise keeps its ±24 amplitude, so the JPEG's
// entropy and decode cost stay close to photoLike's) plus three bright
// discs, radius 150..260 px (24..42 px at the detector's 640), centres
// ≥ 1000 px (160 detector px) apart: inside the test detector's limits.
func facePicture(w, h int, seed int64) *image.RGBA {
	r := rand.New(rand.NewSource(seed))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	c0 := [3]float64{r.Float64() * 255, r.Float64() * 255, r.Float64() * 255}
	base := [3][2]int{{700, 900}, {2000, 2100}, {3300, 900}}
	var discs []faceDisc
	for i, b := range base {
		discs = append(discs, faceDisc{
			x: (b[0] + r.Intn(301) - 150) * w / 4000, y: (b[1] + r.Intn(301) - 150) * h / 3000,
			r: (150 + r.Intn(111)) * w / 4000, c: discColours[i]})
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			n := r.Intn(24)
			px := [3]int{int(c0[0]*(1-fx)+255*fx*fy) % 232, int(c0[1]*fy+100*fx) % 232, int(c0[2]*(1-fy)+60) % 232}
			for k := range px {
				px[k] = px[k]*36/232 + n
			}
			for _, d := range discs {
				if dx, dy := x-d.x, y-d.y; dx*dx+dy*dy <= d.r*d.r {
					for k := range px {
						px[k] = int(d.c[k]) + n - 12
					}
				}
			}
			o := img.PixOffset(x, y)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = uint8(px[0]), uint8(px[1]), uint8(px[2]), 255
		}
	}
	return img
}

func ensureFaceSet(dir string, n int) error {
	return ensureJPEGSet(dir, n, "with faces ", "f", 500, facePicture)
}

// coldFaces is one cold index of the face set through the real pipeline.
type coldFaces struct {
	label               string
	pictures            int
	wallS, cpuS         float64
	faces, people       int
	facesErr            string
	facesOn             bool
	cpuMsPer, wallMsPer float64
}

// indexFaces indexes set from nothing (its .tagsight removed) with
// workspace.Index as `tagsight index LIB` does, no CLIP model (an empty
// models folder): faces on with the models in facesDir, or off.
func indexFaces(ctx context.Context, label, set, facesDir, modelsDir string, on bool) (coldFaces, error) {
	c := coldFaces{label: label, facesOn: on}
	if err := os.RemoveAll(filepath.Join(set, library.DataDirName)); err != nil {
		return c, err
	}
	runtime.GC()
	c0, t0 := cpuTime(), time.Now()
	ws, err := workspace.Open(ctx, set, true, workspace.ModelOptions{FacesModel: facesDir, ModelsDir: modelsDir, Provider: "cpu"}, false)
	if err != nil {
		return c, err
	}
	defer ws.Close()
	if !on {
		if err := ws.SetFacesOn(ctx, false); err != nil {
			return c, err
		}
	}
	if on && ws.Faces().Engine == nil {
		return c, fmt.Errorf("%s: no face models: %v", label, ws.Faces().Err)
	}
	if ws.Now().Model != nil {
		return c, fmt.Errorf("%s: a CLIP model loaded; the benchmark keeps CLIP out", label)
	}
	res, _, err := ws.Index(ctx, library.ScanOptions{}, true)
	if err != nil {
		return c, err
	}
	c.wallS, c.cpuS = time.Since(t0).Seconds(), float64((cpuTime()-c0).Microseconds())/1e6
	c.pictures = res.Indexed
	if c.pictures == 0 {
		return c, fmt.Errorf("%s: nothing indexed", label)
	}
	c.cpuMsPer, c.wallMsPer = c.cpuS*1000/float64(c.pictures), c.wallS*1000/float64(c.pictures)
	if c.faces, c.people, err = ws.Lib.DB.CountFaces(ctx); err != nil {
		return c, err
	}
	if err := ws.Faces().Err; err != nil {
		c.facesErr = err.Error()
	}
	return c, nil
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func benchFaces(ctx context.Context, rep *report, data string, images, runs int) error {
	standin, summary, err := ensureFaceStandins(data)
	if err != nil {
		return err
	}
	testModels, err := filepath.Abs("models/testmodels/faces")
	if err != nil {
		return err
	}
	set := filepath.Join(data, fmt.Sprintf("12mp-faces-x%d", images))
	if err := ensureFaceSet(set, images); err != nil {
		return err
	}
	var setBytes int64
	for i := 0; i < images; i++ {
		st, err := os.Stat(filepath.Join(set, fmt.Sprintf("f%03d.jpg", i)))
		if err != nil {
			return err
		}
		setBytes += st.Size()
	}
	plain := filepath.Join(data, "12mp.jpg")
	if err := ensure12MP(plain); err != nil {
		return err
	}
	plainSt, err := os.Stat(plain)
	if err != nil {
		return err
	}
	if _, err := ort.FindAndInit(""); err != nil {
		return err
	}
	modelsDir, err := os.MkdirTemp("", "bench-faces-models")
	if err != nil {
		return err
	}
	defer os.RemoveAll(modelsDir)
	load0 := loadAvg()

	// b. Cold indexing first: nothing else in this process competes.
	var colds []coldFaces
	for _, r := range []struct {
		label string
		dir   string
		on    bool
	}{
		{"faces off (`tagsight index LIB` with faces turned off)", standin, false},
		{"faces on, stand-in models (real YuNet/SFace cost)", standin, true},
		{"faces on, test models (finds the painted discs)", testModels, true},
	} {
		fmt.Fprintf(os.Stderr, "cold index: %s…\n", r.label)
		c, err := indexFaces(ctx, r.label, set, r.dir, modelsDir, r.on)
		if err != nil {
			return err
		}
		colds = append(colds, c)
	}
	os.RemoveAll(filepath.Join(set, library.DataDirName))
	off, on, test := colds[0], colds[1], colds[2]

	// a. The analyzer's parts, one thread, on the stand-ins.
	m, err := faces.FindModels(standin)
	if err != nil {
		return err
	}
	eng := faces.NewEngine(m, faces.EngineOptions{Provider: "cpu", Threads: 1})
	defer eng.Close()
	c0, t0 := cpuTime(), time.Now()
	if err := eng.Load(); err != nil {
		return err
	}
	loadWall, loadCPU := time.Since(t0).Seconds(), float64((cpuTime()-c0).Microseconds())/1e6
	tune := faces.DefaultTuning()
	big := filepath.Join(set, "f000.jpg")
	lim := media.DefaultLimits()
	enough := func(long int) func(w, h int) bool {
		return func(w, h int) bool { return max(w, h) >= long }
	}
	img, _, err := media.DecodeOriented(ctx, big, lim, enough(tune.DetectSize))
	if err != nil {
		return err
	}
	thumbDst := filepath.Join(data, "faces-thumb.jpg")
	dec640Wall, dec640CPU := measure(runs, func() error {
		_, _, err := media.DecodeOriented(ctx, big, lim, enough(tune.DetectSize))
		return err
	})
	dec256Wall, dec256CPU := measure(runs, func() error {
		_, _, err := media.DecodeOriented(ctx, big, lim, enough(256))
		return err
	})
	restOnWall, restOnCPU := measure(runs, func() error {
		im, _, err := media.DecodeOriented(ctx, big, lim, enough(tune.DetectSize))
		if err != nil {
			return err
		}
		return media.ThumbnailFrom(ctx, im, thumbDst, 256)
	})
	restOffWall, restOffCPU := measure(runs, func() error {
		im, _, err := media.DecodeOriented(ctx, big, lim, enough(256))
		if err != nil {
			return err
		}
		return media.ThumbnailFrom(ctx, im, thumbDst, 256)
	})
	var standinDets int
	detWall, detCPU := measure(runs, func() error {
		d, err := eng.Detect(ctx, img, tune.DetectSize, float32(tune.MinScore))
		standinDets = len(d)
		return err
	})
	// The discs of the picture, as the test detector reports them, give
	// realistic landmarks for the alignment.
	var lms [][5][2]float32
	for _, d := range facesOfPicture(img) {
		lms = append(lms, d)
	}
	const alignReps = 20
	alignWall, alignCPU := measure(runs, func() error {
		for i := 0; i < alignReps; i++ {
			faces.AlignCrop(img, lms[i%len(lms)])
		}
		return nil
	})
	alignWall, alignCPU = alignWall/alignReps, alignCPU/alignReps
	crops := make([]*image.RGBA, 8)
	for i := range crops {
		crops[i] = faces.AlignCrop(img, lms[i%len(lms)])
	}
	emb1Wall, emb1CPU := measure(runs, func() error {
		_, err := eng.Embed(ctx, crops[:1])
		return err
	})
	emb8Wall, emb8CPU := measure(runs, func() error {
		_, err := eng.Embed(ctx, crops)
		return err
	})
	emb8Wall, emb8CPU = emb8Wall/8, emb8CPU/8
	load1 := loadAvg()

	cores := runtime.NumCPU()
	rep.line("Load average (1/5/15 min) at the start: %s; at the end: %s (another job may share the machine).", load0, load1)
	rep.line("")
	rep.line("## What is measured")
	rep.line("")
	rep.line("- **Models.** Cost stand-ins from `%s` (written once into `%s`):", faceStandinCommand, standin)
	for _, l := range summary {
		rep.line("  `%s`", l)
	}
	rep.line("  They have YuNet's (2023mar) and SFace's (2021dec) real layer shapes and I/O, so an inference costs what the real one costs, but their weights are random: the stand-in detector finds random boxes or none, so the per-face cost is measured by running the recogniser directly on aligned crops, not by counting what the stand-in detector finds. The test models (`models/testmodels/faces`) find the painted discs and show the faces found through the pipeline; their cost is not the real models'.")
	rep.line("- **Pictures.** %d generated 4000×3000 JPEGs (quality 90, %.1f MB on average; the foundation benchmark's photo-like 12 MP JPEG is %.1f MB): photo-like gradients and ±24 noise with the gradients kept below 60 (the test detector needs a dark background), plus three bright discs (r 150–260 px) per picture, one red, one green, one blue.", images, float64(setBytes)/float64(images)/1e6, float64(plainSt.Size())/1e6)
	rep.line("- **CPU time** is getrusage user + sys of the whole process; wall time from the monotonic clock. Parts in (a) run on one thread (one ONNX Runtime intra-op thread, the pipeline's setting: one picture per core); each is the median wall / mean CPU of %d runs after a warm-up.", runs)
	rep.line("- **Cold index** (b) is `workspace.Open` + `ws.Index(ctx, library.ScanOptions{}, true)`, what `tagsight index LIB` runs (scan, fingerprint, metadata, 256 px thumbnail, faces when on), from no `.tagsight` folder, %d decode workers (one per core), provider cpu. No CLIP model in any run (an empty models folder; the benchmark checks none loaded), so the difference is the faces analyzer alone. Faces off is the same library with `ws.SetFacesOn(ctx, false)`. The face sessions are created inside the on runs (counted).", cores)
	rep.line("")
	rep.line("## (a) The faces analyzer's parts, one thread, stand-in models")
	rep.line("")
	rep.line("| part | CPU ms | wall ms | CPU vs decode for faces |")
	rep.line("|---|---|---|---|")
	rep.line("| decode a 12 MP JPEG for faces (`media.DecodeOriented`, long side ≥ %d: DCT-scaled to %d×%d) — **per photo** | %.1f | %.1f | 1.00 |", tune.DetectSize, img.Bounds().Dx(), img.Bounds().Dy(), dec640CPU, dec640Wall)
	rep.line("| decode the same without faces (long side ≥ 256, the thumbnail's need) — per photo | %.1f | %.1f | %.2f |", dec256CPU, dec256Wall, dec256CPU/dec640CPU)
	rep.line("| decode for faces + 256 px thumbnail (resize, encode, write) — per photo | %.1f | %.1f | %.2f |", restOnCPU, restOnWall, restOnCPU/dec640CPU)
	rep.line("| decode without faces + 256 px thumbnail — per photo | %.1f | %.1f | %.2f |", restOffCPU, restOffWall, restOffCPU/dec640CPU)
	rep.line("| **detector** (`Engine.Detect` on the decoded %d×%d picture, scaled to 640, NMS) — **per photo** | **%.1f** | %.1f | %.2f |", img.Bounds().Dx(), img.Bounds().Dy(), detCPU, detWall, detCPU/dec640CPU)
	rep.line("| alignment (`faces.AlignCrop`, 112×112) — per face | %.2f | %.2f | %.3f |", alignCPU, alignWall, alignCPU/dec640CPU)
	rep.line("| **recogniser**, batch of 1 crop (`Engine.Embed`) — **per face** | **%.1f** | %.1f | %.2f |", emb1CPU, emb1Wall, emb1CPU/dec640CPU)
	rep.line("| recogniser, batch of 8 crops — per face | %.1f | %.1f | %.2f |", emb8CPU, emb8Wall, emb8CPU/dec640CPU)
	rep.line("| session creation, both models (`Engine.Load`, once per run) | %.0f | %.0f | |", loadCPU*1000, loadWall*1000)
	rep.line("")
	perFace := alignCPU + emb1CPU
	rep.line("Ratios from the same run: recogniser per face / detector per photo = **%.2f**; (alignment + recogniser) per face = %.1f CPU ms.", emb1CPU/detCPU, perFace)
	rep.line("A photo with k faces costs the analyzer about %.1f + k × %.1f CPU ms (detector + k × (alignment + recogniser), crops and the store aside):", detCPU, perFace)
	rep.line("")
	rep.line("| faces in the photo | analyzer CPU ms (model) | vs decode for faces + thumbnail (%.1f ms) | vs the whole faces-off pipeline per photo (%.1f ms, from b) |", restOnCPU, off.cpuMsPer)
	rep.line("|---|---|---|---|")
	for _, k := range []int{0, 1, 3, 10} {
		a := detCPU + float64(k)*perFace
		rep.line("| %d | %.1f | %.2f | %.2f |", k, a, a/restOnCPU, a/off.cpuMsPer)
	}
	rep.line("")
	rep.line("The stand-in detector found %d faces in the measured picture (random weights; the figures above do not depend on it).", standinDets)
	rep.line("")
	rep.line("## (b) Cold indexing %d new 12 MP JPEGs, faces on vs off", images)
	rep.line("")
	rep.line("| run | pictures | wall s | CPU s | pictures/s | CPU ms / picture | faces stored | people | wall vs off | CPU vs off |")
	rep.line("|---|---|---|---|---|---|---|---|---|---|")
	for _, c := range colds {
		rep.line("| %s | %d | %.2f | %.2f | %.2f | %.1f | %d | %d | %.2f | %.2f |", c.label, c.pictures, c.wallS, c.cpuS, float64(c.pictures)/c.wallS, c.cpuMsPer, c.faces, c.people, c.wallS/off.wallS, c.cpuS/off.cpuS)
	}
	rep.line("")
	rep.line("Faces on with the stand-ins adds %.1f CPU ms per picture (%.0f%% over faces off) and %.1f wall ms per picture on %d cores; the stand-in detector stored %d faces (%.2f per picture), so that run's per-face share is whatever its random boxes gave; the per-face cost is in (a).", on.cpuMsPer-off.cpuMsPer, 100*(on.cpuS/off.cpuS-1), on.wallMsPer-off.wallMsPer, cores, on.faces, float64(on.faces)/float64(on.pictures))
	rep.line("Of that, (a) accounts for the detector (%.1f ms, no faces to embed) plus the larger decode and thumbnail resize that the faces' 640 px need causes (%.1f − %.1f = %.1f ms): %.1f CPU ms, %.0f%% of the measured difference (the rest: session creation, crops/store, contention on %d cores).", detCPU, restOnCPU, restOffCPU, restOnCPU-restOffCPU, detCPU+restOnCPU-restOffCPU, 100*(detCPU+restOnCPU-restOffCPU)/(on.cpuMsPer-off.cpuMsPer), cores)
	rep.line("With the test models the pipeline stored %d faces for %d pictures (%.2f per picture; 3 painted) in %d people.", test.faces, test.pictures, float64(test.faces)/float64(test.pictures), test.people)
	for _, c := range colds {
		if c.facesErr != "" && c.facesOn {
			rep.line("%s: faces error: %s", c.label, c.facesErr)
		}
	}
	rep.line("")
	rep.line("## Not measured")
	rep.line("")
	rep.line("- The real YuNet and SFace weights (nothing can be downloaded here): the stand-ins cost what they cost, but how many faces the real detector finds in real photos, and so the real per-photo total, is not measured; use the per-face figure times the faces a real library has.")
	rep.line("- GPU providers, RAW and HEIC files, rotated (EXIF-oriented) pictures.")
	rep.line("")
	return nil
}

// facesOfPicture returns the landmarks the test detector's geometry
// gives the picture's discs (found by their brightness), for alignment:
// the ArcFace template scaled to each disc (r·(T−56)/40 about its centre).
func facesOfPicture(img *image.RGBA) [][5][2]float32 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	seen := make([]bool, w*h)
	var out [][5][2]float32
	for y := 0; y < h; y += 4 {
		for x := 0; x < w; x += 4 {
			o := img.PixOffset(x, y)
			if seen[y*w+x] || max(img.Pix[o], img.Pix[o+1], img.Pix[o+2]) < 160 {
				continue
			}
			// flood the bright region on a 4 px grid
			var sx, sy, n float64
			stack := [][2]int{{x, y}}
			seen[y*w+x] = true
			for len(stack) > 0 {
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				sx, sy, n = sx+float64(p[0]), sy+float64(p[1]), n+1
				for _, d := range [][2]int{{4, 0}, {-4, 0}, {0, 4}, {0, -4}} {
					q := [2]int{p[0] + d[0], p[1] + d[1]}
					if q[0] < 0 || q[1] < 0 || q[0] >= w || q[1] >= h || seen[q[1]*w+q[0]] {
						continue
					}
					o := img.PixOffset(q[0], q[1])
					if max(img.Pix[o], img.Pix[o+1], img.Pix[o+2]) < 160 {
						continue
					}
					seen[q[1]*w+q[0]] = true
					stack = append(stack, q)
				}
			}
			if n < 20 {
				continue
			}
			cx, cy, r := sx/n, sy/n, math.Sqrt(n*16/math.Pi)
			var lm [5][2]float32
			for k, t := range faces.ArcFaceTemplate {
				lm[k] = [2]float32{float32(cx + r*(float64(t[0])-56)/40), float32(cy + r*(float64(t[1])-56)/40)}
			}
			out = append(out, lm)
		}
	}
	if len(out) == 0 { // no disc: a face in the middle
		var lm [5][2]float32
		for k, t := range faces.ArcFaceTemplate {
			lm[k] = [2]float32{float32(w)/2 + (t[0]-56)*2, float32(h)/2 + (t[1]-56)*2}
		}
		out = append(out, lm)
	}
	return out
}
