package clip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	ort "github.com/yalue/onnxruntime_go"
)

// Reading a model's input and output names, element types and shapes straight from the
// ONNX protobuf: ort.GetInputOutputInfo builds a throw-away session for that, which for a
// ViT-B/32 tower costs as much as the real session (0.3–0.5 s here) and doubles peak memory.
// Only the few fields needed are read; the initializers (the weights) are skipped by offset.

// Protobuf field numbers (onnx.proto3).
const (
	fieldModelGraph       = 7  // ModelProto.graph
	fieldGraphInput       = 11 // GraphProto.input
	fieldGraphOutput      = 12 // GraphProto.output
	fieldValueInfoName    = 1  // ValueInfoProto.name
	fieldValueInfoType    = 2  // ValueInfoProto.type
	fieldTypeTensor       = 1  // TypeProto.tensor_type
	fieldTensorElemType   = 1  // TypeProto.Tensor.elem_type
	fieldTensorShape      = 2  // TypeProto.Tensor.shape
	fieldShapeDim         = 1  // TensorShapeProto.dim
	fieldDimValue         = 1  // TensorShapeProto.Dimension.dim_value
	maxValueInfoBytes     = 1 << 20
	wireVarint, wireBytes = 0, 2
)

var errBadProtobuf = errors.New("not a valid ONNX model file")

// readONNXIO reads the graph inputs and outputs of an ONNX file. Symbolic dimensions are -1,
// as ONNX Runtime reports them.
func readONNXIO(path string) ([]ort.InputOutputInfo, []ort.InputOutputInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	return parseONNXIO(f, st.Size())
}

func parseONNXIO(r io.ReaderAt, size int64) (ins, outs []ort.InputOutputInfo, err error) {
	gStart, gEnd := int64(-1), int64(-1)
	err = scanFields(r, 0, size, func(field, wire int, _ uint64, start, end int64) error {
		if field == fieldModelGraph && wire == wireBytes {
			gStart, gEnd = start, end
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if gStart < 0 {
		return nil, nil, fmt.Errorf("%w: no graph", errBadProtobuf)
	}
	err = scanFields(r, gStart, gEnd, func(field, wire int, _ uint64, start, end int64) error {
		if wire != wireBytes || (field != fieldGraphInput && field != fieldGraphOutput) {
			return nil
		}
		if end-start > maxValueInfoBytes {
			return fmt.Errorf("%w: %d-byte value info", errBadProtobuf, end-start)
		}
		buf := make([]byte, end-start)
		if _, err := r.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		info, err := parseValueInfo(buf)
		if err != nil {
			return err
		}
		if field == fieldGraphInput {
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
		return nil, nil, fmt.Errorf("%w: graph without inputs or outputs", errBadProtobuf)
	}
	return ins, outs, nil
}

func parseValueInfo(buf []byte) (ort.InputOutputInfo, error) {
	info := ort.InputOutputInfo{OrtValueType: ort.ONNXTypeUnknown}
	r := bytes.NewReader(buf)
	err := scanFields(r, 0, int64(len(buf)), func(field, wire int, _ uint64, start, end int64) error {
		switch {
		case field == fieldValueInfoName && wire == wireBytes:
			info.Name = string(buf[start:end])
		case field == fieldValueInfoType && wire == wireBytes:
			return scanFields(r, start, end, func(field, wire int, _ uint64, start, end int64) error {
				if field != fieldTypeTensor || wire != wireBytes {
					return nil // a sequence, map, ...: left as ONNXTypeUnknown
				}
				info.OrtValueType = ort.ONNXTypeTensor
				info.Dimensions = ort.Shape{}
				return scanFields(r, start, end, func(field, wire int, v uint64, start, end int64) error {
					switch {
					case field == fieldTensorElemType && wire == wireVarint:
						info.DataType = ort.TensorElementDataType(v) // ORT's enum is ONNX's
					case field == fieldTensorShape && wire == wireBytes:
						return scanFields(r, start, end, func(field, wire int, _ uint64, start, end int64) error {
							if field != fieldShapeDim || wire != wireBytes {
								return nil
							}
							dim := int64(-1)
							err := scanFields(r, start, end, func(field, wire int, v uint64, _, _ int64) error {
								if field == fieldDimValue && wire == wireVarint {
									dim = int64(v)
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

// scanFields walks the protobuf fields in [start, end) of r, calling fn with each field's
// number and wire type, its value (varints) and the span of its payload.
func scanFields(r io.ReaderAt, start, end int64, fn func(field, wire int, v uint64, start, end int64) error) error {
	var buf [2 * binary.MaxVarintLen64]byte
	for pos := start; pos < end; {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), end-pos)], pos)
		if n == 0 {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("%w: %v", errBadProtobuf, err)
		}
		tag, k := binary.Uvarint(buf[:n])
		if k <= 0 || tag>>3 == 0 || tag>>3 > 1<<29 {
			return fmt.Errorf("%w: bad field tag at byte %d", errBadProtobuf, pos)
		}
		field, wire := int(tag>>3), int(tag&7)
		p := pos + int64(k)
		var v uint64
		var ds, de int64
		switch wire {
		case wireVarint:
			var k2 int
			v, k2 = binary.Uvarint(buf[k:n])
			if k2 <= 0 {
				return fmt.Errorf("%w: bad varint at byte %d", errBadProtobuf, p)
			}
			ds, de = p, p+int64(k2)
		case 1: // fixed64
			ds, de = p, p+8
		case 5: // fixed32
			ds, de = p, p+4
		case wireBytes:
			l, k2 := binary.Uvarint(buf[k:n])
			if k2 <= 0 || l > uint64(end) {
				return fmt.Errorf("%w: bad length at byte %d", errBadProtobuf, p)
			}
			ds = p + int64(k2)
			de = ds + int64(l)
		default:
			return fmt.Errorf("%w: wire type %d at byte %d", errBadProtobuf, wire, pos)
		}
		if de > end {
			return fmt.Errorf("%w: field %d runs past its message", errBadProtobuf, field)
		}
		if err := fn(field, wire, v, ds, de); err != nil {
			return err
		}
		pos = de
	}
	return nil
}
