package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"

	"golang.org/x/image/bmp"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// decodedHook, when set by tests, sees the size each decoder produced, so
// tests can prove that a large JPEG was not decoded at full size.
var decodedHook func(w, h int)

// thumbBackground is what transparent pixels are composited onto.
var thumbBackground = color.RGBA{0x80, 0x80, 0x80, 0xff}

// DecodeScaled returns the image with EXIF orientation applied, scaled so
// that its short side is minShort (or its native size when that is smaller:
// it never upscales): DecodeOriented at the smallest size with that short
// side, then ScaleShort, the indexer's own steps. JPEGs are decoded with
// DCT-domain scaling, other formats with the Go decoders. The result is an
// *image.RGBA; transparency is kept (premultiplied).
func DecodeScaled(ctx context.Context, path string, minShort int, lim Limits) (image.Image, Info, error) {
	img, info, err := DecodeOriented(ctx, path, lim, func(w, h int) bool { return min(w, h) >= minShort })
	if err != nil {
		return nil, info, err
	}
	return ScaleShort(img, minShort), info, nil
}

// Thumbnail writes a JPEG whose long side is at most maxSide (aspect kept,
// never upscaled), orientation applied and transparency composited onto a
// neutral grey, to dst atomically: a temporary file in dst's directory,
// renamed into place, so readers never see half a thumbnail.
func Thumbnail(ctx context.Context, src, dst string, maxSide int, lim Limits) (Info, error) {
	data, info, err := ThumbnailJPEG(ctx, src, maxSide, lim)
	if err != nil {
		return info, err
	}
	if err := writeAtomic(dst, data); err != nil {
		return info, fmt.Errorf("thumbnail: %w", err)
	}
	return info, nil
}

// ThumbnailJPEG is Thumbnail's JPEG, returned rather than written (the
// library's derived-files owner writes it where its layout says).
func ThumbnailJPEG(ctx context.Context, src string, maxSide int, lim Limits) ([]byte, Info, error) {
	if maxSide <= 0 {
		return nil, Info{}, fmt.Errorf("thumbnail: invalid size %d", maxSide)
	}
	enough := func(w, h int) bool { return max(w, h) >= maxSide }
	after := func(w, h int) int64 {
		if l := max(w, h); l > maxSide {
			tw, th := scaleDims(w, h, maxSide, l)
			return resizeBytes(w, h, tw, th) + 3*rgbaBytes(tw, th) // oriented, flattened, encoded
		}
		return 4 * rgbaBytes(w, h)
	}
	img, info, release, err := decode(ctx, src, lim, enough, after)
	if err != nil {
		return nil, info, err
	}
	defer release()
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	var out *image.RGBA
	if l := max(w, h); l > maxSide {
		tw, th := scaleDims(w, h, maxSide, l)
		out = resize(img, tw, th)
	} else {
		out = toRGBA(img)
	}
	data, err := encodeFlat(ctx, applyOrientation(out, info.Orientation))
	return data, info, err
}

// encodeFlat composites img onto the thumbnail grey and encodes it as the
// JPEG every thumbnail, preview and face crop is.
func encodeFlat(ctx context.Context, img *image.RGBA) ([]byte, error) {
	flat := image.NewRGBA(image.Rect(0, 0, img.Rect.Dx(), img.Rect.Dy()))
	xdraw.Draw(flat, flat.Rect, image.NewUniform(thumbBackground), image.Point{}, xdraw.Src)
	xdraw.Draw(flat, flat.Rect, img, img.Rect.Min, xdraw.Over)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, flat, &jpeg.Options{Quality: 85}); err != nil {
		return nil, fmt.Errorf("thumbnail: encode: %w", err)
	}
	return buf.Bytes(), nil
}

