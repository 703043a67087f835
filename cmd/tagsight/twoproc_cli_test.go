package main

import (
	"context"
	"fmt"
	"image/color"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

// TestCLITwoProcessesIndexOneLibrary runs two `tagsight index` at once on
// the same new library (and a third that tags meanwhile): both finish, and
// the library holds each file once, with one vector each, each video's
// moments once in their index, and passes SQLite's integrity check.
func TestCLITwoProcessesIndexOneLibrary(t *testing.T) {
	root := t.TempDir()
	const n = 60
	for i := 0; i < n; i++ {
		c := color.RGBA{uint8(i * 4), uint8(255 - i*4), 80, 255}
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("d%d/p%02d.png", i%3, i)), testutil.PNG(t, testutil.Solid(48, 48, c)))
	}
	// Two videos whose scene changes once: both indexers find their
	// moments, and the frame index must end as long as the frames.
	const videos = 2
	testutil.NeedTools(t, "ffmpeg")
	for i := 0; i < videos; i++ {
		out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
			"-f", "lavfi", "-i", "color=red:s=64x48:d=2:r=10", "-f", "lavfi", "-i", "color=blue:s=64x48:d=2:r=10",
			"-filter_complex", "[0][1]concat=n=2:v=1[v]", "-map", "[v]", "-c:v", "libx264", "-pix_fmt", "yuv420p",
			"-g", "10", filepath.Join(root, fmt.Sprintf("v%d.mp4", i))).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg: %v %s", err, out)
		}
	}
	// Create the library first, so both indexers open the same one.
	lib, err := library.Open(context.Background(), root, library.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	lib.Close()
	if _, stderr, code := run(t, "tags", root, "create", "Both"); code != 0 {
		t.Fatal(stderr)
	}
	var wg sync.WaitGroup
	codes := make([]int, 3)
	errs := make([]string, 3)
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i], codes[i] = run(t, "index", root, "--model", colourModel)
		}(i)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, errs[2], codes[2] = run(t, "tags", root, "create", "Meanwhile")
	}()
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Errorf("process %d exited %d: %s", i, c, errs[i])
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(root, ".tagsight", "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ok, err := db.IntegrityCheck(ctx)
	if err != nil || ok != "ok" {
		t.Errorf("integrity_check: %s", ok)
	}
	tally, err := db.Tally(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entries, paths, vecs, vecEntries := tally.Entries, tally.Paths, tally.Vectors, tally.VectorEntries
	if entries != n+videos || paths != n+videos {
		t.Errorf("%d entries (%d paths), want %d", entries, paths, n+videos)
	}
	if vecs != n+videos || vecEntries != n+videos {
		t.Errorf("%d vectors for %d entries, want one each for %d", vecs, vecEntries, n+videos)
	}
	// Each video's red and blue moment, once, and indexed once.
	if tally.Frames != 2*videos || tally.FrameVectors != tally.Frames {
		t.Errorf("%d frames, %d in the frame index, want %d of each", tally.Frames, tally.FrameVectors, 2*videos)
	}
	var tagsMade int
	for _, name := range []string{"Both", "Meanwhile"} {
		if ids, err := db.TagIDsByName(ctx, name); err == nil && len(ids) > 0 {
			tagsMade++
		}
	}
	if tagsMade != 2 {
		t.Errorf("the tag made meanwhile was lost (%d of 2)", tagsMade)
	}
}
