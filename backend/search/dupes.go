package search

import (
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/tagsight/tagsight/backend/knn"
	"github.com/tagsight/tagsight/backend/store"
)

// Group is a set of duplicate entries.
type Group struct {
	Kind       string  // "exact" (same content hash) or "near" (vectors)
	EntryIDs   []int64 // keeper first
	Paths      []string
	Similarity float64 // lowest pairwise similarity that joined the group (1 for exact)
}

// nearCache holds the near pairs of the in-memory vectors at one
// threshold, kept in step with Put and Forget, so that asking again after
// a few changes costs a few searches instead of hashing the library.
type nearCache struct {
	mu        sync.Mutex
	gen       uint64 // bumped on every change to the vectors
	valid     bool
	threshold float32
	pairs     []knn.Pair
}

// maxNearUpdate: a Put of more vectors than this drops the cache (one
// search per vector would cost more than hashing everything again).
const maxNearUpdate = 256

// drop forgets the cached pairs.
func (c *nearCache) drop() {
	c.mu.Lock()
	c.gen++
	c.valid, c.pairs = false, nil
	c.mu.Unlock()
}

// changed updates the cached pairs for vectors put (idx holds them now)
// or removed (idx nil).
func (c *nearCache) changed(idx *knn.Index, ids []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if !c.valid {
		return
	}
	if len(ids) > maxNearUpdate {
		c.valid, c.pairs = false, nil
		return
	}
	touched := make(map[int64]bool, len(ids))
	for _, id := range ids {
		touched[id] = true
	}
	c.pairs = slices.DeleteFunc(c.pairs, func(p knn.Pair) bool { return touched[p.A] || touched[p.B] })
	if idx == nil {
		return
	}
	const k = 64
	for _, id := range ids {
		v, ok := idx.Vector(id)
		if !ok {
			continue
		}
		hits := idx.Search(v, k, nil)
		if len(hits) == k && hits[k-1].Score >= c.threshold {
			c.valid, c.pairs = false, nil // more alike than a search shows: start again
			return
		}
		for _, h := range hits {
			// A pair of two changed vectors is added once, by its lower id.
			if h.ID == id || h.Score < c.threshold || touched[h.ID] && h.ID < id {
				continue
			}
			c.pairs = append(c.pairs, knn.Pair{A: min(id, h.ID), B: max(id, h.ID), Score: h.Score})
		}
	}
}

// nearPairs returns the pairs at least threshold alike, from the cache
// when it holds them.
func (s *Service) nearPairs(ctx context.Context, idx *knn.Index, threshold float32, progress func(done, total int)) ([]knn.Pair, error) {
	c := &s.near
	c.mu.Lock()
	if c.valid && c.threshold == threshold {
		p := slices.Clone(c.pairs)
		c.mu.Unlock()
		return p, nil
	}
	gen := c.gen
	c.mu.Unlock()
	pairs, err := idx.NearPairs(ctx, threshold, knn.Progress(progress))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen { // nothing changed while hashing
		c.valid, c.threshold, c.pairs = true, threshold, slices.Clone(pairs)
	}
	c.mu.Unlock()
	return pairs, nil
}

// Duplicates finds exact duplicates by content hash and near duplicates by
// vector (cosine ≥ threshold, grouped transitively), each group led by the
// suggested keeper: the most pixels, then the most metadata, then the
// largest file, then the shortest path. The near pairs come from
// knn.NearPairs (hashing, not a scan per picture) and are kept for the
// next call until the vectors change; progress (may be nil) hears how far
// the hashing is.
func (s *Service) Duplicates(ctx context.Context, threshold float64, progress func(done, total int)) ([]Group, error) {
	if threshold <= 0 {
		threshold = 0.98
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	var groups []Group
	inExact := map[int64]bool{}
	exact, err := s.db.ExactDuplicates(ctx)
	if err != nil {
		return nil, err
	}
	for _, ids := range exact {
		groups = append(groups, Group{Kind: "exact", Similarity: 1, EntryIDs: ids})
		for _, id := range ids {
			inExact[id] = true
		}
	}

	if s.model.ID != 0 {
		idx, err := s.Index(ctx)
		if err != nil {
			return nil, err
		}
		pairs, err := s.nearPairs(ctx, idx, float32(threshold), progress)
		if err != nil {
			return nil, err
		}
		missing, err := s.candidates(ctx, store.Missing())
		if err != nil {
			return nil, err
		}
		gone := make(map[int64]bool, len(missing))
		for _, id := range missing {
			gone[id] = true
		}
		// Most alike first: the pair that joins two parts last is then the
		// least alike link of the group, whatever order the pairs came in.
		sort.Slice(pairs, func(i, j int) bool {
			a, b := pairs[i], pairs[j]
			if a.Score != b.Score {
				return a.Score > b.Score
			}
			return a.A < b.A || a.A == b.A && a.B < b.B
		})
		parent := map[int64]int64{}
		find := func(x int64) int64 {
			if _, ok := parent[x]; !ok {
				parent[x] = x
			}
			for parent[x] != x {
				parent[x] = parent[parent[x]]
				x = parent[x]
			}
			return x
		}
		minSim := map[int64]float64{}
		for _, p := range pairs {
			if gone[p.A] || gone[p.B] {
				continue
			}
			a, b := find(p.A), find(p.B)
			if a == b {
				continue
			}
			parent[a] = b
			minSim[b] = float64(p.Score)
		}
		members := map[int64][]int64{}
		for id := range parent {
			r := find(id)
			members[r] = append(members[r], id)
		}
		for r, ids := range members {
			if len(ids) < 2 {
				continue
			}
			allExact := true
			for _, id := range ids {
				if !inExact[id] {
					allExact = false
				}
			}
			if allExact {
				continue // already reported as exact
			}
			groups = append(groups, Group{Kind: "near", EntryIDs: ids, Similarity: minSim[r]})
		}
	}
	for i := range groups {
		if err := s.orderKeeper(ctx, &groups[i]); err != nil {
			return nil, err
		}
	}
	sort.Slice(groups, func(i, j int) bool {
		if groups[i].Kind != groups[j].Kind {
			return groups[i].Kind == "exact"
		}
		return groups[i].Paths[0] < groups[j].Paths[0]
	})
	return groups, nil
}

func (s *Service) orderKeeper(ctx context.Context, g *Group) error {
	type info struct {
		id     int64
		path   string
		pixels int64
		meta   int
		size   int64
	}
	var infos []info
	for _, id := range g.EntryIDs {
		e, err := s.db.EntryByID(ctx, id)
		if err != nil {
			return err
		}
		meta := 0
		for _, f := range []bool{e.Taken != "", e.Make != "", e.Model != "", e.Lens != "", e.ISO > 0, e.Lat != nil} {
			if f {
				meta++
			}
		}
		nt, _ := s.db.EntryTagCount(ctx, id)
		infos = append(infos, info{id, e.Path, int64(e.Width) * int64(e.Height), meta + nt, e.Size})
	}
	sort.Slice(infos, func(i, j int) bool {
		a, b := infos[i], infos[j]
		switch {
		case a.pixels != b.pixels:
			return a.pixels > b.pixels
		case a.meta != b.meta:
			return a.meta > b.meta
		case a.size != b.size:
			return a.size > b.size
		case len(a.path) != len(b.path):
			return len(a.path) < len(b.path)
		}
		return a.path < b.path
	})
	g.EntryIDs, g.Paths = g.EntryIDs[:0], nil
	for _, in := range infos {
		g.EntryIDs = append(g.EntryIDs, in.id)
		g.Paths = append(g.Paths, in.path)
	}
	return nil
}
