package media

import (
	"context"
	"fmt"
	"image"
)

// PreviewJPEG is the viewer's large preview of a file that is not a
// still picture (those go through ThumbnailJPEG), its long side at most
// maxSide: page (from 1) of a PDF, so the full preview pages through a
// document, or for any other kind its poster (page 1 only). It is the
// decoder's own rendering under the same budget and time limit; a page
// the file does not have is ErrNoPage.
func PreviewJPEG(ctx context.Context, path string, page, maxSide int, lim Limits) ([]byte, error) {
	if maxSide <= 0 {
		return nil, fmt.Errorf("preview: invalid size %d", maxSide)
	}
	lim = lim.withDefaults()
	enough := func(w, h int) bool { return max(w, h) >= maxSide }
	src := NewSource(path, nil)
	defer src.Close()
	d, _, err := src.decoder(ctx, lim)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	var img *image.RGBA
	if _, pdf := d.(pdfDecoder); pdf {
		img, _, err = renderPDFPage(ctx, src, lim, page-1, enough)
	} else if page != 1 {
		return nil, fmt.Errorf("preview: %w: a %s has one page", ErrNoPage, d.Kind())
	} else {
		img, _, err = src.Poster(ctx, lim, enough)
	}
	if err != nil {
		return nil, err
	}
	return encodeFlat(ctx, ScaleLong(img, maxSide))
}
