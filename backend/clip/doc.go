// Package clip runs CLIP models locally: it reads a model folder in the public Immich layout
// (config.json, visual/, textual/), tokenizes text with the model's own tokenizer.json,
// preprocesses images to the model's input tensor, and computes L2-normalised image and text
// embeddings with ONNX Runtime.
//
// It is not for decoding files or EXIF orientation (the caller passes an oriented image.Image),
// nor for storing or searching embeddings.
package clip
