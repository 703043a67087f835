package api

import (
	"encoding/json"
	"fmt"
	"image/color"
	"image/jpeg"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// People in videos over HTTP, through the whole scan: a video that shows
// a red disc (the test face models' face) from 3 s to 6 s after 3 s of
// grey (too dark to be a face, unlike enough to be a scene change: a
// keyframe of its own) joins the person of two photos of a red disc, its face
// carries the time it is shown at (the photos' carry none), and the crop
// served for it is cut from that frame (red).
func TestVideoFaceJoinsPersonOverHTTP(t *testing.T) {
	t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
	root := t.TempDir()
	red := color.RGBA{230, 30, 30, 255}
	for i := 0; i < 2; i++ {
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("red%d.jpg", i)), testutil.JPEG(t, testutil.DiscsImage(640, 480, testutil.Disc{X: 200 + 80*float64(i), Y: 220, R: 50, C: red}), nil))
	}
	still := filepath.Join(t.TempDir(), "disc.jpg")
	testutil.WriteFile(t, still, testutil.JPEG(t, testutil.DiscsImage(640, 480, testutil.Disc{X: 320, Y: 240, R: 60, C: red}), nil))
	video := filepath.Join(root, "clip.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error",
		"-f", "lavfi", "-t", "3", "-i", "color=c=0x5a5a5a:s=640x480:r=25",
		"-loop", "1", "-framerate", "25", "-t", "3", "-i", still,
		"-filter_complex", "[0:v]format=yuv420p,setsar=1[a];[1:v]format=yuv420p,setsar=1[b];[a][b]concat=n=2:v=1[out]",
		"-map", "[out]", "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", "-force_key_frames", "expr:gte(t,n_forced*1)", "-y", video).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	a, _ := indexedLibrary(t, root, workspace.ModelOptions{Model: colourModel, FacesModel: testutil.FaceModels(t, false), ModelsDir: t.TempDir()})
	srv := serveUI(t, a, HTTPOptions{})

	code, body := callAPI(t, http.DefaultClient, srv.URL, "People", false)
	var people []Person
	if code != 200 || json.Unmarshal(body, &people) != nil || len(people) != 1 {
		t.Fatalf("People: %d %s, want the red person alone", code, body)
	}
	p := people[0]
	if p.Faces != 3 || p.Entries != 3 {
		t.Fatalf("person %+v: want 3 faces in 3 files (two photos, the video)", p)
	}
	code, body = callAPI(t, http.DefaultClient, srv.URL, "PersonFaces", p.ID, 0)
	var fs []Face
	if code != 200 || json.Unmarshal(body, &fs) != nil || len(fs) != 3 {
		t.Fatalf("PersonFaces: %d %s", code, body)
	}
	timed := 0
	for _, f := range fs {
		if f.AtMS == nil {
			continue
		}
		timed++
		if *f.AtMS < 3000 || *f.AtMS >= 6000 {
			t.Errorf("the video's face is at %d ms, want 3000..5999", *f.AtMS)
		}
		resp, err := http.Get(srv.URL + f.Crop)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("crop %s: %v", f.Crop, err)
		}
		b := img.Bounds()
		r, g, bl, _ := img.At((b.Min.X+b.Max.X)/2, (b.Min.Y+b.Max.Y)/2).RGBA()
		if r>>8 < 150 || g>>8 > 90 || bl>>8 > 90 {
			t.Errorf("the video face's crop is %d,%d,%d in its middle, want the disc's red", r>>8, g>>8, bl>>8)
		}
	}
	if timed != 1 {
		t.Errorf("%d faces with a time, want the video's one (%s)", timed, body)
	}
}
