package onnxq

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/tagsight/tagsight/backend/ort"
	"github.com/tagsight/tagsight/backend/testutil"
)

func repoRoot(t testing.TB) string { return testutil.RepoRoot(t) }

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// initORT loads ONNX Runtime from $TAGSIGHT_ORT_LIB or the repo's third_party copy; tests
// fail when the library is not there (make setup fetches it).
func initORT(t testing.TB) {
	t.Helper()
	if err := ort.Init(testutil.ORTLibrary(t)); err != nil {
		t.Fatal(err)
	}
}

// session is one model loaded in ONNX Runtime with the settings every Tagsight model runs with.
type session struct {
	s    *ort.Session
	ins  []ort.InputOutputInfo
	outs []ort.InputOutputInfo
}

func openSession(t testing.TB, path string, threads int) *session {
	t.Helper()
	ins, outs, err := ort.IOFromRuntime(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var inNames, outNames []string
	for _, i := range ins {
		inNames = append(inNames, i.Name)
	}
	for _, o := range outs {
		outNames = append(outNames, o.Name)
	}
	s, err := ort.NewSession(path, inNames, outNames, ort.SessionConfig{Provider: ort.ProviderCPU, Threads: threads})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	t.Cleanup(func() { s.Destroy() })
	return &session{s: s, ins: ins, outs: outs}
}

// input is one input's values: float32 or int32/int64 token ids.
type input struct {
	shape ort.Shape
	f     []float32
	ids   []int64
}

// randomInputs makes inputs for every model input, symbolic dimensions set to batch.
// Integer inputs get CLIP-style token rows: BOS, random ids, EOS (the highest id, where
// the text tower reads its output), then padding with EOS.
func randomInputs(s *session, batch int, rng *rand.Rand, vocab int) []input {
	var out []input
	for _, info := range s.ins {
		shape := append(ort.Shape(nil), info.Dimensions...)
		for i, d := range shape {
			if d < 0 {
				shape[i] = int64(batch)
			}
		}
		n := int(shape.FlattenedSize())
		in := input{shape: shape}
		switch info.DataType {
		case ort.TensorElementDataTypeFloat:
			in.f = make([]float32, n)
			for i := range in.f {
				in.f[i] = float32(rng.NormFloat64())
			}
		default:
			in.ids = make([]int64, n)
			row := int(shape[len(shape)-1])
			for r := 0; r < n/row; r++ {
				ids := in.ids[r*row : (r+1)*row]
				end := 2 + rng.IntN(row-2)
				for j := range ids {
					switch {
					case j == 0:
						ids[j] = int64(vocab - 2)
					case j < end:
						ids[j] = int64(rng.IntN(vocab - 2))
					default:
						ids[j] = int64(vocab - 1)
					}
				}
			}
		}
		out = append(out, in)
	}
	return out
}

// run runs the session and returns each output flattened.
func (s *session) run(t testing.TB, inputs []input) [][]float32 {
	t.Helper()
	vals := make([]ort.Value, len(inputs))
	for i, in := range inputs {
		var v ort.Value
		var err error
		switch {
		case in.f != nil:
			v, err = ort.NewTensor(in.shape, in.f)
		case s.ins[i].DataType == ort.TensorElementDataTypeInt32:
			ids := make([]int32, len(in.ids))
			for j, id := range in.ids {
				ids[j] = int32(id)
			}
			v, err = ort.NewTensor(in.shape, ids)
		default:
			v, err = ort.NewTensor(in.shape, in.ids)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer v.Destroy()
		vals[i] = v
	}
	outs := make([]ort.Value, len(s.outs))
	if err := s.s.Run(vals, outs); err != nil {
		t.Fatal(err)
	}
	res := make([][]float32, len(outs))
	for i, o := range outs {
		tf, ok := o.(*ort.Tensor[float32])
		if !ok {
			t.Fatalf("output %d is %T, want float32", i, o)
		}
		res[i] = append([]float32(nil), tf.GetData()...)
		o.Destroy()
	}
	return res
}

// rowCosines splits a and b into rows of n values and returns each row's cosine.
func rowCosines(a, b []float32, n int) []float64 {
	var out []float64
	for r := 0; r+n <= len(a); r += n {
		var dot, na, nb float64
		for i := r; i < r+n; i++ {
			dot += float64(a[i]) * float64(b[i])
			na += float64(a[i]) * float64(a[i])
			nb += float64(b[i]) * float64(b[i])
		}
		out = append(out, dot/math.Sqrt(na*nb))
	}
	return out
}

// relError is |a-b| / |a| (L2).
func relError(a, b []float32) float64 {
	var d, n float64
	for i := range a {
		d += (float64(a[i]) - float64(b[i])) * (float64(a[i]) - float64(b[i]))
		n += float64(a[i]) * float64(a[i])
	}
	return math.Sqrt(d / n)
}
