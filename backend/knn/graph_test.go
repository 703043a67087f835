package knn

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// clustered returns groups×per unit vectors: each group's vectors are its
// centre plus noise, so members are ≈ 0.6–0.8 alike and groups ≈ 0.
func clustered(r *rand.Rand, groups, per, dim int) [][]float32 {
	centres := randVecs(r, groups, dim)
	var out [][]float32
	for _, c := range centres {
		for _, nz := range randVecs(r, per, dim) {
			v := make([]float32, dim)
			var s float64
			for j := range v {
				v[j] = c[j] + 0.6*nz[j]
				s += float64(v[j]) * float64(v[j])
			}
			for j := range v {
				v[j] /= float32(math.Sqrt(s))
			}
			out = append(out, v)
		}
	}
	return out
}

// graphRecall builds the graph and compares every row's neighbours with
// brute force in float64 (the true top k above the threshold, same-parity
// ids skipped): every reported neighbour must be a true one with its score,
// and the share of true neighbours found is returned.
func graphRecall(t *testing.T, vecs [][]float32, threshold float32, k int) float64 {
	t.Helper()
	x := New(len(vecs[0]))
	for i, v := range vecs {
		x.Add(int64(i), v)
	}
	skip := func(a, b int64) bool { return a%7 == b%7 } // "the same picture"
	g, err := x.NeighbourGraph(context.Background(), threshold, k, skip, nil)
	if err != nil {
		t.Fatal(err)
	}
	found, want := 0, 0
	for r := range vecs {
		var truth []ref
		for j := range vecs {
			if j == r || skip(int64(r), int64(j)) {
				continue
			}
			if s := cos64(vecs[r], vecs[j]); s >= float64(threshold)+1e-5 {
				truth = append(truth, ref{int64(j), s})
			}
		}
		sort.Slice(truth, func(a, b int) bool { return truth[a].score > truth[b].score })
		// Only neighbours clearly inside the top k must be found.
		kth := -1.0
		if len(truth) > k {
			kth = truth[k].score
			truth = truth[:k]
		}
		nb, sim := g.Neighbours(r)
		if len(nb) > k {
			t.Fatalf("row %d: %d neighbours, k %d", r, len(nb), k)
		}
		got := map[int64]float32{}
		for i, p := range nb {
			id := g.IDs[p]
			s := cos64(vecs[r], vecs[id])
			if math.Abs(float64(sim[i])-s) > 1e-5 || s < float64(threshold)-1e-5 || skip(int64(r), id) {
				t.Fatalf("row %d: neighbour %d scored %.6f, true %.6f", r, id, sim[i], s)
			}
			got[id] = sim[i]
		}
		for _, tr := range truth {
			if tr.score < kth+1e-5 {
				continue
			}
			want++
			if _, ok := got[tr.id]; ok {
				found++
			}
		}
	}
	if want == 0 {
		t.Fatal("no true neighbours: the data tests nothing")
	}
	return float64(found) / float64(want)
}

func TestNeighbourGraphSmallIsExact(t *testing.T) {
	vecs := clustered(rand.New(rand.NewPCG(19, 4)), 40, 20, 32)
	if len(vecs) >= exactGraphBelow {
		t.Fatal("test data too large for the exact path")
	}
	if rc := graphRecall(t, vecs, 0.4, 12); rc != 1 {
		t.Fatalf("recall %.4f on the exact path, want 1", rc)
	}
}

// TestNeighbourGraphLists: above exactGraphBelow rows are compared within
// their nearest lists only; on grouped vectors that finds nearly all.
func TestNeighbourGraphLists(t *testing.T) {
	vecs := clustered(rand.New(rand.NewPCG(19, 5)), 500, 16, 32)
	if len(vecs) < exactGraphBelow {
		t.Fatal("test data too small for the lists")
	}
	if rc := graphRecall(t, vecs, 0.5, 12); rc < 0.99 {
		t.Fatalf("recall %.4f, want ≥ 0.99", rc)
	}
}
