// Package knn is the hot, in-memory copy of a model's vectors that serves
// exact nearest-neighbour search: a contiguous float32 matrix scanned by a
// SIMD dot-product kernel on every core, with a per-goroutine top-k.
//
// It is not the store of record (SQLite/sqlite-vec is: package store's
// ForEachVector reads it into an index with Reserve and AddRows). Search
// is not approximate: every candidate row is scored, so recall is 1.0 and
// the cost is one pass over the data, close to the memory-bandwidth floor.
// The all-against-all questions are: NearPairs (hashing, for high
// thresholds) and NeighbourGraph (k-means lists) score only likely
// candidates, since n full passes would cost n².
// Scores are dot products, i.e. cosine similarities for L2-normalised vectors.
package knn

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"unsafe"
)

// Hit is one search result.
type Hit struct {
	ID    int64
	Score float32 // dot product = cosine similarity for normalised vectors
}

// Index holds vectors of one dimension keyed by id. Search and SearchIDs
// may run concurrently with each other; Add and Remove take a write lock
// and wait for running searches.
type Index struct {
	mu      sync.RWMutex
	dim     int
	stride  int // floats per row: dim rounded up to 16, so each row is 64-byte aligned; padding is zero
	ids     []int64
	pos     map[int64]int32
	data    []float32 // len = cap(ids)*stride, 64-byte aligned
	threads int       // 0 = runtime.NumCPU()
}

const (
	blockRows        = 1024 // rows per kernel (cgo) call
	minRowsPerThread = 4096 // below this a goroutine costs more than it saves
)

// New returns an empty index for dim-dimensional vectors.
func New(dim int) *Index {
	if dim <= 0 {
		panic(fmt.Sprintf("knn: dimension %d", dim))
	}
	return &Index{dim: dim, stride: (dim + 15) &^ 15, pos: map[int64]int32{}}
}

// Dim is the vector dimension.
func (x *Index) Dim() int { return x.dim }

// Len is the number of vectors held.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// SetThreads caps the goroutines one search uses; 0 means runtime.NumCPU().
func (x *Index) SetThreads(n int) {
	x.mu.Lock()
	x.threads = max(n, 0)
	x.mu.Unlock()
}

// alignedFloats returns n zeroed float32s starting on a 64-byte boundary.
// The Go heap does not move objects, so the alignment holds for its life.
func alignedFloats(n int) []float32 {
	buf := make([]float32, n+16)
	off := int((64-uintptr(unsafe.Pointer(&buf[0]))&63)&63) / 4
	return buf[off : off+n : off+n]
}

// reserve makes room for at least rows rows. Caller holds the write lock.
func (x *Index) reserve(rows int) {
	if rows <= cap(x.ids) {
		return
	}
	data := alignedFloats(rows * x.stride)
	copy(data, x.data[:len(x.ids)*x.stride])
	ids := make([]int64, len(x.ids), rows)
	copy(ids, x.ids)
	x.data, x.ids = data, ids
}

