package clip

import (
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"

	"github.com/tagsight/tagsight/backend/ort"
)

func ortLibrary(t testing.TB) string { return testutil.ORTLibrary(t) }

func initORT(t testing.TB) {
	t.Helper()
	if err := ort.Init(ortLibrary(t)); err != nil {
		t.Fatal(err)
	}
}

func solid(w, h int, c color.Color) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	return img
}

var testColours = []struct {
	name string
	c    color.RGBA
}{
	{"red", color.RGBA{255, 0, 0, 255}},
	{"green", color.RGBA{0, 255, 0, 255}},
	{"blue", color.RGBA{0, 0, 255, 255}},
	{"yellow", color.RGBA{255, 255, 0, 255}},
	{"white", color.RGBA{255, 255, 255, 255}},
	{"black", color.RGBA{0, 0, 0, 255}},
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// End to end with the colour model: a pure colour image is nearest to its colour's word,
// for int32 and int64 token inputs and for static batch 1 (which padding and looping serve).
func TestEngineColours(t *testing.T) {
	initORT(t)
	for _, model := range []string{"colour", "colour-int64", "colour-b1", "colour-mask"} {
		t.Run(model, func(t *testing.T) {
			spec, err := LoadModelDir(testModelDir(t, model))
			if err != nil {
				t.Fatal(err)
			}
			eng := NewEngine(spec, EngineOptions{Layout: Layout{Threads: 1, Batch: 4}})
			defer eng.Close()
			ctx := context.Background()

			var imgs [][]float32
			var words []string
			for i, c := range testColours {
				// different sizes and aspect ratios, all resized to 32x32
				px, err := spec.Preprocess.Preprocess(solid(40+13*i, 90-7*i, c.c))
				if err != nil {
					t.Fatal(err)
				}
				imgs = append(imgs, px)
				words = append(words, c.name)
			}
			ie, err := eng.EmbedImages(ctx, imgs)
			if err != nil {
				t.Fatal(err)
			}
			phrases := make([]string, len(words))
			for i, w := range words {
				phrases[i] = "A photo of a " + strings.ToUpper(w) + " car!"
			}
			te, err := eng.EmbedTexts(ctx, append(words, phrases...))
			if err != nil {
				t.Fatal(err)
			}
			if len(ie) != len(imgs) || len(te) != 2*len(words) {
				t.Fatalf("%d image and %d text embeddings", len(ie), len(te))
			}
			for _, v := range append(append([][]float32{}, ie...), te...) {
				if n := dot(v, v); math.Abs(n-1) > 1e-5 || len(v) != 8 {
					t.Fatalf("embedding not unit length: %v (norm² %v)", v, n)
				}
			}
			for i := range imgs {
				best, bestSim := -1, -2.0
				for j := range te {
					if s := dot(ie[i], te[j]); s > bestSim {
						best, bestSim = j, s
					}
				}
				if best != i {
					t.Errorf("%s image: nearest text %q (%.3f)", words[i], append(words, phrases...)[best], bestSim)
				}
				// colour-mask's EOS row leans green on purpose (see make_test_models.py):
				// exact only without it; with a wrong mask, green would win everywhere.
				exact := 0.9999
				if model == "colour-mask" {
					exact = 0.9
				}
				if s := dot(ie[i], te[i]); s < exact {
					t.Errorf("%s image vs %q: cosine %.5f", words[i], words[i], s)
				}
				// the phrase is nearer its own colour than any other colour word
				for j := range words {
					if j != i && dot(te[len(words)+i], te[j]) >= dot(te[len(words)+i], te[i]) {
						t.Errorf("%q is as near %q as %q", phrases[i], words[j], words[i])
					}
				}
			}
			// One at a time gives the same vectors as a batch.
			one, err := eng.EmbedImages(ctx, imgs[3:4])
			if err != nil {
				t.Fatal(err)
			}
			if d := 1 - dot(one[0], ie[3]); math.Abs(d) > 1e-6 {
				t.Errorf("single vs batched image differ by %g", d)
			}
			one, err = eng.EmbedTexts(ctx, []string{"white"})
			if err != nil {
				t.Fatal(err)
			}
			if d := 1 - dot(one[0], te[4]); math.Abs(d) > 1e-6 {
				t.Errorf("single vs batched text differ by %g", d)
			}
			wantBatch, wantIDs := 0, ort.TensorElementDataType(ort.TensorElementDataTypeInt32)
			switch model {
			case "colour-b1":
				wantBatch = 1
			case "colour-int64", "colour-mask":
				wantIDs = ort.TensorElementDataTypeInt64
			}
			if (eng.textual.mask == "attention_mask") != (model == "colour-mask") {
				t.Errorf("attention mask input %q", eng.textual.mask)
			}
			if eng.visual.batch != wantBatch || eng.textual.batch != wantBatch || eng.textual.inType != wantIDs {
				t.Errorf("batch %d/%d ids %v, want batch %d ids %v", eng.visual.batch, eng.textual.batch,
					eng.textual.inType, wantBatch, wantIDs)
			}
			if out, err := eng.EmbedTexts(ctx, nil); err != nil || len(out) != 0 {
				t.Errorf("no texts: %v %v", out, err)
			}
		})
	}
}

func TestEngineErrors(t *testing.T) {
	initORT(t)
	spec, err := LoadModelDir(testModelDir(t, "colour"))
	if err != nil {
		t.Fatal(err)
	}
	eng := NewEngine(spec, EngineOptions{})
	if _, err := eng.EmbedImages(context.Background(), [][]float32{make([]float32, 10)}); err == nil {
		t.Error("short image accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := eng.EmbedTexts(ctx, []string{"red"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.EmbedTexts(context.Background(), []string{"red"}); !errors.Is(err, ort.ErrClosed) {
		t.Errorf("closed: %v", err)
	}

	// config.json disagreeing with the ONNX file is caught when the tower loads.
	dir := copyModel(t, "colour")
	if err := write(ConfigFile, `{"embed_dim": 16, "vision_cfg": {"image_size": 32}, "text_cfg": {"context_length": 77}}`)(dir); err != nil {
		t.Fatal(err)
	}
	spec, err = LoadModelDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	eng = NewEngine(spec, EngineOptions{})
	defer eng.Close()
	_, err = eng.EmbedTexts(context.Background(), []string{"red"})
	if !errors.Is(err, ErrBadModel) || !strings.Contains(err.Error(), "textual/model.onnx") ||
		!strings.Contains(err.Error(), "embed_dim") {
		t.Errorf("embed_dim mismatch: %v", err)
	}
}

// Sessions are shared: concurrent callers (and the lazy first load) must be safe.
func TestEngineConcurrent(t *testing.T) {
	initORT(t)
	spec, err := LoadModelDir(testModelDir(t, "colour"))
	if err != nil {
		t.Fatal(err)
	}
	eng := NewEngine(spec, EngineOptions{Layout: Layout{Threads: 1}})
	defer eng.Close()
	red, err := spec.Preprocess.Preprocess(solid(50, 30, testColours[0].c))
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 20; i++ {
				ie, err := eng.EmbedImages(context.Background(), [][]float32{red, red})
				if err != nil {
					errs <- err
					return
				}
				te, err := eng.EmbedTexts(context.Background(), []string{"red", "blue"})
				if err != nil {
					errs <- err
					return
				}
				if dot(ie[1], te[0]) < 0.9999 || dot(ie[0], te[1]) > 0.9 {
					errs <- errors.New("wrong similarity under concurrency")
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// Benchmarks on a real-sized model: make one with
//
//	/usr/bin/python3 models/make_test_models.py /tmp/vitb32 --arch vitb32 --random
//	TAGSIGHT_CLIP_BENCH_MODEL=/tmp/vitb32 go test -run '^$' -bench . ./backend/clip/
func benchEngine(b *testing.B) *Engine {
	dir := os.Getenv("TAGSIGHT_CLIP_BENCH_MODEL")
	if dir == "" {
		b.Skip("set TAGSIGHT_CLIP_BENCH_MODEL to a model folder")
	}
	initORT(b)
	spec, err := LoadModelDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	eng := NewEngine(spec, EngineOptions{Layout: Layout{Threads: 2}})
	b.Cleanup(func() { eng.Close() })
	return eng
}

func BenchmarkEmbedImage(b *testing.B) {
	eng := benchEngine(b)
	px, err := eng.Spec().Preprocess.Preprocess(solid(640, 480, color.RGBA{200, 100, 50, 255}))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := eng.EmbedImages(context.Background(), [][]float32{px}); err != nil { // load
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := eng.EmbedImages(context.Background(), [][]float32{px}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEmbedText(b *testing.B) {
	eng := benchEngine(b)
	if _, err := eng.EmbedTexts(context.Background(), []string{"warm up"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := eng.EmbedTexts(context.Background(), []string{"a photo of a red car at sunset"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPreprocess12MP(b *testing.B) {
	cfg := PreprocessConfig{Height: 224, Width: 224, Mode: "RGB", Mean: [3]float32{.48, .46, .41},
		Std: [3]float32{.27, .26, .28}, Interpolation: "bicubic", ResizeMode: "shortest"}
	img := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	dst := make([]float32, cfg.Len())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := cfg.PreprocessInto(dst, img); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEngineCloseWaits(t *testing.T) {
	initORT(t)
	spec, err := LoadModelDir(testModelDir(t, "colour"))
	if err != nil {
		t.Fatal(err)
	}
	eng := NewEngine(spec, EngineOptions{Layout: Layout{Threads: 1}})
	texts := make([]string, 2000)
	for i := range texts {
		texts[i] = "red green blue"
	}
	done := make(chan error)
	go func() {
		_, err := eng.EmbedTexts(context.Background(), texts)
		done <- err
	}()
	for i := 0; i < 3; i++ {
		go eng.EmbedTexts(context.Background(), texts[:10])
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil && !errors.Is(err, ort.ErrClosed) {
		t.Fatal(err)
	}
}
