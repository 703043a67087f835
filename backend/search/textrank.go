package search

import (
	"context"
	"math"

	"github.com/tagsight/tagsight/backend/store"
)

// textRanked is a search with no meaning in it, with text: terms (or
// plain words looked up in the text) and no sort chosen: the results
// whose text has every term in one unit come first, best by bm25, and
// the rest of what the filter allows (a term in an OR, or spread over
// several units) after them in the default order.
func (s *Service) textRanked(ctx context.Context, f store.Filter, terms []string, opt Options) (Result, error) {
	res := Result{Cutoff: -1}
	want := opt.Offset + opt.Limit
	th, err := s.db.SearchText(ctx, terms, f, want)
	if err != nil {
		return res, err
	}
	hits := make([]Hit, 0, len(th))
	ids := make([]int64, 0, len(th))
	for i := range th {
		hits = append(hits, Hit{EntryID: th[i].EntryID, Score: math.NaN(), Text: &th[i]})
		ids = append(ids, th[i].EntryID)
	}
	refs, total, err := s.db.FilterEntries(ctx, f.Except(ids), "", max(want-len(hits), 0), max(opt.Offset-len(hits), 0))
	if err != nil {
		return res, err
	}
	res.Total = total + len(hits)
	if opt.Offset < len(hits) {
		hits = hits[opt.Offset:]
	} else {
		hits = hits[:0]
	}
	if err := s.fillPaths(ctx, hits); err != nil {
		return res, err
	}
	for _, r := range refs {
		hits = append(hits, Hit{EntryID: r.ID, Path: r.Path, Score: math.NaN()})
	}
	res.Hits = hits
	return res, nil
}
