package faces

import (
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"sort"
	"testing"

	"github.com/tagsight/tagsight/backend/ort"
	"github.com/tagsight/tagsight/backend/testutil"
)

func testEngine(t *testing.T, dynamic bool) *Engine {
	t.Helper()
	if err := ort.Init(testutil.ORTLibrary(t)); err != nil {
		t.Fatal(err)
	}
	m, err := FindModels(testutil.FaceModels(t, dynamic))
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(m, EngineOptions{Provider: "cpu"})
	t.Cleanup(e.Close)
	if err := e.Load(); err != nil {
		t.Fatal(err)
	}
	return e
}

var (
	red   = color.RGBA{230, 30, 30, 255}
	blue  = color.RGBA{40, 60, 235, 255}
	green = color.RGBA{30, 210, 40, 255}
)

// Every disc is found, its box within 2 px of the disc's bounding square
// (the generator's centre and radius are the reference), at the picture's
// own size and when it is scaled down to the detection size, with a
// detector of fixed input (YuNet 2023mar's 640×640) and one of any size.
func TestDetectFindsEveryDiscWithin2px(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		w, h  int
		discs []testutil.Disc
	}{
		{"one disc 640x480", 640, 480, []testutil.Disc{{X: 300.5, Y: 200, R: 40, C: red}}},
		{"three discs 600x400", 600, 400, []testutil.Disc{{X: 100, Y: 120, R: 30, C: red}, {X: 320.5, Y: 250.5, R: 55, C: blue}, {X: 520, Y: 100, R: 25, C: green}}},
		{"1280x960 scaled to 640", 1280, 960, []testutil.Disc{{X: 300, Y: 300, R: 80, C: red}, {X: 900.5, Y: 600, R: 100, C: blue}}},
		{"portrait 480x800", 480, 800, []testutil.Disc{{X: 240, Y: 150, R: 60, C: green}, {X: 200, Y: 600, R: 45, C: red}}},
	}
	for _, dynamic := range []bool{false, true} {
		e := testEngine(t, dynamic)
		for _, c := range cases {
			img := testutil.DiscsImage(c.w, c.h, c.discs...)
			got, err := e.Detect(ctx, img, 640, 0.6)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.discs) {
				t.Errorf("dynamic=%v %s: %d faces, want %d: %+v", dynamic, c.name, len(got), len(c.discs), got)
				continue
			}
			sort.Slice(got, func(i, j int) bool { return got[i].X < got[j].X })
			want := append([]testutil.Disc(nil), c.discs...)
			sort.Slice(want, func(i, j int) bool { return want[i].X < want[j].X })
			for i, d := range want {
				f := got[i]
				wx, wy, ws := d.X-d.R, d.Y-d.R, 2*d.R
				worst := max(math.Abs(float64(f.X)-wx), math.Abs(float64(f.Y)-wy),
					math.Abs(float64(f.X+f.W)-(wx+ws)), math.Abs(float64(f.Y+f.H)-(wy+ws)))
				if worst > 2 {
					t.Errorf("dynamic=%v %s: disc %d box (%.1f,%.1f %.1fx%.1f), want (%.1f,%.1f %.1fx%.1f): off by %.2f px",
						dynamic, c.name, i, f.X, f.Y, f.W, f.H, wx, wy, ws, ws, worst)
				}
				if f.Score < 0.9 {
					t.Errorf("%s: score %.3f", c.name, f.Score)
				}
			}
		}
	}
}

// A picture with no disc has no face; a dark picture too.
func TestDetectNothing(t *testing.T) {
	e := testEngine(t, false)
	got, err := e.Detect(context.Background(), testutil.DiscsImage(500, 300), 640, 0.6)
	if err != nil || len(got) != 0 {
		t.Fatalf("%v %+v", err, got)
	}
}

// The recogniser gives one unit vector per crop; crops of the same colour
// match (cosine ≥ SFace's 0.363), other colours do not.
func TestEmbedAlignedDiscs(t *testing.T) {
	ctx := context.Background()
	e := testEngine(t, false)
	img := testutil.DiscsImage(640, 480, testutil.Disc{X: 120, Y: 120, R: 50, C: red}, testutil.Disc{X: 400, Y: 300, R: 35, C: red},
		testutil.Disc{X: 520, Y: 100, R: 45, C: blue})
	dets, err := e.Detect(ctx, img, 640, 0.6)
	if err != nil || len(dets) != 3 {
		t.Fatalf("%v %d", err, len(dets))
	}
	sort.Slice(dets, func(i, j int) bool { return dets[i].X < dets[j].X })
	vs, err := e.Embed(ctx, []*image.RGBA{AlignCrop(img, dets[0].Landmarks), AlignCrop(img, dets[1].Landmarks), AlignCrop(img, dets[2].Landmarks)})
	if err != nil {
		t.Fatal(err)
	}
	if e.Dim() != 128 || len(vs) != 3 || len(vs[0]) != 128 {
		t.Fatalf("dim %d, %d vectors", e.Dim(), len(vs))
	}
	// Embed's vectors are unit vectors: their dot product is their cosine.
	if s := dot(vs[0], vs[1]); s < 0.95 {
		t.Errorf("two red discs: cosine %.3f", s)
	}
	if s := dot(vs[0], vs[2]); s >= SFaceCosineThreshold {
		t.Errorf("red and blue: cosine %.3f, want < %.3f", s, SFaceCosineThreshold)
	}
}

// FindModels tells the detector from the recogniser by their inputs and
// outputs, whatever the files are called, and says what is missing.
func TestFindModels(t *testing.T) {
	m, err := FindModels(testutil.FaceModels(t, false))
	if err != nil || m.Detector != "face_detection_yunet/face_detection_yunet_2023mar.onnx" || m.Recognizer != "face_recognition_sface/face_recognition_sface_2021dec.onnx" {
		t.Fatalf("%+v %v", m, err)
	}
	dir := t.TempDir()
	testutil.CopyDir(t, testutil.FaceModels(t, false)+"/face_detection_yunet", dir+"/x")
	if _, err := FindModels(dir); err == nil || !errors.Is(err, ErrNoModels) {
		t.Fatalf("a detector alone: %v", err)
	}
}

func dot(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
