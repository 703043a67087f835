// Package faces holds the pure-Go math of a future face analyzer (issue 13):
// decoding the raw outputs of OpenCV's YuNet face detector
// (face_detection_yunet_2023mar.onnx), non-maximum suppression, the SFace
// 5-point similarity alignment to the ArcFace 112×112 template, the SFace
// input tensor layout, and cosine matching with SFace's published
// thresholds.
//
// Nothing here runs a model: there is no cgo, no ONNX runtime and no SQL.
// Every behaviour is transcribed from OpenCV 4.x sources and cited at the
// function that implements it:
//
//   - opencv/opencv modules/objdetect/src/face_detect.cpp
//     (FaceDetectorYNImpl; read at commit 0692bb41f5afd79dd8c0d943ddf42a0b87397ab8)
//   - opencv/opencv modules/objdetect/src/face_recognize.cpp
//     (FaceRecognizerSFImpl; same commit)
//   - opencv/opencv_zoo models/face_recognition_sface/sface.py and
//     models/face_detection_yunet/yunet.py
//     (commit 10d07c565280f62f9d788c012059535c74c64a3d)
package faces
