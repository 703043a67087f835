package faces

import (
	"image"
	"image/color"
	"math"
	"testing"
)

// applySim maps p by scale k, rotation theta (radians) and translation t.
func applySim(p [2]float32, k, theta, tx, ty float64) [2]float32 {
	x, y := float64(p[0]), float64(p[1])
	c, s := math.Cos(theta), math.Sin(theta)
	return [2]float32{float32(k*(c*x-s*y) + tx), float32(k*(s*x+c*y) + ty)}
}

func TestSimilarityTransformRecoversKnown(t *testing.T) {
	const k, theta, tx, ty = 1.7, 0.35, 23.5, -12.25
	var dst [5][2]float32
	for i, p := range ArcFaceTemplate {
		dst[i] = applySim(p, k, theta, tx, ty)
	}
	m := SimilarityTransform(ArcFaceTemplate, dst)
	want := [6]float64{k * math.Cos(theta), -k * math.Sin(theta), tx, k * math.Sin(theta), k * math.Cos(theta), ty}
	for i := range m {
		if math.Abs(m[i]-want[i]) > 1e-3 {
			t.Errorf("M[%d] = %v, want %v (M=%v)", i, m[i], want[i], m)
		}
	}
	// And the inverse direction: image landmarks → template.
	inv := SimilarityTransform(dst, ArcFaceTemplate)
	for i, p := range dst {
		x := inv[0]*float64(p[0]) + inv[1]*float64(p[1]) + inv[2]
		y := inv[3]*float64(p[0]) + inv[4]*float64(p[1]) + inv[5]
		if math.Abs(x-float64(ArcFaceTemplate[i][0])) > 1e-3 || math.Abs(y-float64(ArcFaceTemplate[i][1])) > 1e-3 {
			t.Errorf("point %d maps to (%v,%v), want %v", i, x, y, ArcFaceTemplate[i])
		}
	}
}

// A mirrored point set must still give a proper rotation (det > 0), as
// OpenCV's Umeyama with D = diag(1, sign(det A)) does.
func TestSimilarityTransformNoReflection(t *testing.T) {
	var mirrored [5][2]float32
	for i, p := range ArcFaceTemplate {
		mirrored[i] = [2]float32{112 - p[0], p[1]}
	}
	m := SimilarityTransform(mirrored, ArcFaceTemplate)
	if det := m[0]*m[4] - m[1]*m[3]; det <= 0 {
		t.Errorf("det = %v, want > 0 (M=%v)", det, m)
	}
	if m[0] != m[4] || m[1] != -m[3] {
		t.Errorf("not a similarity: %v", m)
	}
}

func TestAlignCropLandsOnTemplate(t *testing.T) {
	const k, theta, tx, ty = 1.6, 0.3, 30.0, 40.0
	var lms [5][2]float32
	for i, p := range ArcFaceTemplate {
		lms[i] = applySim(p, k, theta, tx, ty)
	}
	img := image.NewRGBA(image.Rect(0, 0, 240, 260))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 90, 90, 90, 255
	}
	for _, idx := range []int{0, 2, 4} { // right eye, nose, left mouth corner
		// 7×7 green patch centred on the landmark (pixel centres at integers).
		cx, cy := int(math.Round(float64(lms[idx][0]))), int(math.Round(float64(lms[idx][1])))
		for y := cy - 3; y <= cy+3; y++ {
			for x := cx - 3; x <= cx+3; x++ {
				img.SetRGBA(x, y, color.RGBA{0, 255, 0, 255})
			}
		}
		crop := AlignCrop(img, lms)
		if b := crop.Bounds(); b.Dx() != 112 || b.Dy() != 112 {
			t.Fatalf("crop size %v", b)
		}
		// Centroid of green pixels in the crop, weighted by greenness.
		var sx, sy, sw float64
		for y := 0; y < 112; y++ {
			for x := 0; x < 112; x++ {
				p := crop.RGBAAt(x, y)
				if wgt := float64(p.G) - float64(p.R); wgt > 0 {
					sx += wgt * float64(x)
					sy += wgt * float64(y)
					sw += wgt
				}
			}
		}
		if sw == 0 {
			t.Fatalf("landmark %d: no green in crop", idx)
		}
		// Tolerance: ±1 px, plus the rounding of the patch centre (≤0.5 px in
		// the image, /k in the crop).
		want := ArcFaceTemplate[idx]
		if math.Abs(sx/sw-float64(want[0])) > 1 || math.Abs(sy/sw-float64(want[1])) > 1 {
			t.Errorf("landmark %d: green centroid (%.2f,%.2f), want %v", idx, sx/sw, sy/sw, want)
		}
		// Reset the patch for the next landmark.
		for y := cy - 3; y <= cy+3; y++ {
			for x := cx - 3; x <= cx+3; x++ {
				img.SetRGBA(x, y, color.RGBA{90, 90, 90, 255})
			}
		}
	}
}

