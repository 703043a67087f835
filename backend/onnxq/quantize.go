// Package onnxq rewrites ONNX graphs for faster CPU inference in ONNX Runtime, on the
// user's machine and without Python: QuantizeWith turns every MatMul (and every plain Gemm)
// whose weight is a constant float32 2-D initializer into ONNX Runtime's contrib operator
// com.microsoft:DynamicQuantizeMatMul, with the weight stored as per-column symmetric int8
// (scale = max|column| / 127, zero point 0; Options.ReduceRange uses 7 bits for CPUs
// without VNNI). Activations are quantised by ONNX Runtime at run time. The weights of the
// rewritten nodes shrink 4×; a CLIP ViT-B/32 vision tower runs 2–3× faster on the CPU.
// FreeDims makes an input's declared sizes symbolic, so that a model exported at one size
// (YuNet's 640×640) runs at others, as OpenCV runs it.
//
// It is not a general ONNX editor and never loads ONNX Runtime: it works on the raw
// protobuf bytes (with backend/ort's wire helpers) and copies everything it does not
// rewrite byte for byte, unknown fields included.
// Models that keep their weights in external data files are refused. The result only runs
// in ONNX Runtime (com.microsoft operators), not in other ONNX back ends.
package onnxq

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/tagsight/tagsight/backend/safefile"

	"github.com/tagsight/tagsight/backend/ort"
)

// Report says what QuantizeWith did.
type Report struct {
	// MatMuls counts the MatMul and Gemm nodes of the main graph; Quantized, those rewritten
	// to DynamicQuantizeMatMul.
	MatMuls, Quantized int
	// BytesBefore and BytesAfter are the model's size before and after.
	BytesBefore, BytesAfter int64
}

// Protobuf field numbers (onnx.proto).
const (
	modelGraph  = 7 // ModelProto.graph
	modelOpset  = 8 // ModelProto.opset_import
	opsetDomain = 1 // OperatorSetIdProto.domain
	opsetVer    = 2 // OperatorSetIdProto.version

	graphNode        = 1  // GraphProto.node
	graphInitializer = 5  // GraphProto.initializer
	graphInput       = 11 // GraphProto.input
	graphOutput      = 12 // GraphProto.output
	graphValueInfo   = 13 // GraphProto.value_info

	nodeInput  = 1 // NodeProto.input
	nodeOutput = 2 // NodeProto.output
	nodeOpType = 4 // NodeProto.op_type
	nodeAttr   = 5 // NodeProto.attribute
	nodeDomain = 7 // NodeProto.domain

	attrName    = 1  // AttributeProto.name
	attrF       = 2  // AttributeProto.f
	attrI       = 3  // AttributeProto.i
	attrG       = 6  // AttributeProto.g
	attrGraphs  = 11 // AttributeProto.graphs
	attrRefName = 21 // AttributeProto.ref_attr_name

	tensorDims         = 1  // TensorProto.dims
	tensorDataType     = 2  // TensorProto.data_type
	tensorSegment      = 3  // TensorProto.segment
	tensorFloatData    = 4  // TensorProto.float_data
	tensorName         = 8  // TensorProto.name
	tensorRawData      = 9  // TensorProto.raw_data
	tensorExternalData = 13 // TensorProto.external_data
	tensorDataLocation = 14 // TensorProto.data_location

	valueInfoName = 1 // ValueInfoProto.name

	typeFloat = 1 // TensorProto.FLOAT
	typeInt8  = 3 // TensorProto.INT8

	msDomain     = "com.microsoft"
	quantOp      = "DynamicQuantizeMatMul"
	maxGraphNest = 32 // subgraph depth (If/Loop/Scan) followed when looking for uses of a name
)

// Options tune the quantization.
type Options struct {
	// ReduceRange stores weights in 7 bits (-63..63) instead of 8. ONNX Runtime's int8
	// kernels on x86 CPUs without VNNI (AVX2 or AVX-512 before Cascade Lake / Zen 4) add
	// pairs of u8×s8 products in saturating 16-bit lanes; 7-bit weights cannot saturate.
	ReduceRange bool
}

