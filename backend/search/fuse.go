package search

import (
	"context"
	"math"
	"sort"
	"strings"

	"github.com/tagsight/tagsight/backend/store"
)

// rrfK is reciprocal rank fusion's constant: a result's score from one
// ranking is 1/(rrfK + rank), so what the rankings agree on comes first
// and no single ranking's scale matters (Cormack et al. 2009 use 60).
const rrfK = 60

// fused ranks a plain search's results by meaning and by the words in
// the files' text, in one ranking (reciprocal rank fusion). The cutoff
// stays: a result is relevant when it is above the meaning's cutoff or
// its text has the words; relevant results come first.
func (s *Service) fused(ctx context.Context, qv []float32, words []string, f store.Filter, sortKey string, opt Options) (Result, error) {
	want := opt.Offset + opt.Limit
	pool := max(want, 200)
	sem, err := s.semantic(ctx, qv, f, "", Options{Limit: pool}, 0)
	if err != nil {
		return sem, err
	}
	// The words of a phrase are found together, in any order.
	terms := strings.Fields(strings.Join(words, " "))
	th, err := s.db.SearchText(ctx, terms, f, pool)
	if err != nil {
		return sem, err
	}
	type fusedHit struct {
		Hit
		rrf      float64
		relevant bool
	}
	by := map[int64]*fusedHit{}
	var order []*fusedHit
	get := func(id int64) *fusedHit {
		f := by[id]
		if f == nil {
			f = &fusedHit{Hit: Hit{EntryID: id, Score: math.NaN()}}
			by[id] = f
			order = append(order, f)
		}
		return f
	}
	for i, h := range sem.Hits {
		f := get(h.EntryID)
		f.Hit = h
		f.rrf += 1 / float64(rrfK+i+1)
		f.relevant = f.relevant || i < sem.Cutoff
	}
	textOnly := 0
	for i := range th {
		f := get(th[i].EntryID)
		if math.IsNaN(f.Score) {
			textOnly++
		}
		f.Text = &th[i]
		f.rrf += 1 / float64(rrfK+i+1)
		f.relevant = true
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.relevant != b.relevant {
			return a.relevant
		}
		if a.rrf != b.rrf {
			return a.rrf > b.rrf
		}
		return a.EntryID < b.EntryID
	})
	res := Result{Semantic: true, FromText: len(th), FromMeaning: max(sem.Cutoff, 0)}
	hits := make([]Hit, len(order))
	for i, f := range order {
		hits[i] = f.Hit
		if f.relevant {
			res.Cutoff++
		}
	}
	if err := s.fillPaths(ctx, hits); err != nil {
		return res, err
	}
	// The meaning's total counts every allowed entry with a vector; a
	// text hit outside its pool may have none.
	res.Total = sem.Total
	if idx, err := s.Index(ctx); err == nil {
		for _, h := range th {
			if !idx.Has(h.EntryID) {
				res.Total++
			}
		}
	} else {
		res.Total += textOnly
	}
	if sortKey != "" {
		if err := s.resort(ctx, hits, sortKey); err != nil {
			return res, err
		}
		res.Cutoff = -1
	}
	if len(hits) > want {
		hits = hits[:want]
	}
	for _, h := range hits {
		// A video's score is its best frame's when a frame ranked it.
		if h.Moment != nil && h.Moment.Score >= h.Score {
			res.FromFrames++
		}
	}
	if opt.Offset < len(hits) {
		hits = hits[opt.Offset:]
	} else {
		hits = nil
	}
	res.Hits = hits
	if res.Cutoff > opt.Offset {
		res.Cutoff -= opt.Offset
	} else if res.Cutoff >= 0 {
		res.Cutoff = 0
	}
	return res, nil
}

// withText puts on each of a page's results where its text has the
// query's text: terms (the filter found them; this finds the unit and
// snippet), and counts them.
func (s *Service) withText(ctx context.Context, res *Result, terms []string) error {
	if len(res.Hits) == 0 {
		return nil
	}
	if res.FromText == 0 {
		res.FromText = res.Total // every result passed the text filter
	}
	// Results ranked by their text (textRanked) carry their hit already:
	// only the others are looked up.
	var ids []int64
	for _, h := range res.Hits {
		if h.Text == nil {
			ids = append(ids, h.EntryID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	th, err := s.db.SearchTextIn(ctx, terms, ids)
	if err != nil {
		return err
	}
	by := map[int64]*store.TextHit{}
	for i := range th {
		by[th[i].EntryID] = &th[i]
	}
	// Each text: term may be in another unit of the file (text:a text:b
	// finds a file whose page 1 has a and page 2 b): a result no unit
	// has every term of shows the unit of its first term found.
	for _, term := range terms {
		if len(terms) == 1 || len(by) == len(ids) {
			break
		}
		var left []int64
		for _, id := range ids {
			if by[id] == nil {
				left = append(left, id)
			}
		}
		one, err := s.db.SearchTextIn(ctx, []string{term}, left)
		if err != nil {
			return err
		}
		for i := range one {
			by[one[i].EntryID] = &one[i]
		}
	}
	for i := range res.Hits {
		if t := by[res.Hits[i].EntryID]; t != nil && res.Hits[i].Text == nil {
			res.Hits[i].Text = t
		}
	}
	return nil
}
