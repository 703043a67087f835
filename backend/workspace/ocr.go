package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/ocr"
	"github.com/tagsight/tagsight/backend/ort"
)

// OCRCatalogName is the catalog entry of the OCR models.
const OCRCatalogName = "ocr"

// Library settings of the ocr analyzer.
const (
	settingOCR      = "ocr"       // "off" turns the analyzer off in this library
	settingOCRModel = "ocr.model" // a folder, or an installed model's name
)

// ErrOCROff: the library has the ocr analyzer turned off.
var ErrOCROff = errors.New("text in pictures (OCR) is turned off in this library")

// OCR is the library's OCR models, or why it has none.
type OCR struct {
	Engine *ocr.Engine // nil when Err says why
	Key    string
	Dir    string
	Err    error // ocr.ErrNoModels (not installed), ErrOCROff, or a broken model
}

// OCR is the current OCR models.
func (ws *Workspace) OCR() *OCR {
	if o := ws.ocr.Load(); o != nil {
		return o
	}
	return &OCR{Err: ocr.ErrNoModels}
}

// ocrDir is where the OCR models are looked for: the library's setting
// (a folder or an installed model's name), else the catalog entry.
func (ws *Workspace) ocrDir(ctx context.Context) (string, error) {
	name, _ := ws.Lib.DB.Setting(ctx, settingOCRModel, "")
	if name == "" {
		name = OCRCatalogName
	}
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return filepath.Abs(name)
	}
	hub, err := Hub(ws.opts.ModelsDir)
	if err != nil {
		return "", err
	}
	if dir, ok := hub.Lookup(name); ok {
		return dir, nil
	}
	return "", fmt.Errorf("%w: %q is not installed; run `tagsight models pull %s` (≈ 16 MB)", ocr.ErrNoModels, name, OCRCatalogName)
}

// loadOCR finds and prepares the OCR models (sessions load on first use).
func (ws *Workspace) loadOCR(ctx context.Context) {
	o := &OCR{}
	defer func() { ws.ocr.Store(o) }()
	if v, _ := ws.Lib.DB.Setting(ctx, settingOCR, ""); v == "off" {
		o.Err = ErrOCROff
		return
	}
	dir, err := ws.ocrDir(ctx)
	if err != nil {
		o.Err = err
		return
	}
	m, err := ocr.FindModels(dir)
	if err != nil {
		o.Err = err
		return
	}
	if o.Key, err = m.Key(); err != nil {
		o.Err = err
		return
	}
	if _, err := ort.FindAndInit(ws.opts.ORTLib); err != nil {
		o.Err = err
		return
	}
	provider := ws.opts.Provider
	if provider == "" {
		provider = os.Getenv("TAGSIGHT_PROVIDER")
	}
	o.Engine, o.Dir = ocr.NewEngine(m, ocr.Options{Provider: provider, Threads: ws.opts.Threads}), dir
}

// SetOCR turns the ocr analyzer on or off in this library, and points it
// at a model (a folder or an installed model's name; "" keeps the one set).
func (ws *Workspace) SetOCR(ctx context.Context, on bool, model string) error {
	v := ""
	if !on {
		v = "off"
	}
	if err := ws.Lib.DB.SetSetting(ctx, settingOCR, v); err != nil {
		return err
	}
	if model != "" {
		if err := ws.Lib.DB.SetSetting(ctx, settingOCRModel, model); err != nil {
			return err
		}
	}
	ws.swap.Lock()
	defer ws.swap.Unlock()
	old := ws.OCR()
	ws.loadOCR(ctx)
	if old.Engine != nil {
		// An analysis in flight finishes on the old engine.
		time.AfterFunc(RetireAfter, old.Engine.Close)
	}
	return nil
}

// ocrAnalyzer is the ocr analyzer over the loaded models; nil (and why)
// when the library has none or has OCR off.
func (ws *Workspace) ocrAnalyzer() (*ocr.Analyzer, error) {
	o := ws.OCR()
	if o.Engine == nil {
		return nil, o.Err
	}
	if err := o.Engine.Load(); err != nil {
		ws.ocr.CompareAndSwap(o, &OCR{Dir: o.Dir, Key: o.Key, Err: fmt.Errorf("OCR models in %s: %w", o.Dir, err)})
		return nil, err
	}
	return ocr.NewAnalyzer(o.Engine, o.Key), nil
}

// withOCR adds the ocr analyzer to as when the library has OCR models and
// OCR on (a broken model is reported, and the rest runs).
func (ws *Workspace) withOCR(as []analysis.Analyzer) ([]analysis.Analyzer, error) {
	a, err := ws.ocrAnalyzer()
	if a == nil {
		if errors.Is(err, ocr.ErrNoModels) || errors.Is(err, ErrOCROff) {
			err = nil
		}
		return as, err
	}
	return append(append([]analysis.Analyzer(nil), as...), a), nil
}
