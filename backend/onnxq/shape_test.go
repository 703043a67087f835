package onnxq

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tagsight/tagsight/backend/ort"
)

// runDetector runs a YuNet-shaped model on a blank 1×3×h×w input and returns the number of
// values in its first output (cls_8), or the error ONNX Runtime gives.
func runDetector(t *testing.T, model []byte, w, h int) (int, error) {
	t.Helper()
	ins, outs := runtimeIO(t, model)
	s, err := ort.NewSessionData(model, []string{ins[0].Name}, []string{outs[0].Name}, ort.SessionConfig{Provider: ort.ProviderCPU})
	if err != nil {
		return 0, err
	}
	defer s.Destroy()
	in, err := ort.NewTensor(ort.NewShape(1, 3, int64(h), int64(w)), make([]float32, 3*w*h))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Destroy()
	out := []ort.Value{nil}
	if err := s.Run([]ort.Value{in}, out); err != nil {
		return 0, err
	}
	defer out[0].Destroy()
	return len(out[0].(*ort.Tensor[float32]).GetData()), nil
}

// runtimeIO is the model's inputs and outputs as ONNX Runtime reads them.
func runtimeIO(t *testing.T, model []byte) (ins, outs []ort.InputOutputInfo) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(p, model, 0o644); err != nil {
		t.Fatal(err)
	}
	ins, outs, err := ort.IOFromRuntime(p)
	if err != nil {
		t.Fatal(err)
	}
	return ins, outs
}

// A detector that declares 640×640 but whose graph runs at any size (the face stand-in, like
// the real YuNet 2023mar) runs at 96×64 once its height and width are freed, and only then;
// ONNX Runtime reads the freed dimensions as symbolic.
func TestFreeDimsRunsAtOtherSizes(t *testing.T) {
	initORT(t)
	path := filepath.Join(repoRoot(t), "models", "testmodels", "faces", "face_detection_yunet", "face_detection_yunet_2023mar.onnx")
	model := readFile(t, path)
	if _, err := runDetector(t, model, 96, 64); err == nil {
		t.Fatal("the model as declared ran at 96x64; the test needs one that refuses")
	}
	free, err := FreeDims(model, "input", map[int]string{2: "height", 3: "width"})
	if err != nil {
		t.Fatal(err)
	}
	ins, outs := runtimeIO(t, free)
	if want := (ort.Shape{1, 3, -1, -1}); !slices.Equal(ins[0].Dimensions, want) {
		t.Errorf("input dims %v, want %v", ins[0].Dimensions, want)
	}
	// ONNX Runtime infers the outputs' shapes again: the anchor count follows the input.
	for _, o := range outs {
		if len(o.Dimensions) != 3 || o.Dimensions[1] != -1 {
			t.Errorf("output %s dims %v, want [_, -1, _]", o.Name, o.Dimensions)
		}
	}
	// cls_8 has one value per stride-8 cell: (96/8)×(64/8) at 96×64, 80×80 at 640×640.
	for _, c := range []struct{ w, h, want int }{{96, 64, 12 * 8}, {640, 640, 80 * 80}, {320, 224, 40 * 28}} {
		n, err := runDetector(t, free, c.w, c.h)
		if err != nil || n != c.want {
			t.Errorf("%dx%d: %d values, %v; want %d", c.w, c.h, n, err, c.want)
		}
	}
}

func TestFreeDimsRefusesUnknownInput(t *testing.T) {
	model := readFile(t, filepath.Join(repoRoot(t), "models", "testmodels", "faces", "face_detection_yunet", "face_detection_yunet_2023mar.onnx"))
	if _, err := FreeDims(model, "image", map[int]string{2: "height"}); !errors.Is(err, ort.ErrInvalidModel) {
		t.Errorf("unknown input: %v, want ort.ErrInvalidModel", err)
	}
	if _, err := FreeDims(model, "input", map[int]string{7: "x"}); !errors.Is(err, ort.ErrInvalidModel) {
		t.Errorf("dimension 7 of a 4-d input: %v, want ort.ErrInvalidModel", err)
	}
	if _, err := FreeDims([]byte{0xff, 0xff}, "input", nil); !errors.Is(err, ort.ErrInvalidModel) {
		t.Errorf("garbage: %v, want ort.ErrInvalidModel", err)
	}
}
