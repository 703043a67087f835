//go:build cgo && !noturbo

package media

// #cgo LDFLAGS: -lturbojpeg
// #include <turbojpeg.h>
import "C"

import (
	"errors"
	"fmt"
	"image"
	"unsafe"
)

// turboJPEG reports whether JPEGs are decoded with libjpeg-turbo.
const turboJPEG = true

// decodeJPEG decodes data with libjpeg-turbo at the smallest DCT scaling
// factor (1/8 … 1/1) whose output still satisfies big(w, h), so a 12 MP
// photo wanted at 224 px is decoded at 1/8 size without ever holding the
// full-size pixels. A recoverable problem (premature end of data, corrupt
// entropy data: what a failing card or an interrupted copy leaves) still
// yields the picture, as far as it decodes, with a warning saying so; only
// a file with no picture data at all fails. The only C resource is the
// handle, destroyed on return; the input and output buffers are Go memory.
// maxBytes is what the caller reserved for the pixels (see planJPEG).
func decodeJPEG(data []byte, maxPixels, maxBytes int64, big func(w, h int) bool) (image.Image, string, error) {
	if len(data) == 0 {
		return nil, "", fmt.Errorf("%w: empty data", ErrCorrupt)
	}
	h := C.tjInitDecompress()
	if h == nil {
		return nil, "", errors.New("cannot create libjpeg-turbo decompressor")
	}
	defer C.tjDestroy(h)
	src := (*C.uchar)(unsafe.Pointer(&data[0]))
	var w, ht, subsamp, cs C.int
	if C.tjDecompressHeader3(h, src, C.ulong(len(data)), &w, &ht, &subsamp, &cs) != 0 {
		return nil, "", fmt.Errorf("%w: header: %s", ErrCorrupt, C.GoString(C.tjGetErrorStr2(h)))
	}
	if w <= 0 || ht <= 0 || int64(w)*int64(ht) > maxPixels {
		// libjpeg-turbo may read a frame header differently from image/jpeg.
		return nil, "", fmt.Errorf("%w: %dx%d", ErrTooManyPixels, int(w), int(ht))
	}
	if cs == C.TJCS_CMYK || cs == C.TJCS_YCCK {
		// TurboJPEG cannot convert CMYK to RGB; the Go decoder can.
		img, err := decodeJPEGStd(data, big)
		return img, "", err
	}
	sw, sh := jpegDecodeSize(int(w), int(ht), big)
	if int64(sw)*int64(sh)*4 > maxBytes {
		// The budget was planned from image/jpeg's reading of the header.
		return nil, "", fmt.Errorf("%w: %dx%d decodes larger than planned", ErrTooManyPixels, int(w), int(ht))
	}
	img := image.NewRGBA(image.Rect(0, 0, sw, sh))
	if decodedHook != nil {
		decodedHook(sw, sh)
	}
	if C.tjDecompress2(h, src, C.ulong(len(data)), (*C.uchar)(unsafe.Pointer(&img.Pix[0])),
		C.int(sw), C.int(img.Stride), C.int(sh), C.TJPF_RGBA, 0) != 0 {
		if C.tjGetErrorCode(h) != C.TJERR_WARNING {
			return nil, "", fmt.Errorf("%w: %s", ErrCorrupt, C.GoString(C.tjGetErrorStr2(h)))
		}
		if scanBytes(data) < minScanBytes {
			return nil, "", fmt.Errorf("%w: no picture data after the header", ErrCorrupt)
		}
		// The warning text libjpeg-turbo 2.1 hands back is not stable
		// from call to call (sometimes "No error"): describe it ourselves.
		return img, "damaged JPEG: " + jpegWarning(data) + "; showing the part that decodes", nil
	}
	return img, "", nil
}

// jpegDecodeSize is the size libjpeg-turbo decodes a w×h JPEG at: the
// smallest DCT scaling factor (1/8 … 1/1) whose output still satisfies
// big(w, h).
func jpegDecodeSize(w, h int, big func(w, h int) bool) (int, int) {
	var n C.int
	sf := C.tjGetScalingFactors(&n)
	sw, sh := w, h
	if sf == nil || n <= 0 {
		return sw, sh
	}
	best := int64(sw) * int64(sh)
	for _, f := range unsafe.Slice(sf, int(n)) {
		num, den := int(f.num), int(f.denom)
		if num <= 0 || den <= 0 || num > den {
			continue // never upscale in the decoder
		}
		tw, th := (w*num+den-1)/den, (h*num+den-1)/den
		if a := int64(tw) * int64(th); a < best && big(tw, th) {
			best, sw, sh = a, tw, th
		}
	}
	return sw, sh
}

// jpegWarning names what a decoder warning most likely means.
func jpegWarning(data []byte) string {
	end := len(data)
	for end > 0 && data[end-1] == 0 { // some cameras pad after EOI
		end--
	}
	if end < 2 || data[end-2] != 0xFF || data[end-1] != 0xD9 {
		return "truncated JPEG (data ends before the end-of-image marker)"
	}
	return "corrupt JPEG data"
}
