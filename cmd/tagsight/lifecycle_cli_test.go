package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/testutil"
)

// TestCLIChangedPhotoIsReembedded replaces a picture's bytes with another
// colour: the next index must drop the old vector and embed the new one.
func TestCLIChangedPhotoIsReembedded(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"red", "green", "blue"} {
		testutil.WriteFile(t, filepath.Join(root, "ref", name+".png"), testutil.PNG(t, testutil.Solid(40, 40, colours[name])))
	}
	a := filepath.Join(root, "a.png")
	testutil.WriteFile(t, a, testutil.PNG(t, testutil.Solid(40, 40, colours["red"])))
	if _, stderr, code := run(t, "index", root, "--model", colourModel); code != 0 {
		t.Fatal(stderr)
	}
	if r := searchJSON(t, root, "red", "--limit", "1"); len(r.Results) != 1 || r.Results[0].Path != "a.png" && r.Results[0].Path != "ref/red.png" {
		t.Fatalf("before the change, red finds %+v", r.Results)
	}

	testutil.WriteFile(t, a, testutil.PNG(t, testutil.Solid(40, 40, colours["blue"])))
	later := time.Now().Add(time.Minute)
	os.Chtimes(a, later, later)
	if _, stderr, code := run(t, "index", root); code != 0 {
		t.Fatal(stderr)
	}
	for _, r := range searchJSON(t, root, "red", "--limit", "2").Results {
		if r.Path == "a.png" {
			t.Errorf("a.png (now blue) still ranks in the top 2 for red: %+v", r)
		}
	}
	r := searchJSON(t, root, "blue", "--limit", "2")
	found := false
	for _, x := range r.Results {
		found = found || x.Path == "a.png"
	}
	if !found {
		t.Errorf("blue does not find the new blue a.png: %+v", r.Results)
	}
}
