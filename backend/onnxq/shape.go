package onnxq

import (
	"fmt"
	"strconv"

	"github.com/tagsight/tagsight/backend/ort"
)

// Protobuf field numbers of a value's type (onnx.proto3), beyond those in quantize.go.
const (
	valueInfoType = 2 // ValueInfoProto.type
	typeTensor    = 1 // TypeProto.tensor_type
	tensorShape   = 2 // TypeProto.Tensor.shape
	shapeDim      = 1 // TensorShapeProto.dim
	dimValue      = 1 // TensorShapeProto.Dimension.dim_value
	dimParam      = 2 // TensorShapeProto.Dimension.dim_param
)

// FreeDims lets a model that declares a fixed input size run at other sizes, as OpenCV's
// dnn module runs it: the dimensions of the graph input named input whose indexes are keys
// of dims become symbolic (dim_param dims[i]). The graph outputs' dimensions become
// symbolic too and the graph's value_info (the recorded shapes of intermediate tensors) is
// dropped, since both were worked out for the declared size and ONNX Runtime infers them
// again at load. Everything else is copied byte for byte. Whether the graph itself runs at
// another size (Reshapes with -1, Resizes by scales, not by sizes) is for the caller to
// find out: ONNX Runtime fails at run time where it does not.
func FreeDims(model []byte, input string, dims map[int]string) ([]byte, error) {
	var out []byte
	found := false
	err := ort.WalkFields(model, func(f ort.Field) error {
		if f.Num != modelGraph || f.Wire != ort.WireBytes {
			out = append(out, f.Raw...)
			return nil
		}
		g, ok, err := freeGraphDims(f.Data, input, dims)
		if err != nil {
			return err
		}
		found = found || ok
		out = ort.AppendBytes(out, modelGraph, g)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("free input dims: %w", err)
	}
	if !found {
		return nil, fmt.Errorf("free input dims: %w: no graph input %q", ort.ErrInvalidModel, input)
	}
	return out, nil
}

func freeGraphDims(g []byte, input string, dims map[int]string) ([]byte, bool, error) {
	var out []byte
	found := false
	err := ort.WalkFields(g, func(f ort.Field) error {
		switch {
		case f.Num == graphValueInfo:
			return nil
		case f.Num == graphInput && f.Wire == ort.WireBytes:
			name, err := valueInfoNameOf(f.Data)
			if err != nil {
				return err
			}
			if name != input {
				break
			}
			v, n, err := rewriteDims(f.Data, func(i int) (string, bool) { s, ok := dims[i]; return s, ok })
			if err != nil {
				return err
			}
			if n != len(dims) {
				return fmt.Errorf("%w: input %q has no dimension for some of %v", ort.ErrInvalidModel, input, dims)
			}
			found = true
			out = ort.AppendBytes(out, graphInput, v)
			return nil
		case f.Num == graphOutput && f.Wire == ort.WireBytes:
			name, err := valueInfoNameOf(f.Data)
			if err != nil {
				return err
			}
			v, _, err := rewriteDims(f.Data, func(i int) (string, bool) { return name + "_dim" + strconv.Itoa(i), true })
			if err != nil {
				return err
			}
			out = ort.AppendBytes(out, graphOutput, v)
			return nil
		}
		out = append(out, f.Raw...)
		return nil
	})
	return out, found, err
}

// rewriteDims rewrites a ValueInfoProto's tensor shape: dimension i becomes dim_param
// param(i) where param says so. It returns how many dimensions it rewrote.
func rewriteDims(vi []byte, param func(int) (string, bool)) ([]byte, int, error) {
	n := 0
	// nest rewrites the bytes fields numbered num of a message with fn, copying the rest.
	nest := func(b []byte, num int, fn func([]byte) ([]byte, error)) ([]byte, error) {
		var out []byte
		err := ort.WalkFields(b, func(f ort.Field) error {
			if f.Num != num || f.Wire != ort.WireBytes {
				out = append(out, f.Raw...)
				return nil
			}
			v, err := fn(f.Data)
			if err != nil {
				return err
			}
			out = ort.AppendBytes(out, num, v)
			return nil
		})
		return out, err
	}
	out, err := nest(vi, valueInfoType, func(t []byte) ([]byte, error) {
		return nest(t, typeTensor, func(t []byte) ([]byte, error) {
			return nest(t, tensorShape, func(s []byte) ([]byte, error) {
				i := 0
				return nest(s, shapeDim, func(d []byte) ([]byte, error) {
					name, ok := param(i)
					i++
					if !ok {
						return d, nil
					}
					n++
					// The new value replaces dim_value or dim_param (a oneof); a denotation stays.
					var out []byte
					err := ort.WalkFields(d, func(f ort.Field) error {
						if f.Num != dimValue && f.Num != dimParam {
							out = append(out, f.Raw...)
						}
						return nil
					})
					return ort.AppendString(out, dimParam, name), err
				})
			})
		})
	})
	return out, n, err
}
