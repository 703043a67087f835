package ort

import (
	"errors"
	"fmt"
	"io"
	"os"

	onnx "github.com/yalue/onnxruntime_go"
)

// A model's input and output names, element types and shapes are read straight from the
// ONNX protobuf: onnxruntime_go's GetInputOutputInfo builds a throw-away session for that,
// which for a ViT-B/32 tower costs as much as the real session (0.3–0.5 s here) and
// doubles peak memory. Only the few fields needed are read; the initializers (the weights)
// are skipped by offset.

// Protobuf field numbers (onnx.proto3).
const (
	fieldModelGraph     = 7  // ModelProto.graph
	fieldGraphInput     = 11 // GraphProto.input
	fieldGraphOutput    = 12 // GraphProto.output
	fieldValueInfoName  = 1  // ValueInfoProto.name
	fieldValueInfoType  = 2  // ValueInfoProto.type
	fieldTypeTensor     = 1  // TypeProto.tensor_type
	fieldTensorElemType = 1  // TypeProto.Tensor.elem_type
	fieldTensorShape    = 2  // TypeProto.Tensor.shape
	fieldShapeDim       = 1  // TensorShapeProto.dim
	fieldDimValue       = 1  // TensorShapeProto.Dimension.dim_value
	maxValueInfoBytes   = 1 << 20
)

// ReadIO reads an ONNX file's inputs and outputs (names, element types,
// shapes; symbolic dimensions are -1, as ONNX Runtime reports them), from
// the protobuf when it can and else by asking ONNX Runtime, whose error is
// then the one returned.
func ReadIO(path string) ([]InputOutputInfo, []InputOutputInfo, error) {
	ins, outs, err := ReadIOProtobuf(path)
	if err != nil {
		if ins, outs, err = IOFromRuntime(path); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return ins, outs, nil
}

// IOFromRuntime asks ONNX Runtime for a model file's inputs and outputs; it builds a
// throw-away session (without graph optimisation), so ReadIO reads the protobuf first.
func IOFromRuntime(path string) ([]InputOutputInfo, []InputOutputInfo, error) {
	o, err := onnx.NewSessionOptions()
	if err != nil {
		return nil, nil, err
	}
	defer o.Destroy()
	if err := o.SetGraphOptimizationLevel(onnx.GraphOptimizationLevelDisableAll); err != nil {
		return nil, nil, err
	}
	return onnx.GetInputOutputInfoWithOptions(path, o)
}

// ReadIOProtobuf is ReadIO without ONNX Runtime: it only reads the protobuf, and fails on
// what it cannot read there (a model keeping its graph elsewhere, or none at all).
func ReadIOProtobuf(path string) ([]InputOutputInfo, []InputOutputInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	return parseIO(f, st.Size())
}

func parseIO(r io.ReaderAt, size int64) (ins, outs []InputOutputInfo, err error) {
	gStart, gEnd := int64(-1), int64(-1)
	err = ScanFields(r, 0, size, func(f Field) error {
		if f.Num == fieldModelGraph && f.Wire == WireBytes {
			gStart, gEnd = f.Start, f.End
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if gStart < 0 {
		return nil, nil, fmt.Errorf("%w: no graph", ErrInvalidModel)
	}
	err = ScanFields(r, gStart, gEnd, func(f Field) error {
		if f.Wire != WireBytes || (f.Num != fieldGraphInput && f.Num != fieldGraphOutput) {
			return nil
		}
		if f.End-f.Start > maxValueInfoBytes {
			return fmt.Errorf("%w: %d-byte value info", ErrInvalidModel, f.End-f.Start)
		}
		buf := make([]byte, f.End-f.Start)
		if _, err := r.ReadAt(buf, f.Start); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		info, err := parseValueInfo(buf)
		if err != nil {
			return err
		}
		if f.Num == fieldGraphInput {
			ins = append(ins, info)
		} else {
			outs = append(outs, info)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(ins) == 0 || len(outs) == 0 {
		return nil, nil, fmt.Errorf("%w: graph without inputs or outputs", ErrInvalidModel)
	}
	return ins, outs, nil
}

// eachMessage calls fn with the payload of each bytes field numbered num of the message b.
func eachMessage(b []byte, num int, fn func([]byte) error) error {
	return WalkFields(b, func(f Field) error {
		if f.Num != num || f.Wire != WireBytes {
			return nil
		}
		return fn(f.Data)
	})
}

func parseValueInfo(buf []byte) (InputOutputInfo, error) {
	info := InputOutputInfo{OrtValueType: onnx.ONNXTypeUnknown}
	err := WalkFields(buf, func(f Field) error {
		switch {
		case f.Num == fieldValueInfoName && f.Wire == WireBytes:
			info.Name = string(f.Data)
		case f.Num == fieldValueInfoType && f.Wire == WireBytes:
			// A sequence, map, ... has no tensor_type: it stays ONNXTypeUnknown.
			return eachMessage(f.Data, fieldTypeTensor, func(t []byte) error {
				info.OrtValueType = onnx.ONNXTypeTensor
				info.Dimensions = Shape{}
				return WalkFields(t, func(f Field) error {
					switch {
					case f.Num == fieldTensorElemType && f.Wire == WireVarint:
						info.DataType = TensorElementDataType(f.V) // ORT's enum is ONNX's
					case f.Num == fieldTensorShape && f.Wire == WireBytes:
						return eachMessage(f.Data, fieldShapeDim, func(d []byte) error {
							dim := int64(-1)
							err := WalkFields(d, func(f Field) error {
								if f.Num == fieldDimValue && f.Wire == WireVarint {
									dim = int64(f.V)
								}
								return nil
							})
							info.Dimensions = append(info.Dimensions, dim)
							return err
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	return info, err
}
