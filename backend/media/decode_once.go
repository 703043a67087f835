package media

import (
	"context"
	"fmt"
	"image"
)

// DecodeOriented decodes path once, at the smallest size its decoder
// offers for which enough(w, h) holds (JPEGs are scaled in the DCT domain;
// enough sees the stored size, whose short and long sides do not depend on
// orientation), and applies the EXIF orientation. It does not resize
// further: callers that each need a different size (a thumbnail, a model
// input) scale the one result themselves (ScaleShort, ScaleLong).
func DecodeOriented(ctx context.Context, path string, lim Limits, enough func(w, h int) bool) (*image.RGBA, Info, error) {
	s := NewSource(path, nil)
	defer s.Close()
	return s.DecodeOriented(ctx, lim, enough)
}

// ScaleShort returns img scaled so that its short side is s (img itself
// when it is not larger: it never upscales).
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
	data, err := EncodeThumbnail(ctx, img, maxSide)
	if err != nil {
		return err
	}
	if err := writeAtomic(dst, data); err != nil {
		return fmt.Errorf("thumbnail: %w", err)
	}
	return nil
}

// EncodeThumbnail is ThumbnailFrom's JPEG, returned rather than written.
func EncodeThumbnail(ctx context.Context, img *image.RGBA, maxSide int) ([]byte, error) {
	if maxSide <= 0 {
		return nil, fmt.Errorf("thumbnail: invalid size %d", maxSide)
	}
	return encodeFlat(ctx, ScaleLong(img, maxSide))
}
