// Package ort is Tagsight's one door to ONNX Runtime: it finds the runtime's
// shared library (FindLibrary) and loads it once per process (Init), picks
// an execution provider per platform and says why (ResolveProvider,
// StartSession's fall-back to the CPU), creates sessions with the options
// every model runs with (intra-op threads, no spinning; OpenSession), makes a
// run cancellable (Run), keeps an engine's sessions until the calls in
// flight are over (Gate), and reads a model's inputs and outputs straight from its
// protobuf. The protobuf wire helpers it reads with (WalkFields, Append*)
// are also what backend/onnxq rewrites graphs with.
//
// Every package that runs a model (clip, faces, ocr) goes through
// here; no other package imports onnxruntime_go (a test checks). The types
// callers hand to a session (Value, Tensor, Shape) are onnxruntime_go's,
// re-exported under their own names.
//
// It is not for what a model means: preprocessing, batching, decoding a
// model's outputs and checking its shapes against a model folder belong to
// the package that knows the model.
package ort
