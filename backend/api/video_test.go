package api

import (
	"bytes"
	"fmt"
	"image/color"
	"image/jpeg"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// TestSearchFindsVideoByPoster: a video is searched by meaning through its
// poster frame (toy colour model: "red" finds the red video first), and
// its tile answers at /thumb/ID as a picture's does.
func TestSearchFindsVideoByPoster(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	root := t.TempDir()
	for name, c := range map[string]string{"red.mp4": "red", "blue.mov": "blue"} {
		out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "lavfi",
			"-i", "color=c="+c+":s=320x240:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", filepath.Join(root, name)).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg: %v %s", err, out)
		}
	}
	testutil.WriteFile(t, filepath.Join(root, "green.jpg"), testutil.JPEG(t, testutil.Solid(64, 48, color.RGBA{10, 200, 10, 255}), nil))
	a, _ := indexedLibrary(t, root, workspace.ModelOptions{Model: colourModel, ModelsDir: t.TempDir()})
	res, err := a.Search(SearchRequest{Query: "red", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) == 0 || res.Items[0].Path != "red.mp4" {
		t.Fatalf("search red: %+v", res.Items)
	}
	srv := serveUI(t, a, HTTPOptions{})
	code, body := get(t, srv.URL+fmt.Sprintf("/thumb/%d", res.Items[0].ID))
	if code != 200 {
		t.Fatalf("/thumb: %d %.100q", code, body)
	}
	img, err := jpeg.Decode(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if r, g, bl, _ := img.At(b.Dx()/2, b.Dy()/2).RGBA(); r>>8 < 200 || g>>8 > 60 || bl>>8 > 60 {
		t.Errorf("tile centre %d %d %d, want red", r>>8, g>>8, bl>>8)
	}
}
