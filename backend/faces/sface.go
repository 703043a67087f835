package faces

import (
	"image"
	"math"
)

// SFaceSize is the side of SFace's aligned input crop (112×112; alignCrop
// warps to `Size(112, 112)` and feature() builds the blob at Size(112, 112)).
const SFaceSize = 112

// ArcFaceTemplate is the 5-point destination template of SFace alignment,
// copied from getSimilarityTransformMatrix in opencv/opencv
// modules/objdetect/src/face_recognize.cpp (~line 80: `float dst[5][2] =
// { {38.2946f, 51.6963f}, {73.5318f, 51.5014f}, {56.0252f, 71.7366f},
// {41.5493f, 92.3655f}, {70.7299f, 92.2041f} }`); order matches YuNet's
// landmarks (right eye, left eye, nose, right mouth, left mouth).
var ArcFaceTemplate = [5][2]float32{
	{38.2946, 51.6963},
	{73.5318, 51.5014},
	{56.0252, 71.7366},
	{41.5493, 92.3655},
	{70.7299, 92.2041},
}

// SFaceCosineThreshold is SFace's match threshold, from opencv_zoo
// models/face_recognition_sface/sface.py (SFace.__init__:
// `self._threshold_cosine = 0.363`), used as `cosine_score >=
// threshold_cosine` means "same identity" (SFace.match). The same number
// appears in OpenCV's DNN face tutorial (doc/tutorials/dnn/dnn_face).
const SFaceCosineThreshold float32 = 0.363

// SimilarityTransform returns the 2×3 matrix [a b tx; c d ty] (row-major)
// of the least-squares similarity transform (rotation + uniform scale +
// translation, no reflection) mapping src points onto dst points, i.e.
// dst ≈ M·[x y 1]ᵀ.
//
// OpenCV's getSimilarityTransformMatrix (face_recognize.cpp, ~lines 78-190)
// is Umeyama's method on the 5 points: A = (1/n)·Σ dstᵢ·srcᵢᵀ (demeaned),
// SVD A = U·S·Vᵀ, D = diag(1, sign(det A)), R = U·D·Vᵀ,
// scale = (s₀·d₀ + s₁·d₁) / (var_x + var_y), t = dst_mean − scale·R·src_mean.
// For 2×2 that optimum has the closed form used here: with demeaned points,
// p = Σ (sx·dx + sy·dy), q = Σ (sx·dy − sy·dx), the rotation angle is
// atan2(q, p) and scale·cosθ = p/Σ|s|², scale·sinθ = q/Σ|s|² (because
// s₀ + sign(det A)·s₁ = √((A00+A11)² + (A10−A01)²) for a 2×2 A). It is the
// same result without an SVD. (OpenCV hard-codes the template mean as
// {56.0262, 71.9008}; here the mean of dst is computed, which for the
// template is 56.02616, 71.90078.)
func SimilarityTransform(src, dst [5][2]float32) [6]float64 {
	var sm, dm [2]float64
	for i := 0; i < 5; i++ {
		sm[0] += float64(src[i][0])
		sm[1] += float64(src[i][1])
		dm[0] += float64(dst[i][0])
		dm[1] += float64(dst[i][1])
	}
	for k := range sm {
		sm[k] /= 5
		dm[k] /= 5
	}
	var p, q, ss float64
	for i := 0; i < 5; i++ {
		sx, sy := float64(src[i][0])-sm[0], float64(src[i][1])-sm[1]
		dx, dy := float64(dst[i][0])-dm[0], float64(dst[i][1])-dm[1]
		p += sx*dx + sy*dy
		q += sx*dy - sy*dx
		ss += sx*sx + sy*sy
	}
	if ss == 0 {
		// Degenerate source (all points equal): pure translation.
		return [6]float64{1, 0, dm[0] - sm[0], 0, 1, dm[1] - sm[1]}
	}
	a := p / ss // scale·cosθ
	b := q / ss // scale·sinθ
	return [6]float64{
		a, -b, dm[0] - (a*sm[0] - b*sm[1]),
		b, a, dm[1] - (b*sm[0] + a*sm[1]),
	}
}

