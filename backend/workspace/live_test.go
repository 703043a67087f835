package workspace

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/watch"
)

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A library opened without a model shows its pictures (the watcher indexes
// them with thumbnails); when the model turns up, search by meaning lights
// up by itself and the pictures it had get their vectors.
func TestLiveModelTurnsUp(t *testing.T) {
	repo := testutil.RepoRoot(t)
	t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
	modelDir := filepath.Join(t.TempDir(), "later")
	root := t.TempDir()
	ctx := context.Background()
	ws, err := Open(ctx, root, true, ModelOptions{Model: modelDir, ModelsDir: t.TempDir()}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if ws.Now().Model != nil {
		t.Fatal("a model before there is one")
	}
	var mu sync.Mutex
	var changes []store.Changes
	turnedUp := make(chan struct{}, 1)
	live, err := ws.Live(LiveOptions{
		Watch:      watch.Options{Quiet: 100 * time.Millisecond, Stable: 200 * time.Millisecond},
		ModelEvery: 100 * time.Millisecond,
		Changed: func(c store.Changes) {
			mu.Lock()
			changes = append(changes, c)
			mu.Unlock()
		},
		Model: func() { turnedUp <- struct{}{} },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	for i := range 5 {
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("red-%d.png", i)), testutil.PNG(t, testutil.Solid(32, 32, color.RGBA{230, uint8(20 + i), 20, 255})))
	}
	waitUntil(t, "the pictures, without a model", func() bool {
		n, _, _ := ws.Lib.DB.CountEntries(ctx)
		return n == 5
	})
	mu.Lock()
	if len(changes) == 0 {
		t.Error("no Changed call for the new entries")
	}
	mu.Unlock()
	if res, err := ws.Now().Search.Search(ctx, "red", search.Options{Limit: 5}); err == nil && res.Semantic {
		t.Fatal("search by meaning without a model")
	}

	testutil.CopyDir(t, filepath.Join(repo, "models", "testmodels", "colour"), modelDir)
	select {
	case <-turnedUp:
	case <-time.After(60 * time.Second):
		t.Fatal("the model that turned up was not noticed")
	}
	if ws.Now().Model == nil {
		t.Fatal("Model called but no model loaded")
	}
	// What the app does on Model: index, which embeds what was there.
	if _, emb, err := ws.Index(ctx, library.ScanOptions{}, true); err != nil || emb == nil || emb.Embedded != 5 {
		t.Fatalf("index after the model turned up: %+v %v", emb, err)
	}
	res, err := ws.Now().Search.Search(ctx, "red", search.Options{Limit: 5})
	if err != nil || !res.Semantic || len(res.Hits) != 5 {
		t.Fatalf("search by meaning once the model is there: %+v %v", res, err)
	}
}

// Live returns only once every folder is watched, so a file written the
// moment it returns is indexed (issue 19: it returned before the watches
// were added, and a file written in that gap was never seen).
func TestLiveWatchesBeforeReturning(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "a", "b", "old.png"), testutil.PNG(t, testutil.Solid(8, 8, color.RGBA{10, 10, 10, 255})))
	ctx := context.Background()
	ws, err := Open(ctx, root, true, ModelOptions{Model: filepath.Join(t.TempDir(), "none"), ModelsDir: t.TempDir()}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	live, err := ws.Live(LiveOptions{Watch: watch.Options{Quiet: 50 * time.Millisecond, Stable: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	// The root, a and a/b; .tagsight is never watched.
	if s := live.Status(); s.Mode != watch.ModeEvents || s.Folders != 3 {
		t.Fatalf("when Live returned: mode %q, %d folders watched; want events on 3", s.Mode, s.Folders)
	}
	testutil.WriteFile(t, filepath.Join(root, "a", "b", "new.png"), testutil.PNG(t, testutil.Solid(8, 8, color.RGBA{200, 10, 10, 255})))
	waitUntil(t, "the file written as Live returned is indexed", func() bool {
		_, err := ws.Lib.DB.EntryByPath(ctx, "a/b/new.png")
		return err == nil
	})
}

// A batch that fails (the disk was full) is tried again by itself once the
// cause is gone: no new change has to come (issue 19: pictures that arrived
// while the disk was full stayed unindexed until a manual index).
func TestLiveRetriesFailedBatch(t *testing.T) {
	root := t.TempDir()
	ctx := context.Background()
	ws, err := Open(ctx, root, true, ModelOptions{Model: filepath.Join(t.TempDir(), "none"), ModelsDir: t.TempDir()}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var mu sync.Mutex
	full := true
	var failed int
	indexHook = func() error {
		mu.Lock()
		defer mu.Unlock()
		if full {
			failed++
			return errors.New("database or disk is full")
		}
		return nil
	}
	t.Cleanup(func() { indexHook = nil })
	var errs []error
	live, err := ws.Live(LiveOptions{
		Watch:      watch.Options{Quiet: 50 * time.Millisecond, Stable: 100 * time.Millisecond},
		RetryAfter: 20 * time.Millisecond,
		Indexed: func(_ watch.Batch, _ library.ScanResult, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	for i := range 4 {
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("p%d.png", i)), testutil.PNG(t, testutil.Solid(8, 8, color.RGBA{uint8(40 * i), 10, 10, 255})))
	}
	waitUntil(t, "a batch fails twice (tried again while the disk is full)", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return failed >= 2 && len(errs) >= 2
	})
	mu.Lock()
	full = false // space freed; nothing else changes on disk
	mu.Unlock()
	waitUntil(t, "the pictures are indexed once the disk has room", func() bool {
		n, _, _ := ws.Lib.DB.CountEntries(ctx)
		return n == 4
	})
}
