package workspace

import (
	"context"
	"errors"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/ocr"
)

// OCRCatalogName is the catalog entry of the OCR models.
const OCRCatalogName = "ocr"

// ErrOCROff: the library has the ocr analyzer turned off.
var ErrOCROff = errors.New("text in pictures (OCR) is turned off in this library")

// OCR is the library's OCR models, or why it has none (ocr.ErrNoModels,
// ErrOCROff, or a broken model).
type OCR = Optional[ocr.Engine]

var ocrSpec = optionalSpec[ocr.Engine]{
	what:       "OCR models",
	catalog:    OCRCatalogName,
	size:       "≈ 16 MB",
	settingOn:  "ocr",       // "off" turns the analyzer off in this library
	settingDir: "ocr.model", // a folder, or an installed model's name
	noModels:   ocr.ErrNoModels,
	off:        ErrOCROff,
	open: opener(ocr.FindModels, func(m ocr.Models, provider string, threads int) *ocr.Engine {
		return ocr.NewEngine(m, ocr.Options{Provider: provider, Threads: threads})
	}),
}

// OCR is the current OCR models.
func (ws *Workspace) OCR() *OCR { return ws.ocr.get() }

// SetOCR turns the ocr analyzer on or off in this library, and points it
// at a model (a folder or an installed model's name; "" keeps the one set).
func (ws *Workspace) SetOCR(ctx context.Context, on bool, model string) error {
	return ws.ocr.set(ctx, ws, on, model)
}

// ocrAnalyzer is the ocr analyzer over the loaded models; nil (and why)
// when the library has none or has OCR off.
func (ws *Workspace) ocrAnalyzer() (*ocr.Analyzer, error) {
	o, err := ws.ocr.ready()
	if err != nil {
		return nil, err
	}
	return ocr.NewAnalyzer(o.Engine, o.Key), nil
}

// withOCR adds the ocr analyzer to as when the library has OCR models and
// OCR on (a broken model is reported, and the rest runs).
func (ws *Workspace) withOCR(as []analysis.Analyzer) ([]analysis.Analyzer, error) {
	a, err := ws.ocrAnalyzer()
	if a == nil {
		if ws.ocr.absent(err) {
			err = nil
		}
		return as, err
	}
	return append(append([]analysis.Analyzer(nil), as...), a), nil
}
