package vectors

import (
	"context"
	"errors"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

// meanColour embeds the mean RGB of the picture: enough to tell colours apart.
type meanColour struct{ calls atomic.Int32 }

func (m *meanColour) Preprocess(img image.Image) ([]float32, error) {
	b := img.Bounds()
	var r, g, bl float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			r, g, bl = r+float64(c.R), g+float64(c.G), bl+float64(c.B)
		}
	}
	n := float64(b.Dx() * b.Dy())
	return []float32{float32(r / n), float32(g / n), float32(bl / n)}, nil
}

func (m *meanColour) EmbedImages(ctx context.Context, in [][]float32) ([][]float32, error) {
	m.calls.Add(1)
	out := make([][]float32, len(in))
	for i, v := range in {
		out[i] = append([]float32(nil), v...)
	}
	return out, ctx.Err()
}

// run back-fills the CLIP analyzer alone over lib, as workspace.Backfill
// does with a model loaded.
func run(ctx context.Context, lib *library.Library, m store.Model, enc *meanColour, o Options, report func(done, total int, cur string)) (Result, error) {
	ar, err := analysis.Backfill(ctx, lib.DB, lib.Abs, analysis.Options{Analyzers: []analysis.Analyzer{NewAnalyzer(m, enc, enc, o)}}, report)
	return FromAnalysis(ctx, lib.DB, m, &ar), err
}

func TestBackfillEmbedsReportsAndResumes(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	for i, c := range []color.RGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}} {
		testutil.WriteFile(t, filepath.Join(root, string(rune('a'+i))+".jpg"), testutil.JPEG(t, testutil.Solid(64, 64, c), nil))
	}
	lib, err := library.Open(ctx, root, library.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	if _, err := lib.Scan(ctx, library.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	// A picture that breaks after the scan: reported, remembered, not retried.
	os.WriteFile(filepath.Join(root, "c.jpg"), []byte("garbage now"), 0o644)
	m, _ := lib.DB.EnsureModel(ctx, "k", "mean", 3)
	enc := &meanColour{}
	var lastDone, lastTotal int
	res, err := run(ctx, lib, m, enc, Options{MinShort: 8, Batch: 2}, func(done, total int, _ string) { lastDone, lastTotal = done, total })
	if err != nil {
		t.Fatal(err)
	}
	if res.Embedded != 2 || res.Failed != 1 || res.Total != 2 || len(res.Errors) != 1 || res.Errors[0].Path != "c.jpg" {
		t.Fatalf("result %+v", res)
	}
	if lastDone != 3 || lastTotal != 3 {
		t.Errorf("last progress %d of %d, want 3 of 3", lastDone, lastTotal)
	}
	a, err := lib.DB.EntryByPath(ctx, "a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	v, err := lib.DB.Vector(ctx, m, a.ID)
	if err != nil || v[0] < 200 || v[1] > 50 {
		t.Errorf("a.jpg's vector %v %v", v, err)
	}
	calls := enc.calls.Load()
	res, _ = run(ctx, lib, m, enc, Options{}, nil)
	if res.Embedded != 0 || res.Failed != 0 || enc.calls.Load() != calls {
		t.Errorf("second run did work: %+v", res)
	}
	// Cancelled before it starts, with a new picture to embed: nothing
	// written, the error says so, and the next run does the work.
	testutil.WriteFile(t, filepath.Join(root, "d.jpg"), testutil.JPEG(t, testutil.Solid(64, 64, color.RGBA{200, 200, 0, 255}), nil))
	if _, err := lib.Scan(ctx, library.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	res, err = run(cctx, lib, m, enc, Options{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: err %v, want context.Canceled", err)
	}
	if res.Embedded != 0 || enc.calls.Load() != calls {
		t.Errorf("cancelled run did work: %+v", res)
	}
	if n, _ := lib.DB.CountVectors(ctx, m); n != 2 {
		t.Errorf("%d vectors after a cancelled run, want 2", n)
	}
	res, err = run(ctx, lib, m, enc, Options{}, nil)
	if err != nil || res.Embedded != 1 || res.Total != 3 {
		t.Errorf("run after the cancelled one: %+v %v", res, err)
	}
}

func TestModelKeyIgnoresFolderName(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		testutil.WriteFile(t, filepath.Join(d, "config.json"), []byte(`{"embed_dim": 3}`))
		testutil.WriteFile(t, filepath.Join(d, "visual/model.onnx"), []byte("weights"))
		testutil.WriteFile(t, filepath.Join(d, "visual/preprocess_cfg.json"), []byte(`{}`))
	}
	ka, err := ModelKey(a)
	kb, _ := ModelKey(b)
	if err != nil || ka != kb {
		t.Errorf("same files, keys %q %q (%v)", ka, kb, err)
	}
	os.WriteFile(filepath.Join(b, "visual/model.onnx"), []byte("other weights"), 0o644)
	if kc, _ := ModelKey(b); kc == ka {
		t.Error("other weights, same key")
	}
	if _, err := ModelKey(t.TempDir()); err == nil {
		t.Error("empty folder has a key")
	}
}