func TestAlignCropOutsideIsBlack(t *testing.T) {
	// A tiny image: most of the crop maps outside it and must be black.
	img := image.NewRGBA(image.Rect(0, 0, 20, 20))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	var lms [5][2]float32
	for i, p := range ArcFaceTemplate {
		lms[i] = applySim(p, 3, 0, 10-3*56, 10-3*72) // crop (56,72) ↔ image (10,10)
	}
	crop := AlignCrop(img, lms)
	if p := crop.RGBAAt(0, 0); p.R != 0 || p.G != 0 || p.B != 0 {
		t.Errorf("corner pixel %v, want black", p)
	}
	if p := crop.RGBAAt(56, 72); p.R != 200 {
		t.Errorf("centre pixel %v, want image colour 200", p)
	}
}

func TestSFaceInputRGBOrder(t *testing.T) {
	crop := image.NewRGBA(image.Rect(0, 0, 112, 112))
	crop.SetRGBA(7, 5, color.RGBA{255, 0, 0, 255}) // pure red
	crop.SetRGBA(8, 5, color.RGBA{0, 0, 200, 255}) // blue
	in := SFaceInput(crop)
	const plane = 112 * 112
	if len(in) != 3*plane {
		t.Fatalf("len = %d, want 3*112*112", len(in))
	}
	i := 5*112 + 7
	// blobFromImage(..., swapRB=true) on a BGR Mat → channel 0 is R.
	if in[i] != 255 || in[plane+i] != 0 || in[2*plane+i] != 0 {
		t.Errorf("red pixel channels = %v,%v,%v, want 255,0,0", in[i], in[plane+i], in[2*plane+i])
	}
	if in[2*plane+i+1] != 200 || in[i+1] != 0 {
		t.Errorf("blue pixel channels = %v,%v,%v, want 0,0,200", in[i+1], in[plane+i+1], in[2*plane+i+1])
	}
	if SFaceInput(image.NewRGBA(image.Rect(0, 0, 100, 112))) != nil {
		t.Error("non-112 crop accepted")
	}
}

func TestYuNetInputBGROrderAndPadding(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	img.SetRGBA(3, 2, color.RGBA{255, 0, 0, 255})
	in, pw, ph := YuNetInput(img)
	if pw != 64 || ph != 32 || len(in) != 3*64*32 {
		t.Fatalf("padded %dx%d len %d", pw, ph, len(in))
	}
	plane, i := 64*32, 2*64+3
	// blobFromImage(pad_image) with swapRB=false keeps BGR → red in channel 2.
	if in[2*plane+i] != 255 || in[i] != 0 {
		t.Errorf("red pixel B,G,R = %v,%v,%v", in[i], in[plane+i], in[2*plane+i])
	}
}

// The match threshold is sface.py's (opencv_zoo), and for unit vectors
// (L2² = 2 − 2·cos) the same decision as its L2 threshold 1.128.
func TestSFaceThreshold(t *testing.T) {
	if SFaceCosineThreshold != 0.363 {
		t.Errorf("threshold %v, want sface.py's 0.363", SFaceCosineThreshold)
	}
	if d := math.Sqrt(2 - 2*float64(SFaceCosineThreshold)); math.Abs(d-1.128) > 1e-3 {
		t.Errorf("cosine threshold as an L2 distance: %v, want sface.py's 1.128", d)
	}
}