// Add stores v under id, replacing any vector id already had.
// It panics if len(v) is not the index's dimension.
func (x *Index) Add(id int64, v []float32) {
	if len(v) != x.dim {
		panic(fmt.Sprintf("knn: Add of a %d-d vector to a %d-d index", len(v), x.dim))
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	copy(x.row(x.slot(id)), v)
}

// Reserve makes room for at least rows vectors in all, so that loading a
// known number of them copies nothing while growing.
func (x *Index) Reserve(rows int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.reserve(rows)
}

// AddRows stores ids[i]'s vector, vecs[i*dim:(i+1)*dim], for every i,
// replacing any vector an id already had. It panics if len(vecs) is not
// len(ids)×dim.
func (x *Index) AddRows(ids []int64, vecs []float32) {
	if len(vecs) != len(ids)*x.dim {
		panic(fmt.Sprintf("knn: AddRows of %d floats for %d %d-d vectors", len(vecs), len(ids), x.dim))
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, id := range ids {
		copy(x.row(x.slot(id)), vecs[i*x.dim:(i+1)*x.dim])
	}
}

// slot returns the row for id, appending one if id is new. Caller holds the write lock.
func (x *Index) slot(id int64) int {
	if p, ok := x.pos[id]; ok {
		return int(p)
	}
	n := len(x.ids)
	if n >= 1<<31-1 {
		panic("knn: index full")
	}
	if n == cap(x.ids) {
		x.reserve(n + n/2 + 1024)
	}
	x.ids = append(x.ids, id)
	x.pos[id] = int32(n)
	return n
}

func (x *Index) row(p int) []float32 { return x.data[p*x.stride : p*x.stride+x.dim] }

// Remove drops id's vector; unknown ids are ignored. The last row moves
// into the hole, so memory stays dense (capacity is kept).
func (x *Index) Remove(id int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	p, ok := x.pos[id]
	if !ok {
		return
	}
	last := len(x.ids) - 1
	if int(p) != last {
		copy(x.data[int(p)*x.stride:(int(p)+1)*x.stride], x.data[last*x.stride:(last+1)*x.stride])
		x.ids[p] = x.ids[last]
		x.pos[x.ids[p]] = p
	}
	clear(x.data[last*x.stride : (last+1)*x.stride])
	x.ids = x.ids[:last]
	delete(x.pos, id)
}

// query copies q into a zero-padded, aligned buffer of stride floats.
func (x *Index) query(q []float32) []float32 {
	if len(q) != x.dim {
		panic(fmt.Sprintf("knn: %d-d query on a %d-d index", len(q), x.dim))
	}
	qq := alignedFloats(x.stride)
	copy(qq, q)
	return qq
}

func (x *Index) nthreads(work int) int {
	t := x.threads
	if t == 0 {
		t = runtime.NumCPU()
	}
	return max(1, min(t, work/minRowsPerThread))
}

// Search returns the k highest-scoring vectors, best first (ties: lower id
// first). allow, when non-nil, restricts the candidates: with a filter that
// matches m entries, Search returns min(k, m) hits. allow is called only for
// rows that would enter the current top k, possibly from several goroutines
// at once, so it must be safe for concurrent use (a map or bitset read is).
// It panics if len(q) is not the index's dimension.
func (x *Index) Search(q []float32, k int, allow func(id int64) bool) []Hit {
	qq := x.query(q)
	if k <= 0 {
		return nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := len(x.ids)
	t := x.nthreads(n)
	parts := make([]topk, t)
	run(t, func(w int) {
		lo, hi := n*w/t, n*(w+1)/t
		parts[w] = x.scan(qq, k, lo, hi, allow)
	})
	return merge(parts, k)
}

// scan scores rows [lo, hi) block by block and keeps the best k.
func (x *Index) scan(q []float32, k, lo, hi int, allow func(int64) bool) topk {
	tk := topk{k: k}
	scores := make([]float32, blockRows)
	for b := lo; b < hi; b += blockRows {
		m := min(blockRows, hi-b)
		dotBlock(q, x.data[b*x.stride:(b+m)*x.stride], x.stride, m, scores)
		tk.offer(scores[:m], x.ids[b:b+m], allow)
	}
	return tk
}

// SearchIDs is Search restricted to the given ids (unknown ids and
// duplicates are ignored). It reads only those rows, so for a small set it
// costs a fraction of a full scan.
func (x *Index) SearchIDs(q []float32, k int, ids []int64) []Hit {
	qq := x.query(q)
	if k <= 0 || len(ids) == 0 {
		return nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	t := x.nthreads(len(ids))
	parts := make([]topk, t)
	run(t, func(w int) {
		chunk := ids[len(ids)*w/t : len(ids)*(w+1)/t]
		pos := make([]int32, 0, len(chunk))
		for _, id := range chunk {
			if p, ok := x.pos[id]; ok {
				pos = append(pos, p)
			}
		}
		// Ascending rows read memory in order and make duplicates adjacent.
		slices.Sort(pos)
		pos = slices.Compact(pos)
		tk := topk{k: k}
		scores := make([]float32, blockRows)
		rowIDs := make([]int64, blockRows)
		for b := 0; b < len(pos); b += blockRows {
			blk := pos[b:min(b+blockRows, len(pos))]
			dotGather(qq, x.data, x.stride, blk, scores)
			for i, p := range blk {
				rowIDs[i] = x.ids[p]
			}
			tk.offer(scores[:len(blk)], rowIDs[:len(blk)], nil)
		}
		parts[w] = tk
	})
	// The same id in two chunks may appear in two parts; merge drops repeats.
	return merge(parts, k)
}

// run calls f(0..t-1), on t goroutines when t > 1.
func run(t int, f func(w int)) {
	if t == 1 {
		f(0)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < t; w++ {
		wg.Add(1)
		go func() { defer wg.Done(); f(w) }()
	}
	f(0)
	wg.Wait()
}

// worse orders hits: lower score first, then higher id.
func worse(a, b Hit) bool { return a.Score < b.Score || (a.Score == b.Score && a.ID > b.ID) }

// topk keeps the k best hits seen in a min-heap (root = worst kept).
type topk struct {
	k int
	h []Hit
}

func (t *topk) offer(scores []float32, ids []int64, allow func(int64) bool) {
	full := len(t.h) == t.k
	var thr float32
	if full {
		thr = t.h[0].Score
	}
	for i, s := range scores {
		if full && !(s >= thr) { // also drops NaN
			continue
		}
		h := Hit{ids[i], s}
		if full && !worse(t.h[0], h) {
			continue
		}
		if allow != nil && !allow(h.ID) {
			continue
		}
		t.push(h)
		if full = len(t.h) == t.k; full {
			thr = t.h[0].Score
		}
	}
}

func (t *topk) push(h Hit) {
	if len(t.h) < t.k {
		t.h = append(t.h, h)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !worse(t.h[i], t.h[p]) {
				break
			}
			t.h[i], t.h[p] = t.h[p], t.h[i]
			i = p
		}
		return
	}
	t.h[0] = h
	for i, n := 0, len(t.h); ; {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && worse(t.h[c+1], t.h[c]) {
			c++
		}
		if !worse(t.h[c], t.h[i]) {
			break
		}
		t.h[i], t.h[c] = t.h[c], t.h[i]
		i = c
	}
}

// merge joins per-goroutine results: best first, ids unique, at most k.
func merge(parts []topk, k int) []Hit {
	var all []Hit
	for _, p := range parts {
		all = append(all, p.h...)
	}
	slices.SortFunc(all, func(a, b Hit) int {
		switch {
		case worse(b, a):
			return -1
		case worse(a, b):
			return 1
		}
		return 0
	})
	out := all[:0]
	for i, h := range all {
		if i > 0 && h.ID == all[i-1].ID {
			continue
		}
		out = append(out, h)
	}
	if len(out) > k {
		out = out[:k]
	}
	return out
}
