package library

import (
	"context"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

// fillLibrary adds n generated entries (no files) under gen/, every fifth
// one missing, each with a done analysis row: a large library at the
// cost of a few inserts.
func fillLibrary(t *testing.T, l *Library, n int) {
	t.Helper()
	ctx := context.Background()
	err := l.DB.Tx(ctx, func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			e := store.Entry{Path: fmt.Sprintf("gen/d%03d/p%05d.jpg", i/100, i), Size: int64(1000 + i), MtimeNs: 1,
				Fingerprint: fmt.Sprintf("fp%05d", i), MediaType: "image", Orientation: 1}
			if err := store.InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			if err := store.PutAnalysis(ctx, tx, store.AnalysisRow{EntryID: e.ID, Analyzer: "metadata",
				Fingerprint: e.Fingerprint, Version: "m1", State: store.AnalysisDone}); err != nil {
				return err
			}
			if i%5 == 0 {
				if err := store.SetMissing(ctx, tx, []int64{e.ID}, true); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBatchScanReadsItsBatch: a watcher's batch of one new file in a
// library of 5 000 entries (1 000 of them missing) reads a handful of rows
// to plan its work, not the library's.
func TestBatchScanReadsItsBatch(t *testing.T) {
	root := t.TempDir()
	l := openLib(t, root)
	fillLibrary(t, l, 5000)
	read := 0
	indexReadHook = func(n int) { read += n }
	t.Cleanup(func() { indexReadHook = nil })

	testutil.WriteFile(t, filepath.Join(root, "new/one.jpg"), testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{1, 2, 3, 255}), nil))
	res := scan(t, l, ScanOptions{Only: []string{"new/one.jpg"}})
	if res.Added != 1 || res.Missing != 1000 {
		t.Fatalf("result %+v, want 1 added and the 1000 generated missing entries counted", res)
	}
	if read >= 50 {
		t.Errorf("a one-file batch read %d index rows, want fewer than 50", read)
	}
	// The same holds for a file changed in place, and for its removal.
	testutil.WriteFile(t, filepath.Join(root, "new/one.jpg"), testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{9, 2, 3, 255}), nil))
	read = 0
	if res := scan(t, l, ScanOptions{Only: []string{"new/one.jpg"}}); res.Updated != 1 || read >= 50 {
		t.Errorf("changed file: %+v, %d rows read", res, read)
	}
	os.Remove(filepath.Join(root, "new/one.jpg"))
	read = 0
	if res := scan(t, l, ScanOptions{Only: []string{"new/one.jpg"}}); res.Missing != 1001 || read >= 50 {
		t.Errorf("removed file: %+v, %d rows read", res, read)
	}
}

// TestBatchScanFindsMissingByContent: an entry a watcher's batch marked
// missing is still found by content when its file turns up in a later
// batch about another folder: same entry, same tags; an entry with other
// content stays missing.
func TestBatchScanFindsMissingByContent(t *testing.T) {
	root := t.TempDir()
	one := testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{200, 10, 10, 255}), nil)
	testutil.WriteFile(t, filepath.Join(root, "a/one.jpg"), one)
	testutil.WriteFile(t, filepath.Join(root, "a/two.jpg"), testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{10, 200, 10, 255}), nil))
	l := openLib(t, root)
	fillLibrary(t, l, 300)
	scan(t, l, ScanOptions{Only: []string{"a"}})
	ctx := context.Background()
	e, err := l.DB.EntryByPath(ctx, "a/one.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.DB.ApplyTag(ctx, 2, []int64{e.ID}); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(root, "a/one.jpg"))
	os.Remove(filepath.Join(root, "a/two.jpg"))
	if res := scan(t, l, ScanOptions{Only: []string{"a/one.jpg", "a/two.jpg"}}); res.Missing != 62 {
		t.Fatalf("after removal: %+v, want 60 generated and 2 removed entries missing", res)
	}

	testutil.WriteFile(t, filepath.Join(root, "b/renamed.jpg"), one)
	res := scan(t, l, ScanOptions{Only: []string{"b/renamed.jpg"}})
	if res.Moved != 1 || res.Added != 0 || res.Missing != 61 {
		t.Fatalf("file back under another folder: %+v, want it moved", res)
	}
	got, err := l.DB.EntryByPath(ctx, "b/renamed.jpg")
	if err != nil || got.ID != e.ID || got.Missing {
		t.Fatalf("b/renamed.jpg: entry %d missing=%v (%v), want entry %d present", got.ID, got.Missing, err, e.ID)
	}
	if tags, _ := l.DB.TagNames(ctx, got.ID); !reflect.DeepEqual(tags, []string{"Favourite"}) {
		t.Errorf("tags after the move: %v, want [Favourite]", tags)
	}
	if two, err := l.DB.EntryByPath(ctx, "a/two.jpg"); err != nil || !two.Missing {
		t.Errorf("a/two.jpg: %v missing=%v, want kept and missing", err, two.Missing)
	}
}
