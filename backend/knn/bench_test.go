package knn

import (
	"math/rand/v2"
	"testing"
)

// go test -bench . ./backend/knn (100k × 512: 200 MB)
func BenchmarkSearch100k(b *testing.B) {
	const n, dim = 100000, 512
	r := rand.New(rand.NewPCG(9, 9))
	x := New(dim)
	v := make([]float32, dim)
	for i := range n {
		for j := range v {
			v[j] = float32(r.NormFloat64())
		}
		x.Add(int64(i), v)
	}
	q := randVecs(r, 1, dim)[0]
	ids := make([]int64, 0, n/10)
	for i := 0; i < n; i += 10 {
		ids = append(ids, int64(i))
	}
	for _, tc := range []struct {
		name     string
		threads  int
		portable bool
	}{{"all-threads", 0, false}, {"1-thread", 1, false}, {"portable", 0, true}} {
		b.Run(tc.name, func(b *testing.B) {
			x.SetThreads(tc.threads)
			SetPortableKernel(tc.portable)
			defer SetPortableKernel(false)
			b.SetBytes(int64(n * dim * 4))
			for b.Loop() {
				x.Search(q, 50, nil)
			}
		})
	}
	x.SetThreads(0)
	b.Run("SearchIDs-10pct", func(b *testing.B) {
		for b.Loop() {
			x.SearchIDs(q, 50, ids)
		}
	})
}
