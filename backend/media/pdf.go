package media

import (
	"context"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/tagsight/tagsight/backend/facts"
)

// pdfDecoder reads PDF (and Illustrator files, which are PDF inside) with
// PDFium compiled to WebAssembly (go-pdfium on wazero: no cgo, no program
// to install): the page count and the Info dictionary as facts, the first
// page rendered as the poster. Each file gets its own module instance,
// whose memory is capped and which is killed past Limits.MaxDecodeTime.
type pdfDecoder struct{}

func (pdfDecoder) Kind() string { return "pdf" }
func (pdfDecoder) Applies(mediaType, format string) bool {
	return mediaType == TypeDocument && (format == "" || format == "pdf")
}

// pdfMemory caps one PDFium instance's WebAssembly memory (what a page
// of scanned images needs is well under it); it is what one open document
// reserves from the decode budget.
const pdfMemory = 256 << 20

// pdfMaxPoints: a page side above this (200 inches, PDF's own limit
// without UserUnit) is refused before rendering.
const pdfMaxPoints = 14400

// pdfMaxSide bounds the long side of a rendered page, in pixels.
const pdfMaxSide = 4096

var pdfium_ struct {
	mu     sync.Mutex
	pool   pdfium.Pool
	cache  wazero.CompilationCache
	err    error
	opened bool
}

// pdfiumPool is the process's one PDFium pool, made on first use: the
// first start compiles the 6 MB module (seconds), kept in a compilation
// cache under the user's cache folder so later starts take a fraction of
// a second. A failed start is kept (it would fail again) until ClosePDF.
func pdfiumPool() (pdfium.Pool, error) {
	p := &pdfium_
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.opened {
		return p.pool, p.err
	}
	p.opened = true
	cfg := wazero.NewRuntimeConfig().
		// PDFium's setjmp/longjmp are WebAssembly exceptions.
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithCloseOnContextDone(true). // so that Kill stops a page that never ends
		WithMemoryLimitPages(pdfMemory >> 16)
	if dir, err := os.UserCacheDir(); err == nil {
		if c, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "tagsight", "wazero")); err == nil {
			p.cache = c
			cfg = cfg.WithCompilationCache(c)
		}
	}
	p.pool, p.err = webassembly.Init(webassembly.Config{
		MaxTotal:      max(2, runtime.NumCPU()),
		RuntimeConfig: cfg,
		FSConfig:      wazero.NewFSConfig(), // no folder mounted: documents come through a reader
		Stdout:        io.Discard,
		Stderr:        io.Discard,
	})
	if p.err != nil {
		p.err = fmt.Errorf("start pdfium: %w", p.err)
	}
	return p.pool, p.err
}

// ClosePDF closes the PDFium pool if one was started (on exit); a later
// PDF starts a new one.
func ClosePDF() error {
	p := &pdfium_
	p.mu.Lock()
	defer p.mu.Unlock()
	var err error
	if p.pool != nil {
		err = p.pool.Close()
	}
	if p.cache != nil {
		p.cache.Close(context.Background())
	}
	p.pool, p.cache, p.err, p.opened = nil, nil, nil, false
	return err
}

// withPDF opens the Source's document in an instance of its own, under
// the deadline and the budget, and runs fn with it.
func withPDF(ctx context.Context, src *Source, lim Limits, extra int64, fn func(pdfium.Pdfium, references.FPDF_DOCUMENT) error) error {
	return withPDFHold(ctx, src, lim, extra, func(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, _ *hold) error {
		return fn(inst, doc)
	})
}

// withPDFHold is withPDF, fn given the budget reserved for the call (to
// hand on what outlives it).
func withPDFHold(ctx context.Context, src *Source, lim Limits, extra int64, fn func(pdfium.Pdfium, references.FPDF_DOCUMENT, *hold) error) error {
	ra, size, err := src.sourceReaderAt()
	if err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	r := io.NewSectionReader(ra, 0, size)
	if size > lim.MaxFileBytes {
		return fmt.Errorf("pdf: %w: file exceeds %d bytes", ErrTooManyPixels, lim.MaxFileBytes)
	}
	held, err := reserveHold(ctx, pdfMemory+extra, lim.MaxDecodeBytes, "a PDF document")
	if err != nil {
		return err
	}
	defer held.release()
	pool, err := pdfiumPool()
	if err != nil {
		return err
	}
	tctx, cancel := context.WithTimeout(ctx, lim.MaxDecodeTime)
	defer cancel()
	inst, err := pool.GetInstanceWithContext(tctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("pdf: %w", err)
	}
	stop := context.AfterFunc(tctx, func() { inst.Kill() })
	defer func() {
		if stop() { // else Kill closed it
			inst.Close()
		}
	}()
	err = func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%w: pdfium: %v", ErrCorrupt, p)
			}
		}()
		doc, err := inst.OpenDocument(&requests.OpenDocument{FileReader: r, FileReaderSize: size})
		if err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
		return fn(inst, doc.Document, held)
	}()
	if tctx.Err() != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("pdf: pdfium ran past %s, killed", lim.MaxDecodeTime)
	}
	if err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return nil
}

