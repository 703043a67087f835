package library

import (
	"context"
	"image/color"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/testutil"
)

// Empty files are entries typed by their names, as TagStudio lists them
// (issue 20: they were reported "empty file" and left out). The types are
// the written list of what each extension stands for.
func TestScanEmptyFilesAreEntries(t *testing.T) {
	root := t.TempDir()
	want := map[string][2]string{
		"zero.jpg":     {"image", "jpeg"},
		"notes/a.txt":  {"document", "txt"},
		"clip.mp4":     {"video", "mp4"},
		"no-extension": {"other", ""},
	}
	for rel := range want {
		testutil.WriteFile(t, filepath.Join(root, rel), nil)
	}
	l := openLib(t, root)
	res := scan(t, l, ScanOptions{})
	if len(res.Errors) != 0 || len(res.Warnings) != 0 || res.Added != len(want) {
		t.Fatalf("scan of empty files: added %d, errors %v, warnings %v", res.Added, res.Errors, res.Warnings)
	}
	for name, st := range res.Analysis.Analyzers {
		if st.Done+st.Failed+st.Unsupported != 0 {
			t.Errorf("analyzer %s ran on empty files: %+v", name, st)
		}
	}
	entries := entryMap(t, l)
	for rel, w := range want {
		e, ok := entries[rel]
		if !ok {
			t.Errorf("%s: no entry", rel)
			continue
		}
		if e.MediaType != w[0] || e.Format != w[1] || e.Size != 0 || e.Thumb != "" {
			t.Errorf("%s: type %q/%q size %d thumb %q, want %q/%q, 0, none", rel, e.MediaType, e.Format, e.Size, e.Thumb, w[0], w[1])
		}
	}

	// Taggable; a second scan has nothing to do.
	ctx := context.Background()
	if _, err := l.DB.ApplyTag(ctx, 2, []int64{entries["notes/a.txt"].ID}); err != nil {
		t.Fatal(err)
	}
	res = scan(t, l, ScanOptions{})
	if res.Unchanged != len(want) || res.Analysis.Items != 0 || len(res.Errors) != 0 {
		t.Errorf("rescan: unchanged %d, items analysed %d, errors %v", res.Unchanged, res.Analysis.Items, res.Errors)
	}

	// Every empty file has the same content: a new one elsewhere is not
	// the tagged one that went (it would take its tags); that stays, missing.
	if err := os.Remove(filepath.Join(root, "notes/a.txt")); err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, filepath.Join(root, "other/b.txt"), nil)
	res = scan(t, l, ScanOptions{})
	if res.Moved != 0 || res.Added != 1 || res.Missing != 1 {
		t.Errorf("empty file gone and another come: moved %d added %d missing %d, want 0 1 1", res.Moved, res.Added, res.Missing)
	}
	gone, err := l.DB.EntryByPath(ctx, "notes/a.txt")
	if err != nil || !gone.Missing {
		t.Fatalf("gone empty file: %v missing=%v, want kept and missing", err, gone.Missing)
	}
	if tags, _ := l.DB.TagNames(ctx, gone.ID); !reflect.DeepEqual(tags, []string{"Favourite"}) {
		t.Errorf("gone empty file's tags %v", tags)
	}
	if nb, _ := l.DB.EntryByPath(ctx, "other/b.txt"); nb.ID == gone.ID {
		t.Error("a new empty file took the gone one's entry")
	}
	// It comes back at its path: the same entry, tags and all.
	testutil.WriteFile(t, filepath.Join(root, "notes/a.txt"), nil)
	scan(t, l, ScanOptions{})
	back, _ := l.DB.EntryByPath(ctx, "notes/a.txt")
	if back.ID != gone.ID || back.Missing {
		t.Errorf("returned empty file: id %d missing %v, want id %d present", back.ID, back.Missing, gone.ID)
	}
}

// A back-fill (faces, vectors) over a library with an empty picture skips
// it: no analysis, no failure reported.
func TestBackfillSkipsEmptyFiles(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "zero.jpg"), nil)
	testutil.WriteFile(t, filepath.Join(root, "red.jpg"), testutil.JPEG(t, testutil.Solid(64, 48, color.RGBA{200, 30, 30, 255}), nil))
	l := openLib(t, root)
	scan(t, l, ScanOptions{})
	px := &pixelAnalyzer{}
	res, err := analysis.Backfill(context.Background(), l.DB, l.Abs, analysis.Options{Analyzers: []analysis.Analyzer{px}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := res.Analyzers["pixels"]
	if st == nil || st.Done != 1 || st.Failed != 0 || len(st.Errors) != 0 || px.calls != 1 {
		t.Errorf("back-fill: %+v, %d calls; want the one real picture done and nothing failed", st, px.calls)
	}
}
