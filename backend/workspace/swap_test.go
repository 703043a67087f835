package workspace

import (
	"context"
	"fmt"
	"image/color"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/testutil"
)

// TestModelSwapUnderLoad switches the library's model back and forth while
// searches and an index job run (go test -race checks the swap): every
// search finishes on the model it started with, none fails, the job ends,
// and afterwards searches use the last model chosen.
func TestModelSwapUnderLoad(t *testing.T) {
	repo := testutil.RepoRoot(t)
	t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
	colour := filepath.Join(repo, "models", "testmodels", "colour")
	other := filepath.Join(repo, "models", "testmodels", "colour-int64")
	old := RetireAfter
	RetireAfter = 200 * time.Millisecond
	defer func() { RetireAfter = old }()

	root := t.TempDir()
	for i := 0; i < 30; i++ {
		c := color.RGBA{uint8(200 - i), 20, uint8(i * 8), 255}
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("p%02d.png", i)), testutil.PNG(t, testutil.Solid(32, 32, c)))
	}
	ctx := context.Background()
	ws, err := Open(ctx, root, true, ModelOptions{Model: colour, ModelsDir: t.TempDir()}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, _, err := ws.Index(ctx, library.ScanOptions{ThumbSize: 64}, true); err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				st := ws.Now()
				// A new text each time: the service caches text vectors, and
				// each search must reach the model's engine.
				if _, err := st.Search.Search(ctx, fmt.Sprintf("red %d %d", g, n), search.Options{Limit: 5}); err != nil {
					errs <- fmt.Errorf("search on %s: %w", st.Model.Dir, err)
					return
				}
			}
		}(g)
	}
	wg.Add(1)
	go func() { // an index job across the swaps
		defer wg.Done()
		if _, _, err := ws.Index(ctx, library.ScanOptions{ThumbSize: 64}, true); err != nil {
			errs <- fmt.Errorf("index: %w", err)
		}
	}()
	for i := 0; i < 6; i++ {
		next := other
		if i%2 == 1 {
			next = colour
		}
		if err := ws.SetModel(ctx, next); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := ws.Now().Model.Dir; got != colour {
		t.Errorf("model after the swaps: %s, want %s", got, colour)
	}
	// The last model searches, with its own vectors (embedding them first).
	if _, _, err := ws.Index(ctx, library.ScanOptions{}, true); err != nil {
		t.Fatal(err)
	}
	res, err := ws.Now().Search.Search(ctx, "red", search.Options{Limit: 3})
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("search after the swaps: %+v %v", res, err)
	}
	if m := ws.Now().Search.Model(); m.ID != ws.Now().StoreModel.ID {
		t.Errorf("search service on model %d, store model %d", m.ID, ws.Now().StoreModel.ID)
	}
}
