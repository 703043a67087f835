package workspace

import (
	"context"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

func ffmpeg(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// colours writes 8 s of each colour in turn, a keyframe every 2 s.
func colours(t *testing.T, path string, cs ...string) {
	t.Helper()
	var args []string
	filter := ""
	for i, c := range cs {
		args = append(args, "-f", "lavfi", "-i", "color="+c+":s=320x240:d=8:r=25")
		filter += "[" + string(rune('0'+i)) + "]"
	}
	filter += "concat=n=" + string(rune('0'+len(cs))) + ":v=1[v]"
	ffmpeg(t, append(args, "-filter_complex", filter, "-map", "[v]", "-c:v", "libx264", "-pix_fmt", "yuv420p",
		"-force_key_frames", "expr:gte(t,n_forced*2)", path)...)
}

func openColour(t *testing.T, root string) *Workspace {
	t.Helper()
	t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
	model := filepath.Join(testutil.RepoRoot(t), "models", "testmodels", "colour")
	ws, err := Open(context.Background(), root, true, ModelOptions{Model: model, ModelsDir: t.TempDir()}, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// Issue 21's Done-when: a video of 8 s red, 8 s blue, 8 s green is found
// by "blue" with the moment at 8 s ± 1 s (its poster is red: only its
// frame can rank it); the moment's tile is blue; the inspector's moments
// put 8 s first; "more like this" from that frame finds the blue picture;
// a video added later is followed into the loaded frames; a damaged video
// has no frames and a failed row.
func TestVideoMomentSearch(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	root := t.TempDir()
	ctx := context.Background()
	colours(t, filepath.Join(root, "rgb.mp4"), "red", "blue", "green")
	testutil.WriteFile(t, filepath.Join(root, "red.png"), testutil.PNG(t, testutil.Solid(32, 32, color.RGBA{255, 0, 0, 255})))
	testutil.WriteFile(t, filepath.Join(root, "navy.png"), testutil.PNG(t, testutil.Solid(32, 32, color.RGBA{0, 0, 200, 255})))
	whole := filepath.Join(t.TempDir(), "whole.mp4")
	colours(t, whole, "red", "blue")
	data, _ := os.ReadFile(whole)
	os.WriteFile(filepath.Join(root, "broken.mp4"), append([]byte("\x00\x00\x00\x20ftypisom"), data[len(data)/2:]...), 0o644)

	ws := openColour(t, root)
	if _, _, err := ws.Index(ctx, library.ScanOptions{}, true); err != nil {
		t.Fatal(err)
	}
	svc := ws.Now().Search
	res, err := svc.Search(ctx, "blue", search.Options{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Path != "rgb.mp4" {
		t.Fatalf("blue: hits %+v, want rgb.mp4 first", res.Hits)
	}
	m := res.Hits[0].Moment
	if m == nil || m.AtMS < 7000 || m.AtMS > 9000 {
		t.Fatalf("blue: moment %+v, want 8 s ± 1 s", m)
	}
	if res.FromFrames < 1 {
		t.Errorf("blue: FromFrames %d, want the video counted", res.FromFrames)
	}
	f, _, err := ws.Lib.Derived().Open(library.FrameTiles, m.Thumb)
	if err != nil {
		t.Fatal(err)
	}
	tile, err := jpeg.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := tile.At(tile.Bounds().Dx()/2, tile.Bounds().Dy()/2).RGBA(); b>>8 < 200 || r>>8 > 50 || g>>8 > 50 {
		t.Errorf("the moment's tile is %d,%d,%d, want blue", r>>8, g>>8, b>>8)
	}
	vid, err := ws.Lib.DB.EntryByPath(ctx, "rgb.mp4")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := svc.Moments(ctx, vid.ID, "blue", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 || ms[0].AtMS < 7000 || ms[0].AtMS > 9000 {
		t.Errorf("moments for blue: %+v, want 3 frames (red, blue, green), 8 s first", ms)
	}
	like, err := svc.SimilarFrame(ctx, m.FrameID, "", search.Options{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(like.Hits) == 0 || like.Hits[0].Path != "navy.png" {
		t.Errorf("more like the blue frame: %+v, want navy.png first (the video itself left out)", like.Hits)
	}

	broken, err := ws.Lib.DB.EntryByPath(ctx, "broken.mp4")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := ws.Lib.DB.FramesOf(ctx, svc.Model(), []int64{broken.ID})
	if err != nil || len(fs[broken.ID]) != 0 {
		t.Errorf("broken.mp4: %d frames (%v), want none", len(fs[broken.ID]), err)
	}
	rows, err := ws.Lib.DB.AnalysisIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[broken.ID]["frames"]; r.State != store.AnalysisFailed || r.Error == "" {
		t.Errorf("broken.mp4's frames row %+v, want a failed row saying why", r)
	}

	// The frames are loaded now; a video added later reaches them
	// through the change log, without a reload.
	colours(t, filepath.Join(root, "gb.mp4"), "green", "yellow")
	if _, _, err := ws.Index(ctx, library.ScanOptions{}, true); err != nil {
		t.Fatal(err)
	}
	if !svc.FramesLoaded() {
		t.Fatal("the frames were reloaded, not followed")
	}
	res, err = svc.Search(ctx, "yellow", search.Options{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Path != "gb.mp4" || res.Hits[0].Moment == nil || res.Hits[0].Moment.AtMS < 7000 || res.Hits[0].Moment.AtMS > 9000 {
		t.Errorf("yellow: %+v, want gb.mp4 first with its moment at 8 s", res.Hits)
	}
}

// An hour of video is analysed in one pass and keeps at most 200 frames.
func TestHourLongVideoFrames(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	root := t.TempDir()
	ctx := context.Background()
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=s=64x48:r=1:d=3600,hue=h=t*97", "-c:v", "libx264",
		"-preset", "ultrafast", "-g", "2", "-pix_fmt", "yuv420p", filepath.Join(root, "hour.mp4"))
	ws := openColour(t, root)
	if _, _, err := ws.Index(ctx, library.ScanOptions{}, true); err != nil {
		t.Fatal(err)
	}
	e, err := ws.Lib.DB.EntryByPath(ctx, "hour.mp4")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := ws.Lib.DB.FramesOf(ctx, ws.Now().StoreModel, []int64{e.ID})
	if err != nil {
		t.Fatal(err)
	}
	n := len(fs[e.ID])
	if n == 0 || n > media.MaxKeyframes {
		t.Fatalf("%d frames stored for an hour, want 1..%d", n, media.MaxKeyframes)
	}
	if last := fs[e.ID][n-1].AtMS; last < 30*60*1000 {
		t.Errorf("the last frame kept is at %d ms: not spread over the hour", last)
	}
	t.Logf("%d frames kept of an hour", n)
}
