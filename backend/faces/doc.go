// Package faces is the faces analyzer: it runs OpenCV's YuNet face detector
// (face_detection_yunet_2023mar.onnx) and an SFace recogniser in ONNX
// Runtime (Engine; the runtime, providers and sessions are backend/ort's),
// decodes YuNet's raw outputs, applies non-maximum suppression, aligns each
// face on SFace's 5-point ArcFace 112×112 template, and groups the vectors
// into people. A video's faces are found on its keyframes and followed
// through them, one face kept per person-track with its frame's time
// (video.go).
//
// The detector runs as OpenCV's FaceDetectorYN runs it: at the picture's
// size padded to a multiple of 32, whatever input size the model declares
// (the engine frees the declared height and width when it loads the model).
// Every behaviour taken from OpenCV is transcribed from OpenCV 4.x sources
// and cited at the function that implements it:
//
//   - opencv/opencv modules/objdetect/src/face_detect.cpp
//     (FaceDetectorYNImpl; read at commit 0692bb41f5afd79dd8c0d943ddf42a0b87397ab8)
//   - opencv/opencv modules/objdetect/src/face_recognize.cpp
//     (FaceRecognizerSFImpl; same commit)
//   - opencv/opencv_zoo models/face_recognition_sface/sface.py and
//     models/face_detection_yunet/yunet.py
//     (commit 10d07c565280f62f9d788c012059535c74c64a3d)
package faces
