package faces

import (
	"fmt"
	"image"
	"math"
	"sort"
)

// YuNet constants, from FaceDetectorYNImpl in
// opencv/opencv modules/objdetect/src/face_detect.cpp (constructor
// initialiser list `divisor(32), strides({8, 16, 32})`, ~lines 34-35).
const (
	// YuNetDivisor is the multiple the detector input is padded to.
	YuNetDivisor = 32
)

// YuNetStrides are the three feature-map strides of YuNet, in the order
// OpenCV iterates them in postProcess.
var YuNetStrides = [3]int{8, 16, 32}

// YuNet default parameters used by opencv_zoo's yunet.py
// (`confThreshold=0.6, nmsThreshold=0.3, topK=5000` in YuNet.__init__).
const (
	YuNetDefaultScoreThreshold float32 = 0.6
	YuNetDefaultNMSThreshold   float32 = 0.3
	YuNetDefaultTopK                   = 5000
)

// Face is one detection in detector-input pixel coordinates: the box is
// (X, Y) top-left plus W×H, and Landmarks are, in OpenCV's order, right eye,
// left eye, nose tip, right mouth corner, left mouth corner (as seen in the
// image; "right" is the subject's right, i.e. the image-left one). This
// mirrors the 15-float row FaceDetectorYN::detect returns:
// (tl_x, tl_y, w, h, re_x, re_y, le_x, le_y, nt_x, nt_y, rcm_x, rcm_y,
// lcm_x, lcm_y, score).
type Face struct {
	X, Y, W, H float32
	Landmarks  [5][2]float32
	Score      float32
}

// Rect returns the box rounded outward to integer pixels.
func (f Face) Rect() image.Rectangle {
	x0 := int(math.Floor(float64(f.X)))
	y0 := int(math.Floor(float64(f.Y)))
	x1 := int(math.Ceil(float64(f.X + f.W)))
	y1 := int(math.Ceil(float64(f.Y + f.H)))
	return image.Rect(x0, y0, x1, y1)
}

// PadSize rounds an input size up to a multiple of 32 exactly as
// FaceDetectorYNImpl does: `padW = (int((inputW - 1) / divisor) + 1) * divisor`
// (constructor and setInputSize in face_detect.cpp, ~lines 45-46 and 86-87).
// The image is padded on the right and bottom with zeros
// (padWithDivisor: copyMakeBorder(..., 0, bottom, 0, right,
// BORDER_CONSTANT, 0)), so coordinates are unchanged by padding.
func PadSize(w, h int) (int, int) {
	return ((w-1)/YuNetDivisor + 1) * YuNetDivisor, ((h-1)/YuNetDivisor + 1) * YuNetDivisor
}

// yunetNames returns the output tensor names for one stride. OpenCV asks the
// network for exactly these names (detect():
// `{ "cls_8", "cls_16", "cls_32", "obj_8", ..., "bbox_8", ..., "kps_8", ... }`).
func yunetNames(stride int) (cls, obj, bbox, kps string) {
	return fmt.Sprintf("cls_%d", stride), fmt.Sprintf("obj_%d", stride),
		fmt.Sprintf("bbox_%d", stride), fmt.Sprintf("kps_%d", stride)
}

// YuNetGrid returns the feature-map size (cols, rows) for a stride, derived
// from the padded input size as in postProcess:
// `cols = int(padW / strides[i]); rows = int(padH / strides[i])`.
func YuNetGrid(inputW, inputH, stride int) (cols, rows int) {
	pw, ph := PadSize(inputW, inputH)
	return pw / stride, ph / stride
}

// CheckYuNetOutputs reports whether outputs holds all twelve YuNet tensors
// with at least the element counts the grid for inputW×inputH needs
// (cls/obj: 1 per anchor, bbox: 4, kps: 10). DecodeYuNet skips strides
// that fail this check; callers wiring a real model should call it first.
func CheckYuNetOutputs(outputs map[string][]float32, inputW, inputH int) error {
	if inputW <= 0 || inputH <= 0 {
		return fmt.Errorf("faces: invalid input size %dx%d", inputW, inputH)
	}
	for _, s := range YuNetStrides {
		cols, rows := YuNetGrid(inputW, inputH, s)
		n := cols * rows
		cls, obj, bbox, kps := yunetNames(s)
		for _, want := range []struct {
			name string
			per  int
		}{{cls, 1}, {obj, 1}, {bbox, 4}, {kps, 10}} {
			v, ok := outputs[want.name]
			if !ok {
				return fmt.Errorf("faces: missing YuNet output %q", want.name)
			}
			if len(v) < n*want.per {
				return fmt.Errorf("faces: YuNet output %q has %d values, want %d (%dx%d grid × %d)",
					want.name, len(v), n*want.per, cols, rows, want.per)
			}
		}
	}
	return nil
}

func clamp01(v float32) float32 {
	if v > 1 {
		return 1
	}
	if v < 0 {
		return 0
	}
	return v
}

