package knn

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Graph holds, for every row of an index, its nearest other rows at least
// a threshold alike: row r's neighbours are Nb[Start[r]:Start[r+1]] (row
// numbers, best first) with scores Sim[…]. Rows are numbered as IDs.
type Graph struct {
	IDs   []int64
	Start []int32
	Nb    []int32
	Sim   []float32
}

// Neighbours of row r.
func (g *Graph) Neighbours(r int) ([]int32, []float32) {
	return g.Nb[g.Start[r]:g.Start[r+1]], g.Sim[g.Start[r]:g.Start[r+1]]
}

const (
	// exactGraphBelow: with fewer rows every row is compared with every
	// other (exact, and cheaper than training centroids).
	exactGraphBelow = 4096
	graphListRows   = 256 // rows per list on average
	graphProbe      = 16  // lists searched per row
	kmeansRounds    = 6
	kmeansSample    = 32 // sample rows per list for training
)

// NeighbourGraph finds, for every vector, up to k others at least
// threshold alike, skipping pairs skip reports (nil: none; called
// concurrently). Memory is bounded by n×k, not by the number of alike
// pairs. Below exactGraphBelow rows every pair is scored; above, the rows
// are split into lists around spherical k-means centroids (≈ 256 rows a
// list, fixed seeding, so the same vectors give the same graph) and a row
// is compared with the rows of its 16 nearest lists only, so the cost
// grows with n×(n/256 + 16×256) instead of n²: a neighbour in a farther
// list is missed, which for groups of alike vectors (faces of one person)
// is rare, since they share their nearest centroids.
func (x *Index) NeighbourGraph(ctx context.Context, threshold float32, k int, skip func(a, b int64) bool, progress Progress) (*Graph, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if progress == nil {
		progress = func(int, int) {}
	}
	n := len(x.ids)
	g := &Graph{IDs: slices.Clone(x.ids), Start: make([]int32, n+1)}
	if n == 0 || k <= 0 {
		return g, nil
	}
	nlist := 1
	if n >= exactGraphBelow {
		nlist = n / graphListRows
	}
	lists, cent := x.ivf(nlist)
	cstride := x.stride
	probe := min(graphProbe, nlist)

	nb := make([]int32, n*k)
	sim := make([]float32, n*k)
	cnt := make([]int32, n)
	t := max(1, x.threadsOr(runtime.NumCPU()))
	var next, done atomic.Int64
	var pmu sync.Mutex
	const chunk = 256
	run(t, func(int) {
		cs := make([]float32, nlist)
		var pos []int32
		var scores, keptS []float32
		var keptR []int64
		order := make([]int, nlist)
		for {
			lo := int(next.Add(chunk) - chunk)
			if lo >= n || ctx.Err() != nil {
				return
			}
			for r := lo; r < min(lo+chunk, n); r++ {
				q := x.data[r*x.stride : (r+1)*x.stride]
				pos = pos[:0]
				if nlist == 1 {
					pos = append(pos, lists[0]...)
				} else {
					dotBlock(q, cent, cstride, nlist, cs)
					for i := range order {
						order[i] = i
					}
					// The probe best lists, by partial selection.
					for p := range probe {
						b := p
						for i := p + 1; i < nlist; i++ {
							if cs[order[i]] > cs[order[b]] {
								b = i
							}
						}
						order[p], order[b] = order[b], order[p]
						pos = append(pos, lists[order[p]]...)
					}
				}
				if cap(scores) < len(pos) {
					scores = make([]float32, len(pos))
				}
				scores = scores[:len(pos)]
				dotGather(q, x.data, x.stride, pos, scores)
				keptS, keptR = keptS[:0], keptR[:0]
				for i, p := range pos {
					s := scores[i]
					if int(p) == r || !(s >= threshold) {
						continue
					}
					if skip != nil && skip(x.ids[r], x.ids[p]) {
						continue
					}
					keptS, keptR = append(keptS, s), append(keptR, int64(p))
				}
				tk := topk{k: k}
				tk.offer(keptS, keptR, nil)
				hs := merge([]topk{tk}, k)
				for i, h := range hs {
					nb[r*k+i], sim[r*k+i] = int32(h.ID), h.Score
				}
				cnt[r] = int32(len(hs))
			}
			d := done.Add(int64(min(chunk, n-lo)))
			pmu.Lock()
			progress(int(d), n)
			pmu.Unlock()
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Compact the fixed-width rows.
	w := int32(0)
	for r := range n {
		g.Start[r] = w
		c := cnt[r]
		copy(nb[w:], nb[r*k:r*k+int(c)])
		copy(sim[w:], sim[r*k:r*k+int(c)])
		w += c
	}
	g.Start[n] = w
	g.Nb, g.Sim = slices.Clip(nb[:w]), slices.Clip(sim[:w])
	return g, nil
}

// ivf splits the rows into nlist lists around unit centroids trained by
// spherical k-means on a sample (every m-th row, so the same rows give the
// same lists). It returns the lists' row numbers and the centroids, one
// per x.stride floats. Caller holds the read lock.
func (x *Index) ivf(nlist int) ([][]int32, []float32) {
	n := len(x.ids)
	if nlist <= 1 {
		all := make([]int32, n)
		for i := range all {
			all[i] = int32(i)
		}
		return [][]int32{all}, nil
	}
	sample := min(n, nlist*kmeansSample)
	step := n / sample
	cent := alignedFloats(nlist * x.stride)
	for c := range nlist { // seeds spread over the sample
		r := (c * sample / nlist) * step
		copy(cent[c*x.stride:(c+1)*x.stride], x.data[r*x.stride:(r+1)*x.stride])
	}
	assign := func(rows func(i int) int, m int) []int32 {
		out := make([]int32, m)
		t := max(1, min(x.threadsOr(runtime.NumCPU()), m/1024))
		run(t, func(w int) {
			cs := make([]float32, nlist)
			for i := m * w / t; i < m*(w+1)/t; i++ {
				r := rows(i)
				dotBlock(x.data[r*x.stride:(r+1)*x.stride], cent, x.stride, nlist, cs)
				best := 0
				for c := 1; c < nlist; c++ {
					if cs[c] > cs[best] {
						best = c
					}
				}
				out[i] = int32(best)
			}
		})
		return out
	}
	sampled := func(i int) int { return i * step }
	sum := make([]float64, nlist*x.dim)
	for range kmeansRounds {
		a := assign(sampled, sample)
		clear(sum)
		for i, c := range a {
			r := sampled(i)
			row := x.data[r*x.stride : r*x.stride+x.dim]
			s := sum[int(c)*x.dim : (int(c)+1)*x.dim]
			for j, v := range row {
				s[j] += float64(v)
			}
		}
		for c := range nlist {
			s := sum[c*x.dim : (c+1)*x.dim]
			var norm float64
			for _, v := range s {
				norm += v * v
			}
			if norm == 0 {
				continue // an empty list keeps its centroid
			}
			inv := 1 / math.Sqrt(norm)
			for j, v := range s {
				cent[c*x.stride+j] = float32(v * inv)
			}
		}
	}
	a := assign(func(i int) int { return i }, n)
	lists := make([][]int32, nlist)
	for r, c := range a {
		lists[c] = append(lists[c], int32(r))
	}
	return lists, cent
}
