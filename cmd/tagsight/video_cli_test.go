package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// TestInfoVideoFacts: `info --json` shows a video's facts, its size as
// displayed (a container rotation applied), and `index --json` reports a
// damaged video.
func TestInfoVideoFacts(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	root := t.TempDir()
	mk := func(args ...string) {
		out, err := exec.Command("ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg: %v %s", err, out)
		}
	}
	flat := filepath.Join(t.TempDir(), "flat.mp4")
	mk("-f", "lavfi", "-i", "color=c=red:s=320x240:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", flat)
	mk("-i", flat, "-c", "copy", "-metadata:s:v:0", "rotate=90", filepath.Join(root, "turned.mp4"))
	// Not a video inside: reported, not fatal.
	if err := os.WriteFile(filepath.Join(root, "broken.mkv"), []byte("\x1a\x45\xdf\xa3 not really matroska"), 0o644); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, code := run(t, "index", root, "--json")
	if code != 0 {
		t.Fatalf("index: %d %s", code, stderr)
	}
	if !strings.Contains(stdout, "broken.mkv") {
		t.Errorf("index --json does not report broken.mkv:\n%s", stdout)
	}
	var got struct {
		MediaType     string `json:"media_type"`
		Width, Height int
		Thumbnail     *string
		Facts         struct {
			Duration float64
			Codec    string
			FPS      float64
			Rotation int
			Width    int
			Height   int
		}
	}
	stdout = info(t, root, "turned.mp4", &got)
	f := got.Facts
	if got.MediaType != "video" || got.Width != 240 || got.Height != 320 || got.Thumbnail == nil ||
		math.Abs(f.Duration-2) > 0.1 || f.Codec != "h264" || f.FPS != 25 || f.Rotation%180 != 90 || f.Width != 240 {
		t.Errorf("info:\n%s", stdout)
	}
}
