package workspace

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/testutil"
)

// A library indexed with faces off and without embedding, then faces
// turned on: one back-fill gives every picture its faces and its CLIP
// vector from a single decode of it, and a second back-fill decodes
// nothing.
func TestBackfillDecodesEachPictureOnce(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	names := []string{"a.jpg", "b.jpg", "sub/c.jpg", "d.jpg"}
	for i, n := range names {
		writeDiscs(t, root, n, nil, 640, 480, testutil.Disc{X: 200 + 40*float64(i), Y: 240, R: 50, C: discRed})
	}
	t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
	model := filepath.Join(testutil.RepoRoot(t), "models", "testmodels", "colour")
	ws, err := Open(ctx, root, true, ModelOptions{Model: model, FacesModel: testutil.FaceModels(t, false), ModelsDir: t.TempDir(), Provider: "cpu"}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.SetFacesOn(ctx, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ws.Index(ctx, library.ScanOptions{}, false); err != nil {
		t.Fatal(err)
	}
	if n, _ := ws.Lib.DB.CountVectors(ctx, ws.Now().StoreModel); n != 0 {
		t.Fatalf("%d vectors before the back-fill, want 0", n)
	}
	if err := ws.SetFacesOn(ctx, true); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	decodes := map[string]int{}
	count := func(ctx context.Context, src *media.Source, lim media.Limits, enough func(w, h int) bool) (*image.RGBA, media.Info, error) {
		mu.Lock()
		decodes[src.Path]++
		mu.Unlock()
		return src.DecodeOriented(ctx, lim, enough)
	}
	res, err := ws.Backfill(ctx, BackfillOptions{Faces: true, Vectors: true, decode: count})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, n := range names {
		want[ws.Lib.Abs(n)] = 1
	}
	if fmt.Sprint(decodes) != fmt.Sprint(want) {
		t.Errorf("decodes %v, want each picture once: %v", decodes, want)
	}
	if res.Vectors == nil || res.Vectors.Embedded != len(names) || res.Vectors.Total != len(names) {
		t.Errorf("vectors %+v, want %d embedded", res.Vectors, len(names))
	}
	if res.Faces == nil || res.Faces.Analysed != len(names) || res.Faces.Faces != len(names) {
		t.Errorf("faces %+v, want %d pictures with one face each", res.Faces, len(names))
	}
	// Each face's crop is where the derived-files layout puts it:
	// .tagsight/faces/<last two of the key>/<key>-<face index>.jpg.
	fs, err := ws.Lib.DB.AllFaces(ctx)
	if err != nil || len(fs) != len(names) {
		t.Fatalf("%d faces, %v", len(fs), err)
	}
	for _, f := range fs {
		e, _ := ws.Lib.DB.EntryByPath(ctx, f.Path)
		key := strings.ReplaceAll(e.Fingerprint, ":", "")
		want := filepath.Join(root, ".tagsight", "faces", key[len(key)-2:], key+"-0.jpg")
		if got := ws.FaceCropPath(f.Crop); got != want {
			t.Errorf("%s: crop %s, want %s", f.Path, got, want)
		}
		if _, err := os.Stat(want); err != nil {
			t.Errorf("%s: %v", f.Path, err)
		}
	}

	clear(decodes)
	res, err = ws.Backfill(ctx, BackfillOptions{Faces: true, Vectors: true, decode: count})
	if err != nil || len(decodes) != 0 || res.Faces.Analysed != 0 || res.Vectors.Embedded != 0 {
		t.Errorf("second back-fill: decodes %v, %+v %+v, %v", decodes, res.Faces, res.Vectors, err)
	}
}
