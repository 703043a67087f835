package workspace

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/faces"
	"github.com/tagsight/tagsight/backend/ocr"
	"github.com/tagsight/tagsight/backend/testutil"
)

// An optional analyzer that is not installed, or turned off, leaves a
// back-fill that asks for it running without it; turned on with a folder,
// its models load from that folder, and the choice is the library's (a
// workspace opened again finds it).
func TestOptionalModelsAbsentOffAndChosen(t *testing.T) {
	ctx := context.Background()
	root, models := t.TempDir(), t.TempDir() // no model installed
	ws, err := Open(ctx, root, true, ModelOptions{ModelsDir: models, Provider: "cpu"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.SetFacesOn(ctx, false); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(ws.OCR().Err, ocr.ErrNoModels) || ws.OCR().Engine != nil {
		t.Fatalf("OCR without models: %+v", ws.OCR())
	}
	if !errors.Is(ws.Faces().Err, ErrFacesOff) {
		t.Fatalf("faces turned off: %+v", ws.Faces())
	}
	if _, err := ws.Backfill(ctx, BackfillOptions{OCR: true}); err != nil {
		t.Errorf("back-fill with OCR not installed: %v", err)
	}
	if err := ws.SetOCR(ctx, false, ""); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(ws.OCR().Err, ErrOCROff) {
		t.Fatalf("OCR turned off: %+v", ws.OCR())
	}
	if _, err := ws.Backfill(ctx, BackfillOptions{OCR: true}); err != nil {
		t.Errorf("back-fill with OCR off: %v", err)
	}
	if _, err := ws.Backfill(ctx, BackfillOptions{Faces: true}); !errors.Is(err, ErrFacesOff) {
		t.Errorf("a back-fill that requires faces, with faces off: %v", err)
	}

	t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
	dir := testutil.OCRModels(t)
	if err := ws.SetOCR(ctx, true, dir); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	if o := ws.OCR(); o.Engine == nil || o.Err != nil || o.Dir != abs || o.Key == "" {
		t.Fatalf("OCR turned on with %s: %+v", dir, o)
	}
	ws.Close()

	ws, err = Open(ctx, root, false, ModelOptions{ModelsDir: models, Provider: "cpu"}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if o := ws.OCR(); o.Engine == nil || o.Dir != abs {
		t.Errorf("OCR after opening again: %+v", o)
	}
	if f := ws.Faces(); !errors.Is(f.Err, ErrFacesOff) {
		t.Errorf("faces after opening again: %+v", f)
	}
	if err := ws.SetFacesOn(ctx, true); err != nil {
		t.Fatal(err)
	}
	if f := ws.Faces(); !errors.Is(f.Err, faces.ErrNoModels) {
		t.Errorf("faces on, not installed: %+v", f)
	}
}
