//go:build !cgo || noturbo

package media

import "image"

// turboJPEG reports whether JPEGs are decoded with libjpeg-turbo.
const turboJPEG = false

// decodeJPEG is the pure-Go fallback: a full-size image/jpeg decode (about
// 13x slower than libjpeg-turbo's scaled decode for a 12 MP photo).
// It cannot show what decodes of a damaged file: such files fail.
func decodeJPEG(data []byte, maxPixels, maxBytes int64, big func(w, h int) bool) (image.Image, string, error) {
	_, _ = maxPixels, maxBytes // already checked by Probe and planJPEG on the same header parser
	img, err := decodeJPEGStd(data, big)
	return img, "", err
}

// jpegDecodeSize: image/jpeg always decodes at full size.
func jpegDecodeSize(w, h int, big func(w, h int) bool) (int, int) { return w, h }
