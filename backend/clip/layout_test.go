package clip

import (
	"context"
	"math"
	"sync"
	"testing"
)

// layoutTable is the layout docs/bench/embed-layout.md found cheapest per
// picture (one session, one thread a run, a run per core, batch 8), written
// out here by hand from that page.
var layoutTable = []struct {
	cores int
	want  Layout
}{
	{1, Layout{Sessions: 1, Threads: 1, Runs: 1, Batch: 8}},
	{2, Layout{Sessions: 1, Threads: 1, Runs: 2, Batch: 8}},
	{4, Layout{Sessions: 1, Threads: 1, Runs: 4, Batch: 8}},
	{16, Layout{Sessions: 1, Threads: 1, Runs: 16, Batch: 8}},
}

func TestEngineBuildsLayoutForCores(t *testing.T) {
	initORT(t)
	spec, err := LoadModelDir(testModelDir(t, "colour")) // dynamic batch
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range layoutTable {
		eng := NewEngine(spec, EngineOptions{cores: c.cores})
		if got := eng.Layout(); got != c.want {
			t.Errorf("%d cores: layout %+v, want %+v", c.cores, got, c.want)
		}
		if got := eng.PreferredBatch(); got != c.want.Batch {
			t.Errorf("%d cores: preferred batch %d, want %d", c.cores, got, c.want.Batch)
		}
		if err := eng.LoadVision(); err != nil {
			t.Fatal(err)
		}
		if got := len(eng.visual.sessions); got != c.want.Sessions {
			t.Errorf("%d cores: %d vision sessions, want %d", c.cores, got, c.want.Sessions)
		}
		eng.Close()
	}
}

func TestEngineLayoutOverrides(t *testing.T) {
	eng := NewEngine(&ModelSpec{}, EngineOptions{cores: 2, Layout: Layout{Sessions: 3, Batch: 4}})
	want := Layout{Sessions: 3, Threads: 1, Runs: 2, Batch: 4}
	if got := eng.Layout(); got != want {
		t.Errorf("layout %+v, want %+v", got, want)
	}
	if eng.textThreads != 2 {
		t.Errorf("text tower threads %d, want every core (2)", eng.textThreads)
	}
	if eng = NewEngine(&ModelSpec{}, EngineOptions{cores: 2, Layout: Layout{Threads: 1}}); eng.textThreads != 1 {
		t.Errorf("text tower threads %d, want the 1 asked for", eng.textThreads)
	}
}

// With as many sessions as runs, concurrent runs each get a session of
// their own, and every session gives the same vector.
func TestEngineSessionsShareRuns(t *testing.T) {
	initORT(t)
	spec, err := LoadModelDir(testModelDir(t, "colour"))
	if err != nil {
		t.Fatal(err)
	}
	eng := NewEngine(spec, EngineOptions{Layout: Layout{Sessions: 3, Threads: 1}})
	defer eng.Close()
	if err := eng.LoadVision(); err != nil {
		t.Fatal(err)
	}
	tw := eng.visual
	got := map[int]bool{}
	for i := 0; i < 3; i++ {
		got[tw.acquire()] = true
	}
	if len(got) != 3 {
		t.Errorf("3 runs in flight used sessions %v, want 3 different ones", got)
	}
	for i := 0; i < 3; i++ {
		tw.release(i)
	}
	red, err := spec.Preprocess.Preprocess(solid(50, 30, testColours[0].c))
	if err != nil {
		t.Fatal(err)
	}
	want, err := eng.EmbedImages(context.Background(), [][]float32{red})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	vecs := make([][]float32, 12)
	for i := range vecs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			v, err := eng.EmbedImages(context.Background(), [][]float32{red})
			if err != nil {
				errs <- err
				return
			}
			vecs[i] = v[0]
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i, v := range vecs {
		for j := range v {
			if math.Abs(float64(v[j]-want[0][j])) > 1e-6 {
				t.Fatalf("run %d: vector %v, want %v", i, v, want[0])
			}
		}
	}
}
