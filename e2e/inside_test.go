//go:build e2e

package e2e

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tagsight/tagsight/backend/testutil"
)

// Issue 21's search inside files, in a browser: the words of a PDF, a
// plain-text file and a Word document are found with text:"…"; the tile
// shows the snippet with the words marked; the inspector lists the PDF's
// match with its page, and clicking it opens the full preview at that page
// (each page is painted its own colour, so the pixels say which page shows).
func TestSearchInsideDocuments(t *testing.T) {
	root := t.TempDir()
	pages := []string{"Introduction and overview", "Methods of the survey", "The zeppelin landed at dawn", "Appendix and tables"}
	fills := []color.RGBA{{250, 250, 250, 255}, {240, 220, 60, 255}, {40, 170, 70, 255}, {150, 60, 190, 255}}
	testutil.WriteFile(t, filepath.Join(root, "report.pdf"), testutil.PaintedTextPDF(pages, fills))
	testutil.WriteFile(t, filepath.Join(root, "notes.txt"), []byte("Le café crème était délicieux\nbread and butter\n"))
	testutil.WriteFile(t, filepath.Join(root, "letter.docx"), testutil.DOCX("Dear committee members", "The harvest festival starts on Friday"))
	s := serveLibrary(t, root, t.TempDir())

	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	for _, tc := range []struct{ query, path, marked, place string }{
		// A text file's hit says the first line of its block (about 2 KB of lines).
		{`text:"crème"`, "notes.txt", "crème", "line 1"},
		{`text:"harvest festival"`, "letter.docx", "harvest festival", ""},
		{`text:"zeppelin landed"`, "report.pdf", "zeppelin landed", "p. 3"},
	} {
		typeQuery(t, ctx, tc.query)
		settle(t, ctx, 1)
		if p := gridPaths(t, ctx); len(p) != 1 || p[0] != tc.path {
			t.Fatalf("%s: grid %v, want only %s", tc.query, p, tc.path)
		}
		hit := eval[map[string]string](t, ctx, `(() => { const h = document.querySelector('[data-testid="grid-item"][data-path="`+tc.path+`"] [data-testid="text-hit"]');
			if (!h) return {};
			return {text: h.textContent, marked: [...h.querySelectorAll('mark')].map(m => m.textContent).join(' '),
				place: h.querySelector('[data-testid="text-hit-place"]')?.textContent ?? ''} })()`)
		if !strings.EqualFold(strings.Join(strings.Fields(hit["marked"]), " "), tc.marked) {
			t.Errorf("%s: the tile's snippet %q marks %q, want %q", tc.query, hit["text"], hit["marked"], tc.marked)
		}
		if tc.place != "" && hit["place"] != tc.place {
			t.Errorf("%s: the tile's hit is at %q, want %q", tc.query, hit["place"], tc.place)
		}
	}
	shot(t, ctx, "search-inside-pdf")

	tile := `[data-testid="grid-item"][data-path="report.pdf"]`
	run(t, ctx, chromedp.Click(css(tile)))
	match := `aside[aria-label="Inspector"] [data-testid="text-matches"] button[data-testid="text-match"]`
	run(t, ctx, chromedp.WaitVisible(css(match)))
	if n := eval[int](t, ctx, `document.querySelectorAll('`+match+`').length`); n != 1 {
		t.Fatalf("the inspector lists %d page matches, want 1", n)
	}
	if got := eval[string](t, ctx, `document.querySelector('`+match+` [data-testid="text-hit-place"]').textContent`); got != "p. 3" {
		t.Errorf("the inspector's match is at %q, want p. 3", got)
	}
	run(t, ctx, chromedp.Click(css(match)))
	pageOf := `[role="dialog"] [data-testid="page-of"]`
	run(t, ctx, chromedp.WaitVisible(css(pageOf)))
	if got := eval[string](t, ctx, `document.querySelector('`+pageOf+`').textContent`); strings.Join(strings.Fields(got), " ") != "Page 3 of 4" {
		t.Errorf("page indicator %q, want Page 3 of 4", got)
	}
	img := `[role="dialog"] img[data-testid="preview-page"]`
	waitFor(t, ctx, "the page's render to load", func() bool {
		return eval[bool](t, ctx, `(() => { const i = document.querySelector('`+img+`'); return !!i && i.complete && i.naturalWidth > 0 })()`)
	})
	// The page's colour where no text is: the lower left, a tenth in.
	rgb := eval[[]float64](t, ctx, `(() => { const i = document.querySelector('`+img+`');
		const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
		const g = c.getContext('2d'); g.drawImage(i, 0, 0);
		return [...g.getImageData(Math.floor(c.width / 10), Math.floor(c.height * 0.8), 1, 1).data].slice(0, 3) })()`)
	nearest, best := -1, math.Inf(1)
	for i, f := range fills {
		d := math.Abs(rgb[0]-float64(f.R)) + math.Abs(rgb[1]-float64(f.G)) + math.Abs(rgb[2]-float64(f.B))
		if d < best {
			nearest, best = i, d
		}
	}
	if nearest != 2 || best > 60 {
		t.Errorf("the preview shows a page of colour %v: nearest page %d (off by %.0f), want page 3's %v", rgb, nearest+1, best, fills[2])
	}
	shot(t, ctx, "search-inside-pdf-page")
}

