package library

import (
	"bytes"
	"context"
	"encoding/binary"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/testutil"
)

func ffmpegMake(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// TestScanVideos: videos become entries with a thumbnail of their frame,
// their facts kept; a damaged one is reported and the scan goes on, under
// a deadline (no hang).
func TestScanVideos(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	root := t.TempDir()
	p := func(n string) string { return filepath.Join(root, n) }
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=red:s=320x240:d=3", "-c:v", "libx264", "-pix_fmt", "yuv420p",
		"-metadata", "creation_time=2021-05-01T12:34:56Z", "-metadata", "location=+48.8584+002.2945/", p("red.mp4"))
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=blue:s=320x240:d=2", "-c:v", "libvpx-vp9", "-deadline", "realtime", p("blue.webm"))
	ffmpegMake(t, "-f", "lavfi", "-i", "testsrc=s=320x240:d=3", "-c:v", "libx264", "-pix_fmt", "yuv420p", p("whole.mp4"))
	data, _ := os.ReadFile(p("whole.mp4"))
	os.WriteFile(p("trunc.mp4"), data[:len(data)/2], 0o644)
	os.Remove(p("whole.mp4"))
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=red:s=320x240:d=2", "-c:v", "mpeg4", p("bogus.mkv"))
	mkv, _ := os.ReadFile(p("bogus.mkv"))
	i := bytes.Index(mkv, []byte{0x44, 0x89, 0x88}) // Segment Info Duration, 8-byte float
	if i < 0 {
		t.Fatal("no Duration element")
	}
	binary.BigEndian.PutUint64(mkv[i+3:], math.Float64bits(1e15))
	os.WriteFile(p("bogus.mkv"), mkv, 0o644)

	l := openLib(t, root)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := l.Scan(ctx, ScanOptions{ThumbSize: 64, Limits: media.Limits{MaxDecodeTime: 30 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	es := entryMap(t, l)
	for name, want := range map[string]color.RGBA{"red.mp4": {255, 0, 0, 255}, "blue.webm": {0, 0, 255, 255}, "bogus.mkv": {255, 0, 0, 255}} {
		e, ok := es[name]
		if !ok || e.MediaType != media.TypeVideo || e.Thumb == "" || e.Width != 320 || e.Height != 240 {
			t.Errorf("%s: %+v", name, e)
			continue
		}
		f, err := os.Open(l.Derived().Path(Thumbs, e.Thumb))
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		r, g, bl, _ := img.At(b.Dx()/2, b.Dy()/2).RGBA()
		if b.Dx() != 64 || math.Abs(float64(r>>8)-float64(want.R)) > 40 || math.Abs(float64(g>>8)-float64(want.G)) > 40 || math.Abs(float64(bl>>8)-float64(want.B)) > 40 {
			t.Errorf("%s: thumbnail %v centre %d %d %d, want %v", name, b, r>>8, g>>8, bl>>8, want)
		}
	}
	red := es["red.mp4"]
	fa, err := l.DB.Facts(ctx, red.ID)
	if err != nil || math.Abs(fa.Duration-3) > 0.1 || fa.Codec != "h264" || fa.Width != 320 || fa.FPS != 25 {
		t.Errorf("red.mp4 facts %+v %v", fa, err)
	}
	if red.Taken != "2021-05-01T12:34:56+00:00" || red.Lat == nil || math.Abs(*red.Lat-48.8584) > 1e-4 {
		t.Errorf("red.mp4 entry date/place %q %v", red.Taken, red.Lat)
	}
	// The damaged ones are entries (files worth tagging), reported.
	if _, ok := es["trunc.mp4"]; !ok {
		t.Error("trunc.mp4 is not an entry")
	}
	reported := map[string]string{}
	for _, st := range res.Analysis.Analyzers {
		for _, e := range st.Errors {
			reported[e.Path] += e.Error + "; "
		}
	}
	if !strings.Contains(reported["trunc.mp4"], "corrupt") || !strings.Contains(reported["bogus.mkv"], "duration") {
		t.Errorf("reported: %v", reported)
	}
	if fa, _ := l.DB.Facts(ctx, es["bogus.mkv"].ID); fa.Duration != 0 || fa.Width != 320 {
		t.Errorf("bogus.mkv facts %+v", fa)
	}
}

// TestScanVideosWithoutFFmpeg: without ffmpeg a video is still an entry,
// with a warning naming what to install; once ffmpeg is there the next
// scan reads it.
func TestScanVideosWithoutFFmpeg(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	root := t.TempDir()
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=red:s=320x240:d=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", filepath.Join(root, "red.mp4"))
	l := openLib(t, root)
	t.Setenv("TAGSIGHT_FFMPEG_DIR", t.TempDir())
	res := scan(t, l, ScanOptions{ThumbSize: 64})
	e := entryMap(t, l)["red.mp4"]
	if res.Added != 1 || e.MediaType != media.TypeVideo || e.Thumb != "" {
		t.Fatalf("added %d: %+v", res.Added, e)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Error, "ffprobe") || len(res.Errors) != 0 {
		t.Errorf("warnings %+v errors %+v", res.Warnings, res.Errors)
	}
	os.Unsetenv("TAGSIGHT_FFMPEG_DIR")
	res = scan(t, l, ScanOptions{ThumbSize: 64})
	e = entryMap(t, l)["red.mp4"]
	if len(res.Warnings) != 0 || e.Thumb == "" || e.Width != 320 {
		t.Errorf("after installing: warnings %+v, %+v", res.Warnings, e)
	}
}