func writeAtomic(dst string, data []byte) error {
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".thumb-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// scaleDims scales w×h so that the side measured by ref (of length refLen)
// becomes exactly target; the other side is rounded and at least 1.
func scaleDims(w, h, target, refLen int) (int, int) {
	f := float64(target) / float64(refLen)
	tw := max(1, int(math.Round(float64(w)*f)))
	th := max(1, int(math.Round(float64(h)*f)))
	switch refLen {
	case min(w, h):
		if w <= h {
			tw = target
		} else {
			th = target
		}
	default:
		if w >= h {
			tw = target
		} else {
			th = target
		}
	}
	return tw, th
}

// resize uses golang.org/x/image/draw's Catmull-Rom: it is maintained by
// the Go team, already needed here for BMP/TIFF/WebP, and is the bicubic
// kernel CLIP preprocessing expects, so no second resampler is needed. Its
// cost is proportional to the source size, which is why JPEGs are first
// shrunk in the DCT domain.
func resize(src image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Rect, src, src.Bounds(), xdraw.Src, nil)
	return dst
}

func toRGBA(src image.Image) *image.RGBA {
	if m, ok := src.(*image.RGBA); ok && m.Rect.Min == (image.Point{}) {
		return m
	}
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	xdraw.Draw(dst, dst.Rect, src, b.Min, xdraw.Src)
	return dst
}

// decode probes path, refuses what the limits forbid, and decodes it at
// the smallest size the decoder offers for which enough(w, h) holds (the
// full size for decoders without scaling), through one open of the file
// (Source). after(w, h) (nil: nothing) is the memory the caller goes on to
// spend on a w×h result: it is reserved with the decode's own from the
// process budget, and held until the caller calls release (only returned
// without error).
func decode(ctx context.Context, path string, lim Limits, enough func(w, h int) bool, after func(w, h int) int64) (image.Image, Info, func(), error) {
	s := NewSource(path, nil)
	defer s.Close()
	return s.decode(ctx, lim, enough, after)
}

// decoderFor returns the Go decoder for info's format (nil for JPEG, which
// has its own path) or an error for what cannot be decoded.
func decoderFor(info Info) (func(io.Reader) (image.Image, error), error) {
	if info.MediaType == TypeRaw {
		return nil, nil // rawPreview finds the JPEG inside; JPEG's path decodes it
	}
	if info.MediaType != TypeImage {
		return nil, fmt.Errorf("decode %s: %w: %s is not a still image", info.Format, ErrUnsupported, info.MediaType)
	}
	var dec func(io.Reader) (image.Image, error)
	switch info.Format {
	case "jpeg":
	case "png":
		dec = png.Decode
	case "gif":
		dec = gif.Decode
	case "bmp":
		dec = bmp.Decode
	case "tiff":
		dec = tiff.Decode
	case "webp":
		dec = webp.Decode
	case "heic", "avif":
		if !heifDecoder {
			return nil, fmt.Errorf("decode %s: %w (built without libheif)", info.Format, ErrUnsupported)
		}
		dec = nil // decodeBytes calls decodeHEIF
	default:
		return nil, fmt.Errorf("decode %s: %w", info.Format, ErrUnsupported)
	}
	if info.Width <= 0 || info.Height <= 0 {
		return nil, fmt.Errorf("decode %s: %w: unknown dimensions", info.Format, ErrCorrupt)
	}
	return dec, nil
}

// decodeBytes probes and decodes an in-memory file (see decode). It probes
// again because the bytes read may differ from the file Probe saw; then it
// plans the decode from the header and waits for that much of the process
// budget before any pixel is decoded.
func decodeBytes(ctx context.Context, data []byte, name string, lim Limits, enough func(w, h int) bool, after func(w, h int) int64) (image.Image, Info, func(), error) {
	lim = lim.withDefaults()
	info, err := probeFile(bytes.NewReader(data), int64(len(data)), name, lim)
	if err != nil {
		return nil, info, nil, err
	}
	return decodeProbed(ctx, data, info, lim, enough, after)
}

