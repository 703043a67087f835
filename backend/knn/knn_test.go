package knn

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"
)

func randVecs(r *rand.Rand, n, dim int) [][]float32 {
	out := make([][]float32, n)
	for i := range out {
		v := make([]float32, dim)
		var s float64
		for j := range v {
			v[j] = float32(r.NormFloat64())
			s += float64(v[j]) * float64(v[j])
		}
		for j := range v {
			v[j] /= float32(math.Sqrt(s))
		}
		out[i] = v
	}
	return out
}

type ref struct {
	id    int64
	score float64
}

// brute is the reference: float64 dot products over the allowed ids.
func brute(vecs map[int64][]float32, q []float32, allow func(int64) bool) []ref {
	var out []ref
	for id, v := range vecs {
		if allow != nil && !allow(id) {
			continue
		}
		var s float64
		for j := range v {
			s += float64(v[j]) * float64(q[j])
		}
		out = append(out, ref{id, s})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].score > out[j].score || (out[i].score == out[j].score && out[i].id < out[j].id)
	})
	return out
}

// checkExact fails unless hits are the top k of truth: the right count,
// sorted, scores within 1e-5, and every id clearly (by > 1e-5) inside the
// true top k present.
func checkExact(t *testing.T, hits []Hit, truth []ref, k int) {
	t.Helper()
	want := min(k, len(truth))
	if len(hits) != want {
		t.Fatalf("got %d hits, want %d", len(hits), want)
	}
	if want == 0 {
		return
	}
	got := map[int64]float32{}
	for i, h := range hits {
		if i > 0 && h.Score > hits[i-1].Score {
			t.Fatalf("hits not sorted at %d: %v > %v", i, h.Score, hits[i-1].Score)
		}
		got[h.ID] = h.Score
	}
	if len(got) != len(hits) {
		t.Fatalf("duplicate ids in %v", hits)
	}
	border := truth[want-1].score
	for _, r := range truth[:want] {
		s, ok := got[r.id]
		if !ok {
			if r.score > border+1e-5 {
				t.Fatalf("id %d (score %.6f, border %.6f) missing", r.id, r.score, border)
			}
			continue
		}
		if math.Abs(float64(s)-r.score) > 1e-5 {
			t.Fatalf("id %d score %v, want %v", r.id, s, r.score)
		}
	}
}

func build(dim int, vecs [][]float32) (*Index, map[int64][]float32) {
	x := New(dim)
	m := map[int64][]float32{}
	for i, v := range vecs {
		id := int64(i*7 + 3) // sparse ids
		x.Add(id, v)
		m[id] = v
	}
	return x, m
}

func TestExact(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n, dim, k int
		threads   int
		portable  bool
	}{
		{"512d 20k", 20000, 512, 50, 0, false},
		{"512d 20k 4 threads", 20000, 512, 50, 4, false},
		{"512d 20k portable", 20000, 512, 50, 0, true},
		{"dim 7", 3000, 7, 10, 0, false},
		{"dim 768", 5000, 768, 50, 0, false},
		{"dim 1152", 3000, 1152, 25, 0, false},
		{"dim 1 k=1", 100, 1, 1, 0, false},
		{"k > n", 30, 33, 100, 0, false},
		{"empty", 0, 16, 5, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			SetPortableKernel(tc.portable)
			defer SetPortableKernel(false)
			r := rand.New(rand.NewPCG(1, uint64(tc.n*tc.dim)))
			x, m := build(tc.dim, randVecs(r, tc.n, tc.dim))
			x.SetThreads(tc.threads)
			if x.Len() != tc.n {
				t.Fatalf("Len %d, want %d", x.Len(), tc.n)
			}
			for _, q := range randVecs(r, 5, tc.dim) {
				checkExact(t, x.Search(q, tc.k, nil), brute(m, q, nil), tc.k)
			}
		})
	}
}

