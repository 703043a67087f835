package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// Tagging a file that is on disk but not recorded yet (copied in or moved
// while nothing watched) indexes it first, then tags it (issue 19: `tag
// add` answered "not found"). A path outside the library is still refused.
func TestCLITagIndexesNewFilesFirst(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "old.jpg"), distinct(t, colours["red"], 1))
	if _, stderr, code := run(t, "index", root, "--no-embed"); code != 0 {
		t.Fatalf("index: %s", stderr)
	}
	testutil.WriteFile(t, filepath.Join(root, "new", "fresh.jpg"), distinct(t, colours["blue"], 2))
	outside := filepath.Join(t.TempDir(), "elsewhere.jpg")
	testutil.WriteFile(t, outside, distinct(t, colours["green"], 3))

	if _, stderr, code := run(t, "tag", root, "add", "Keeper", "--create", "old.jpg", "new/fresh.jpg"); code != 0 {
		t.Fatalf("tag add of a file not indexed yet: exit %d: %s", code, stderr)
	}
	out, stderr, code := run(t, "info", root, "new/fresh.jpg", "--json")
	if code != 0 {
		t.Fatalf("info: %s", stderr)
	}
	var info struct{ Tags []string }
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("info --json: %v: %s", err, out)
	}
	if !slices.Contains(info.Tags, "Keeper") {
		t.Errorf("new/fresh.jpg tags %v, want Keeper", info.Tags)
	}
	if _, _, code := run(t, "tag", root, "add", "Keeper", outside); code == 0 {
		t.Error("a file outside the library was tagged")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(outside), ".tagsight")); err == nil {
		t.Error("tagging an outside file made a library beside it")
	}
}
