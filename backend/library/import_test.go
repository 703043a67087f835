package library

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

func TestImportPolicies(t *testing.T) {
	ctx := context.Background()
	root, src := t.TempDir(), t.TempDir()
	l := openLib(t, root)
	testutil.WriteFile(t, filepath.Join(src, "trip/a.jpg"), []byte("A"))
	testutil.WriteFile(t, filepath.Join(src, "trip/sub/b.jpg"), []byte("B"))
	testutil.WriteFile(t, filepath.Join(src, "single.jpg"), []byte("S"))
	paths := []string{filepath.Join(src, "trip"), filepath.Join(src, "single.jpg")}

	plan, err := l.PlanImport(ctx, paths, "imports")
	if err != nil || plan.Files != 3 || len(plan.Conflicts) != 0 {
		t.Fatalf("plan: %+v %v", plan, err)
	}
	res, err := l.Import(ctx, paths, "imports", ConflictSkip, nil)
	if err != nil || res.Copied != 3 {
		t.Fatalf("import: %+v %v", res, err)
	}
	got := append([]string{}, res.Paths...)
	sort.Strings(got)
	if !reflect.DeepEqual(got, []string{"imports/single.jpg", "imports/trip/a.jpg", "imports/trip/sub/b.jpg"}) {
		t.Errorf("paths %v", got)
	}
	plan, _ = l.PlanImport(ctx, paths, "imports")
	if len(plan.Conflicts) != 3 {
		t.Errorf("conflicts %v", plan.Conflicts)
	}
	os.WriteFile(filepath.Join(src, "single.jpg"), []byte("S2"), 0o644)
	res, _ = l.Import(ctx, paths[1:], "imports", ConflictSkip, nil)
	if res.Skipped != 1 || res.Copied != 0 {
		t.Errorf("skip: %+v", res)
	}
	res, _ = l.Import(ctx, paths[1:], "imports", ConflictKeepBoth, nil)
	if res.Renamed != 1 || res.Paths[0] != "imports/single (2).jpg" {
		t.Errorf("keep both: %+v", res)
	}
	res, _ = l.Import(ctx, paths[1:], "imports", ConflictReplace, nil)
	if b, _ := os.ReadFile(filepath.Join(root, "imports/single.jpg")); res.Replaced != 1 || string(b) != "S2" {
		t.Errorf("replace: %+v %q", res, b)
	}
	for _, bad := range []string{"../out", "/abs/../..", ".tagsight", ".tagsight/thumbs", "a/../../b"} {
		if _, err := l.Import(ctx, paths, bad, ConflictSkip, nil); err == nil {
			t.Errorf("target %q accepted", bad)
		}
	}
	if _, err := l.Import(ctx, paths, "x", "ask", nil); err == nil {
		t.Error("unknown policy accepted")
	}
	// No temporary files left behind.
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if filepath.Base(p) != "." && len(filepath.Base(p)) > 17 && filepath.Base(p)[:17] == ".tagsight-import-" {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}
