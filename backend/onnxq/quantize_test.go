package onnxq

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tagsight/tagsight/backend/ort"
)

// summary is what the tests check in a model: nodes, initializers, inputs, opsets.
type summary struct {
	ops    map[string]int      // "domain:op_type" -> count
	nodes  map[string][]string // node name -> inputs
	inits  map[string]uint64   // initializer name -> data type
	dims   map[string][]int64
	inputs []string
	opsets []string
}

func summarize(t *testing.T, model []byte) summary {
	t.Helper()
	s := summary{ops: map[string]int{}, nodes: map[string][]string{}, inits: map[string]uint64{}, dims: map[string][]int64{}}
	top, err := ort.ParseFields(model)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range top {
		switch f.Num {
		case modelOpset:
			ort.WalkFields(f.Data, func(o ort.Field) error {
				if o.Num == opsetDomain {
					s.opsets = append(s.opsets, string(o.Data))
				}
				return nil
			})
		case modelGraph:
			gf, err := ort.ParseFields(f.Data)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range gf {
				switch g.Num {
				case graphNode:
					n, err := parseNode(g.Data)
					if err != nil {
						t.Fatal(err)
					}
					s.ops[n.domain+":"+n.opType]++
					name := ""
					ort.WalkFields(g.Data, func(x ort.Field) error {
						if x.Num == 3 {
							name = string(x.Data)
						}
						return nil
					})
					s.nodes[name] = n.inputs
				case graphInitializer:
					tn, err := parseTensor(g.Data)
					if err != nil {
						t.Fatal(err)
					}
					s.inits[tn.name] = tn.dataType
					s.dims[tn.name] = tn.dims
				case graphInput:
					name, _ := valueInfoNameOf(g.Data)
					s.inputs = append(s.inputs, name)
				}
			}
		}
	}
	return s
}

