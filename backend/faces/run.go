package faces

import (
	"context"
	"fmt"
	"time"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/store"
)

// Result sums up a faces run.
type Result struct {
	Analysed  int               `json:"analysed"` // pictures looked at
	Failed    int               `json:"failed"`
	Errors    []store.ScanError `json:"errors"`
	Faces     int               `json:"faces"`  // faces the library now has
	People    int               `json:"people"` // people it now has
	Cancelled bool              `json:"cancelled"`
	Seconds   float64           `json:"seconds"`
}

// Run runs the faces analyzer over every picture it has not seen: the
// analysis pipeline with that analyzer only. It commits in short batches,
// so a cancelled or killed run resumes where it stopped; report sees the
// progress (done of total pictures, the current one).
func Run(ctx context.Context, db *store.DB, root func(rel string) string, a *Analyzer, workers int, report func(done, total int, current string)) (Result, error) {
	start := time.Now()
	items, err := analysis.PlanStored(ctx, db, root, a)
	if err != nil {
		return Result{}, err
	}
	total, done := len(items), 0
	if report != nil {
		report(0, total, "")
	}
	var last time.Time
	ar, err := analysis.Run(ctx, db, items, analysis.Options{
		Analyzers: []analysis.Analyzer{a},
		Workers:   workers,
		BatchSize: 32,
		Flush:     time.Second,
		Done: func(it *analysis.Item, err error) {
			done++
			if report != nil && (time.Since(last) >= 100*time.Millisecond || done == total) {
				last = time.Now()
				report(done, total, it.Rel)
			}
		},
	})
	res := FromAnalysis(ctx, db, &ar)
	res.Seconds = time.Since(start).Seconds()
	if err != nil && ctx.Err() == nil {
		return res, fmt.Errorf("save faces: %w", err)
	}
	if err := ctx.Err(); err != nil {
		res.Cancelled = true
		return res, err
	}
	return res, nil
}

// FromAnalysis is the faces result of an analysis run that included the
// faces analyzer.
func FromAnalysis(ctx context.Context, db *store.DB, ar *analysis.Result) Result {
	res := Result{Errors: []store.ScanError{}, Cancelled: ar.Cancelled, Seconds: ar.Seconds}
	if st := ar.Analyzers["faces"]; st != nil {
		res.Analysed, res.Failed, res.Errors = st.Done, st.Failed, st.Errors
	}
	res.Faces, res.People, _ = db.CountFaces(context.WithoutCancel(ctx))
	return res
}
