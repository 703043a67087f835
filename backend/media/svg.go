package media

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image"
	"image/draw"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/srwiley/oksvg"
	"github.com/srwiley/rasterx"

	"github.com/tagsight/tagsight/backend/facts"
)

// svgDecoder rasterises SVG drawings (paths, shapes, gradients; no text,
// filters or masks) for the tile and CLIP; facts their width and height.
// The preview never draws them in the page: the file is shown in an
// <img> the webview sandboxes.
type svgDecoder struct{}

func (svgDecoder) Kind() string { return "svg" }
func (svgDecoder) Applies(mediaType, format string) bool {
	return mediaType == TypeImage && format == "svg"
}

const (
	// maxSVGBytes: a drawing larger than this is not rasterised.
	maxSVGBytes = 16 << 20
	// maxSVGElements: each element costs the rasteriser; more than this
	// is no icon or drawing worth the time.
	maxSVGElements = 200_000
	// svgParseFactor: the parsed drawing's memory per byte of the file
	// (paths become float points), a bound taken well above what is seen.
	svgParseFactor = 16
)

// svgHead is what the checking pass learns: the root's size.
type svgHead struct {
	w, h float64 // as declared, in CSS pixels; 0 when unknown
}

// readSVG reads the file and checks it before the rasteriser sees it: no
// entity declarations (how a billion-laughs file grows), at most
// maxSVGElements elements, an <svg> root.
func readSVG(ctx context.Context, src *Source, lim Limits) ([]byte, svgHead, error) {
	r, size, err := src.sourceReaderAt()
	if err != nil {
		return nil, svgHead{}, err
	}
	if size == 0 {
		return nil, svgHead{}, fmt.Errorf("%w: %w", ErrCorrupt, ErrEmpty)
	}
	if size > min(maxSVGBytes, lim.MaxFileBytes) {
		return nil, svgHead{}, fmt.Errorf("%w: svg of %d bytes", ErrTooManyPixels, size)
	}
	data := make([]byte, size)
	if _, err := r.ReadAt(data, 0); err != nil && err != io.EOF {
		return nil, svgHead{}, err
	}
	head, err := checkSVG(ctx, data)
	return data, head, err
}

// checkSVG walks the document's tokens once, refusing what the
// rasteriser should never be given.
func checkSVG(ctx context.Context, data []byte) (svgHead, error) {
	var head svgHead
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) { return in, nil }
	elements := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return head, fmt.Errorf("%w: svg: %v", ErrCorrupt, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			// A DOCTYPE naming the SVG DTD is common and harmless; one that
			// declares entities is how a billion-laughs file grows.
			if bytes.Contains(t, []byte("ENTITY")) || bytes.ContainsRune(t, '[') {
				return head, fmt.Errorf("%w: svg declares entities, refused", ErrCorrupt)
			}
		case xml.StartElement:
			elements++
			if elements > maxSVGElements {
				return head, fmt.Errorf("%w: svg with more than %d elements", ErrTooManyPixels, maxSVGElements)
			}
			if elements%4096 == 0 && ctx.Err() != nil {
				return head, ctx.Err()
			}
			if elements == 1 {
				if t.Name.Local != "svg" {
					return head, fmt.Errorf("%w: svg: root element is <%s>", ErrCorrupt, t.Name.Local)
				}
				head = svgRootSize(t.Attr)
			}
		}
	}
	if elements == 0 {
		return head, fmt.Errorf("%w: svg: no <svg> element", ErrCorrupt)
	}
	return head, nil
}