func TestQuantizeMLP(t *testing.T) {
	in := readFile(t, "testdata/mlp.onnx")
	orig := bytes.Clone(in)
	out, rep, err := QuantizeWith(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(in, orig) {
		t.Fatal("Quantize modified its input")
	}
	if rep.MatMuls != 4 || rep.Quantized != 4 {
		t.Errorf("report %+v, want 4 of 4", rep)
	}
	if rep.BytesBefore != int64(len(in)) || rep.BytesAfter != int64(len(out)) || rep.BytesAfter*2 > rep.BytesBefore {
		t.Errorf("report %+v for %d -> %d bytes: want at least 2x smaller", rep, len(in), len(out))
	}
	s := summarize(t, out)
	if s.ops["com.microsoft:DynamicQuantizeMatMul"] != 4 || s.ops[":MatMul"] != 0 || s.ops[":Gemm"] != 0 {
		t.Errorf("ops %v", s.ops)
	}
	if !slices.Contains(s.opsets, msDomain) || !slices.Contains(s.opsets, "") {
		t.Errorf("opsets %q", s.opsets)
	}
	for _, w := range []string{"W1", "W2", "W3"} {
		if _, ok := s.inits[w]; ok {
			t.Errorf("float initializer %s kept", w)
		}
	}
	// W2 feeds two MatMuls: one int8 copy. W3 [24,32] is Gemm's transB weight: stored [32,24].
	if got := s.nodes["fc2"][1]; got != s.nodes["fc2_again"][1] || s.inits[got] != typeInt8 {
		t.Errorf("fc2 and fc2_again read %q and %q", got, s.nodes["fc2_again"][1])
	}
	head := s.nodes["head"]
	if len(head) != 5 || head[4] != "C3" || !slices.Equal(s.dims[head[1]], []int64{32, 24}) ||
		!slices.Equal(s.dims[head[2]], []int64{24}) || s.inits[head[3]] != typeInt8 {
		t.Errorf("head inputs %q, dims %v", head, s.dims[head[1]])
	}

	// Everything not rewritten is copied byte for byte.
	top, _ := ort.ParseFields(in)
	for _, f := range top {
		if f.Num != modelGraph {
			if !bytes.Contains(out, f.Raw) {
				t.Errorf("model field %d changed", f.Num)
			}
			continue
		}
		ort.WalkFields(f.Data, func(g ort.Field) error {
			n, _ := parseNode(g.Data)
			keep := g.Num == graphNode && n.opType != "MatMul" && n.opType != "Gemm" ||
				g.Num == graphInitializer && !bytes.Contains(g.Data, []byte("W")) || g.Num == graphInput || g.Num == graphOutput
			if keep && !bytes.Contains(out, g.Raw) {
				t.Errorf("graph field %d (%q) changed", g.Num, n.opType)
			}
			return nil
		})
	}

	// Quantizing again finds nothing and changes nothing.
	again, rep2, err := QuantizeWith(out, Options{})
	if err != nil || rep2.Quantized != 0 || !bytes.Equal(again, out) {
		t.Errorf("second pass: %+v, %v, identical %v", rep2, err, bytes.Equal(again, out))
	}
}

func TestQuantizeReduceRange(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		max  int8
	}{{Options{}, 127}, {Options{ReduceRange: true}, 63}} {
		out, _, err := QuantizeWith(readFile(t, "testdata/mlp.onnx"), tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		top, _ := ort.ParseFields(out)
		for _, f := range top {
			if f.Num != modelGraph {
				continue
			}
			ort.WalkFields(f.Data, func(g ort.Field) error {
				if g.Num != graphInitializer {
					return nil
				}
				tn, _ := parseTensor(g.Data)
				if tn.dataType != typeInt8 || len(tn.dims) != 2 {
					return nil
				}
				var hi int8
				for _, b := range tn.raw {
					hi = max(hi, int8(b), -int8(b))
				}
				if hi != tc.max { // each column's largest weight maps to ±max
					t.Errorf("%+v: %s reaches %d, want %d", tc.opts, tn.name, hi, tc.max)
				}
				return nil
			})
		}
	}
}

func TestQuantizeSharedAndUnsupported(t *testing.T) {
	out, rep, err := QuantizeWith(readFile(t, "testdata/shared.onnx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.MatMuls != 3 || rep.Quantized != 2 {
		t.Errorf("report %+v, want 2 of 3 (Gemm with transA left alone)", rep)
	}
	s := summarize(t, out)
	if s.ops[":Gemm"] != 1 || s.ops["com.microsoft:DynamicQuantizeMatMul"] != 2 {
		t.Errorf("ops %v", s.ops)
	}
	if s.inits["S"] != typeFloat {
		t.Error("S is a graph output: its float initializer must stay")
	}
	if _, ok := s.inits["V"]; ok || slices.Contains(s.inputs, "V") {
		t.Errorf("V (only used by a MatMul) kept: inputs %q", s.inputs)
	}
	if s.inits["G"] != typeFloat {
		t.Error("G (Gemm transA) must stay")
	}
}

func TestQuantizeColourModels(t *testing.T) {
	root := repoRoot(t)
	tests := []struct {
		tower              string
		matmuls, quantized int
	}{
		{"visual", 1, 1},
		{"textual", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.tower, func(t *testing.T) {
			in := readFile(t, filepath.Join(root, "models", "testmodels", "colour", tc.tower, "model.onnx"))
			out, rep, err := QuantizeWith(in, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.MatMuls != tc.matmuls || rep.Quantized != tc.quantized {
				t.Errorf("report %+v, want %d of %d", rep, tc.quantized, tc.matmuls)
			}
			if tc.quantized == 0 && !bytes.Equal(in, out) {
				t.Error("nothing to quantize, but the bytes changed")
			}
		})
	}
}

func TestQuantizeFile(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "mlp.int8.onnx")
	rep, err := QuantizeFileWith("testdata/mlp.onnx", dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dst)
	if err != nil || st.Size() != rep.BytesAfter {
		t.Fatalf("stat %v, size vs %+v", err, rep)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the folder, want only the result", len(ents))
	}
	if _, err := QuantizeFileWith(filepath.Join(dir, "missing.onnx"), dst, Options{}); err == nil {
		t.Error("missing source: no error")
	}
	if _, err := QuantizeFileWith("testdata/make.py", filepath.Join(dir, "x.onnx"), Options{}); err == nil {
		t.Error("a Python file quantized without error")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.onnx")); !os.IsNotExist(err) {
		t.Error("a failed QuantizeFile left its destination")
	}
}

// tinyModel builds a ModelProto by hand: x[2,2] MatMul W, W's initializer given as bytes.
func tinyModel(init []byte) []byte {
	var node []byte
	node = ort.AppendString(node, nodeInput, "x")
	node = ort.AppendString(node, nodeInput, "W")
	node = ort.AppendString(node, nodeOutput, "y")
	node = ort.AppendString(node, nodeOpType, "MatMul")
	var g []byte
	g = ort.AppendBytes(g, graphNode, node)
	g = ort.AppendBytes(g, graphInitializer, init)
	var m []byte
	m = ort.AppendVarint(m, 1, 7)
	m = ort.AppendBytes(m, modelGraph, g)
	return m
}

func TestQuantizeErrors(t *testing.T) {
	good := encodeTensor("W", typeFloat, []int64{2, 2}, make([]byte, 16))
	if _, rep, err := QuantizeWith(tinyModel(good), Options{}); err != nil || rep.Quantized != 1 {
		t.Fatalf("hand-built model: %+v, %v", rep, err)
	}
	external := ort.AppendBytes(encodeTensor("W", typeFloat, []int64{2, 2}, nil), tensorExternalData, []byte{0x0a, 1, 'k'})
	location := ort.AppendVarint(encodeTensor("W", typeFloat, []int64{2, 2}, nil), tensorDataLocation, 1)
	short := encodeTensor("W", typeFloat, []int64{2, 2}, make([]byte, 12))
	mlp := readFile(t, "testdata/mlp.onnx")
	tests := []struct {
		name  string
		model []byte
		want  error
	}{
		{"external data", tinyModel(external), ErrExternalData},
		{"data location", tinyModel(location), ErrExternalData},
		{"data shorter than shape", tinyModel(short), ort.ErrInvalidModel},
		{"empty", nil, ort.ErrInvalidModel},
		{"text", []byte("not a model at all"), ort.ErrInvalidModel},
		{"truncated", mlp[:len(mlp)/2], ort.ErrInvalidModel},
		{"truncated by one byte", mlp[:len(mlp)-1], ort.ErrInvalidModel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := QuantizeWith(tc.model, Options{})
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}

// Every prefix of a real model: an error or a result, never a panic.
func TestQuantizeEveryPrefix(t *testing.T) {
	mlp := readFile(t, "testdata/mlp.onnx")
	for n := range len(mlp) {
		QuantizeWith(mlp[:n], Options{})
	}
}

func FuzzQuantize(f *testing.F) {
	f.Add(readFile(f, "testdata/mlp.onnx"))
	f.Add(readFile(f, "testdata/shared.onnx"))
	f.Add(tinyModel(encodeTensor("W", typeFloat, []int64{2, 2}, make([]byte, 16))))
	f.Fuzz(func(t *testing.T, model []byte) {
		out, rep, err := QuantizeWith(model, Options{})
		if err != nil {
			return
		}
		if rep.BytesAfter != int64(len(out)) || rep.Quantized > rep.MatMuls {
			t.Fatalf("report %+v for %d bytes", rep, len(out))
		}
		if rep.Quantized == 0 && !bytes.Equal(out, model) {
			t.Fatal("nothing quantized, but the bytes changed")
		}
		// The result is itself a well-formed model.
		if _, _, err := QuantizeWith(out, Options{}); err != nil {
			t.Fatalf("quantized output does not parse again: %v", err)
		}
	})
}
