package onnxq

import "errors"

// Malformed models (bad or truncated protobuf, no graph, a weight whose data does not match
// its shape, ...) are refused with ort.ErrInvalidModel, the error the protobuf reader gives.

// ErrExternalData: the model keeps initializers in external files (models over 2 GB),
// which this package does not read.
var ErrExternalData = errors.New("ONNX model uses external data files, which onnxq does not support")
