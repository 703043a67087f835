package media

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/testutil"
)

// probeStart is ffprobe's format start_time of path: the independent
// reference that the file's timestamps do not begin at zero.
func probeStart(t *testing.T, path string) float64 {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=start_time",
		"-of", "default=nw=1:nk=1", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("ffprobe start_time %q: %v", out, err)
	}
	return v
}

// A moment's time counts from the start of the file, as a player's
// currentTime does, not from the container's first timestamp: an MPEG-TS
// starts at 1.4 s and a camcorder file anywhere, yet the scene that
// changes 8 s into the picture is the moment at 8 s.
func TestVideoKeyframesCountFromStart(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	cases := []struct {
		name  string
		extra []string
		start float64 // at least this start_time, or the test proves nothing
	}{
		{"red-blue.ts", []string{"-f", "mpegts"}, 1.0},
		{"red-blue.m2ts", []string{"-f", "mpegts", "-output_ts_offset", "3600"}, 3600},
		{"red-blue.mp4", []string{"-output_ts_offset", "5"}, 4.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name)
			args := []string{"-f", "lavfi", "-i", "color=red:s=320x240:d=8:r=25", "-f", "lavfi", "-i", "color=blue:s=320x240:d=8:r=25",
				"-filter_complex", "[0][1]concat=n=2:v=1[v]", "-map", "[v]", "-c:v", "libx264", "-pix_fmt", "yuv420p",
				"-force_key_frames", "expr:gte(t,n_forced*2)"}
			ffmpegMake(t, append(append(args, c.extra...), p)...)
			if s := probeStart(t, p); s < c.start {
				t.Fatalf("start_time %.3f s, want at least %.1f s: the file does not test an offset", s, c.start)
			}
			fs, err := collectFrames(t, p, Limits{}, 48)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("start %.3f s, frames at %v", probeStart(t, p), func() (at []time.Duration) {
				for _, f := range fs {
					at = append(at, f.At)
				}
				return
			}())
			if len(fs) != 2 {
				t.Fatalf("%d frames, want 2 (red, blue)", len(fs))
			}
			for i, w := range []time.Duration{0, 8 * time.Second} {
				if d := fs[i].At - w; d < -time.Second/2 || d > time.Second/2 {
					t.Errorf("frame %d at %v, want %v ± 0.5 s", i, fs[i].At, w)
				}
			}
			if !near(fs[1].Image.At(32, 24), blue) {
				t.Errorf("frame at %v is %v, want blue", fs[1].At, fs[1].Image.At(32, 24))
			}
		})
	}
}
