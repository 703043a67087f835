// Package clip runs CLIP models locally: it reads a model folder in the public Immich layout
// (config.json, visual/, textual/), tokenizes text with the model's own tokenizer.json,
// preprocesses images to the model's input tensor, computes L2-normalised image and text
// embeddings (Engine, spread over the cores as LayoutFor says), and makes and checks a
// folder's int8 variant (Quantize).
//
// It is not for loading ONNX Runtime, choosing an execution provider or creating sessions
// (backend/ort does that for every model), nor for decoding files or EXIF orientation (the
// caller passes an oriented image.Image), nor for storing or searching embeddings.
package clip
