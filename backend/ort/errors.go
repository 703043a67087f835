package ort

import "errors"

var (
	// ErrRuntime: the ONNX Runtime shared library is missing, not loaded
	// yet, or not one this build can use.
	ErrRuntime = errors.New("onnx runtime unavailable")
	// ErrProvider: an unknown execution provider name.
	ErrProvider = errors.New("unknown execution provider")
	// ErrInvalidModel: bytes that are not a well-formed ONNX model (bad or
	// truncated protobuf, no graph, ...).
	ErrInvalidModel = errors.New("not a valid ONNX model")
	// ErrClosed: a model engine was closed; its sessions are gone.
	ErrClosed = errors.New("engine closed")
)
