package library

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/testutil"
)

// pixelAnalyzer stands in for the CLIP analyzer: it needs a 24 px short
// side and fails for one file.
type pixelAnalyzer struct {
	mu    sync.Mutex
	calls int
}

func (p *pixelAnalyzer) Name() string                       { return "pixels" }
func (p *pixelAnalyzer) Version() string                    { return "p1" }
func (p *pixelAnalyzer) Applies(mediaType, rel string) bool { return mediaType == media.TypeImage }
func (p *pixelAnalyzer) Need() analysis.Need                { return analysis.Need{Short: 24} }
func (p *pixelAnalyzer) Analyze(ctx context.Context, it *analysis.Item, pic *analysis.Picture) (any, error) {
	p.mu.Lock()
	p.calls++
	p.mu.Unlock()
	if pic.Image == nil || min(pic.Image.Rect.Dx(), pic.Image.Rect.Dy()) < 24 {
		return nil, fmt.Errorf("picture too small: %v", pic.Image)
	}
	if it.Rel == "p3.jpg" {
		return nil, errors.New("cannot analyze")
	}
	return nil, nil
}

// TestScanDecodesEachPictureOnce: thumbnail and an extra pixel analyzer
// share one decode per picture; a second scan decodes nothing and does
// not retry the failure; a new file is decoded once.
func TestScanDecodesEachPictureOnce(t *testing.T) {
	root := t.TempDir()
	for i := 0; i < 6; i++ {
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("p%d.jpg", i)),
			testutil.JPEG(t, testutil.Solid(400, 300, color.RGBA{uint8(40 * i), 0, 0, 255}), nil))
	}
	l := openLib(t, root)
	var mu sync.Mutex
	decodes := map[string]int{}
	dec := func(ctx context.Context, src *media.Source, lim media.Limits, enough func(w, h int) bool) (*image.RGBA, media.Info, error) {
		mu.Lock()
		decodes[filepath.Base(src.Path)]++
		mu.Unlock()
		return src.DecodeOriented(ctx, lim, enough)
	}
	px := &pixelAnalyzer{}
	opts := ScanOptions{ThumbSize: 64, Analyzers: []analysis.Analyzer{px}, Decode: dec}
	res := scan(t, l, opts)
	if res.Added != 6 || len(decodes) != 6 || res.Analysis.Decodes != 6 {
		t.Fatalf("added %d, decoded %v", res.Added, decodes)
	}
	for p, n := range decodes {
		if n != 1 {
			t.Errorf("%s decoded %d times", p, n)
		}
	}
	st := res.Analysis.Analyzers["pixels"]
	if st.Done != 5 || st.Failed != 1 || st.Errors[0].Path != "p3.jpg" || res.Analysis.Analyzers["thumbnail"].Done != 6 {
		t.Errorf("stats %+v %+v", st, res.Analysis.Analyzers["thumbnail"])
	}
	for p, e := range entryMap(t, l) {
		if e.Thumb == "" || !l.thumbOK(e.Thumb) || e.Width != 400 {
			t.Errorf("%s: %+v", p, e)
		}
	}
	decodes = map[string]int{}
	res = scan(t, l, opts)
	if res.Unchanged != 6 || len(decodes) != 0 || px.calls != 6 {
		t.Errorf("second scan: %+v, decoded %v, analyzer ran %d times", res, decodes, px.calls)
	}
	testutil.WriteFile(t, filepath.Join(root, "new.jpg"), testutil.JPEG(t, testutil.Solid(400, 300, color.RGBA{0, 9, 0, 255}), nil))
	res = scan(t, l, opts)
	if res.Added != 1 || len(decodes) != 1 || decodes["new.jpg"] != 1 {
		t.Errorf("new file: %+v, decoded %v", res, decodes)
	}
}
