package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image/color"
	"image/jpeg"
	"sync/atomic"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
	"golang.org/x/sync/semaphore"
)

// DefaultMaxDecodeBytes is the memory one decode may hold at its peak, and
// the total that all decodes in flight in the process may hold (see
// SetDecodeMemory). 1 GiB passes a 12 MP photo at full size many times
// over (JPEG at 4 bytes a pixel plus its oriented copy: about 150 MB; a
// 16-bit PNG of that size: about 350 MB) and a 48 MP HEIC (about 780 MB
// with libheif's own buffers), but not a 100 MP 16-bit PNG (800 MB of
// pixels before any copy) nor the 17000² 16-bit bomb (2.3 GB); and it keeps
// a server that meets such files under about a gigabyte above its idle
// size however many clients ask at once.
const DefaultMaxDecodeBytes = 1 << 30

// decodeBudget bounds the bytes held by decodes in flight across the
// process: the indexer, previews, search by image and uploads all decode
// through this package, so they share it, and a file that would need more
// than the whole budget is refused instead of waiting for ever.
type decodeBudget struct {
	size int64
	sem  *semaphore.Weighted
}

var decodeMemory atomic.Pointer[decodeBudget]

func init() { SetDecodeMemory(DefaultMaxDecodeBytes) }

// SetDecodeMemory sets the bytes that all decodes in flight may hold
// together (n <= 0 restores the default). Decodes already running keep
// the budget they started under.
func SetDecodeMemory(n int64) {
	if n <= 0 {
		n = DefaultMaxDecodeBytes
	}
	decodeMemory.Store(&decodeBudget{size: n, sem: semaphore.NewWeighted(n)})
}

// Test hooks: budgetWaitHook runs when a decode must wait for memory that
// others hold, decodeStartHook once a decode holds its share (before any
// pixel is decoded). They let tests see overlap without timing.
var (
	budgetWaitHook  func(n int64)
	decodeStartHook func(n int64)
)

// reserve takes n bytes of the process budget for one decode, refusing n
// above the per-decode limit or the whole budget, and waiting (until ctx
// ends) while other decodes hold what is missing. The returned function
// gives the bytes back; call it once.
func reserve(ctx context.Context, n, limit int64, what string) (func(), error) {
	h, err := reserveHold(ctx, n, limit, what)
	if err != nil {
		return nil, err
	}
	return h.release, nil
}

// hold is bytes taken from the decode budget, given back by release (or
// in part handed on by split).
type hold struct {
	b *decodeBudget
	n atomic.Int64
}

// reserveHold is reserve, the bytes held as a hold.
func reserveHold(ctx context.Context, n, limit int64, what string) (*hold, error) {
	b := decodeMemory.Load()
	if limit = min(limit, b.size); n > limit {
		return nil, fmt.Errorf("%w: %s needs %s to decode, over the %s allowed", ErrTooManyPixels, what, mib(n), mib(limit))
	}
	if !b.sem.TryAcquire(n) {
		if budgetWaitHook != nil {
			budgetWaitHook(n)
		}
		if err := b.sem.Acquire(ctx, n); err != nil {
			return nil, err
		}
	}
	if decodeStartHook != nil {
		decodeStartHook(n)
	}
	h := &hold{b: b}
	h.n.Store(n)
	return h, nil
}

// release gives back what the hold still holds; later calls do nothing.
func (h *hold) release() {
	if n := h.n.Swap(0); n > 0 {
		h.b.sem.Release(n)
	}
}

// split moves up to n of the hold's bytes into a new hold, for what
// outlives the decode that reserved them (frames its caller keeps).
func (h *hold) split(n int64) *hold {
	out := &hold{b: h.b}
	for {
		have := h.n.Load()
		take := min(max(n, 0), have)
		if h.n.CompareAndSwap(have, have-take) {
			out.n.Store(take)
			return out
		}
	}
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", (n+(1<<20)-1)>>20) }

// decodePlan is what a decode of one file will cost, read from its header
// before any pixel is decoded.
type decodePlan struct {
	w, h  int   // the size the decoder will produce
	bytes int64 // what the decoder holds at its peak (pixels and work buffers)
}

// planDecode reads, from the header of data (a format this package
// decodes, already probed as info), the size the decoder will produce
// for enough and the bytes it will allocate doing so: width × height ×
// bytes per pixel of the image type the Go or C decoder makes, plus its
// work buffers where they grow with the picture.
func planDecode(data []byte, info Info, enough func(w, h int) bool) (decodePlan, error) {
	w, h := info.Width, info.Height
	px := int64(w) * int64(h)
	switch info.Format {
	case "jpeg":
		return planJPEG(data, enough)
	case "png":
		per, interlaced, err := pngPixelBytes(data)
		if err != nil {
			return decodePlan{}, err
		}
		n := px * per
		if interlaced {
			n *= 2 // each Adam7 pass is its own image before it is merged
		}
		return decodePlan{w, h, n}, nil
	case "gif":
		// Only the first frame is decoded, as an *image.Paletted no
		// larger than the logical screen.
		return decodePlan{w, h, px}, nil
	case "bmp":
		cfg, err := bmp.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return decodePlan{}, err
		}
		return decodePlan{w, h, px * modelBytes(cfg.ColorModel)}, nil
	case "webp":
		cfg, err := webp.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return decodePlan{}, err
		}
		per := int64(8) // lossless: ARGB words, then the NRGBA made from them
		switch cfg.ColorModel {
		case color.YCbCrModel:
			per = 2 // lossy: 4:2:0 planes (1.5) and the decoder's rows
		case color.NYCbCrAModel:
			per = 3
		}
		return decodePlan{w, h, px * per}, nil
	case "tiff":
		cfg, err := tiff.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return decodePlan{}, err
		}
		// Each strip or tile is inflated into a buffer of up to 8 bytes a
		// pixel (the decoder's own cap), which may grow to twice that.
		block := min(tiffBlockPixels(data, w, h), px)
		return decodePlan{w, h, px*modelBytes(cfg.ColorModel) + block*8*2}, nil
	case "heic", "avif":
		// No scaled decode: libheif holds its planes (up to 16 bits a
		// sample, alpha included: 8) and an interleaved RGBA copy (4),
		// copied into ours (4).
		return decodePlan{w, h, px * 16}, nil
	}
	return decodePlan{}, fmt.Errorf("%w: no decode plan for %s", ErrUnsupported, info.Format)
}

