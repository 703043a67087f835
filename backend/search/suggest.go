package search

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/tagsight/tagsight/backend/knn"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/tags"
)

// Suggestion is a tag proposed for an entry.
type Suggestion struct {
	Tag      tags.Tag
	Score    float64  // 0..1, best first
	Reason   string   // names what drove it
	Sources  []string // "centroid", "zero-shot", "neighbours"
	Examples []Hit    // the tag's entries nearest to this one
}

// Thresholds are relative: each compares an entry with how the tag's own
// pictures (or the whole library) score, never with one global number.
const (
	// centroidRel: similarity to the tag's centroid direction, divided by
	// how close the tag's own pictures are to it on average (|mean|).
	centroidRel = 0.92
	// zeroShotZ and zeroShotTop: the picture's score for the prompt must
	// stand out from the library's (robust z ≥ zeroShotZ) and beat at least
	// zeroShotTop of the library's pictures.
	zeroShotZ   = 1.25
	zeroShotTop = 0.8
	// neighbourShare: similarity-weighted share of the nearest neighbours
	// that carry the tag.
	neighbourShare = 0.3
	// fewExamples: below this many pictures a tag is also tried zero-shot.
	fewExamples = 5
	neighbours  = 10
)

// promptStats describe how the library scores against a prompt: the
// median and a robust spread (1.4826 × median absolute deviation), so the
// pictures that do match a tag do not inflate the spread they are compared
// with.
type promptStats struct {
	mean, sd float64
	sorted   []float64 // the sample's scores, ascending, for percentiles
}

// beats is the share of the sample scoring below x.
func (p promptStats) beats(x float64) float64 {
	if len(p.sorted) == 0 {
		return 0
	}
	return float64(sort.SearchFloat64s(p.sorted, x)) / float64(len(p.sorted))
}

type cand struct {
	score   float64
	sources []string
	reasons []string
}

func (c *cand) add(source string, score float64, reason string) {
	c.sources = append(c.sources, source)
	c.reasons = append(c.reasons, reason)
	c.score = math.Max(c.score, math.Min(score, 1))
}