// svgRootSize is the root's width and height, from its attributes, else
// its viewBox's.
func svgRootSize(attrs []xml.Attr) svgHead {
	var w, h, vw, vh float64
	for _, a := range attrs {
		switch a.Name.Local {
		case "width":
			w = svgLength(a.Value)
		case "height":
			h = svgLength(a.Value)
		case "viewBox":
			f := strings.FieldsFunc(a.Value, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
			if len(f) == 4 {
				vw, _ = strconv.ParseFloat(f[2], 64)
				vh, _ = strconv.ParseFloat(f[3], 64)
			}
		}
	}
	ok := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) && !math.IsNaN(v) }
	if !ok(vw) || !ok(vh) {
		vw, vh = 0, 0
	}
	switch {
	case ok(w) && ok(h):
	case ok(w) && vw > 0:
		h = w * vh / vw
	case ok(h) && vh > 0:
		w = h * vw / vh
	default:
		w, h = vw, vh
	}
	return svgHead{w: w, h: h}
}

// svgLength is an SVG length in CSS pixels; 0 for a percentage or what
// does not parse.
func svgLength(s string) float64 {
	s = strings.TrimSpace(s)
	units := map[string]float64{"px": 1, "pt": 4.0 / 3, "pc": 16, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96, "em": 16, "ex": 8}
	scale := 1.0
	for u, f := range units {
		if strings.HasSuffix(s, u) {
			s, scale = strings.TrimSuffix(s, u), f
			break
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v <= 0 {
		return 0
	}
	return v * scale
}

func (svgDecoder) Facts(ctx context.Context, src *Source, lim Limits) (facts.Facts, error) {
	_, head, err := readSVG(ctx, src, lim)
	if err != nil {
		return facts.Facts{}, fmt.Errorf("svg facts: %w", err)
	}
	// A huge declared size is kept as said, capped to what an int holds
	// sensibly: it is never allocated.
	return facts.Facts{Width: int(min(math.Round(head.w), 1e7)), Height: int(min(math.Round(head.h), 1e7))}, nil
}

func (svgDecoder) Poster(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	data, head, err := readSVG(ctx, src, lim)
	if err != nil {
		return nil, fmt.Errorf("svg poster: %w", err)
	}
	// Drawn at a tile's size whatever it declares (vectors scale), its
	// aspect kept, the short side at least one pixel.
	long := posterSide(enough)
	w, h := long, long
	if head.w > 0 && head.h > 0 {
		if head.w >= head.h {
			h = max(1, int(math.Round(float64(long)*head.h/head.w)))
		} else {
			w = max(1, int(math.Round(float64(long)*head.w/head.h)))
		}
	}
	release, err := reserve(ctx, rgbaBytes(w, h)+int64(len(data))*svgParseFactor, lim.MaxDecodeBytes, "an svg drawing")
	if err != nil {
		return nil, err
	}
	type drawn struct {
		img *image.RGBA
		err error
	}
	// The rasteriser cannot be stopped: it runs apart, and a drawing that
	// takes longer than a decode may is reported while it finishes and
	// gives its memory back.
	done := make(chan drawn, 1)
	go func() {
		defer release()
		defer func() {
			if p := recover(); p != nil {
				done <- drawn{err: fmt.Errorf("%w: svg: rasteriser failed: %v", ErrCorrupt, p)}
			}
		}()
		icon, err := oksvg.ReadIconStream(bytes.NewReader(data), oksvg.IgnoreErrorMode)
		if err != nil {
			done <- drawn{err: fmt.Errorf("%w: svg: %v", ErrCorrupt, err)}
			return
		}
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
		icon.SetTarget(0, 0, float64(w), float64(h))
		icon.Draw(rasterx.NewDasher(w, h, rasterx.NewScannerGV(w, h, img, img.Bounds())), 1)
		done <- drawn{img: img}
	}()
	timer := time.NewTimer(lim.MaxDecodeTime)
	defer timer.Stop()
	select {
	case d := <-done:
		if d.err != nil {
			return nil, fmt.Errorf("svg poster: %w", d.err)
		}
		return d.img, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
		return nil, fmt.Errorf("svg poster: %w: drawing took longer than %s", ErrCorrupt, lim.MaxDecodeTime)
	}
}
