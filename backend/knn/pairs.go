package knn

import (
	"context"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// Pair is two vectors at least a threshold alike (A < B).
type Pair struct {
	A, B  int64
	Score float32
}

// Progress reports work done out of total; it may be called from several
// goroutines, one call at a time.
type Progress func(done, total int)

const (
	lshTables = 20 // hash tables; a true pair is missed only if it misses all
	// exactPairsBelow: with fewer rows every pair is scored (costs less
	// than hashing, and is exact).
	exactPairsBelow = 512
)

// NearPairs returns every pair of vectors whose score is at least
// threshold, meant for high thresholds (near-duplicates, ≥ 0.9). A scan per
// vector would cost n² dot products; instead, random-hyperplane hashing
// (SimHash, fixed seed) puts each vector in one bucket per table, and only
// vectors sharing a bucket in some table, with sketches that differ in few
// bits, are scored exactly. The number of bits per table is chosen so that
// a pair exactly at the threshold shares a bucket in one table with
// probability ≈ 0.45, so it is missed by all 20 with probability ≈ 1e-5
// (less for closer pairs); a missed pair inside a group is usually joined
// through its other members anyway. The order of the pairs is unspecified.
func (x *Index) NearPairs(ctx context.Context, threshold float32, progress Progress) ([]Pair, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if progress == nil {
		progress = func(int, int) {}
	}
	n := len(x.ids)
	if n < exactPairsBelow {
		return x.allPairs(threshold), ctx.Err()
	}
	return x.hashedPairs(ctx, threshold, progress)
}

// allPairs scores every pair. Caller holds the read lock.
func (x *Index) allPairs(threshold float32) []Pair {
	var out []Pair
	n := len(x.ids)
	scores := make([]float32, n)
	for i := 0; i+1 < n; i++ {
		m := n - i - 1
		dotBlock(x.data[i*x.stride:(i+1)*x.stride], x.data[(i+1)*x.stride:n*x.stride], x.stride, m, scores)
		for j, s := range scores[:m] {
			if s >= threshold {
				out = append(out, pair(x.ids[i], x.ids[i+1+j], s))
			}
		}
	}
	return out
}

func pair(a, b int64, s float32) Pair {
	if a > b {
		a, b = b, a
	}
	return Pair{a, b, s}
}

// lshBits is how many hyperplanes make one table's key: enough that random
// pairs rarely share a bucket, few enough that a pair at the threshold
// shares one with probability ≈ 0.45 per table. A hyperplane separates two
// vectors at angle θ with probability θ/π.
func lshBits(threshold float32) int {
	t := min(max(float64(threshold), -1), 0.9999)
	p := 1 - math.Acos(t)/math.Pi
	return min(max(int(math.Round(math.Log(0.45)/math.Log(p))), 4), 12)
}

type sketch [4]uint64 // lshTables×bits ≤ 240 sign bits

func (s *sketch) key(t, b int) uint32 {
	off := t * b
	w, sh := off/64, off%64
	k := s[w] >> sh
	if sh+b > 64 {
		k |= s[w+1] << (64 - sh)
	}
	return uint32(k & (1<<b - 1))
}

func hamming(a, b *sketch) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) + bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// hashedPairs is NearPairs over buckets. Caller holds the read lock.
func (x *Index) hashedPairs(ctx context.Context, threshold float32, progress Progress) ([]Pair, error) {
	n := len(x.ids)
	nb := lshBits(threshold)
	planes := lshTables * nb
	// Gaussian hyperplanes from a fixed seed: the same library always
	// hashes the same way, and tests can reproduce a run.
	r := rand.New(rand.NewPCG(0x7461677369676874, uint64(x.dim)))
	pm := alignedFloats(planes * x.stride)
	for p := range planes {
		for j := range x.dim {
			pm[p*x.stride+j] = float32(r.NormFloat64())
		}
	}
	// Sketches differ in Bin(bits, θ/π) bits; for a pair at the threshold
	// more than 8 standard deviations above that mean never happens in
	// practice, while unrelated vectors differ in about half of them.
	f := math.Acos(min(max(float64(threshold), -1), 1)) / math.Pi
	others := float64(planes - nb) // the bucket's own bits are equal
	maxHam := int(math.Ceil(others*f+8*math.Sqrt(others*f*(1-f)))) + 2

	total := n + lshTables*n
	var done atomic.Int64
	var pmu sync.Mutex
	tell := func(d int) {
		v := done.Add(int64(d))
		pmu.Lock()
		progress(int(v), total)
		pmu.Unlock()
	}

	sk := make([]sketch, n)
	t := max(1, min(runtime.NumCPU(), x.threadsOr(runtime.NumCPU())))
	run(t, func(w int) {
		lo, hi := n*w/t, n*(w+1)/t
		out := make([]float32, planes)
		for i := lo; i < hi; i++ {
			if (i-lo)%4096 == 4095 {
				if ctx.Err() != nil {
					return
				}
				tell(4096)
			}
			dotBlock(x.data[i*x.stride:(i+1)*x.stride], pm, x.stride, planes, out)
			var s sketch
			for p, v := range out {
				if v >= 0 {
					s[p/64] |= 1 << (p % 64)
				}
			}
			sk[i] = s
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	done.Store(int64(n))

	found := make([][]Pair, lshTables)
	var next atomic.Int64
	run(t, func(int) {
		order := make([]int32, n)
		start := make([]int32, 1<<nb+1)
		pos := make([]int32, 0, 64)
		scores := make([]float32, 64)
		for {
			tb := int(next.Add(1) - 1)
			if tb >= lshTables || ctx.Err() != nil {
				return
			}
			// Counting sort of the rows by this table's key.
			clear(start)
			for i := range sk {
				start[sk[i].key(tb, nb)+1]++
			}
			for k := 1; k < len(start); k++ {
				start[k] += start[k-1]
			}
			fill := append([]int32(nil), start[:len(start)-1]...)
			for i := range sk {
				k := sk[i].key(tb, nb)
				order[fill[k]] = int32(i)
				fill[k]++
			}
			var out []Pair
			for k := 0; k+1 < len(start); k++ {
				bucket := order[start[k]:start[k+1]]
				for ai, a := range bucket {
					pos = pos[:0]
					for _, b := range bucket[ai+1:] {
						if hamming(&sk[a], &sk[b]) > maxHam || x.sharedEarlier(&sk[a], &sk[b], tb, nb) {
							continue
						}
						pos = append(pos, b)
					}
					if len(pos) == 0 {
						continue
					}
					if cap(scores) < len(pos) {
						scores = make([]float32, len(pos))
					}
					dotGather(x.data[int(a)*x.stride:(int(a)+1)*x.stride], x.data, x.stride, pos, scores)
					for i, b := range pos {
						if scores[i] >= threshold {
							out = append(out, pair(x.ids[a], x.ids[b], scores[i]))
						}
					}
				}
			}
			found[tb] = out
			tell(n)
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var all []Pair
	for _, f := range found {
		all = append(all, f...)
	}
	return all, nil
}

// sharedEarlier reports whether two rows already shared a bucket in a
// table before tb, where that table reported them: each pair is scored
// and reported once.
func (x *Index) sharedEarlier(a, b *sketch, tb, nb int) bool {
	for t := range tb {
		if a.key(t, nb) == b.key(t, nb) {
			return true
		}
	}
	return false
}

func (x *Index) threadsOr(def int) int {
	if x.threads > 0 {
		return x.threads
	}
	return def
}
