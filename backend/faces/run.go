package faces

import (
	"context"

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
