package search

import (
	"context"
	"sort"
)

// Group is a set of duplicate entries.
type Group struct {
	Kind       string  // "exact" (same content hash) or "near" (vectors)
	EntryIDs   []int64 // keeper first
	Paths      []string
	Similarity float64 // lowest pairwise similarity that joined the group (1 for exact)
}

// Duplicates finds exact duplicates by content hash and near duplicates by
// vector (cosine ≥ threshold, grouped transitively), each group led by the
// suggested keeper: the most pixels, then the most metadata, then the
// largest file, then the shortest path. Near-duplicate search costs one
// nearest-neighbour scan per picture.
func (s *Service) Duplicates(ctx context.Context, threshold float64) ([]Group, error) {
	if threshold <= 0 {
		threshold = 0.98
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
		present, err := s.candidates(ctx, "e.missing = 0", nil)
		if err != nil {
			return nil, err
		}
		parent := map[int64]int64{}
		var find func(int64) int64
		find = func(x int64) int64 {
			for parent[x] != x {
				parent[x] = parent[parent[x]]
				x = parent[x]
			}
			return x
		}
		minSim := map[int64]float64{}
		for _, id := range present {
			parent[id] = id
		}
		for _, id := range present {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			v, ok := idx.Vector(id)
			if !ok {
				continue
			}
			for _, h := range idx.Search(v, 8, func(o int64) bool { return o != id }) {
				if float64(h.Score) < threshold {
					break
				}
				if _, ok := parent[h.ID]; !ok {
					continue
				}
				a, b := find(id), find(h.ID)
				if a != b {
					parent[a] = b
					ms := float64(h.Score)
					for _, r := range []int64{a, b} {
						if m, ok := minSim[r]; ok && m < ms {
							ms = m
						}
					}
					minSim[b] = ms
				}
			}
		}
		members := map[int64][]int64{}
		for _, id := range present {
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
