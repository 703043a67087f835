package knn

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// planted returns n random unit vectors, the first dups of which have a
// near-copy appended (cosine drawn in [lo, hi]), and the planted pairs as
// index pairs.
func planted(r *rand.Rand, n, dups, dim int, lo, hi float64) ([][]float32, [][2]int) {
	vecs := randVecs(r, n, dim)
	var pairs [][2]int
	for i := range dups {
		c := lo + (hi-lo)*r.Float64()
		eps := math.Sqrt(1/(c*c) - 1)
		// v + eps·u with u a unit vector orthogonal to v has cosine c.
		u := randVecs(r, 1, dim)[0]
		var d float64
		for j := range u {
			d += float64(u[j]) * float64(vecs[i][j])
		}
		var s float64
		w := make([]float32, dim)
		for j := range u {
			x := float64(u[j]) - d*float64(vecs[i][j])
			w[j] = float32(x)
			s += x * x
		}
		var s2 float64
		for j := range w {
			w[j] = vecs[i][j] + float32(eps*float64(w[j])/math.Sqrt(s))
			s2 += float64(w[j]) * float64(w[j])
		}
		for j := range w {
			w[j] /= float32(math.Sqrt(s2))
		}
		pairs = append(pairs, [2]int{i, len(vecs)})
		vecs = append(vecs, w)
	}
	return vecs, pairs
}

func cos64(a, b []float32) float64 {
	var s float64
	for j := range a {
		s += float64(a[j]) * float64(b[j])
	}
	return s
}

// TestNearPairsMatchesBruteForce compares the hashed pairs with every pair
// scored in float64: the same pairs above the threshold (ignoring those
// within 1e-5 of it, where float32 rounding decides), every planted one
// among them.
func TestNearPairsMatchesBruteForce(t *testing.T) {
	const dim, threshold = 128, 0.98
	r := rand.New(rand.NewPCG(19, 1))
	vecs, plantedPairs := planted(r, 1700, 300, dim, 0.981, 0.9995)
	x := New(dim)
	for i, v := range vecs {
		x.Add(int64(i+1), v)
	}
	if x.Len() < exactPairsBelow {
		t.Fatalf("%d vectors take the exact path; the test needs the hashed one", x.Len())
	}
	got, err := x.NearPairs(context.Background(), threshold, nil)
	if err != nil {
		t.Fatal(err)
	}
	have := map[[2]int64]float32{}
	for _, p := range got {
		k := [2]int64{p.A, p.B}
		if p.A >= p.B {
			t.Fatalf("pair %v not ordered", p)
		}
		if _, dup := have[k]; dup {
			t.Fatalf("pair %v reported twice", p)
		}
		have[k] = p.Score
	}
	want := 0
	for i := range vecs {
		for j := i + 1; j < len(vecs); j++ {
			s := cos64(vecs[i], vecs[j])
			if math.Abs(s-threshold) < 1e-5 {
				continue
			}
			k := [2]int64{int64(i + 1), int64(j + 1)}
			g, ok := have[k]
			if s > threshold {
				want++
				if !ok {
					t.Errorf("pair %v (cosine %.5f) missed", k, s)
				} else if math.Abs(float64(g)-s) > 1e-5 {
					t.Errorf("pair %v scored %.6f, want %.6f", k, g, s)
				}
			} else if ok {
				t.Errorf("pair %v (cosine %.5f) reported below the threshold", k, s)
			}
		}
	}
	if want < len(plantedPairs) {
		t.Fatalf("only %d true pairs, fewer than the %d planted", want, len(plantedPairs))
	}
	for _, p := range plantedPairs {
		if _, ok := have[[2]int64{int64(p[0] + 1), int64(p[1] + 1)}]; !ok {
			t.Errorf("planted pair %v missed", p)
		}
	}
}

// TestNearPairsSmallIsExact: below the hashing size every pair is scored.
func TestNearPairsSmallIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 3))
	vecs, pp := planted(r, 100, 20, 32, 0.95, 0.999)
	x := New(32)
	for i, v := range vecs {
		x.Add(int64(i+1), v)
	}
	got, err := x.NearPairs(context.Background(), 0.95, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := range vecs {
		for j := i + 1; j < len(vecs); j++ {
			if cos64(vecs[i], vecs[j]) >= 0.95+1e-5 {
				n++
			}
		}
	}
	if len(got) != n || n < len(pp) {
		t.Fatalf("got %d pairs, brute force %d (planted %d)", len(got), n, len(pp))
	}
}
