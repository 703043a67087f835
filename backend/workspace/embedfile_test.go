package workspace

import (
	"context"
	"image"
	"image/color"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/testutil"
)

// gradient is a picture whose every pixel differs, so any difference in
// decoding, orienting or scaling shows in the vector.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x*7 + y*13) % 256), 255})
		}
	}
	return img
}

// A picture of the library searched by file gets exactly the vector the
// indexer stored for it (same decoder, size, orientation, scaling and
// preprocessing), with faces off and with faces on (which makes the
// indexer decode larger): an EXIF-rotated JPEG, a plain one, a PNG.
func TestSearchByFileGetsTheIndexersVector(t *testing.T) {
	for _, withFaces := range []bool{false, true} {
		t.Run(map[bool]string{false: "faces off", true: "faces on"}[withFaces], func(t *testing.T) {
			ctx := context.Background()
			root := t.TempDir()
			testutil.WriteFile(t, filepath.Join(root, "rotated.jpg"), testutil.JPEG(t, gradient(800, 600), testutil.CameraExif(6)))
			testutil.WriteFile(t, filepath.Join(root, "plain.jpg"), testutil.JPEG(t, gradient(1000, 700), nil))
			testutil.WriteFile(t, filepath.Join(root, "small.png"), testutil.PNG(t, gradient(90, 60)))
			t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
			o := ModelOptions{Model: filepath.Join(testutil.RepoRoot(t), "models", "testmodels", "colour"), ModelsDir: t.TempDir(), Provider: "cpu"}
			if withFaces {
				o.FacesModel = testutil.FaceModels(t, false)
			}
			ws, err := Open(ctx, root, true, o, true)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			if (ws.Faces().Engine != nil) != withFaces {
				t.Fatalf("faces loaded: %v", ws.Faces().Err)
			}
			if _, _, err := ws.Index(ctx, library.ScanOptions{}, true); err != nil {
				t.Fatal(err)
			}
			st := ws.Now()
			for _, name := range []string{"rotated.jpg", "plain.jpg", "small.png"} {
				e, err := ws.Lib.DB.EntryByPath(ctx, name)
				if err != nil {
					t.Fatal(err)
				}
				stored, err := ws.Lib.DB.Vector(ctx, st.StoreModel, e.ID)
				if err != nil {
					t.Fatal(err)
				}
				got, err := ws.encoders(st.Model).File(ctx, ws.Lib.Abs(name))
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(stored) {
					t.Fatalf("%s: %d dims, stored %d", name, len(got), len(stored))
				}
				for i := range got {
					if got[i] != stored[i] {
						t.Errorf("%s: by file %v, indexed %v", name, got, stored)
						break
					}
				}
			}
		})
	}
}
