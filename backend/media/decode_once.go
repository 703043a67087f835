package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"

	xdraw "golang.org/x/image/draw"
)

// DecodeOriented decodes path once, at the smallest size its decoder
// offers for which enough(w, h) holds (JPEGs are scaled in the DCT domain;
// enough sees the stored size, whose short and long sides do not depend on
// orientation), and applies the EXIF orientation. It does not resize
// further: callers that each need a different size (a thumbnail, a model
// input) scale the one result themselves (ScaleShort, ScaleLong).
func DecodeOriented(ctx context.Context, path string, lim Limits, enough func(w, h int) bool) (*image.RGBA, Info, error) {
	after := func(w, h int) int64 { return 2 * rgbaBytes(w, h) } // RGBA, then oriented
	img, info, release, err := decode(ctx, path, lim, enough, after)
	if err != nil {
		return nil, info, err
	}
	defer release() // the caller's copy is its own to account for
	return applyOrientation(toRGBA(img), info.Orientation), info, nil
}

// ScaleShort returns img scaled so that its short side is s (img itself
// when it is not larger: it never upscales), as DecodeScaled does.
func ScaleShort(img *image.RGBA, s int) *image.RGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if short := min(w, h); s > 0 && short > s {
		tw, th := scaleDims(w, h, s, short)
		return resize(img, tw, th)
	}
	return img
}

// ScaleLong returns img scaled so that its long side is at most l.
func ScaleLong(img *image.RGBA, l int) *image.RGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if long := max(w, h); l > 0 && long > l {
		tw, th := scaleDims(w, h, l, long)
		return resize(img, tw, th)
	}
	return img
}

// ThumbnailFrom writes the thumbnail of an already decoded, oriented
// picture the way Thumbnail does: long side at most maxSide, transparency
// composited onto grey, JPEG written atomically to dst.
func ThumbnailFrom(ctx context.Context, img *image.RGBA, dst string, maxSide int) error {
	if maxSide <= 0 {
		return fmt.Errorf("thumbnail: invalid size %d", maxSide)
	}
	out := ScaleLong(img, maxSide)
	flat := image.NewRGBA(image.Rect(0, 0, out.Rect.Dx(), out.Rect.Dy()))
	xdraw.Draw(flat, flat.Rect, image.NewUniform(thumbBackground), image.Point{}, xdraw.Src)
	xdraw.Draw(flat, flat.Rect, out, out.Rect.Min, xdraw.Over)
	if err := ctx.Err(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, flat, &jpeg.Options{Quality: 85}); err != nil {
		return fmt.Errorf("thumbnail: encode: %w", err)
	}
	if err := writeAtomic(dst, buf.Bytes()); err != nil {
		return fmt.Errorf("thumbnail: %w", err)
	}
	return nil
}