// invertAffine inverts a 2×3 affine matrix; ok is false when singular.
func invertAffine(m [6]float64) (inv [6]float64, ok bool) {
	det := m[0]*m[4] - m[1]*m[3]
	if det == 0 || math.IsNaN(det) {
		return inv, false
	}
	i0, i1 := m[4]/det, -m[1]/det
	i3, i4 := -m[3]/det, m[0]/det
	return [6]float64{
		i0, i1, -(i0*m[2] + i1*m[5]),
		i3, i4, -(i3*m[2] + i4*m[5]),
	}, true
}

// AlignCrop warps img to the 112×112 SFace crop, following
// FaceRecognizerSFImpl::alignCrop (face_recognize.cpp, ~lines 42-55):
// `warp_mat = getSimilarityTransformMatrix(src_point); warpAffine(src,
// aligned, warp_mat, Size(112, 112), INTER_LINEAR)`. warpAffine without
// WARP_INVERSE_MAP treats warp_mat as the forward (image→crop) map and
// samples dst(x, y) = src(M⁻¹·(x, y)) bilinearly, pixel centres at integer
// coordinates, with the default BORDER_CONSTANT 0: neighbours outside the
// image count as black. landmarks are relative to img.Bounds().Min. The
// output alpha is 255 everywhere.
func AlignCrop(img *image.RGBA, landmarks [5][2]float32) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, SFaceSize, SFaceSize))
	for i := 3; i < len(out.Pix); i += 4 {
		out.Pix[i] = 255
	}
	inv, ok := invertAffine(SimilarityTransform(landmarks, ArcFaceTemplate))
	if !ok || img == nil {
		return out
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	px := func(x, y, ch int) float64 {
		if x < 0 || y < 0 || x >= w || y >= h {
			return 0
		}
		return float64(img.Pix[img.PixOffset(b.Min.X+x, b.Min.Y+y)+ch])
	}
	for y := 0; y < SFaceSize; y++ {
		for x := 0; x < SFaceSize; x++ {
			sx := inv[0]*float64(x) + inv[1]*float64(y) + inv[2]
			sy := inv[3]*float64(x) + inv[4]*float64(y) + inv[5]
			if sx <= -1 || sy <= -1 || sx >= float64(w) || sy >= float64(h) {
				continue // every neighbour is outside: black
			}
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			o := out.PixOffset(x, y)
			for ch := 0; ch < 3; ch++ {
				v := (1-fy)*((1-fx)*px(x0, y0, ch)+fx*px(x0+1, y0, ch)) +
					fy*((1-fx)*px(x0, y0+1, ch)+fx*px(x0+1, y0+1, ch))
				out.Pix[o+ch] = uint8(math.Min(255, math.Max(0, math.Round(v))))
			}
		}
	}
	return out
}

// SFaceInput builds SFace's input tensor, NCHW 1×3×112×112, from an aligned
// crop, as FaceRecognizerSFImpl::feature does (face_recognize.cpp, ~line 58):
//
//	dnn::blobFromImage(_aligned_img, 1, Size(112, 112), Scalar(0, 0, 0), true, false)
//
// i.e. scalefactor 1 (raw 0..255 values), zero mean, swapRB=true, crop=false.
// OpenCV images are BGR, so swapRB=true makes the blob RGB: channel 0 = R,
// 1 = G, 2 = B. A Go RGBA image is already RGB, so channels are copied in
// order. It returns nil unless crop is 112×112 (OpenCV would resize; here
// AlignCrop already produces that size).
func SFaceInput(crop *image.RGBA) []float32 {
	if crop == nil || crop.Bounds().Dx() != SFaceSize || crop.Bounds().Dy() != SFaceSize {
		return nil
	}
	const plane = SFaceSize * SFaceSize
	t := make([]float32, 3*plane)
	origin := crop.Bounds().Min
	for y := 0; y < SFaceSize; y++ {
		for x := 0; x < SFaceSize; x++ {
			o := crop.PixOffset(origin.X+x, origin.Y+y)
			i := y*SFaceSize + x
			t[i] = float32(crop.Pix[o])           // R
			t[plane+i] = float32(crop.Pix[o+1])   // G
			t[2*plane+i] = float32(crop.Pix[o+2]) // B
		}
	}
	return t
}
