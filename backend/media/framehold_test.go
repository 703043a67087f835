package media

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// TestFramesHeldKeepTheirBudget: the frames FramesHeld hands out stay
// reserved from the decode budget (the whole budget cannot be taken)
// until their release, and only theirs: the rest of what the pass
// reserved (a video reserves MaxKeyframes frames) is back when it
// returns. Plain Frames keeps nothing once it returns.
func TestFramesHeldKeepTheirBudget(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	const budget = 512 << 20
	SetDecodeMemory(budget)
	defer SetDecodeMemory(0)
	dir := t.TempDir()
	video := filepath.Join(dir, "rb.mp4")
	colourVideo(t, video, "red", "blue")
	pdf := writeFile(t, dir, "scan.pdf", testutil.MixedPDF([]testutil.PDFPage{{JPEG: scanJPEG(t, "red", 800, 600), W: 800, H: 600}}))
	free := func() int64 { // what of the budget is free, found by taking it
		sem := decodeMemory.Load().sem
		lo, hi := int64(0), int64(budget)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if sem.TryAcquire(mid) {
				sem.Release(mid)
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return lo
	}
	for _, c := range []struct {
		path string
		want int64 // the frames' bytes, from what the file was made as
	}{
		{video, 2 * 64 * 48 * 4}, // two scenes, 320x240 scaled to a short side of 48
		{pdf, 400 * 300 * 4},     // the scanned page at the size asked for
	} {
		short := 48
		if c.path == pdf {
			short = 300
		}
		src := NewSource(c.path, nil)
		n := 0
		release, err := src.FramesHeld(context.Background(), Limits{}, func(w, h int) bool { return min(w, h) >= short }, func(Frame) error { n++; return nil })
		src.Close()
		if err != nil || n == 0 {
			t.Fatalf("%s: %d frames, %v", c.path, n, err)
		}
		if got := budget - free(); got != c.want {
			t.Errorf("%s: %d bytes held while the frames are kept, want %d", c.path, got, c.want)
		}
		release()
		if got := budget - free(); got != 0 {
			t.Errorf("%s: %d bytes held after release", c.path, got)
		}
		if _, err := collectFrames(t, c.path, Limits{}, short); err != nil {
			t.Fatal(err)
		}
		if got := budget - free(); got != 0 {
			t.Errorf("%s: plain Frames left %d bytes held", c.path, got)
		}
	}
}
