package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

// TestCLIChangedPhotoIsReembedded replaces a picture's bytes with another
// colour: the next index must drop the old vector and embed the new one.
func TestCLIChangedPhotoIsReembedded(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"red", "green", "blue"} {
		testutil.WriteFile(t, filepath.Join(root, "ref", name+".png"), testutil.PNG(t, testutil.Solid(40, 40, colours[name])))
	}
	// A second red: the top 2 for "red" are then the two references unless
	// a.png's old red vector is still used (blue a.png ties with ref/blue.png
	// below them, so that tie cannot decide the test).
	dark := colours["red"]
	dark.R -= 20
	testutil.WriteFile(t, filepath.Join(root, "ref", "red2.png"), testutil.PNG(t, testutil.Solid(40, 40, dark)))
	a := filepath.Join(root, "a.png")
	testutil.WriteFile(t, a, testutil.PNG(t, testutil.Solid(40, 40, colours["red"])))
	if _, stderr, code := run(t, "index", root, "--model", colourModel); code != 0 {
		t.Fatal(stderr)
	}
	if r := searchJSON(t, root, "red", "--limit", "1"); len(r.Results) != 1 || !strings.Contains(r.Results[0].Path, "red") && r.Results[0].Path != "a.png" {
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

// TestCLITrashedIDNotReused trashes an entry the way the app does, adds a
// new file and indexes: the new file must get a fresh id and its own vector,
// and nothing of the trashed entry may stay behind.
func TestCLITrashedIDNotReused(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "a.png"), testutil.PNG(t, testutil.Solid(40, 40, colours["green"])))
	testutil.WriteFile(t, filepath.Join(root, "z.png"), testutil.PNG(t, testutil.Solid(40, 40, colours["red"])))
	if _, stderr, code := run(t, "index", root, "--model", colourModel); code != 0 {
		t.Fatal(stderr)
	}
	ctx := context.Background()
	dbPath := filepath.Join(root, ".tagsight", "library.db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	// Trash the entry with the highest id: without AUTOINCREMENT SQLite
	// hands that id to the next insert.
	es, err := db.ListEntries(ctx, store.ListOptions{})
	if err != nil || len(es) != 2 {
		t.Fatalf("entries: %v %+v", err, es)
	}
	z := es[0]
	if es[1].ID > z.ID {
		z = es[1]
	}
	if err := os.Rename(filepath.Join(root, z.Path), filepath.Join(t.TempDir(), "trashed.png")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteEntries(ctx, []int64{z.ID}); err != nil { // what api.Trash does
		t.Fatal(err)
	}
	db.Close()

	testutil.WriteFile(t, filepath.Join(root, "n.png"), testutil.PNG(t, testutil.Solid(40, 40, colours["blue"])))
	if _, stderr, code := run(t, "index", root); code != 0 {
		t.Fatal(stderr)
	}
	db, err = store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.EntryByPath(ctx, "n.png")
	if err != nil {
		t.Fatal(err)
	}
	if n.ID <= z.ID {
		t.Errorf("new entry got id %d, trashed one had %d", n.ID, z.ID)
	}
	ms, err := store.Models(ctx, db)
	if err != nil || len(ms) != 1 {
		t.Fatalf("models %+v %v, want one", ms, err)
	}
	if c, err := db.IndexedVectors(ctx, ms[0], z.ID); err != nil || c != 0 {
		t.Errorf("indexed vectors for the trashed id: %d %v", c, err)
	}
	if _, err := db.Vector(ctx, ms[0], z.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("vector for the trashed id: %v, want not found", err)
	}
	if c, err := db.IndexedVectors(ctx, ms[0], n.ID); err != nil || c != 1 {
		t.Errorf("new entry has %d vectors (%v)", c, err)
	}
	if r := searchJSON(t, root, "blue", "--limit", "1"); len(r.Results) != 1 || r.Results[0].Path != "n.png" {
		t.Errorf("blue finds %+v, want n.png", r.Results)
	}
}