// QuantizeFileWith quantizes the model at src and writes the result to dst atomically (a
// temporary file in dst's folder, then a rename). dst is written even when nothing could
// be quantized (then it is a copy of src).
func QuantizeFileWith(src, dst string, opts Options) (Report, error) {
	in, err := os.ReadFile(src)
	if err != nil {
		return Report{}, fmt.Errorf("quantize model: %w", err)
	}
	out, rep, err := QuantizeWith(in, opts)
	if err != nil {
		return rep, fmt.Errorf("quantize %s: %w", src, err)
	}
	if err := safefile.Write(dst, out); err != nil {
		return rep, fmt.Errorf("write quantized model: %w", err)
	}
	return rep, nil
}

// QuantizeWith rewrites a serialized ONNX ModelProto. The input is not modified; when
// nothing can be quantized the result is an exact copy of it.
func QuantizeWith(model []byte, opts Options) ([]byte, Report, error) {
	rep := Report{BytesBefore: int64(len(model)), BytesAfter: int64(len(model))}
	top, err := ort.ParseFields(model)
	if err != nil {
		return nil, rep, err
	}
	graphAt, lastOpset, hasMS := -1, -1, false
	for i, f := range top {
		switch f.Num {
		case modelGraph:
			if f.Wire != ort.WireBytes {
				return nil, rep, fmt.Errorf("%w: graph field has wire type %d", ort.ErrInvalidModel, f.Wire)
			}
			if graphAt >= 0 {
				return nil, rep, fmt.Errorf("%w: several graph fields", ort.ErrInvalidModel)
			}
			graphAt = i
		case modelOpset:
			if f.Wire != ort.WireBytes {
				return nil, rep, fmt.Errorf("%w: opset_import has wire type %d", ort.ErrInvalidModel, f.Wire)
			}
			lastOpset = i
			err := ort.WalkFields(f.Data, func(o ort.Field) error {
				if o.Num == opsetDomain && o.Wire == ort.WireBytes && string(o.Data) == msDomain {
					hasMS = true
				}
				return nil
			})
			if err != nil {
				return nil, rep, err
			}
		}
	}
	if graphAt < 0 {
		return nil, rep, fmt.Errorf("%w: no graph", ort.ErrInvalidModel)
	}
	maxQ := 127.0
	if opts.ReduceRange {
		maxQ = 63
	}
	graph, err := rewriteGraph(top[graphAt].Data, maxQ, &rep)
	if err != nil {
		return nil, rep, err
	}
	if rep.Quantized == 0 {
		return append([]byte(nil), model...), rep, nil
	}
	out := make([]byte, 0, len(model)/3+len(graph))
	for i, f := range top {
		if i == graphAt {
			out = ort.AppendBytes(out, modelGraph, graph)
		} else {
			out = append(out, f.Raw...)
		}
		if i == lastOpset && !hasMS {
			out = appendMSOpset(out)
			hasMS = true
		}
	}
	if !hasMS {
		out = appendMSOpset(out)
	}
	rep.BytesAfter = int64(len(out))
	return out, rep, nil
}

func appendMSOpset(b []byte) []byte {
	var o []byte
	o = ort.AppendString(o, opsetDomain, msDomain)
	o = ort.AppendVarint(o, opsetVer, 1)
	return ort.AppendBytes(b, modelOpset, o)
}

// tensor is an initializer's header; its data still aliases the model bytes.
type tensor struct {
	name     string
	dataType uint64
	dims     []int64
	raw      []byte
	hasRaw   bool
	floats   []ort.Field // float_data fields, packed or not
	segment  bool
}