// Issue 21's text in pictures, in a browser: a screenshot-like picture with
// a word at a known place is read with OCR on (the catalog's ocr models
// installed in the served models folder, as a user copies them in), the
// word finds it, and the inspector outlines the word on the picture where
// ImageMagick drew it.
func TestScreenshotFoundByItsWords(t *testing.T) {
	testutil.NeedTools(t, "convert")
	models := t.TempDir()
	installOCRModels(t, filepath.Join(models, "ocr"))
	root := t.TempDir()
	const W, H = 1280, 720
	font := "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	word := func(text string, x, y int) []string {
		return []string{"-font", font, "-pointsize", "72", "-fill", "#1a1a1a", "-annotate", fmt.Sprintf("+%d+%d", x, y), text}
	}
	screenshot := func(name, text string) {
		args := []string{"-size", fmt.Sprintf("%dx%d", W, H), "xc:#eef0f3",
			"-fill", "#2b2d31", "-draw", "rectangle 0,0 1280,44",
			"-fill", "#dfe3e8", "-draw", "rectangle 0,44 260,720",
			"-fill", "#ffffff", "-draw", "rectangle 640,560 1240,690"}
		// Low and right of the middle, where an outline placed on the
		// frame rather than on the letterboxed picture would miss it.
		args = append(args, word(text, 680, 650)...)
		if out, err := exec.Command("convert", append(args, filepath.Join(root, name))...).CombinedOutput(); err != nil {
			t.Fatalf("convert %s: %v %s", name, err, out)
		}
	}
	screenshot("screen.png", "Zanzibar")
	screenshot("other.png", "Honolulu")
	// Where the word's ink is: the same word drawn alone on white, trimmed.
	out, err := exec.Command("convert", append(append([]string{"-size", fmt.Sprintf("%dx%d", W, H), "xc:white"},
		word("Zanzibar", 680, 650)...), "-format", "%@", "info:")...).Output()
	if err != nil {
		t.Fatalf("convert -format %%@: %v", err)
	}
	var bw, bh, bx, by float64
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "%fx%f+%f+%f", &bw, &bh, &bx, &by); err != nil {
		t.Fatalf("trim box %q: %v", out, err)
	}
	s := serveLibrary(t, root, models)

	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	// Settings show OCR on, with nothing missing or broken.
	run(t, ctx, chromedp.Click(css(`button.settings`)))
	ocr := `[data-testid="ocr-settings"]`
	run(t, ctx, chromedp.WaitVisible(css(ocr)))
	if st := eval[map[string]any](t, ctx, `(() => { const s = document.querySelector('`+ocr+`');
		return {on: s.querySelector('input[type="checkbox"]').checked, notes: [...s.querySelectorAll('p')].map(p => p.textContent).join(' ')} })()`); st["on"] != true || st["notes"] != "" {
		t.Fatalf("settings' text in pictures: %v, want on and nothing missing", st)
	}
	run(t, ctx, chromedp.Click(css(`[role="dialog"] button[aria-label="Close"]`)), chromedp.WaitNotPresent(css(ocr)))
	typeQuery(t, ctx, "text:zanzibar")
	settle(t, ctx, 1)
	if p := gridPaths(t, ctx); len(p) != 1 || p[0] != "screen.png" {
		t.Fatalf("text:zanzibar: grid %v, want only screen.png", p)
	}
	run(t, ctx, chromedp.Click(css(`[data-testid="grid-item"][data-path="screen.png"]`)))
	box := `aside[aria-label="Inspector"] .preview [data-testid="ocr-box"]`
	img := `aside[aria-label="Inspector"] .preview img`
	waitFor(t, ctx, "the word's outline over the loaded picture", func() bool {
		return eval[bool](t, ctx, `(() => { const i = document.querySelector('`+img+`');
			return !!i && i.complete && i.naturalWidth > 0 && document.querySelectorAll('`+box+`').length > 0 })()`)
	})
	if n := eval[int](t, ctx, `document.querySelectorAll('`+box+`').length`); n != 1 {
		t.Fatalf("%d outlines, want 1 (the one word searched)", n)
	}
	rects := eval[map[string][]float64](t, ctx, `(() => { const r = e => { const b = document.querySelector(e).getBoundingClientRect(); return [b.left, b.top, b.width, b.height] };
		return {img: r('`+img+`'), box: r('`+box+`')} })()`)
	// The <img> fills the inspector's frame and draws the picture with
	// object-fit: contain: the picture's own W×H scaled to fit, centred.
	f := rects["img"]
	k := math.Min(f[2]/W, f[3]/H)
	ox, oy := f[0]+(f[2]-W*k)/2, f[1]+(f[3]-H*k)/2
	want := [4]float64{ox + bx*k, oy + by*k, bw * k, bh * k}
	got := [4]float64{rects["box"][0], rects["box"][1], rects["box"][2], rects["box"][3]}
	if iou := rectIoU(got, want); iou < 0.5 {
		t.Errorf("the outline is at %v, the word at %v (picture drawn at %v): IoU %.2f < 0.5", got, want, f, iou)
	} else {
		t.Logf("outline %v, word %v: IoU %.2f", got, want, iou)
	}
	shot(t, ctx, "ocr-highlight")
}