// DecodeYuNet turns the raw YuNet outputs (keyed by tensor name, each a
// flat row-major [1, rows*cols, k] tensor) into faces, before NMS. inputW
// and inputH are the detector input size; it is padded with PadSize exactly
// as OpenCV pads the blob, and each stride's grid is padW/stride ×
// padH/stride. Anchors whose score is below scoreThreshold are dropped.
//
// Transcribed from FaceDetectorYNImpl::postProcess (face_detect.cpp,
// ~lines 170-215):
//
//	idx = r*cols + c
//	score = sqrt(clamp01(cls[idx]) * clamp01(obj[idx]));  if score < thr: skip
//	cx = (c + bbox[idx*4+0]) * stride;  cy = (r + bbox[idx*4+1]) * stride
//	w  = exp(bbox[idx*4+2]) * stride;   h  = exp(bbox[idx*4+3]) * stride
//	x1 = cx - w/2;  y1 = cy - h/2
//	lm[n] = ((kps[idx*10+2n] + c) * stride, (kps[idx*10+2n+1] + r) * stride)
//
// Strides whose tensors are missing or too short are skipped (see
// CheckYuNetOutputs).
func DecodeYuNet(outputs map[string][]float32, inputW, inputH int, scoreThreshold float32) []Face {
	if inputW <= 0 || inputH <= 0 {
		return nil
	}
	var faces []Face
	for _, s := range YuNetStrides {
		cols, rows := YuNetGrid(inputW, inputH, s)
		n := cols * rows
		clsN, objN, bboxN, kpsN := yunetNames(s)
		cls, obj, bbox, kps := outputs[clsN], outputs[objN], outputs[bboxN], outputs[kpsN]
		if len(cls) < n || len(obj) < n || len(bbox) < 4*n || len(kps) < 10*n {
			continue
		}
		st := float32(s)
		for r := 0; r < rows; r++ {
			for c := 0; c < cols; c++ {
				idx := r*cols + c
				score := float32(math.Sqrt(float64(clamp01(cls[idx]) * clamp01(obj[idx]))))
				if score < scoreThreshold {
					continue
				}
				cx := (float32(c) + bbox[idx*4+0]) * st
				cy := (float32(r) + bbox[idx*4+1]) * st
				w := float32(math.Exp(float64(bbox[idx*4+2]))) * st
				h := float32(math.Exp(float64(bbox[idx*4+3]))) * st
				f := Face{X: cx - w/2, Y: cy - h/2, W: w, H: h, Score: score}
				for k := 0; k < 5; k++ {
					f.Landmarks[k][0] = (kps[idx*10+2*k] + float32(c)) * st
					f.Landmarks[k][1] = (kps[idx*10+2*k+1] + float32(r)) * st
				}
				faces = append(faces, f)
			}
		}
	}
	return faces
}

// IoU is the intersection over union of two faces' boxes (0 when either box
// is empty).
func IoU(a, b Face) float32 {
	ix0 := max(a.X, b.X)
	iy0 := max(a.Y, b.Y)
	ix1 := min(a.X+a.W, b.X+b.W)
	iy1 := min(a.Y+a.H, b.Y+b.H)
	iw, ih := ix1-ix0, iy1-iy0
	if iw <= 0 || ih <= 0 {
		return 0
	}
	inter := iw * ih
	union := a.W*a.H + b.W*b.H - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// NMS is greedy non-maximum suppression in the manner of OpenCV's
// dnn::NMSBoxes (which postProcess calls with eta = 1): candidates are
// sorted by descending score and, when topK > 0, only the topK best are
// considered; a candidate is kept when its IoU with every already kept face
// is <= iouThreshold. The input slice is not modified; ties keep input order.
//
// Difference from OpenCV: postProcess converts boxes to Rect2i (truncating
// to int) before NMSBoxes; here IoU is computed on the float boxes.
func NMS(faces []Face, iouThreshold float32, topK int) []Face {
	order := make([]int, len(faces))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return faces[order[i]].Score > faces[order[j]].Score })
	if topK > 0 && len(order) > topK {
		order = order[:topK]
	}
	var kept []Face
	for _, i := range order {
		keep := true
		for _, k := range kept {
			if IoU(faces[i], k) > iouThreshold {
				keep = false
				break
			}
		}
		if keep {
			kept = append(kept, faces[i])
		}
	}
	return kept
}

// YuNetInput builds YuNet's input tensor (NCHW 1×3×padH×padW) from an image
// already resized to the detector input size, as FaceDetectorYNImpl::detect
// does: the image is zero-padded right/bottom to a multiple of 32 and then
// passed to `dnn::blobFromImage(pad_image)` with default arguments
// (scalefactor 1, no mean, swapRB=false), so the channel order is OpenCV's
// native BGR and values are raw 0..255. It returns the tensor and the padded
// size.
func YuNetInput(img image.Image) (tensor []float32, padW, padH int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return nil, 0, 0
	}
	padW, padH = PadSize(w, h)
	plane := padW * padH
	tensor = make([]float32, 3*plane)
	if rgba, ok := img.(*image.RGBA); ok {
		// The pipeline's pictures: read the pixels directly.
		for y := 0; y < h; y++ {
			o := rgba.PixOffset(b.Min.X, b.Min.Y+y)
			row := rgba.Pix[o : o+4*w]
			i := y * padW
			for x := 0; x < w; x++ {
				tensor[i+x] = float32(row[4*x+2])       // B
				tensor[plane+i+x] = float32(row[4*x+1]) // G
				tensor[2*plane+i+x] = float32(row[4*x]) // R
			}
		}
		return tensor, padW, padH
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := y*padW + x
			tensor[i] = float32(bl >> 8)        // B
			tensor[plane+i] = float32(g >> 8)   // G
			tensor[2*plane+i] = float32(r >> 8) // R
		}
	}
	return tensor, padW, padH
}