// Suggest proposes tags for an entry three ways and merges them: the tag's
// centroid, its name (and aliases) as a zero-shot prompt for tags with few
// examples, and a vote of the nearest tagged neighbours. Tags the entry has,
// dismissed ones and the built-in Archived/Favourite are never suggested.
func (s *Service) Suggest(ctx context.Context, entryID int64, limit int) ([]Suggestion, error) {
	if s.model.ID == 0 {
		return nil, ErrNoModel
	}
	v, err := s.db.Vector(ctx, s.model, entryID)
	if err != nil {
		return nil, fmt.Errorf("suggest: the picture has no vector yet (index the library first): %w", err)
	}
	idx, err := s.Index(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.tags.List(ctx)
	if err != nil {
		return nil, err
	}
	skip, err := s.excluded(ctx, entryID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]tags.Tag{}
	for _, t := range all {
		byID[t.ID] = t
	}
	cands := map[int64]*cand{}
	get := func(id int64) *cand {
		if cands[id] == nil {
			cands[id] = &cand{}
		}
		return cands[id]
	}

	// 1. Centroids.
	cents, err := s.db.Centroids(ctx, s.model)
	if err != nil {
		return nil, err
	}
	for _, c := range cents {
		if skip[c.TagID] || c.Count < 2 {
			continue
		}
		rel, sim := centroidScore(v, c.Mean)
		if rel >= centroidRel {
			get(c.TagID).add("centroid", rel, fmt.Sprintf("looks like the %d pictures tagged %q (%.0f%% as close as they are to each other)",
				c.Count, byID[c.TagID].Name, 100*rel))
		}
		_ = sim
	}

	// 2. Zero-shot from the name and each alias, for tags with few
	// examples; the best-scoring prompt counts.
	if s.enc.Text != nil {
		for _, t := range all {
			if skip[t.ID] || t.Count >= fewExamples || t.IsCategory {
				continue
			}
			bestZ, bestTop, bestP := math.Inf(-1), 0.0, ""
			for _, p := range prompts(t) {
				tv, st, err := s.promptVector(ctx, idx, p)
				if err != nil {
					return nil, err
				}
				sc := dot(v, tv)
				z, top := (sc-st.mean)/st.sd, st.beats(sc)
				if z >= zeroShotZ && top >= zeroShotTop && z > bestZ {
					bestZ, bestTop, bestP = z, top, p
				}
			}
			if bestP != "" {
				get(t.ID).add("zero-shot", 0.4+bestZ/10, fmt.Sprintf("matches the words %q better than %.0f%% of the library", bestP, 100*bestTop))
			}
		}
	}

	// 3. Nearest neighbours' vote.
	near := idx.Search(v, neighbours, func(id int64) bool { return id != entryID })
	if len(near) > 0 {
		nb, err := s.neighbourTags(ctx, near)
		if err != nil {
			return nil, err
		}
		var total float64
		for _, h := range near {
			total += math.Max(float64(h.Score), 0)
		}
		votes := map[int64]float64{}
		voters := map[int64][]int64{}
		for _, h := range near {
			for _, tid := range nb[h.ID] {
				votes[tid] += math.Max(float64(h.Score), 0)
				voters[tid] = append(voters[tid], h.ID)
			}
		}
		for tid, w := range votes {
			if skip[tid] || total == 0 || len(voters[tid]) < 2 {
				continue
			}
			share := w / total
			if share >= neighbourShare {
				get(tid).add("neighbours", share, fmt.Sprintf("%d of its %d nearest pictures are tagged %q", len(voters[tid]), len(near), byID[tid].Name))
			}
		}
	}

	out := make([]Suggestion, 0, len(cands))
	for tid, c := range cands {
		t, ok := byID[tid]
		if !ok {
			continue
		}
		sg := Suggestion{Tag: t, Score: c.score, Sources: c.sources}
		ex, err := s.examples(ctx, idx, v, tid, entryID)
		if err != nil {
			return nil, err
		}
		sg.Examples = ex
		reason := strings.Join(c.reasons, "; ")
		if len(ex) > 0 {
			names := make([]string, len(ex))
			for i, h := range ex {
				names[i] = h.Path
			}
			reason += "; nearest examples: " + strings.Join(names, ", ")
		}
		sg.Reason = strings.ToUpper(reason[:1]) + reason[1:]
		out = append(out, sg)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Tag.Name < out[j].Tag.Name
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// centroidScore returns the entry's similarity to the centroid direction,
// relative to the tag's own spread (|mean| = the members' average
// similarity to that direction), and the raw similarity.
func centroidScore(v, mean []float32) (rel, sim float64) {
	var n float64
	for _, x := range mean {
		n += float64(x) * float64(x)
	}
	n = math.Sqrt(n)
	if n == 0 {
		return 0, 0
	}
	sim = dot(v, mean) / n
	return sim / n, sim
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func prompts(t tags.Tag) []string {
	out := []string{"a photo of " + t.Name}
	for _, a := range t.Aliases {
		out = append(out, "a photo of "+a)
	}
	return out
}

// promptVector embeds a prompt and learns how the library scores
// against it, from its best few thousand matches and the rest's spread.
func (s *Service) promptVector(ctx context.Context, idx *knn.Index, prompt string) ([]float32, promptStats, error) {
	tv, err := s.TextVector(ctx, prompt)
	if err != nil {
		return nil, promptStats{}, err
	}
	s.statsMu.Lock()
	st, ok := s.stats[prompt]
	s.statsMu.Unlock()
	if ok {
		return tv, st, nil
	}
	sample, err := s.sample(ctx)
	if err != nil {
		return nil, promptStats{}, err
	}
	hits := idx.SearchIDs(tv, len(sample), sample)
	scores := make([]float64, len(hits))
	for i, h := range hits {
		scores[i] = float64(h.Score)
	}
	st = robustStats(scores)
	sort.Float64s(scores)
	st.sorted = scores
	s.statsMu.Lock()
	s.stats[prompt] = st
	s.statsMu.Unlock()
	return tv, st, nil
}

// excluded: tags the entry has, dismissed ones, and the built-ins.
func (s *Service) excluded(ctx context.Context, entryID int64) (map[int64]bool, error) {
	skip := map[int64]bool{tags.ArchivedID: true, tags.FavouriteID: true}
	ids, err := s.db.SuggestionSkips(ctx, entryID)
	for _, id := range ids {
		skip[id] = true
	}
	return skip, err
}

func (s *Service) neighbourTags(ctx context.Context, near []knn.Hit) (map[int64][]int64, error) {
	ids := make([]int64, len(near))
	for i, h := range near {
		ids[i] = h.ID
	}
	return s.db.TagsOfEntries(ctx, ids)
}

// examples are the tag's pictures nearest to v.
func (s *Service) examples(ctx context.Context, idx *knn.Index, v []float32, tagID, self int64) ([]Hit, error) {
	members, err := s.members(ctx, tagID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, id := range members {
		if id != self {
			ids = append(ids, id)
		}
	}
	hits := idx.SearchIDs(v, 3, ids)
	out := make([]Hit, len(hits))
	for i, h := range hits {
		out[i] = Hit{EntryID: h.ID, Score: float64(h.Score)}
	}
	return out, s.fillPaths(ctx, out)
}

func (s *Service) members(ctx context.Context, tagID int64) ([]int64, error) {
	return s.db.TagMembers(ctx, tagID)
}

// BatchSuggest finds the pictures that look like a tag and do not have it
// yet ("apply to the 37 pictures that look like this tag"), best first:
// by its centroid when it has examples, by its name otherwise. Dismissed
// pairs are left out.
func (s *Service) BatchSuggest(ctx context.Context, tagID int64, limit int) ([]Hit, error) {
	if s.model.ID == 0 {
		return nil, ErrNoModel
	}
	t, err := s.tags.Get(ctx, tagID)
	if err != nil {
		return nil, err
	}
	idx, err := s.Index(ctx)
	if err != nil {
		return nil, err
	}
	skip := map[int64]bool{}
	skipIDs, err := s.db.BatchSuggestionSkips(ctx, tagID)
	if err != nil {
		return nil, err
	}
	for _, id := range skipIDs {
		skip[id] = true
	}
	if limit <= 0 {
		limit = 500
	}
	allow := func(id int64) bool { return !skip[id] }
	var hits []Hit
	var mean []float32
	cents, err := s.db.Centroids(ctx, s.model)
	if err != nil {
		return nil, err
	}
	for _, c := range cents {
		if c.TagID == tagID && c.Count >= 2 {
			mean = c.Mean
		}
	}
	if mean != nil {
		for _, h := range idx.Search(mean, limit, allow) {
			var n float64
			for _, x := range mean {
				n += float64(x) * float64(x)
			}
			n = math.Sqrt(n)
			rel := float64(h.Score) / n / n
			if rel >= centroidRel {
				hits = append(hits, Hit{EntryID: h.ID, Score: rel})
			}
		}
	} else if s.enc.Text != nil {
		best := map[int64]float64{}
		for _, p := range prompts(t) {
			tv, st, err := s.promptVector(ctx, idx, p)
			if err != nil {
				return nil, err
			}
			for _, h := range idx.Search(tv, limit, allow) {
				sc := float64(h.Score)
				if (sc-st.mean)/st.sd >= zeroShotZ && st.beats(sc) >= zeroShotTop && sc > best[h.ID] {
					best[h.ID] = float64(h.Score)
				}
			}
		}
		for id, sc := range best {
			hits = append(hits, Hit{EntryID: id, Score: sc})
		}
		sort.Slice(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	}
	return hits, s.fillPaths(ctx, hits)
}

var _ = store.ErrNotFound

// robustStats returns the median and 1.4826 × MAD (the standard deviation
// for normal data, unmoved by a minority of outliers).
func robustStats(xs []float64) promptStats {
	if len(xs) == 0 {
		return promptStats{}
	}
	med := median(xs)
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - med)
	}
	mad := 1.4826 * median(dev)
	if mad < 1e-3 {
		mad = 1e-3 // all alike: a tiny spread, not a division by zero
	}
	return promptStats{mean: med, sd: mad}
}

func median(xs []float64) float64 {
	c := append([]float64{}, xs...)
	sort.Float64s(c)
	n := len(c)
	if n%2 == 1 {
		return c[n/2]
	}
	return (c[n/2-1] + c[n/2]) / 2
}

const sampleSize = 2000

// sample is a fixed random sample of the library's vectors (all of them
// in small libraries), drawn once per loaded index.
func (s *Service) sample(ctx context.Context) ([]int64, error) {
	s.statsMu.Lock()
	if s.sampleIDs != nil {
		ids := s.sampleIDs
		s.statsMu.Unlock()
		return ids, nil
	}
	s.statsMu.Unlock()
	ids, err := s.db.SampleVectorEntries(ctx, s.model, sampleSize)
	if err != nil {
		return ids, err
	}
	s.statsMu.Lock()
	s.sampleIDs = ids
	s.statsMu.Unlock()
	return ids, nil
}
