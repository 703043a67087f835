package clip

import (
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The expected values come from an independent float64 Python implementation of the same
// maths (Catmull-Rom, kernel widened when shrinking, premultiplied alpha, fill colour,
// Immich's shortest-side/centre-crop arithmetic) in models/make_test_models.py.
func TestPreprocessGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "preprocess_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct {
			Name     string          `json:"name"`
			Width    int             `json:"width"`
			Height   int             `json:"height"`
			NRGBA    []uint8         `json:"nrgba"`
			Config   json.RawMessage `json:"config"`
			Expected []float32       `json:"expected"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			cfg, err := ParsePreprocessConfig(c.Config)
			if err != nil {
				t.Fatal(err)
			}
			img := image.NewNRGBA(image.Rect(0, 0, c.Width, c.Height))
			copy(img.Pix, c.NRGBA)
			got, err := cfg.Preprocess(img)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.Expected) {
				t.Fatalf("len %d, want %d", len(got), len(c.Expected))
			}
			worst, at := 0.0, 0
			for i := range got {
				if d := math.Abs(float64(got[i] - c.Expected[i])); d > worst {
					worst, at = d, i
				}
			}
			if worst > 1e-3 {
				t.Fatalf("value %d: got %v, want %v (diff %g)", at, got[at], c.Expected[at], worst)
			}
			t.Logf("max diff %.2g", worst)
		})
	}
}

func TestPreprocessSolidColour(t *testing.T) {
	cfg, err := LoadPreprocessConfig(filepath.Join(testModelDir(t, "colour"), PreprocessFile))
	if err != nil {
		t.Fatal(err)
	}
	// An offset, non-square YCbCr-free RGBA image: every output value is the colour, normalised.
	img := image.NewRGBA(image.Rect(5, 7, 5+71, 7+40))
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			img.Set(x, y, color.RGBA{255, 0, 0, 255})
		}
	}
	got, err := cfg.Preprocess(img)
	if err != nil {
		t.Fatal(err)
	}
	plane := cfg.Height * cfg.Width
	for ch, v := range []float32{1, 0, 0} {
		want := (v - cfg.Mean[ch]) / cfg.Std[ch]
		for i := 0; i < plane; i++ {
			if d := got[ch*plane+i] - want; d > 1e-5 || d < -1e-5 {
				t.Fatalf("channel %d value %d: %v, want %v", ch, i, got[ch*plane+i], want)
			}
		}
	}
}

func TestParsePreprocessConfig(t *testing.T) {
	ok := []struct {
		json string
		want PreprocessConfig
	}{
		{`{"size": 224, "mean": [0.5,0.5,0.5], "std": 0.5}`,
			PreprocessConfig{Height: 224, Width: 224, Mode: "RGB", Mean: [3]float32{.5, .5, .5}, Std: [3]float32{.5, .5, .5},
				Interpolation: "bicubic", ResizeMode: "shortest"}},
		{`{"size": [256, 384], "mode": "RGB", "mean": [0,0,0], "std": [1,1,1], "interpolation": "bilinear",
		   "resize_mode": "squash", "fill_color": [1, 2, 3]}`,
			PreprocessConfig{Height: 256, Width: 384, Mode: "RGB", Std: [3]float32{1, 1, 1},
				Interpolation: "bilinear", ResizeMode: "squash", FillColor: [3]uint8{1, 2, 3}}},
	}
	for _, c := range ok {
		got, err := ParsePreprocessConfig([]byte(c.json))
		if err != nil {
			t.Errorf("%s: %v", c.json, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.json, got, c.want)
		}
	}
	bad := []struct {
		json string
		want error
	}{
		{`{"size": 224, "mean": [0,0,0]}`, ErrMissingKey},
		{`{"mean": [0,0,0], "std": [1,1,1]}`, ErrMissingKey},
		{`{"size": 224, "mean": [0,0,0], "std": [1,1,1], "mode": "L"}`, ErrUnsupported},
		{`{"size": 224, "mean": [0,0,0], "std": [1,1,1], "resize_mode": "zoom"}`, ErrUnsupported},
		{`{"size": 224, "mean": [0,0,0], "std": [1,1,1], "interpolation": "lanczos"}`, ErrUnsupported},
		{`{"size": 224, "mean": [0,0], "std": [1,1,1]}`, ErrBadJSON},
		{`{"size": "big", "mean": [0,0,0], "std": [1,1,1]}`, ErrBadJSON},
		{`{"size": 224,`, ErrBadJSON},
	}
	for _, c := range bad {
		if _, err := ParsePreprocessConfig([]byte(c.json)); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.json, err, c.want)
		}
	}
}

func TestPreprocessLongestPads(t *testing.T) {
	cfg := PreprocessConfig{Height: 8, Width: 8, Mode: "RGB", Std: [3]float32{1, 1, 1},
		Interpolation: "bicubic", ResizeMode: "longest", FillColor: [3]uint8{0, 0, 255}}
	img := image.NewRGBA(image.Rect(0, 0, 16, 4)) // lands as 8x2 in rows 3..4
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	got, err := cfg.Preprocess(img)
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < 8; y++ {
		wantR := float32(0)
		if y == 3 || y == 4 {
			wantR = 1
		}
		if r, b := got[y*8], got[2*64+y*8]; math.Abs(float64(r-wantR)) > 1e-4 || math.Abs(float64(b-1)) > 1e-4 {
			t.Errorf("row %d: r %v b %v", y, r, b)
		}
	}
}
