package faces

import (
	"image"
	"math"
	"testing"
)

// emptyOutputs allocates zeroed YuNet tensors for a (padded) grid.
func emptyOutputs(padW, padH int) map[string][]float32 {
	out := map[string][]float32{}
	for _, s := range []int{8, 16, 32} {
		n := (padW / s) * (padH / s)
		out["cls_"+itoa(s)] = make([]float32, n)
		out["obj_"+itoa(s)] = make([]float32, n)
		out["bbox_"+itoa(s)] = make([]float32, 4*n)
		out["kps_"+itoa(s)] = make([]float32, 10*n)
	}
	return out
}

func itoa(i int) string {
	switch i {
	case 8:
		return "8"
	case 16:
		return "16"
	}
	return "32"
}

type anchor struct {
	stride, r, c int
	cls, obj     float32
	bbox         [4]float32
	kps          [10]float32
}

func (a anchor) put(out map[string][]float32, padW int) {
	cols := padW / a.stride
	idx := a.r*cols + a.c
	s := itoa(a.stride)
	out["cls_"+s][idx] = a.cls
	out["obj_"+s][idx] = a.obj
	copy(out["bbox_"+s][idx*4:], a.bbox[:])
	copy(out["kps_"+s][idx*10:], a.kps[:])
}

// expected computes the face from the formulas independently (float64).
func (a anchor) expected() (x, y, w, h float64, lm [5][2]float64, score float64) {
	st := float64(a.stride)
	cx := (float64(a.c) + float64(a.bbox[0])) * st
	cy := (float64(a.r) + float64(a.bbox[1])) * st
	w = math.Exp(float64(a.bbox[2])) * st
	h = math.Exp(float64(a.bbox[3])) * st
	for k := 0; k < 5; k++ {
		lm[k][0] = float64(a.kps[2*k])*st + float64(a.c)*st
		lm[k][1] = float64(a.kps[2*k+1])*st + float64(a.r)*st
	}
	c := math.Min(1, math.Max(0, float64(a.cls)))
	o := math.Min(1, math.Max(0, float64(a.obj)))
	return cx - w/2, cy - h/2, w, h, lm, math.Sqrt(c * o)
}

func near(a float32, b float64, tol float64) bool { return math.Abs(float64(a)-b) <= tol }

func checkFace(t *testing.T, f Face, a anchor) {
	t.Helper()
	x, y, w, h, lm, score := a.expected()
	if !near(f.X, x, 1e-4) || !near(f.Y, y, 1e-4) || !near(f.W, w, 1e-4) || !near(f.H, h, 1e-4) {
		t.Errorf("stride %d box = (%v,%v,%v,%v), want (%v,%v,%v,%v)", a.stride, f.X, f.Y, f.W, f.H, x, y, w, h)
	}
	for k := 0; k < 5; k++ {
		if !near(f.Landmarks[k][0], lm[k][0], 1e-4) || !near(f.Landmarks[k][1], lm[k][1], 1e-4) {
			t.Errorf("stride %d landmark %d = %v, want %v", a.stride, k, f.Landmarks[k], lm[k])
		}
	}
	if !near(f.Score, score, 1e-6) {
		t.Errorf("stride %d score = %v, want %v", a.stride, f.Score, score)
	}
}

func TestPadSize(t *testing.T) {
	for _, c := range []struct{ w, h, pw, ph int }{
		{64, 64, 64, 64}, {1, 1, 32, 32}, {33, 32, 64, 32}, {640, 480, 640, 480}, {100, 60, 128, 64}, {320, 241, 320, 256},
	} {
		pw, ph := PadSize(c.w, c.h)
		if pw != c.pw || ph != c.ph {
			t.Errorf("PadSize(%d,%d) = %d,%d, want %d,%d", c.w, c.h, pw, ph, c.pw, c.ph)
		}
	}
}