// rectIoU is the intersection over union of two rects (left, top, width, height).
func rectIoU(a, b [4]float64) float64 {
	w := math.Min(a[0]+a[2], b[0]+b[2]) - math.Max(a[0], b[0])
	h := math.Min(a[1]+a[3], b[1]+b[3]) - math.Max(a[1], b[1])
	if w <= 0 || h <= 0 {
		return 0
	}
	in := w * h
	return in / (a[2]*a[3] + b[2]*b[3] - in)
}

// serveLibrary starts `tagsight serve` on root with the colour model and
// models as the user's models folder, and waits for its first index.
func serveLibrary(t *testing.T, root, models string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve", root, "--addr", "127.0.0.1:0", "--model", colourModel)
	cmd.Env = append(os.Environ(), "TAGSIGHT_MODELS_DIR="+models)
	cmd.Stderr = os.Stderr
	s := &server{URL: testutil.Serve(t, cmd), Root: root, cmd: cmd}
	s.waitIdle(t)
	return s
}

// installOCRModels copies the PP-OCRv4 files (TAGSIGHT_OCR_MODELS, which
// make test-e2e exports) into dir, the folder `tagsight models pull ocr`
// fills.
func installOCRModels(t *testing.T, dir string) {
	t.Helper()
	src := testutil.OCRModels(t)
	for _, name := range []string{"ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx", "ppocr_keys_v1.txt"} {
		in, err := os.Open(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(out, in)
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
