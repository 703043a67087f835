package onnxq

import "errors"

var (
	// ErrInvalid: the input is not a well-formed ONNX model (bad or truncated protobuf,
	// no graph, a weight whose data does not match its shape, ...).
	ErrInvalid = errors.New("not a valid ONNX model")
	// ErrExternalData: the model keeps initializers in external files (models over 2 GB),
	// which this package does not read.
	ErrExternalData = errors.New("ONNX model uses external data files, which onnxq does not support")
)
