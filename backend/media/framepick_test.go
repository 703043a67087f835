package media

import (
	"image"
	"testing"
	"time"
)

func greyFrame(v uint8, at time.Duration) Frame {
	img := image.NewRGBA(image.Rect(0, 0, 64, 36))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	return Frame{Image: img, At: at}
}

// SpreadFrames keeps at most n frames evenly over the list and drops one
// that looks like the one kept before it (grey levels within 4), not one
// that looks like an earlier one.
func TestSpreadFrames(t *testing.T) {
	var frames []Frame
	for i, v := range []uint8{10, 12, 60, 10, 200, 203, 90, 91, 120, 30} {
		frames = append(frames, greyFrame(v, time.Duration(i)*time.Second))
	}
	times := func(fs []Frame) (out []int) {
		for _, f := range fs {
			out = append(out, int(f.At/time.Second))
		}
		return out
	}
	for _, tc := range []struct {
		n    int
		want []int
	}{
		{0, []int{0, 2, 3, 4, 6, 8, 9}},  // 1 is like 0, 5 like 4, 7 like 6
		{5, []int{0, 2, 4, 6, 8}},        // frames 0 2 4 6 8, none alike
		{20, []int{0, 2, 3, 4, 6, 8, 9}}, // the cap is above the count
	} {
		got := times(SpreadFrames(frames, tc.n))
		if len(got) != len(tc.want) {
			t.Errorf("n=%d: %v, want %v", tc.n, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("n=%d: %v, want %v", tc.n, got, tc.want)
				break
			}
		}
	}
}
