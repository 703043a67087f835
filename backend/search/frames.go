package search

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/tagsight/tagsight/backend/knn"
	"github.com/tagsight/tagsight/backend/query"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/vectors"
)

// Video moments (issue 21): a video's kept keyframes have vectors of the
// same model as the entries'. They live in a second in-memory index beside
// the entries' (keyed by frame id), loaded with it and followed by the same
// writer (workspace.Follow); a video scores by the best of its entry
// vector and its frames, and its hit carries that frame.

// Moment is a frame of a video that matched: where to play from.
type Moment struct {
	FrameID int64
	AtMS    int64
	Score   float64 // NaN when there was no query to score by
	Thumb   string  // the frame's JPEG, relative to the frames' derived folder
}

// framesPerHit is how many frame hits the frame index is asked for per
// result wanted: one video's frames often fill the top ranks together.
const framesPerHit = 4

// frameIndex is the in-memory frames of the library's model.
type frameIndex struct {
	idx     *knn.Index
	entryOf map[int64]int64   // frame id → entry id
	byEntry map[int64][]int64 // entry id → its frame ids
}

func newFrameIndex(dim int) *frameIndex {
	return &frameIndex{idx: knn.New(dim), entryOf: map[int64]int64{}, byEntry: map[int64][]int64{}}
}

// put replaces an entry's frames (none: it has no frames any more).
func (f *frameIndex) put(entryID int64, fs []store.Frame) {
	for _, id := range f.byEntry[entryID] {
		f.idx.Remove(id)
		delete(f.entryOf, id)
	}
	delete(f.byEntry, entryID)
	for _, fr := range fs {
		f.idx.Add(fr.ID, fr.Vec)
		f.entryOf[fr.ID] = entryID
		f.byEntry[entryID] = append(f.byEntry[entryID], fr.ID)
	}
}

// frameState is the Service's frames, under their own lock (loading the
// frames never waits for the entry vectors' lock or the other way round).
type frameState struct {
	mu sync.Mutex
	fi *frameIndex
}