func TestDecodeYuNet64(t *testing.T) {
	out := emptyOutputs(64, 64)
	a8 := anchor{stride: 8, r: 3, c: 5, cls: 0.9, obj: 0.8,
		bbox: [4]float32{0.25, -0.5, 0.7, 0.3},
		kps:  [10]float32{-0.5, -0.25, 0.5, -0.3, 0, 0.1, -0.4, 0.5, 0.4, 0.55}}
	a32 := anchor{stride: 32, r: 1, c: 0, cls: 1.4, obj: 0.7, // cls clamps to 1
		bbox: [4]float32{0.5, 0.1, 0.2, -0.1},
		kps:  [10]float32{0.2, -0.1, 0.8, -0.1, 0.5, 0.2, 0.3, 0.5, 0.7, 0.5}}
	weak := anchor{stride: 16, r: 2, c: 1, cls: 0.5, obj: 0.5, // score 0.5 < 0.6
		bbox: [4]float32{0.5, 0.5, 0, 0}}
	a8.put(out, 64)
	a32.put(out, 64)
	weak.put(out, 64)
	if err := CheckYuNetOutputs(out, 64, 64); err != nil {
		t.Fatal(err)
	}
	faces := DecodeYuNet(out, 64, 64, 0.6)
	if len(faces) != 2 {
		t.Fatalf("got %d faces, want 2: %+v", len(faces), faces)
	}
	// OpenCV iterates strides 8, 16, 32 in order.
	checkFace(t, faces[0], a8)
	checkFace(t, faces[1], a32)
	if faces[1].Score != float32(math.Sqrt(0.7)) {
		t.Errorf("clamped score = %v, want sqrt(1*0.7)", faces[1].Score)
	}
	// Lowering the threshold lets the weak anchor through.
	if got := DecodeYuNet(out, 64, 64, 0.4); len(got) != 3 {
		t.Errorf("threshold 0.4: got %d faces, want 3", len(got))
	}
}

// A non-square, non-multiple-of-32 input: grid must come from the padded
// size (96×64 → 12 cols × 8 rows at stride 8), rows and cols not swapped.
func TestDecodeYuNetNonSquarePadded(t *testing.T) {
	const w, h = 90, 50 // pads to 96×64
	out := emptyOutputs(96, 64)
	a := anchor{stride: 8, r: 2, c: 9, cls: 1, obj: 1,
		bbox: [4]float32{0.5, 0.5, 1, 1},
		kps:  [10]float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}}
	a.put(out, 96)
	faces := DecodeYuNet(out, w, h, 0.5)
	if len(faces) != 1 {
		t.Fatalf("got %d faces, want 1", len(faces))
	}
	checkFace(t, faces[0], a)
	// Expected centre, by hand: ((9+0.5)*8, (2+0.5)*8) = (76, 20).
	if cx, cy := faces[0].X+faces[0].W/2, faces[0].Y+faces[0].H/2; !near(cx, 76, 1e-4) || !near(cy, 20, 1e-4) {
		t.Errorf("centre = (%v,%v), want (76,20)", cx, cy)
	}
	delete(out, "kps_16")
	if err := CheckYuNetOutputs(out, w, h); err == nil {
		t.Error("CheckYuNetOutputs accepted outputs without kps_16")
	}
	out["kps_16"] = make([]float32, 10)
	if err := CheckYuNetOutputs(out, w, h); err == nil {
		t.Error("CheckYuNetOutputs accepted a short kps_16")
	}
}

func TestNMS(t *testing.T) {
	a := Face{X: 0, Y: 0, W: 10, H: 10, Score: 0.7}
	b := Face{X: 1, Y: 1, W: 10, H: 10, Score: 0.9} // IoU with a = 81/119 ≈ 0.68
	c := Face{X: 50, Y: 50, W: 10, H: 10, Score: 0.8}
	got := NMS([]Face{a, b, c}, 0.3, 0)
	if len(got) != 2 || got[0] != b || got[1] != c {
		t.Fatalf("NMS = %+v, want [b c]", got)
	}
	// Disjoint boxes are both kept.
	if got := NMS([]Face{a, c}, 0.3, 0); len(got) != 2 {
		t.Errorf("disjoint: kept %d, want 2", len(got))
	}
	// A threshold above the overlap keeps both overlapping boxes.
	if got := NMS([]Face{a, b}, 0.7, 0); len(got) != 2 {
		t.Errorf("iou 0.7: kept %d, want 2", len(got))
	}
	// topK limits the result and keeps the best.
	d := Face{X: 100, Y: 0, W: 10, H: 10, Score: 0.95}
	got = NMS([]Face{a, c, d}, 0.3, 2)
	if len(got) != 2 || got[0] != d || got[1] != c {
		t.Errorf("topK 2 = %+v, want [d c]", got)
	}
	if iou := IoU(a, b); math.Abs(float64(iou)-81.0/119.0) > 1e-6 {
		t.Errorf("IoU = %v, want 81/119", iou)
	}
}

// The direct path for *image.RGBA gives the same tensor as the generic one.
func TestYuNetInputRGBAPathMatches(t *testing.T) {
	img := image.NewRGBA(image.Rect(3, 5, 3+45, 5+29))
	for i := range img.Pix {
		img.Pix[i] = uint8(i*7 + i/3)
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	fast, w1, h1 := YuNetInput(img)
	slow, w2, h2 := YuNetInput(struct{ image.Image }{img})
	if w1 != w2 || h1 != h2 || len(fast) != len(slow) {
		t.Fatalf("%dx%d vs %dx%d", w1, h1, w2, h2)
	}
	for i := range fast {
		if fast[i] != slow[i] {
			t.Fatalf("value %d: %v vs %v", i, fast[i], slow[i])
		}
	}
}