func TestFilters(t *testing.T) {
	const n, dim, k = 12000, 64, 50
	r := rand.New(rand.NewPCG(2, 2))
	x, m := build(dim, randVecs(r, n, dim))
	q := randVecs(r, 1, dim)[0]
	var all []int64
	for id := range m {
		all = append(all, id)
	}
	slices.Sort(all)
	for _, keep := range []int{0, 1, 10, 49, 50, 51, 1200, n} {
		t.Run("", func(t *testing.T) {
			perm := r.Perm(n)[:keep]
			set := map[int64]bool{}
			var ids []int64
			for _, p := range perm {
				set[all[p]] = true
				ids = append(ids, all[p])
			}
			allow := func(id int64) bool { return set[id] }
			truth := brute(m, q, allow)
			checkExact(t, x.Search(q, k, allow), truth, k)
			checkExact(t, x.SearchIDs(q, k, ids), truth, k)
			// Duplicates and unknown ids change nothing.
			noisy := append(slices.Clone(ids), ids...)
			noisy = append(noisy, -1, 1<<40)
			checkExact(t, x.SearchIDs(q, k, noisy), truth, k)
		})
	}
	// An adversarial filter: allow only the worst-scoring rows.
	truth := brute(m, q, nil)
	worst := map[int64]bool{}
	for _, r := range truth[len(truth)-20:] {
		worst[r.id] = true
	}
	allow := func(id int64) bool { return worst[id] }
	checkExact(t, x.Search(q, k, allow), brute(m, q, allow), k)
}

func TestAddReplaceRemove(t *testing.T) {
	x := New(3)
	x.Add(1, []float32{1, 0, 0})
	x.Add(2, []float32{0, 1, 0})
	x.Add(3, []float32{0, 0, 1})
	q := []float32{0, 0.6, 0.8}
	if h := x.Search(q, 1, nil); h[0].ID != 3 {
		t.Fatalf("got %v", h)
	}
	x.Add(3, []float32{1, 0, 0}) // replace
	if x.Len() != 3 {
		t.Fatalf("Len %d after replace", x.Len())
	}
	h := x.Search(q, 3, nil)
	if h[0].ID != 2 || h[0].Score != 0.6 || h[1].ID != 1 || h[2].ID != 3 || h[2].Score != 0 {
		t.Fatalf("after replace: %v", h)
	}
	x.Remove(2)
	x.Remove(42) // unknown: no-op
	if x.Len() != 2 {
		t.Fatalf("Len %d after remove", x.Len())
	}
	h = x.Search(q, 5, nil)
	if len(h) != 2 || h[0].ID != 1 || h[1].ID != 3 { // equal scores: lower id first
		t.Fatalf("after remove: %v", h)
	}
	if h := x.SearchIDs(q, 5, []int64{2, 3}); len(h) != 1 || h[0].ID != 3 {
		t.Fatalf("SearchIDs after remove: %v", h)
	}
	x.Remove(1)
	x.Remove(3)
	if h := x.Search(q, 5, nil); len(h) != 0 || x.Len() != 0 {
		t.Fatalf("empty index: %v", h)
	}
	x.Add(9, []float32{0, 1, 0})
	if h := x.Search(q, 5, nil); len(h) != 1 || h[0].ID != 9 {
		t.Fatalf("re-add: %v", h)
	}
}

// Many removes and re-adds keep the index equal to a plain map.
func TestChurn(t *testing.T) {
	const dim = 24
	r := rand.New(rand.NewPCG(3, 3))
	x := New(dim)
	m := map[int64][]float32{}
	for range 20000 {
		id := int64(r.IntN(3000))
		if r.IntN(3) == 0 {
			x.Remove(id)
			delete(m, id)
		} else {
			v := randVecs(r, 1, dim)[0]
			x.Add(id, v)
			m[id] = v
		}
	}
	if x.Len() != len(m) {
		t.Fatalf("Len %d, want %d", x.Len(), len(m))
	}
	for _, q := range randVecs(r, 5, dim) {
		checkExact(t, x.Search(q, 40, nil), brute(m, q, nil), 40)
	}
}

func TestConcurrent(t *testing.T) {
	const dim = 128
	r := rand.New(rand.NewPCG(4, 4))
	vecs := randVecs(r, 12000, dim)
	x, _ := build(dim, vecs[:9000])
	qs := randVecs(r, 8, dim)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				q := qs[(g+i)%len(qs)]
				var h []Hit
				if i%2 == 0 {
					h = x.Search(q, 20, func(id int64) bool { return id%2 == 1 })
				} else {
					h = x.SearchIDs(q, 20, []int64{3, 10, 17, 24, 31})
				}
				if len(h) == 0 {
					t.Error("no hits")
					return
				}
			}
		}()
	}
	for i, v := range vecs[9000:] {
		x.Add(int64(100000+i), v)
		if i%3 == 0 {
			x.Remove(int64(i*7 + 3))
		}
	}
	wg.Wait()
}