// frameIdx returns the in-memory frames, loading them on first use.
func (s *Service) frameIdx(ctx context.Context) (*frameIndex, error) {
	s.frames.mu.Lock()
	defer s.frames.mu.Unlock()
	if s.frames.fi != nil {
		return s.frames.fi, nil
	}
	fi := newFrameIndex(s.model.Dim)
	err := s.db.ForEachFrame(ctx, s.model, func(c store.FrameChunk) error {
		fi.idx.AddRows(c.IDs, c.Vecs)
		for i, id := range c.IDs {
			fi.entryOf[id] = c.EntryIDs[i]
			fi.byEntry[c.EntryIDs[i]] = append(fi.byEntry[c.EntryIDs[i]], id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.frames.fi = fi
	return fi, nil
}

// FramesLoaded says whether the frames are in memory (a follower then
// brings them along with PutFrames; else their first use reads them).
func (s *Service) FramesLoaded() bool {
	s.frames.mu.Lock()
	defer s.frames.mu.Unlock()
	return s.frames.fi != nil
}

// PutFrames replaces the in-memory frames of the entries in ids with
// fs's (an entry of ids absent from fs has none any more), if they are
// loaded; call it after the frames are committed.
func (s *Service) PutFrames(ids []int64, fs map[int64][]store.Frame) {
	s.frames.mu.Lock()
	defer s.frames.mu.Unlock()
	fi := s.frames.fi
	if fi == nil {
		return
	}
	for _, id := range ids {
		if vs := fs[id]; len(vs) > 0 && len(vs[0].Vec) != fi.idx.Dim() {
			s.frames.fi = nil // not this model's: reload instead
			return
		}
		fi.put(id, fs[id])
	}
}

func (s *Service) dropFrames() {
	s.frames.mu.Lock()
	s.frames.fi = nil
	s.frames.mu.Unlock()
}

// bestFrames scores the frames of the entries allowed against qv and
// returns each entry's best frame hit, from a pool of framesPerHit×pool
// frames.
func (s *Service) bestFrames(ctx context.Context, qv []float32, pool int, cands *filterSet, exclude int64) (map[int64]knn.Hit, error) {
	fi, err := s.frameIdx(ctx)
	if err != nil {
		return nil, fmt.Errorf("load frames: %w", err)
	}
	s.frames.mu.Lock()
	defer s.frames.mu.Unlock()
	if fi.idx.Len() == 0 {
		return nil, nil
	}
	k := pool * framesPerHit
	var hits []knn.Hit
	if cands.ids == nil {
		hits = fi.idx.Search(qv, k, func(id int64) bool {
			e := fi.entryOf[id]
			return e != exclude && cands.allows(e)
		})
	} else {
		var ids []int64
		for _, e := range cands.ids {
			if e != exclude {
				ids = append(ids, fi.byEntry[e]...)
			}
		}
		if len(ids) == 0 {
			return nil, nil
		}
		hits = fi.idx.SearchIDs(qv, k, ids)
	}
	best := map[int64]knn.Hit{}
	for _, h := range hits { // best first: an entry's first is its best
		e := fi.entryOf[h.ID]
		if _, ok := best[e]; !ok {
			best[e] = h
		}
	}
	return best, nil
}

// withFrames merges the frames' best hits into the entry hits: an entry
// scores by the better of its vector and its best frame. It returns the
// hits re-ranked and the entries that owe their score to a frame.
func withFrames(hits []knn.Hit, best map[int64]knn.Hit) ([]knn.Hit, map[int64]bool) {
	if len(best) == 0 {
		return hits, nil
	}
	seen := make(map[int64]bool, len(hits))
	byFrame := map[int64]bool{}
	for i, h := range hits {
		seen[h.ID] = true
		if b, ok := best[h.ID]; ok && b.Score > h.Score {
			hits[i].Score = b.Score
			byFrame[h.ID] = true
		}
	}
	for e, b := range best {
		if !seen[e] { // a video whose poster ranked too low to be in the pool
			hits = append(hits, knn.Hit{ID: e, Score: b.Score})
			byFrame[e] = true
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].ID < hits[j].ID
	})
	return hits, byFrame
}

// Moments lists an entry's frames best first for a search-bar query's
// meaning (at most limit; limit <= 0: all), or in time order with NaN
// scores when the query has no meaning to score by. likePath vets the
// query's like: paths as Options.LikePath does for Search.
func (s *Service) Moments(ctx context.Context, entryID int64, q string, limit int, likePath func(string) (string, error)) ([]Moment, error) {
	if s.model.ID == 0 {
		return nil, ErrNoModel
	}
	fs, err := s.db.FramesOf(ctx, s.model, []int64{entryID})
	if err != nil {
		return nil, err
	}
	var qv []float32
	if q != "" && s.enc.Text != nil {
		c, err := query.CompileWith(ctx, q, s.tags, query.Options{})
		if err != nil {
			return nil, err
		}
		if len(c.Semantic) > 0 {
			if qv, err = s.queryVector(ctx, c.Semantic, likePath); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Moment, 0, len(fs[entryID]))
	for _, f := range fs[entryID] {
		m := Moment{FrameID: f.ID, AtMS: f.AtMS, Thumb: f.Thumb, Score: math.NaN()}
		if qv != nil {
			m.Score = float64(vectors.Dot(qv, f.Vec))
		}
		out = append(out, m)
	}
	if qv != nil {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// SimilarFrame finds entries like one frame of a video ("more like this"
// from a moment), the video itself left out, optionally within a
// query's filter.
func (s *Service) SimilarFrame(ctx context.Context, frameID int64, filter string, opt Options) (Result, error) {
	if s.model.ID == 0 {
		return Result{}, ErrNoModel
	}
	f, err := s.db.FrameByID(ctx, frameID)
	if err != nil {
		return Result{}, fmt.Errorf("more like this frame: %w", err)
	}
	if len(f.Vec) != s.model.Dim {
		return Result{}, fmt.Errorf("more like this frame: %w: frame %d is another model's", store.ErrNotFound, frameID)
	}
	return s.similarTo(ctx, f.Vec, filter, opt, f.EntryID)
}

// fillMoments gives the page's hits their best frame as their moment
// (times and tiles read for these frames only).
func (s *Service) fillMoments(ctx context.Context, hits []Hit, best map[int64]knn.Hit) error {
	var ids []int64
	for _, h := range hits {
		if b, ok := best[h.EntryID]; ok {
			ids = append(ids, b.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	fs, err := s.db.FramesByID(ctx, ids)
	if err != nil {
		return err
	}
	for i, h := range hits {
		if b, ok := best[h.EntryID]; ok {
			if f, ok := fs[b.ID]; ok {
				hits[i].Moment = &Moment{FrameID: f.ID, AtMS: f.AtMS, Thumb: f.Thumb, Score: float64(b.Score)}
			}
		}
	}
	return nil
}
