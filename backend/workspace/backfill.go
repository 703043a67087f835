package workspace

import (
	"context"
	"fmt"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/faces"
	"github.com/tagsight/tagsight/backend/vectors"
)

// BackfillOptions choose what a back-fill runs.
type BackfillOptions struct {
	// Faces requires the faces analyzer: without face models the
	// back-fill fails with why (faces.ErrNoModels, ErrFacesOff).
	Faces bool
	// Vectors adds the CLIP analyzer when a model is loaded (without one
	// it is left out, not an error).
	Vectors bool
	// OCR adds the ocr analyzer when the library has OCR models and OCR on.
	OCR     bool
	Workers int // pictures decoded at once, default: CPU count
	Report  func(done, total int, current string)

	decode analysis.Decoder // tests count decodes with it
}

// BackfillResult is what a back-fill did, per analyzer it ran.
type BackfillResult struct {
	Analysis analysis.Result
	Faces    *faces.Result   // nil unless Faces
	Vectors  *vectors.Result // nil unless the CLIP analyzer was asked for and loaded
}

// Backfill runs the chosen analyzers over the stored library's pictures
// that lack them, each picture decoded once for all of them
// (analysis.Backfill): resumable, cancellable, with progress.
func (ws *Workspace) Backfill(ctx context.Context, o BackfillOptions) (BackfillResult, error) {
	var res BackfillResult
	var as []analysis.Analyzer
	st := ws.Now() // one model for the whole call
	var clipA *vectors.Analyzer
	if o.Vectors && st.Model != nil {
		clipA = vectors.NewAnalyzer(st.StoreModel, st.Model.Engine, st.Model.Spec.Preprocess, st.clipOptions())
		as = append(as, clipA, ws.framesAnalyzer(st))
	}
	if o.Faces {
		fa, err := ws.facesAnalyzer(ctx)
		if fa == nil {
			return res, err
		}
		as = append(as, fa)
	}
	if o.OCR {
		var err error
		if as, err = ws.withOCR(as); err != nil {
			return res, err
		}
	}
	if len(as) == 0 {
		return res, nil
	}
	ar, err := analysis.Backfill(ctx, ws.Lib.DB, ws.Lib.Abs, analysis.Options{Analyzers: as, Workers: o.Workers, Decode: o.decode}, o.Report)
	res.Analysis = ar
	if o.Faces {
		f := faces.FromAnalysis(ctx, ws.Lib.DB, &ar)
		res.Faces = &f
	}
	if clipA != nil {
		v := vectors.FromAnalysis(ctx, ws.Lib.DB, st.StoreModel, &ar)
		v.Timing = clipA.Timing()
		res.Vectors = &v
	}
	// New vectors reach the search index through the change log.
	ws.Sync(context.WithoutCancel(ctx))
	if err != nil && ctx.Err() == nil {
		return res, fmt.Errorf("back-fill: %w", err)
	}
	return res, err
}
