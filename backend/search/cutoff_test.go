package search

import "testing"

func TestCutoff(t *testing.T) {
	cases := []struct {
		name   string
		scores []float64
		want   int
	}{
		{"empty", nil, 0},
		{"one", []float64{0.3}, 1},
		{"clear gap after three", []float64{0.31, 0.305, 0.30, 0.22, 0.219, 0.218, 0.217, 0.216, 0.215, 0.214}, 3},
		{"gap after one", []float64{0.9, 0.5, 0.49, 0.48, 0.47, 0.46}, 1},
		{"smooth decline uses z-score", []float64{0.40, 0.39, 0.38, 0.37, 0.36, 0.35, 0.34, 0.33, 0.32, 0.31, 0.30, 0.29}, 1},
		{"all equal", []float64{0.2, 0.2, 0.2, 0.2}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Cutoff(c.scores); got != c.want {
				t.Errorf("Cutoff(%v) = %d, want %d", c.scores, got, c.want)
			}
		})
	}
}

func TestRobustStats(t *testing.T) {
	// Five matches among twenty-five others must not drag the spread up.
	xs := []float64{0.99, 0.98, 0.99, 0.97, 0.99}
	for i := 0; i < 25; i++ {
		xs = append(xs, 0.1+0.01*float64(i%5))
	}
	st := robustStats(xs)
	if z := (0.99 - st.mean) / st.sd; z < 10 {
		t.Errorf("robust z of a match = %.1f (median %.3f, sd %.3f)", z, st.mean, st.sd)
	}
}