func TestPortableMatchesFast(t *testing.T) {
	if !haveAVX2Kernel() {
		t.Skip("no AVX2 kernel on this machine/build")
	}
	r := rand.New(rand.NewPCG(5, 5))
	for _, dim := range []int{7, 16, 512, 768, 1152} {
		x, _ := build(dim, randVecs(r, 2000, dim))
		q := x.query(randVecs(r, 1, dim)[0])
		n := len(x.ids)
		fastOut, slowOut := make([]float32, n), make([]float32, n)
		gFast, gSlow := make([]float32, 500), make([]float32, 500)
		pos := make([]int32, 500)
		for i := range pos {
			pos[i] = int32(r.IntN(n))
		}
		dotBlock(q, x.data, x.stride, n, fastOut)
		dotGather(q, x.data, x.stride, pos, gFast)
		SetPortableKernel(true)
		dotBlock(q, x.data, x.stride, n, slowOut)
		dotGather(q, x.data, x.stride, pos, gSlow)
		SetPortableKernel(false)
		for i := range fastOut {
			if d := math.Abs(float64(fastOut[i] - slowOut[i])); d > 1e-5 {
				t.Fatalf("dim %d row %d: avx2 %v portable %v", dim, i, fastOut[i], slowOut[i])
			}
		}
		for i := range gFast {
			if math.Abs(float64(gFast[i]-fastOut[pos[i]])) > 1e-6 || math.Abs(float64(gSlow[i]-slowOut[pos[i]])) > 1e-6 {
				t.Fatalf("dim %d: gather differs from block at %d", dim, i)
			}
		}
	}
}

func TestAlignment(t *testing.T) {
	for _, dim := range []int{1, 7, 512, 1152} {
		x, _ := build(dim, randVecs(rand.New(rand.NewPCG(6, 6)), 3000, dim))
		if p := uintptr(unsafe_ptr(x.data)); p%64 != 0 || x.stride*4%64 != 0 {
			t.Fatalf("dim %d: data at %#x stride %d", dim, p, x.stride)
		}
	}
}

func TestPanics(t *testing.T) {
	x := New(4)
	for name, f := range map[string]func(){
		"add":    func() { x.Add(1, []float32{1}) },
		"search": func() { x.Search([]float32{1}, 3, nil) },
		"new":    func() { New(0) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
	if h := x.Search(make([]float32, 4), 0, nil); h != nil {
		t.Fatalf("k=0: %v", h)
	}
}

func TestReserveAddRows(t *testing.T) {
	const dim = 20
	r := rand.New(rand.NewPCG(3, 3))
	vecs := randVecs(r, 300, dim)
	want := map[int64][]float32{}
	x := New(dim)
	x.Reserve(250)
	// Runs of 64 rows, as a store walk hands them over; ids 0..49 come twice.
	var ids []int64
	var flat []float32
	flush := func() {
		x.AddRows(ids, flat)
		ids, flat = ids[:0], flat[:0]
	}
	for i, v := range vecs {
		id := int64(i % 250)
		ids = append(ids, id)
		flat = append(flat, v...)
		want[id] = v
		if len(ids) == 64 {
			flush()
		}
	}
	flush()
	if x.Len() != 250 {
		t.Fatalf("Len %d, want 250", x.Len())
	}
	for id, v := range want {
		if got, ok := x.Vector(id); !ok || !slices.Equal(got, v) {
			t.Fatalf("vector %d differs", id)
		}
	}
	q := randVecs(r, 1, dim)[0]
	checkExact(t, x.Search(q, 50, nil), brute(want, q, nil), 50)
	defer func() {
		if recover() == nil {
			t.Error("AddRows with a short vector did not panic")
		}
	}()
	x.AddRows([]int64{1}, make([]float32, dim-1))
}