// decodeProbed decodes data, whose headers info was probed from: the
// decode is planned from them and waits for that much of the process
// budget before any pixel is decoded.
func decodeProbed(ctx context.Context, data []byte, info Info, lim Limits, enough func(w, h int) bool, after func(w, h int) int64) (_ image.Image, _ Info, _ func(), err error) {
	dec, err := decoderFor(info)
	if err != nil {
		return nil, info, nil, err
	}
	raw := info.MediaType == TypeRaw
	src := data
	if raw {
		if src, err = rawPreview(data); err != nil {
			return nil, info, nil, fmt.Errorf("decode %s: %w", info.Format, err)
		}
	}
	free, err := reserveDecode(ctx, data, src, info, lim, enough, after)
	if err != nil {
		return nil, info, nil, err
	}
	defer func() {
		if err != nil {
			free()
		}
	}()
	var img image.Image
	heif := info.Format == "heic" || info.Format == "avif"
	switch {
	case raw:
		if img, info.Warning, err = decodeJPEG(src, lim.MaxPixels, lim.MaxDecodeBytes, enough); err == nil {
			return img, info, free, nil // the preview's size is its own, not the sensor's
		}
	case heif:
		img, err = decodeHEIF(data, lim.MaxPixels, lim.MaxDecodeBytes)
	case dec == nil:
		img, info.Warning, err = decodeJPEG(data, lim.MaxPixels, lim.MaxDecodeBytes, enough)
	default:
		img, err = decodeStd(data, dec)
	}
	if err != nil {
		return nil, info, nil, fmt.Errorf("decode %s: %w", info.Format, err)
	}
	b := img.Bounds()
	if heif && b.Dx() == info.Height && b.Dy() == info.Width {
		// libheif applied an irot quarter turn: the header's size is the
		// stored one.
		b = image.Rect(0, 0, b.Dy(), b.Dx())
	}
	// The decoder must agree with the header checked against the limit.
	if b.Dx() > info.Width || b.Dy() > info.Height || b.Empty() {
		return nil, info, nil, fmt.Errorf("decode %s: %w: decoded size differs from header", info.Format, ErrCorrupt)
	}
	return img, info, free, nil
}

// reserveDecode plans the decode of src (data itself, or a RAW file's
// preview) and reserves what it and after need, with the file's bytes,
// from the process budget.
func reserveDecode(ctx context.Context, data, src []byte, info Info, lim Limits, enough func(w, h int) bool, after func(w, h int) int64) (func(), error) {
	var plan decodePlan
	var err error
	if info.MediaType == TypeRaw {
		plan, err = planJPEG(src, enough)
	} else {
		plan, err = planDecode(src, info, enough)
	}
	if err != nil {
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) {
			err = fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		return nil, fmt.Errorf("decode %s: %w", info.Format, err)
	}
	need := int64(len(data)) + plan.bytes
	if after != nil {
		need += after(plan.w, plan.h)
	}
	release, err := reserve(ctx, need, lim.MaxDecodeBytes, fmt.Sprintf("%dx%d %s", plan.w, plan.h, info.Format))
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", info.Format, err)
	}
	return release, nil
}

func readAllInto(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func decodeStd(data []byte, dec func(io.Reader) (image.Image, error)) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: decoder panicked: %v", ErrCorrupt, r)
		}
	}()
	m, err := dec(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if decodedHook != nil {
		b := m.Bounds()
		decodedHook(b.Dx(), b.Dy())
	}
	return m, nil
}

// minScanBytes: a JPEG with less entropy-coded data than this after its
// start-of-scan has no picture to show, damaged or not.
const minScanBytes = 64

// scanBytes is how many bytes follow the first start-of-scan segment (0
// when there is none).
func scanBytes(data []byte) int {
	p := jpegSegments(data, func(byte, []byte) bool { return true })
	if p < 0 || p+4 > len(data) {
		return 0
	}
	n := int(data[p+2])<<8 | int(data[p+3])
	return max(0, len(data)-(p+2+n))
}

// decodeJPEGStd decodes a JPEG at full size with image/jpeg; big is
// ignored because the Go decoder cannot scale.
func decodeJPEGStd(data []byte, big func(w, h int) bool) (image.Image, error) {
	_ = big // image/jpeg cannot scale while decoding
	return decodeStd(data, jpeg.Decode)
}
