package ocr

import (
	"context"
	"errors"
	"image"
	"math"
	"testing"
)

// A filled rotated rectangle on the probability map comes back as one box
// with the rectangle's corners grown by the unclip distance.
func TestDBBoxesFindsRotatedRectangle(t *testing.T) {
	const w, h = 200, 120
	cx, cy, hw, hh, deg := 100.0, 60.0, 60.0, 12.0, 10.0
	a := deg * math.Pi / 180
	u, v := point{math.Cos(a), math.Sin(a)}, point{-math.Sin(a), math.Cos(a)}
	prob := make([]float32, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			if math.Abs(dx*u.x+dy*u.y) <= hw && math.Abs(dx*v.x+dy*v.y) <= hh {
				prob[y*w+x] = 0.9
			}
		}
	}
	boxes := dbBoxes(prob, w, h, dbParams{thresh: 0.3, boxThresh: 0.6, unclip: 1.5, minSize: 3, maxCandidates: 10})
	if len(boxes) != 1 {
		t.Fatalf("%d boxes, want 1", len(boxes))
	}
	// Expected: the rectangle (pixel centres span 2hw×2hh) grown by area×1.5/perimeter.
	d := (2 * hw) * (2 * hh) * 1.5 / (2 * (2*hw + 2*hh))
	at := func(s, t float64) point { return point{cx + s*u.x + t*v.x, cy + s*u.y + t*v.y} }
	want := [4]point{at(-hw-d, -hh-d), at(hw+d, -hh-d), at(hw+d, hh+d), at(-hw-d, hh+d)}
	for k := range want {
		if dist(boxes[0][k], want[k]) > 2.5 {
			t.Errorf("corner %d at %v, want %v", k, boxes[0][k], want[k])
		}
	}
}

func TestCTCGreedyCollapsesRepeatsAndBlanks(t *testing.T) {
	chars := []string{"", "a", "b", " "}
	// steps: a a blank a b b space b → "aab b" (a repeat split by a blank stays)
	seq := []int{1, 1, 0, 1, 2, 2, 3, 2}
	probs := make([]float32, len(seq)*len(chars))
	for s, c := range seq {
		probs[s*len(chars)+c] = 0.8
		probs[s*len(chars)+(c+1)%len(chars)] = 0.2
	}
	text, score := ctcGreedy(probs, len(seq), len(chars), chars)
	if text != "aab b" || math.Abs(float64(score)-0.8) > 1e-6 {
		t.Fatalf("got %q %.3f, want %q 0.8", text, score, "aab b")
	}
}

// A cancelled context stops a read before the models run.
func TestReadStopsOnCancel(t *testing.T) {
	e := testEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	if _, err := e.Read(ctx, img); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read on a cancelled context: %v", err)
	}
}

// A line whose region bends up at its left end (text over a photo's edges,
// the detector's map not a clean bar) is still found: its minimum-area box
// is taller than the line, and the mean over that box falls under
// boxThresh, but over the region drawn it is 0.9.
func TestDBBoxesKeepsABentLine(t *testing.T) {
	const w, h = 320, 80
	prob := make([]float32, w*h)
	for x := 20; x < 300; x++ {
		y0 := 40
		if x < 60 { // the left end rises 8 px
			y0 -= (60 - x) / 5
		}
		for y := y0; y < y0+8; y++ {
			prob[y*w+x] = 0.9
		}
	}
	boxes := dbBoxes(prob, w, h, defaultDB)
	if len(boxes) != 1 {
		t.Fatalf("%d boxes, want 1", len(boxes))
	}
	x0, x1 := math.Inf(1), math.Inf(-1)
	for _, p := range boxes[0] {
		x0, x1 = math.Min(x0, p.x), math.Max(x1, p.x)
	}
	if x0 > 20 || x1 < 299 {
		t.Errorf("box spans x %.0f..%.0f, the line 20..299", x0, x1)
	}
}