func parseTensor(b []byte) (tensor, error) {
	var t tensor
	err := ort.WalkFields(b, func(f ort.Field) error {
		var err error
		switch {
		case f.Num == tensorDims:
			t.dims, err = ort.Int64s(t.dims, f)
		case f.Num == tensorDataType && f.Wire == ort.WireVarint:
			t.dataType = f.V
		case f.Num == tensorSegment:
			t.segment = true
		case f.Num == tensorFloatData && (f.Wire == ort.WireBytes || f.Wire == ort.WireFixed32):
			t.floats = append(t.floats, f)
		case f.Num == tensorName && f.Wire == ort.WireBytes:
			t.name = string(f.Data)
		case f.Num == tensorRawData && f.Wire == ort.WireBytes:
			t.raw, t.hasRaw = f.Data, true
		case f.Num == tensorExternalData:
			err = fmt.Errorf("%w (initializer %q)", ErrExternalData, t.name)
		case f.Num == tensorDataLocation && f.Wire == ort.WireVarint && f.V != 0:
			err = fmt.Errorf("%w (initializer %q)", ErrExternalData, t.name)
		}
		return err
	})
	return t, err
}

// matrix returns a 2-D float32 initializer's shape and values (row-major), or ok=false when
// t is not one. A float32 2-D tensor whose data does not match its shape is an error.
func (t *tensor) matrix() (rows, cols int, at func(int) float32, ok bool, err error) {
	if t.dataType != typeFloat || len(t.dims) != 2 || t.segment {
		return 0, 0, nil, false, nil
	}
	r, c := t.dims[0], t.dims[1]
	if r <= 0 || c <= 0 || r > math.MaxInt32 || c > math.MaxInt32 || r*c > math.MaxInt32 {
		return 0, 0, nil, false, nil
	}
	n := int(r * c)
	if t.hasRaw {
		if len(t.raw) != 4*n {
			return 0, 0, nil, false, fmt.Errorf("%w: initializer %q has %d bytes for shape %v",
				ort.ErrInvalidModel, t.name, len(t.raw), t.dims)
		}
		raw := t.raw
		return int(r), int(c), func(i int) float32 {
			return math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}, true, nil
	}
	var vals []float32
	for _, f := range t.floats {
		if len(f.Data)%4 != 0 {
			return 0, 0, nil, false, fmt.Errorf("%w: initializer %q: float_data of %d bytes", ort.ErrInvalidModel, t.name, len(f.Data))
		}
		if len(vals)+len(f.Data)/4 > n {
			break // too many: reported below without growing further
		}
		for p := f.Data; len(p) > 0; p = p[4:] {
			vals = append(vals, math.Float32frombits(binary.LittleEndian.Uint32(p)))
		}
	}
	if len(vals) != n || countFloats(t.floats) != n {
		return 0, 0, nil, false, fmt.Errorf("%w: initializer %q has %d values for shape %v",
			ort.ErrInvalidModel, t.name, countFloats(t.floats), t.dims)
	}
	return int(r), int(c), func(i int) float32 { return vals[i] }, true, nil
}

func countFloats(fs []ort.Field) int {
	n := 0
	for _, f := range fs {
		n += len(f.Data) / 4
	}
	return n
}

// node is a NodeProto's fields, with the few that matter decoded.
type node struct {
	fields  []ort.Field
	inputs  []string
	outputs []string
	opType  string
	domain  string
	attrs   []ort.Field
}

func parseNode(b []byte) (node, error) {
	var n node
	var err error
	n.fields, err = ort.ParseFields(b)
	if err != nil {
		return n, err
	}
	for _, f := range n.fields {
		if f.Wire != ort.WireBytes {
			continue
		}
		switch f.Num {
		case nodeInput:
			n.inputs = append(n.inputs, string(f.Data))
		case nodeOutput:
			n.outputs = append(n.outputs, string(f.Data))
		case nodeOpType:
			n.opType = string(f.Data)
		case nodeDomain:
			n.domain = string(f.Data)
		case nodeAttr:
			n.attrs = append(n.attrs, f)
		}
	}
	return n, nil
}

