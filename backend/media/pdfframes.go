package media

import (
	"context"
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// MaxPageFrames caps the pages of one document rendered as frames: a
// scanned book's first pages are read, the rest of it is not held in memory.
const MaxPageFrames = 50

// Frames implements Framer: the pages that are pictures (scans, with no
// text layer: a page with one has its words in Text and is not rendered),
// in order, at most MaxPageFrames, each at the smallest size enough
// accepts (up to twice the page's size at 72 dpi, pdfMaxSide at most). A
// first pass measures the pages and reads their text layers, so that what
// the rendered pages hold is reserved from the decode budget with the
// document before the first is drawn; both passes are bounded by
// MaxDecodeTime.
func (pdfDecoder) Frames(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool, yield func(Frame) error) error {
	type plan struct{ index, w, h int }
	var pages []plan
	var pix int64
	err := withPDF(ctx, src, lim, 0, func(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT) error {
		n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc})
		if err != nil {
			return fmt.Errorf("%w: page count: %v", ErrCorrupt, err)
		}
		for i := 0; i < min(n.PageCount, maxTextPages) && len(pages) < MaxPageFrames; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			t, err := inst.GetPageText(&requests.GetPageText{Page: requests.Page{ByIndex: &requests.PageByIndex{Document: doc, Index: i}}})
			if err == nil && strings.TrimSpace(t.Text) != "" {
				continue
			}
			w, h, err := pageSize(inst, doc, i, enough)
			if err != nil {
				continue // one damaged page: the others are still read
			}
			if pdfMemory+pix+rgbaBytes(w, h)+2*rgbaBytes(pdfMaxSide, pdfMaxSide) > lim.MaxDecodeBytes {
				break // the pages the budget holds
			}
			pages = append(pages, plan{i, w, h})
			pix += rgbaBytes(w, h)
		}
		return nil
	})
	if err != nil || len(pages) == 0 {
		return err
	}
	// The frames handed out, and the one page bitmap in the module and
	// copied out while it is drawn.
	extra := pix + 2*rgbaBytes(pdfMaxSide, pdfMaxSide)
	return withPDFHold(ctx, src, lim, extra, func(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, held *hold) error {
		var handed int64
		// The pages yielded stay counted while a FramesHeld caller keeps them.
		defer func() { src.handFrames(held, handed) }()
		for _, p := range pages {
			if err := ctx.Err(); err != nil {
				return err
			}
			img, err := renderPage(inst, doc, p.index, p.w, p.h)
			if err != nil {
				return err
			}
			handed += rgbaBytes(p.w, p.h)
			if err := yield(Frame{Image: img, Page: p.index + 1}); err != nil {
				return err
			}
		}
		return nil
	})
}

// pageSize is the size the page of that index (from 0) renders at: the
// smallest enough accepts, up to twice its size at 72 dpi and pdfMaxSide
// on the long side.
func pageSize(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, index int, enough func(w, h int) bool) (int, int, error) {
	sz, err := inst.FPDF_GetPageSizeByIndex(&requests.FPDF_GetPageSizeByIndex{Document: doc, Index: index})
	if err != nil {
		return 0, 0, fmt.Errorf("%w: page %d: %v", ErrCorrupt, index+1, err)
	}
	if !(sz.Width > 0 && sz.Height > 0 && sz.Width <= pdfMaxPoints && sz.Height <= pdfMaxPoints) {
		return 0, 0, fmt.Errorf("%w: page of %gx%g points", ErrCorrupt, sz.Width, sz.Height)
	}
	scale := min(2, pdfMaxSide/max(sz.Width, sz.Height))
	w, h := posterSize(max(1, int(math.Round(scale*sz.Width))), max(1, int(math.Round(scale*sz.Height))), enough)
	return w, h, nil
}

// renderPage draws the page of that index (from 0) at w×h on white.
func renderPage(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, index, w, h int) (*image.RGBA, error) {
	res, err := inst.RenderPageInPixels(&requests.RenderPageInPixels{
		Page:        requests.Page{ByIndex: &requests.PageByIndex{Document: doc, Index: index}},
		Width:       w,
		Height:      h,
		RenderFlags: enums.FPDF_RENDER_FLAG_ANNOT,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: render page %d: %v", ErrCorrupt, index+1, err)
	}
	defer res.Cleanup()
	img, ok := res.Result.RenderedImage.(*image.RGBA)
	if !ok || img == nil {
		return nil, fmt.Errorf("render page %d: no RGBA image", index+1)
	}
	return onWhite(img), nil
}
