package api

import (
	"context"
	"errors"
	"strings"

	"github.com/tagsight/tagsight/backend/ocr"
	"github.com/tagsight/tagsight/backend/workspace"
)

func ocrState(ws *workspace.Workspace, web bool) OCRState {
	o := ws.OCR()
	s := OCRState{On: o.Engine != nil}
	switch {
	case errors.Is(o.Err, workspace.ErrOCROff):
		s.Off = true
	case errors.Is(o.Err, ocr.ErrNoModels):
		s.Missing = true
	case o.Err != nil:
		s.Error = o.Err.Error()
		if web && o.Dir != "" {
			s.Error = strings.ReplaceAll(s.Error, o.Dir, "the OCR models' folder")
		}
	}
	return s
}

// saveOCR turns the library's OCR on or off when on says so and it is not
// already; turned on, an index reads the pictures not read yet (the scan
// runs the analyzer over every picture that lacks it).
func (a *API) saveOCR(ctx context.Context, ws *workspace.Workspace, on *bool) error {
	if on == nil || *on == !errors.Is(ws.OCR().Err, workspace.ErrOCROff) {
		return nil
	}
	if err := ws.SetOCR(ctx, *on, ""); err != nil {
		return err
	}
	if *on && ws.OCR().Engine != nil {
		a.StartIndex()
	}
	a.emitInfo()
	return nil
}