// subgraphNames adds to uses every name the subgraphs in a node's attributes (If, Loop,
// Scan bodies) read, however deep: those may refer to the outer graph's initializers.
func subgraphNames(attrs []ort.Field, uses map[string]int, depth int) error {
	for _, a := range attrs {
		err := ort.WalkFields(a.Data, func(f ort.Field) error {
			if (f.Num != attrG && f.Num != attrGraphs) || f.Wire != ort.WireBytes {
				return nil
			}
			if depth >= maxGraphNest {
				return fmt.Errorf("%w: subgraphs nested more than %d deep", ort.ErrInvalidModel, maxGraphNest)
			}
			return ort.WalkFields(f.Data, func(g ort.Field) error {
				switch {
				case g.Num == graphNode && g.Wire == ort.WireBytes:
					n, err := parseNode(g.Data)
					if err != nil {
						return err
					}
					for _, in := range n.inputs {
						uses[in]++
					}
					return subgraphNames(n.attrs, uses, depth+1)
				case g.Num == graphOutput && g.Wire == ort.WireBytes:
					name, err := valueInfoNameOf(g.Data)
					uses[name]++
					return err
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func valueInfoNameOf(b []byte) (string, error) {
	var name string
	err := ort.WalkFields(b, func(f ort.Field) error {
		if f.Num == valueInfoName && f.Wire == ort.WireBytes {
			name = string(f.Data)
		}
		return nil
	})
	return name, err
}

// gemmAttrs reads a Gemm's attributes; ok=false when one is unknown or a reference.
func gemmAttrs(attrs []ort.Field) (alpha, beta float32, transA, transB int64, ok bool, err error) {
	alpha, beta = 1, 1
	for _, a := range attrs {
		var name string
		var f float32
		var i int64
		var isRef bool
		err = ort.WalkFields(a.Data, func(x ort.Field) error {
			switch {
			case x.Num == attrName && x.Wire == ort.WireBytes:
				name = string(x.Data)
			case x.Num == attrF && x.Wire == ort.WireFixed32:
				f = math.Float32frombits(binary.LittleEndian.Uint32(x.Data))
			case x.Num == attrI && x.Wire == ort.WireVarint:
				i = int64(x.V)
			case x.Num == attrRefName:
				isRef = true
			}
			return nil
		})
		if err != nil || isRef {
			return 0, 0, 0, 0, false, err
		}
		switch name {
		case "alpha":
			alpha = f
		case "beta":
			beta = f
		case "transA":
			transA = i
		case "transB":
			transB = i
		default:
			return 0, 0, 0, 0, false, nil
		}
	}
	return alpha, beta, transA, transB, true, nil
}

// qkey names one quantised weight: the same initializer used by several MatMuls is
// quantised once, but a transposed or alpha-scaled use needs its own copy.
type qkey struct {
	init      string
	transpose bool
	alpha     uint32 // float32 bits
}

type qweight struct {
	key                 qkey
	k, n                int
	q                   []byte // int8, [k, n] row-major
	scale               []float32
	qName, sName, zName string
}

// plan is one node's rewrite: its new input list.
type plan struct {
	inputs []string
}

func rewriteGraph(g []byte, maxQ float64, rep *Report) ([]byte, error) {
	fields, err := ort.ParseFields(g)
	if err != nil {
		return nil, err
	}
	inits := map[string]*tensor{}
	names := map[string]bool{} // every name in the graph, to keep new ones unique
	uses := map[string]int{}
	nodes := make(map[int]node)
	for i, f := range fields {
		if f.Wire != ort.WireBytes {
			continue
		}
		switch f.Num {
		case graphInitializer:
			t, err := parseTensor(f.Data)
			if err != nil {
				return nil, err
			}
			if _, dup := inits[t.name]; dup {
				return nil, fmt.Errorf("%w: two initializers named %q", ort.ErrInvalidModel, t.name)
			}
			inits[t.name] = &t
			names[t.name] = true
		case graphNode:
			n, err := parseNode(f.Data)
			if err != nil {
				return nil, err
			}
			nodes[i] = n
			for _, s := range n.inputs {
				uses[s]++
				names[s] = true
			}
			for _, s := range n.outputs {
				names[s] = true
			}
			if err := subgraphNames(n.attrs, uses, 0); err != nil {
				return nil, err
			}
		case graphInput, graphOutput, graphValueInfo:
			name, err := valueInfoNameOf(f.Data)
			if err != nil {
				return nil, err
			}
			names[name] = true
			if f.Num == graphOutput {
				uses[name]++ // a graph output needs the float tensor itself
			}
		}
	}

	unique := func(base string) string {
		name := base
		for i := 1; names[name]; i++ {
			name = base + "_" + strconv.Itoa(i)
		}
		names[name] = true
		return name
	}
	weights := map[qkey]*qweight{}
	byInit := map[string][]*qweight{} // in order of first use
	qUses := map[string]int{}
	plans := map[int]plan{}
	for i := range fields {
		n, isNode := nodes[i]
		if !isNode || (n.domain != "" && n.domain != "ai.onnx") {
			continue
		}
		var key qkey
		var bias string
		switch n.opType {
		case "MatMul":
			rep.MatMuls++
			if len(n.inputs) != 2 || len(n.attrs) != 0 || n.inputs[0] == "" {
				continue
			}
			key = qkey{init: n.inputs[1], alpha: math.Float32bits(1)}
		case "Gemm":
			rep.MatMuls++
			if len(n.inputs) < 2 || len(n.inputs) > 3 || n.inputs[0] == "" {
				continue
			}
			alpha, beta, transA, transB, ok, err := gemmAttrs(n.attrs)
			if err != nil {
				return nil, err
			}
			if !ok || transA != 0 || math.IsInf(float64(alpha), 0) || math.IsNaN(float64(alpha)) {
				continue
			}
			key = qkey{init: n.inputs[1], transpose: transB != 0, alpha: math.Float32bits(alpha)}
			if len(n.inputs) == 3 && n.inputs[2] != "" {
				// The bias must be a float32 initializer of shape [N]: DynamicQuantizeMatMul
				// takes a 1-D bias and has no beta.
				bias = n.inputs[2]
				c, ok := inits[bias]
				if !ok || beta != 1 || c.dataType != typeFloat || len(c.dims) != 1 {
					continue
				}
			}
		default:
			continue
		}
		w := weights[key]
		if w == nil {
			t, ok := inits[key.init]
			if !ok {
				continue
			}
			w, err = quantizeWeight(t, key, maxQ)
			if err != nil {
				return nil, err
			}
			if w == nil {
				continue
			}
		}
		if bias != "" && inits[bias].dims[0] != int64(w.n) {
			continue
		}
		if weights[key] == nil {
			base := key.init
			if key.transpose {
				base += "_T"
			}
			if key.alpha != math.Float32bits(1) {
				base += "_scaled"
			}
			w.qName, w.sName, w.zName = unique(base+"_quantized"), unique(base+"_scale"), unique(base+"_zero_point")
			weights[key] = w
			byInit[key.init] = append(byInit[key.init], w)
		}
		qUses[key.init]++
		in := []string{n.inputs[0], w.qName, w.sName, w.zName}
		if bias != "" {
			in = append(in, bias)
		}
		plans[i] = plan{inputs: in}
		rep.Quantized++
	}
	if rep.Quantized == 0 {
		return nil, nil
	}

	removed := map[string]bool{}
	for name, n := range qUses {
		if uses[name] == n {
			removed[name] = true
		}
	}
	out := make([]byte, 0, len(g)/3)
	for i, f := range fields {
		if p, ok := plans[i]; ok {
			out = ort.AppendBytes(out, graphNode, rewriteNode(nodes[i], p))
			continue
		}
		if f.Wire == ort.WireBytes {
			switch f.Num {
			case graphInitializer:
				t, err := parseTensor(f.Data)
				if err != nil {
					return nil, err
				}
				if !removed[t.name] {
					out = append(out, f.Raw...)
				}
				for _, w := range byInit[t.name] {
					out = w.append(out)
				}
				continue
			case graphInput, graphValueInfo:
				// An initializer listed as an input (IR < 4 style) or annotated with a
				// type goes with the float tensor.
				if name, _ := valueInfoNameOf(f.Data); removed[name] {
					continue
				}
			}
		}
		out = append(out, f.Raw...)
	}
	return out, nil
}

func rewriteNode(n node, p plan) []byte {
	var out []byte
	wroteInputs, wroteDomain := false, false
	for _, f := range n.fields {
		switch {
		case f.Num == nodeInput && f.Wire == ort.WireBytes:
			if !wroteInputs {
				for _, in := range p.inputs {
					out = ort.AppendString(out, nodeInput, in)
				}
				wroteInputs = true
			}
		case f.Num == nodeOpType && f.Wire == ort.WireBytes:
			out = ort.AppendString(out, nodeOpType, quantOp)
		case f.Num == nodeDomain && f.Wire == ort.WireBytes:
			out = ort.AppendString(out, nodeDomain, msDomain)
			wroteDomain = true
		case f.Num == nodeAttr:
			// Gemm's alpha is folded into the weights, transB into their layout.
		default:
			out = append(out, f.Raw...)
		}
	}
	if !wroteDomain {
		out = ort.AppendString(out, nodeDomain, msDomain)
	}
	return out
}

// quantizeWeight quantises one weight use to int8 [K, N], one symmetric scale per column
// (max|column| / maxQ). It returns nil (no error) when the initializer is not a finite
// float32 matrix.
func quantizeWeight(t *tensor, key qkey, maxQ float64) (*qweight, error) {
	rows, cols, at, ok, err := t.matrix()
	if err != nil || !ok {
		return nil, err
	}
	k, n := rows, cols
	idx := func(r, c int) int { return r*cols + c } // W[r][c] of the K×N matrix
	if key.transpose {
		k, n = cols, rows
		idx = func(r, c int) int { return c*cols + r }
	}
	alpha := float64(math.Float32frombits(key.alpha))
	maxAbs := make([]float64, n)
	for r := 0; r < k; r++ {
		for c := 0; c < n; c++ {
			v := float64(at(idx(r, c))) * alpha
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil
			}
			maxAbs[c] = max(maxAbs[c], math.Abs(v))
		}
	}
	w := &qweight{key: key, k: k, n: n, q: make([]byte, k*n), scale: make([]float32, n)}
	inv := make([]float64, n)
	for c, m := range maxAbs {
		s := float32(m / maxQ)
		if s == 0 || math.IsInf(maxQ/float64(s), 0) {
			w.scale[c] = 1 // an all-zero (or denormal) column: every q is 0 anyway
			continue
		}
		w.scale[c] = s
		inv[c] = 1 / float64(s)
	}
	for r := 0; r < k; r++ {
		for c := 0; c < n; c++ {
			v := math.RoundToEven(float64(at(idx(r, c))) * alpha * inv[c])
			w.q[r*n+c] = byte(int8(min(maxQ, max(-maxQ, v))))
		}
	}
	return w, nil
}

// append writes the three initializers: the int8 weight, the scales, the zero points.
func (w *qweight) append(b []byte) []byte {
	scales := make([]byte, 4*len(w.scale))
	for i, s := range w.scale {
		binary.LittleEndian.PutUint32(scales[4*i:], math.Float32bits(s))
	}
	b = ort.AppendBytes(b, graphInitializer, encodeTensor(w.qName, typeInt8, []int64{int64(w.k), int64(w.n)}, w.q))
	b = ort.AppendBytes(b, graphInitializer, encodeTensor(w.sName, typeFloat, []int64{int64(w.n)}, scales))
	return ort.AppendBytes(b, graphInitializer, encodeTensor(w.zName, typeInt8, []int64{int64(w.n)}, make([]byte, w.n)))
}

func encodeTensor(name string, dataType uint64, dims []int64, raw []byte) []byte {
	var b []byte
	for _, d := range dims {
		b = ort.AppendVarint(b, tensorDims, uint64(d))
	}
	b = ort.AppendVarint(b, tensorDataType, dataType)
	b = ort.AppendString(b, tensorName, name)
	return ort.AppendBytes(b, tensorRawData, raw)
}
