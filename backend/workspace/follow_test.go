package workspace

import (
	"context"
	"fmt"
	"image/color"
	"path/filepath"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/watch"
)

// The in-memory search index has one writer, the change-log follower:
// every vector this process writes enters it once (issue 19: twice, once
// from the writer and once read back from the log); entries another
// process deletes leave it; a log pruned past the follower's cursor makes
// it reload, so it ends up equal to the store.
func TestSearchIndexFollowsTheLogOnce(t *testing.T) {
	repo := testutil.RepoRoot(t)
	t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
	model := filepath.Join(repo, "models", "testmodels", "colour")
	root := t.TempDir()
	ctx := context.Background()
	pic := func(name string, i int) {
		testutil.WriteFile(t, filepath.Join(root, name), testutil.PNG(t, testutil.Solid(24, 24, color.RGBA{200, uint8(10 * i), uint8(5 * i), 255})))
	}
	for i := range 3 {
		pic(fmt.Sprintf("old-%d.png", i), i)
	}
	ws, err := Open(ctx, root, true, ModelOptions{Model: model, ModelsDir: t.TempDir()}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, _, err := ws.Index(ctx, library.ScanOptions{}, true); err != nil {
		t.Fatal(err)
	}
	svc := ws.Now().Search
	if _, err := svc.Index(ctx); err != nil { // loaded: 3 vectors
		t.Fatal(err)
	}
	live, err := ws.Live(LiveOptions{Watch: watch.Options{Quiet: 50 * time.Millisecond, Stable: 100 * time.Millisecond}, FollowEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		pic(fmt.Sprintf("new-%d.png", i), 10+i)
	}
	waitUntil(t, "the 4 new vectors are in the search index", func() bool { return svc.Stats().Len == 7 })
	if _, err := ws.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if st := svc.Stats(); st.Puts != 4 || st.Loads != 1 {
		t.Errorf("index stats %+v: want each of the 4 new vectors put once, one load", st)
	}

	// Another process deletes an entry: it leaves the index.
	other, err := library.Open(ctx, root, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	gone, err := other.DB.EntryByPath(ctx, "old-0.png")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.DB.DeleteEntries(ctx, []int64{gone.ID}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the deleted entry leaves the search index", func() bool { return svc.Stats().Len == 6 })
	live.Close()

	// While nobody follows, another process adds pictures and prunes the
	// log past this process's cursor: the next follow reloads.
	for i := range 2 {
		pic(fmt.Sprintf("late-%d.png", i), 20+i)
	}
	ws2, err := Open(ctx, root, false, ModelOptions{Model: model, ModelsDir: t.TempDir()}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ws2.Index(ctx, library.ScanOptions{}, true); err != nil {
		t.Fatal(err)
	}
	old := store.ChangeLogKeep
	store.ChangeLogKeep = 1
	defer func() { store.ChangeLogKeep = old }()
	if err := ws2.Lib.DB.PruneChanges(ctx); err != nil {
		t.Fatal(err)
	}
	ws2.Close()
	if _, err := ws.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if st := svc.Stats(); st.Loaded {
		t.Errorf("after a lost log the index is still loaded (%+v): it cannot know what it missed", st)
	}
	res, err := svc.Search(ctx, "red", search.Options{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	// The store has 9: the 6, the 2 late ones, and old-0.png, whose file
	// was still there for the other process's scan.
	stored, err := ws.Lib.DB.CountVectors(ctx, svc.Model())
	if err != nil || stored != 9 {
		t.Fatalf("the store holds %d vectors (%v), want 9", stored, err)
	}
	if st := svc.Stats(); st.Len != stored || len(res.Hits) != stored {
		t.Errorf("after reloading: %d vectors in memory, %d hits; want the store's %d", st.Len, len(res.Hits), stored)
	}
}
