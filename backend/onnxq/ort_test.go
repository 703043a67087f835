package onnxq

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// The quantized models run in ONNX Runtime and agree with the float ones.
func TestQuantizedRunsInORT(t *testing.T) {
	initORT(t)
	root := repoRoot(t)
	tests := []struct {
		name    string
		path    string
		batch   int
		shrinks bool // tiny weights: the scales and names outweigh the bytes saved
	}{
		{"mlp", "testdata/mlp.onnx", 5, true},
		{"shared", "testdata/shared.onnx", 1, false},
		{"colour visual", filepath.Join(root, "models", "testmodels", "colour", "visual", "model.onnx"), 2, false},
	}
	for _, tc := range tests {
		for _, reduce := range []bool{false, true} {
			name := tc.name
			if reduce {
				name += " 7-bit"
			}
			t.Run(name, func(t *testing.T) {
				checkORT(t, tc.path, tc.batch, tc.shrinks, Options{ReduceRange: reduce})
			})
		}
	}
}

func checkORT(t *testing.T, path string, batch int, shrinks bool, opts Options) {
	dst := filepath.Join(t.TempDir(), "int8.onnx")
	rep, err := QuantizeFileWith(path, dst, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if rep.Quantized == 0 || shrinks && rep.BytesAfter >= st.Size() {
		t.Fatalf("report %+v for a %d-byte model", rep, st.Size())
	}
	fp32, int8 := openSession(t, path, 1), openSession(t, dst, 1)
	rng := rand.New(rand.NewPCG(1, 2))
	worst := 1.0
	for range 3 {
		in := randomInputs(fp32, batch, rng, 0)
		want, got := fp32.run(t, in), int8.run(t, in)
		for o := range want {
			name := fp32.outs[o].Name
			if len(want[o]) != len(got[o]) {
				t.Fatalf("output %s: %d values, want %d", name, len(got[o]), len(want[o]))
			}
			// Cosine cannot see a wrong scale (Gemm's alpha): check the size too.
			if e := relError(want[o], got[o]); e > 0.05 {
				t.Errorf("output %s: relative error %.4f > 0.05", name, e)
			}
			dims := fp32.outs[o].Dimensions
			for r, c := range rowCosines(want[o], got[o], int(dims[len(dims)-1])) {
				worst = min(worst, c)
				if c < 0.99 {
					t.Errorf("output %s row %d: cosine %.5f < 0.99", name, r, c)
				}
			}
		}
	}
	t.Logf("%d of %d MatMul/Gemm quantized, %d -> %d bytes, worst row cosine %.5f",
		rep.Quantized, rep.MatMuls, rep.BytesBefore, rep.BytesAfter, worst)
}