func (pdfDecoder) Facts(ctx context.Context, src *Source, lim Limits) (facts.Facts, error) {
	var f facts.Facts
	err := withPDF(ctx, src, lim, 0, func(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT) error {
		n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc})
		if err != nil {
			return fmt.Errorf("%w: page count: %v", ErrCorrupt, err)
		}
		f.Pages = max(n.PageCount, 0)
		md, err := inst.GetMetaData(&requests.GetMetaData{Document: doc})
		if err != nil {
			return nil // the pages are known; an unreadable Info is no loss
		}
		for _, t := range md.Tags {
			v := strings.TrimSpace(t.Value)
			switch t.Tag {
			case "Title":
				f.Title = v
			case "Author":
				f.Author = v
			case "Subject":
				f.Subject = v
			case "Keywords":
				f.Keywords = v
			case "CreationDate":
				f.Created = parsePDFDate(v)
			}
		}
		return nil
	})
	return f, err
}

// parsePDFDate reads a PDF date ("D:20210501123456+02'00'", any tail
// after the year optional) into the entries' date form; "" when it is not
// one.
func parsePDFDate(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	digits := 0
	for digits < len(s) && digits < 14 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits < 4 || digits%2 != 0 {
		return ""
	}
	full := s[:digits] + "0101000000"[max(digits-4, 0):]
	t, err := time.Parse("20060102150405", full)
	if err != nil || t.Year() < 1900 {
		return ""
	}
	rest := s[digits:]
	if rest == "" {
		return t.Format("2006-01-02T15:04:05")
	}
	if rest[0] == 'Z' {
		return t.Format("2006-01-02T15:04:05") + "+00:00"
	}
	tz := strings.ReplaceAll(rest, "'", "")
	if len(tz) >= 3 && (tz[0] == '+' || tz[0] == '-') {
		hm := tz[1:]
		if len(hm) == 2 {
			hm += "00"
		}
		if z, err := time.Parse("-0700", tz[:1]+hm[:min(4, len(hm))]); err == nil {
			return t.Format("2006-01-02T15:04:05") + z.Format("-07:00")
		}
	}
	return t.Format("2006-01-02T15:04:05")
}

// Poster renders the first page on white, at the smallest size enough
// accepts (up to twice the page's size at 72 dpi, pdfMaxSide at most).
func (pdfDecoder) Poster(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	img, _, err := renderPDFPage(ctx, src, lim, 0, enough)
	return img, err
}

// renderPDFPage renders the page of that index (from 0) on white, at the
// smallest size enough accepts (up to twice the page's size at 72 dpi,
// pdfMaxSide at most), and says how many pages the document has.
func renderPDFPage(ctx context.Context, src *Source, lim Limits, index int, enough func(w, h int) bool) (*image.RGBA, int, error) {
	var out *image.RGBA
	pages := 0
	// The page's bitmap, in the module and copied out, at most
	// pdfMaxSide square: reserved with the document (a second
	// reservation while holding the first could wait for ever).
	extra := 2 * rgbaBytes(pdfMaxSide, pdfMaxSide)
	err := withPDF(ctx, src, lim, extra, func(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT) error {
		n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc})
		if err != nil {
			return fmt.Errorf("%w: page count: %v", ErrCorrupt, err)
		}
		pages = n.PageCount
		if index < 0 || index >= pages {
			return fmt.Errorf("%w: no page %d of %d", ErrNoPage, index+1, pages)
		}
		w, h, err := pageSize(inst, doc, index, enough)
		if err != nil {
			return err
		}
		out, err = renderPage(inst, doc, index, w, h)
		return err
	})
	if err != nil {
		return nil, pages, err
	}
	return out, pages, nil
}

// onWhite copies a premultiplied RGBA picture onto a white page: PDFium
// leaves a page with transparency unpainted where nothing is drawn.
func onWhite(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		s := src.Pix[(y)*src.Stride : (y)*src.Stride+4*b.Dx()]
		d := dst.Pix[y*dst.Stride : y*dst.Stride+4*b.Dx()]
		for i := 0; i < len(s); i += 4 {
			a := 255 - uint16(s[i+3])
			d[i] = uint8(min(uint16(s[i])+a, 255))
			d[i+1] = uint8(min(uint16(s[i+1])+a, 255))
			d[i+2] = uint8(min(uint16(s[i+2])+a, 255))
			d[i+3] = 255
		}
	}
	return dst
}
