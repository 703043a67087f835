package faces

import (
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/ort"
	"github.com/tagsight/tagsight/backend/testutil"
)

// opencvReference is testdata/yunet/opencv.json, written by make_reference.py.
type opencvReference struct {
	OpenCV   string  `json:"opencv"`
	Score    float32 `json:"score_threshold"`
	Pictures []struct {
		File   string `json:"file"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
		Padded [2]int `json:"padded"`
		Faces  []struct {
			Box       [4]float64    `json:"box"`
			Landmarks [5][2]float64 `json:"landmarks"`
			Score     float64       `json:"score"`
		} `json:"faces"`
	} `json:"pictures"`
}

// realYuNet is an engine over the real YuNet 2023mar weights
// (testdata/yunet, MIT) and the test recogniser.
func realYuNet(t *testing.T, detector string) *Engine {
	t.Helper()
	if err := ort.Init(testutil.ORTLibrary(t)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	testutil.CopyDir(t, filepath.Join(testutil.FaceModels(t, false), "face_recognition_sface"), filepath.Join(dir, "rec"))
	b, err := os.ReadFile(detector)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "detector.onnx"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := FindModels(dir)
	if err != nil {
		t.Fatal(err)
	}
	return NewEngine(m, EngineOptions{Provider: "cpu"})
}

func readRGBA(t *testing.T, path string) *image.RGBA {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	out := image.NewRGBA(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

// On real photos with the real YuNet weights, every face OpenCV's
// FaceDetectorYN finds (run at the picture's size padded to a multiple of
// 32; make_reference.py) is found, with its box and landmarks within 1 px
// and nothing else.
func TestYuNetMatchesOpenCV(t *testing.T) {
	raw, err := os.ReadFile("testdata/yunet/opencv.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref opencvReference
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	e := realYuNet(t, "testdata/yunet/face_detection_yunet_2023mar.onnx")
	defer e.Close()
	total, worstBox, worstLm, worstIoU := 0, 0.0, 0.0, float32(1)
	for _, p := range ref.Pictures {
		img := readRGBA(t, filepath.Join("testdata/yunet", p.File))
		if img.Bounds().Dx() != p.Width || img.Bounds().Dy() != p.Height {
			t.Fatalf("%s: %v, want %dx%d", p.File, img.Bounds(), p.Width, p.Height)
		}
		got, err := e.Detect(context.Background(), img, 640, ref.Score)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(p.Faces) {
			t.Errorf("%s: %d faces, OpenCV finds %d", p.File, len(got), len(p.Faces))
		}
		used := make([]bool, len(got))
		for i, want := range p.Faces {
			total++
			// OpenCV's box is not clipped to the picture; Detect's is.
			x0, y0 := max(want.Box[0], 0), max(want.Box[1], 0)
			x1 := min(want.Box[0]+want.Box[2], float64(p.Width))
			y1 := min(want.Box[1]+want.Box[3], float64(p.Height))
			wf := Face{X: float32(x0), Y: float32(y0), W: float32(x1 - x0), H: float32(y1 - y0)}
			best, bestIoU := -1, float32(0)
			for j, g := range got {
				if iou := IoU(g, wf); !used[j] && iou > bestIoU {
					best, bestIoU = j, iou
				}
			}
			if best < 0 {
				t.Errorf("%s: OpenCV's face %d at %v is not found", p.File, i, want.Box)
				continue
			}
			used[best] = true
			worstIoU = min(worstIoU, bestIoU)
			g := got[best]
			dBox := max(math.Abs(float64(g.X)-x0), math.Abs(float64(g.Y)-y0),
				math.Abs(float64(g.X+g.W)-x1), math.Abs(float64(g.Y+g.H)-y1))
			dLm := 0.0
			for k := range 5 {
				dLm = max(dLm, math.Abs(float64(g.Landmarks[k][0])-want.Landmarks[k][0]),
					math.Abs(float64(g.Landmarks[k][1])-want.Landmarks[k][1]))
			}
			worstBox, worstLm = max(worstBox, dBox), max(worstLm, dLm)
			if dBox > 1 || dLm > 1 {
				t.Errorf("%s face %d: box (%.2f,%.2f %.2fx%.2f) landmarks %v; OpenCV: box %v landmarks %v (off by %.2f / %.2f px)",
					p.File, i, g.X, g.Y, g.W, g.H, g.Landmarks, want.Box, want.Landmarks, dBox, dLm)
			}
		}
	}
	if total < 40 {
		t.Fatalf("the reference has %d faces; want the 42 of make_reference.py", total)
	}
	t.Logf("%d faces in %d pictures (OpenCV %s): worst box edge %.4f px, worst landmark %.4f px, lowest IoU %.4f",
		total, len(ref.Pictures), ref.OpenCV, worstBox, worstLm, worstIoU)
}

// A detector whose graph only runs at the size it declares cannot be run
// as OpenCV runs YuNet: Load refuses it.
func TestLoadRefusesSizeTiedDetector(t *testing.T) {
	tied := filepath.Join(testutil.RepoRoot(t), "models", "testmodels", "faces-tied", "face_detection_yunet", "face_detection_yunet_tied.onnx")
	e := realYuNet(t, tied)
	defer e.Close()
	if err := e.Load(); !errors.Is(err, ErrBadModel) {
		t.Fatalf("Load = %v, want ErrBadModel", err)
	}
}
