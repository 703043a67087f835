package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"golang.org/x/image/tiff"

	"github.com/tagsight/tagsight/backend/testutil"
)

// TestCLIHiddenUserTag: a tag the user made hidden is found when the query
// names it, and only then.
func TestCLIHiddenUserTag(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "a.png"), testutil.PNG(t, testutil.Solid(40, 40, colours["red"])))
	testutil.WriteFile(t, filepath.Join(root, "archived-b.png"), testutil.PNG(t, testutil.Solid(40, 40, colours["green"])))
	var tf bytes.Buffer
	if err := tiff.Encode(&tf, testutil.Solid(40, 40, colours["blue"]), nil); err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, filepath.Join(root, "c.tiff"), tf.Bytes())
	if _, stderr, code := run(t, "index", root, "--no-embed"); code != 0 {
		t.Fatal(stderr)
	}
	for _, args := range [][]string{
		{"tags", root, "create", "Secret"},
		{"tags", root, "hidden", "Secret", "on"},
		{"tag", root, "add", "Secret", "c.tiff"},
	} {
		if _, stderr, code := run(t, args...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	if r := searchJSON(t, root, "tag:Secret"); len(r.Results) != 1 || r.Results[0].Path != "c.tiff" {
		t.Errorf("tag:Secret: %+v", r.Results)
	}
	if r := searchJSON(t, root, "path:c.tiff"); len(r.Results) != 0 {
		t.Errorf("path:c.tiff shows the hidden c.tiff: %+v", r.Results)
	}
	// "archived" in a path pattern is text, not the Archived tag.
	if r := searchJSON(t, root, "path:archived OR path:c.tiff"); len(r.Results) != 1 || r.Results[0].Path != "archived-b.png" {
		t.Errorf("path:archived unhid: %+v", r.Results)
	}
	if r := searchJSON(t, root, "path:c.tiff special:hidden"); len(r.Results) != 1 {
		t.Errorf("special:hidden: %+v", r.Results)
	}
	if r := searchJSON(t, root, "path:c.tiff", "--hidden"); len(r.Results) != 1 {
		t.Errorf("--hidden: %+v", r.Results)
	}
}
