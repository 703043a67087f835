#!/usr/bin/python3
"""Make the OpenCV reference for TestYuNetMatchesOpenCV (backend/faces/yunet_opencv_test.go).

Run with Debian 12's system Python and packages (apt-get install python3-opencv python3-skimage
opencv-doc):

    cd backend/faces/testdata/yunet && /usr/bin/python3 make_reference.py

It writes the test pictures (real photos with faces from Debian packages, scaled down with
cv2.INTER_AREA and saved as PNG so that Go and OpenCV read identical pixels) and opencv.json:
every face that OpenCV finds in each picture with the real YuNet 2023mar weights, run as
cv::FaceDetectorYN runs it (modules/objdetect/src/face_detect.cpp, FaceDetectorYNImpl):
the picture zero-padded right and bottom to a multiple of 32, dnn::blobFromImage with its
defaults (BGR, raw 0..255), the net run at that padded size, postProcess's decoding, and
dnn::NMSBoxes on the boxes truncated to int. Debian 12's OpenCV is 4.6, whose own
FaceDetectorYN only decodes the older 2022mar outputs, so detect() and postProcess() are
transcribed below line for line from OpenCV 4.8+ (the network itself runs in cv2.dnn).
Thresholds are Tagsight's (opencv_zoo yunet.py's defaults): score 0.6, NMS 0.3, top 5000.
"""
import json
import os

import cv2
import numpy as np

MODEL = "face_detection_yunet_2023mar.onnx"
SCORE, NMS, TOPK = 0.6, 0.3, 5000
OUTPUTS = ["cls_8", "cls_16", "cls_32", "obj_8", "obj_16", "obj_32",
           "bbox_8", "bbox_16", "bbox_32", "kps_8", "kps_16", "kps_32"]
STRIDES = [8, 16, 32]

SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
OPENCV_DOC = "/usr/share/doc/opencv-doc"
# (output name, source, width, height, grey): sizes that are not multiples of 32, so the
# padding matters, and at most 640 on the long side, so Tagsight does not scale them again.
PICTURES = [
    ("astronaut.png", SKIMAGE + "/astronaut.png", 300, 300, False),
    ("camera.png", SKIMAGE + "/camera.png", 360, 360, True),
    ("messi5.png", OPENCV_DOC + "/examples/data/messi5.jpg", 548, 342, False),
    ("faces24.png", OPENCV_DOC + "/opencv4/html/2.jpg", 480, 181, False),
    ("faces12.png", OPENCV_DOC + "/opencv4/html/3.jpg", 415, 139, False),
    ("faces3.png", OPENCV_DOC + "/opencv4/html/example.jpg", 400, 200, False),
]


def detect(net, img):
    h, w = img.shape[:2]
    pad_w, pad_h = ((w - 1) // 32 + 1) * 32, ((h - 1) // 32 + 1) * 32
    pad = cv2.copyMakeBorder(img, 0, pad_h - h, 0, pad_w - w, cv2.BORDER_CONSTANT, value=0)
    net.setInput(cv2.dnn.blobFromImage(pad))
    blobs = net.forward(OUTPUTS)
    faces = []
    for i, s in enumerate(STRIDES):
        cols, rows = pad_w // s, pad_h // s
        cls, obj = blobs[i].reshape(-1), blobs[i + 3].reshape(-1)
        bbox, kps = blobs[i + 6].reshape(-1, 4), blobs[i + 9].reshape(-1, 10)
        assert cls.size == cols * rows, (cls.shape, cols, rows)
        for r in range(rows):
            for c in range(cols):
                idx = r * cols + c
                score = np.sqrt(np.float32(min(max(cls[idx], 0), 1)) * np.float32(min(max(obj[idx], 0), 1)))
                if score < SCORE:
                    continue
                f32 = np.float32
                cx = (f32(c) + bbox[idx, 0]) * f32(s)
                cy = (f32(r) + bbox[idx, 1]) * f32(s)
                bw = np.exp(bbox[idx, 2]) * f32(s)
                bh = np.exp(bbox[idx, 3]) * f32(s)
                face = [cx - bw / f32(2), cy - bh / f32(2), bw, bh]
                for n in range(5):
                    face += [(kps[idx, 2 * n] + f32(c)) * f32(s), (kps[idx, 2 * n + 1] + f32(r)) * f32(s)]
                faces.append([float(v) for v in face] + [float(score)])
    if len(faces) > 1:
        boxes = [[int(f[0]), int(f[1]), int(f[2]), int(f[3])] for f in faces]
        keep = cv2.dnn.NMSBoxes(boxes, [f[14] for f in faces], SCORE, NMS, eta=1.0, top_k=TOPK)
        faces = [faces[k] for k in np.array(keep).reshape(-1)]
    return (pad_w, pad_h), faces


def main():
    net = cv2.dnn.readNet(MODEL)
    ref = {"opencv": cv2.__version__, "model": MODEL, "score_threshold": SCORE,
           "nms_threshold": NMS, "top_k": TOPK, "pictures": []}
    for name, src, w, h, grey in PICTURES:
        img = cv2.imread(src, cv2.IMREAD_GRAYSCALE if grey else cv2.IMREAD_COLOR)
        if img.shape[:2] != (h, w):
            img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
        cv2.imwrite(name, img, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        # The test reads the PNG back: so does the reference.
        img = cv2.imread(name, cv2.IMREAD_COLOR)
        padded, faces = detect(net, img)
        ref["pictures"].append({
            "file": name, "source": src.replace(SKIMAGE, "python3-skimage:skimage/data")
                                       .replace(OPENCV_DOC, "opencv-doc:/usr/share/doc/opencv-doc"),
            "width": w, "height": h, "padded": list(padded),
            "faces": [{"box": [round(v, 4) for v in f[:4]],
                       "landmarks": [[round(f[4 + 2 * n], 4), round(f[5 + 2 * n], 4)] for n in range(5)],
                       "score": round(f[14], 5)} for f in faces]})
        print("%-14s %dx%d padded %dx%d: %d faces, lowest score %.3f, %d bytes" % (
            name, w, h, padded[0], padded[1], len(faces), min(f[14] for f in faces) if faces else 0,
            os.path.getsize(name)))
    with open("opencv.json", "w") as out:
        json.dump(ref, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
