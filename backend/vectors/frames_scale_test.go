package vectors

import (
	"context"
	"image"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// TestFramesWaitScaledDown: frames decoded larger for another analyzer
// (OCR's 854×480) wait for the model at the frames analyzer's own size,
// their times kept, and the pipeline's shared frames are not touched.
func TestFramesWaitScaledDown(t *testing.T) {
	a := NewFramesAnalyzer(store.Model{Key: "m"}, nil, nil, Options{MinShort: 224}, nil)
	p := &analysis.Picture{}
	for i := range 3 {
		p.Frames = append(p.Frames, media.Frame{Image: image.NewRGBA(image.Rect(0, 0, 854, 480)), At: time.Duration(i) * time.Second})
	}
	v, err := a.Analyze(context.Background(), &analysis.Item{Fingerprint: "f"}, p)
	if err != nil {
		t.Fatal(err)
	}
	in := v.(framesIn)
	if len(in.frames) != 3 {
		t.Fatalf("%d frames wait, want 3", len(in.frames))
	}
	for i, f := range in.frames {
		if b := f.Image.Bounds(); min(b.Dx(), b.Dy()) != 224 || f.At != time.Duration(i)*time.Second {
			t.Errorf("frame %d waits at %v, %v: want short side 224 at %ds", i, b, f.At, i)
		}
		if b := p.Frames[i].Image.Bounds(); b.Dx() != 854 {
			t.Errorf("the shared frame %d changed to %v", i, b)
		}
	}
}
