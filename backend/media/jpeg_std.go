//go:build !cgo || noturbo

package media

import "image"

// turboJPEG reports whether JPEGs are decoded with libjpeg-turbo.
const turboJPEG = false

// decodeJPEG is the pure-Go fallback: a full-size image/jpeg decode (about
// 13x slower than libjpeg-turbo's scaled decode for a 12 MP photo).
func decodeJPEG(data []byte, maxPixels int64, big func(w, h int) bool) (image.Image, error) {
	_ = maxPixels // already checked by Probe on the same header parser
	return decodeJPEGStd(data, big)
}