// planJPEG plans a JPEG (a photo or a RAW file's preview): libjpeg-turbo
// decodes RGBA at the DCT-scaled size; image/jpeg (builds without it, and
// CMYK files) decodes full-size planes.
func planJPEG(data []byte, enough func(w, h int) bool) (decodePlan, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return decodePlan{}, err
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return decodePlan{}, fmt.Errorf("%w: invalid dimensions %dx%d", ErrCorrupt, w, h)
	}
	cmyk := cfg.ColorModel == color.CMYKModel
	if turboJPEG && !cmyk {
		sw, sh := jpegDecodeSize(w, h, enough)
		return decodePlan{sw, sh, int64(sw) * int64(sh) * 4}, nil
	}
	per := int64(3) // Y, Cb and Cr planes at most at full resolution
	switch {
	case cmyk:
		per = 8 // the planes and the black plane, then the CMYK image
	case cfg.ColorModel == color.GrayModel:
		per = 1
	}
	return decodePlan{w, h, int64(w) * int64(h) * per}, nil
}

// modelBytes is the bytes per pixel of the image type a decoder makes for
// a color model.
func modelBytes(m color.Model) int64 {
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8 // unknown: the widest Go image type
}

// pngPixelBytes reads the IHDR (and whether a tRNS chunk precedes the
// image data) and returns the bytes per pixel of the image image/png makes:
// *image.Gray or Paletted 1, Gray16 2, RGBA/NRGBA 4, RGBA64/NRGBA64 8 (a
// tRNS chunk turns gray and RGB into NRGBA).
func pngPixelBytes(data []byte) (per int64, interlaced bool, err error) {
	if len(data) < 33 || string(data[12:16]) != "IHDR" {
		return 0, false, fmt.Errorf("%w: no IHDR", ErrCorrupt)
	}
	depth, ctype := data[24], data[25]
	interlaced = data[28] == 1
	trns := false
	for p, n := 8, 0; p+8 <= len(data) && n < 1<<16; n++ {
		size := int(binary.BigEndian.Uint32(data[p:]))
		typ := string(data[p+4 : p+8])
		if typ == "IDAT" || typ == "IEND" || size < 0 || size > len(data)-p-12 {
			break
		}
		if typ == "tRNS" {
			trns = true
		}
		p += 12 + size
	}
	wide := depth == 16
	switch ctype {
	case 0: // gray
		switch {
		case trns && wide:
			return 8, interlaced, nil
		case trns:
			return 4, interlaced, nil
		case wide:
			return 2, interlaced, nil
		}
		return 1, interlaced, nil
	case 3: // paletted
		return 1, interlaced, nil
	case 2, 4, 6: // RGB, gray+alpha, RGBA
		if wide {
			return 8, interlaced, nil
		}
		return 4, interlaced, nil
	}
	return 0, false, fmt.Errorf("%w: PNG color type %d", ErrCorrupt, ctype)
}

// tiffBlockPixels is the pixels in one strip or tile of the first IFD
// (the whole picture when the tags are missing or unreadable).
func tiffBlockPixels(data []byte, w, h int) int64 {
	all := int64(w) * int64(h)
	if len(data) < 8 {
		return all
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if string(data[:2]) == "MM" {
		bo = binary.BigEndian
	}
	off := int(bo.Uint32(data[4:]))
	if off < 8 || off+2 > len(data) {
		return all
	}
	n := int(bo.Uint16(data[off:]))
	rows, tw, th := int64(h), int64(0), int64(0)
	for i := 0; i < n && off+2+12*i+12 <= len(data); i++ {
		e := data[off+2+12*i:]
		v := int64(bo.Uint32(e[8:]))
		if bo.Uint16(e[2:]) == 3 { // SHORT, left-justified
			v = int64(bo.Uint16(e[8:]))
		}
		switch bo.Uint16(e) {
		case 278:
			if v > 0 {
				rows = min(rows, v)
			}
		case 322:
			tw = v
		case 323:
			th = v
		}
	}
	if tw > 0 && th > 0 {
		return tw * th
	}
	return int64(w) * rows
}

// rgbaBytes is the size of a w×h *image.RGBA.
func rgbaBytes(w, h int) int64 { return int64(w) * int64(h) * 4 }

// resizeBytes is what resize allocates to scale sw×sh to dw×dh: the
// Catmull-Rom scaler's horizontal pass keeps dw×sh [4]float64, then the
// RGBA result.
func resizeBytes(sw, sh, dw, dh int) int64 {
	return int64(dw)*int64(sh)*32 + rgbaBytes(dw, dh)
}
