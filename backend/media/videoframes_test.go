package media

import (
	"context"
	"errors"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/testutil"
)

// colourVideo writes 8 s of each colour, one after the other, with a
// keyframe every 2 s (as a camera writes them).
func colourVideo(t *testing.T, path string, colours ...string) {
	t.Helper()
	var args []string
	filter := ""
	for i, c := range colours {
		args = append(args, "-f", "lavfi", "-i", "color="+c+":s=320x240:d=8:r=25")
		filter += "[" + string(rune('0'+i)) + "]"
	}
	filter += "concat=n=" + string(rune('0'+len(colours))) + ":v=1[v]"
	args = append(args, "-filter_complex", filter, "-map", "[v]", "-c:v", "libx264", "-pix_fmt", "yuv420p",
		"-force_key_frames", "expr:gte(t,n_forced*2)", path)
	ffmpegMake(t, args...)
}

func collectFrames(t *testing.T, path string, lim Limits, short int) ([]Frame, error) {
	t.Helper()
	src := NewSource(path, nil)
	defer src.Close()
	var fs []Frame
	err := src.Frames(context.Background(), lim, func(w, h int) bool { return min(w, h) >= short }, func(f Frame) error {
		fs = append(fs, f)
		return nil
	})
	return fs, err
}

// A video's keyframes come where the scene changes, with their times and
// colours; the 15 s rule adds none to a 24 s video whose scenes change
// every 8 s.
func TestVideoKeyframesAtSceneChanges(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	p := filepath.Join(dir, "rgb.mp4")
	colourVideo(t, p, "red", "blue", "green")
	fs, err := collectFrames(t, p, Limits{}, 48)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		at time.Duration
		c  color.RGBA
	}{{0, red}, {8 * time.Second, blue}, {16 * time.Second, color.RGBA{0, 128, 0, 255}}}
	if len(fs) != len(want) {
		t.Fatalf("%d frames, want %d", len(fs), len(want))
	}
	for i, w := range want {
		f := fs[i]
		if d := f.At - w.at; d < -time.Second || d > time.Second {
			t.Errorf("frame %d at %v, want %v ± 1 s", i, f.At, w.at)
		}
		if b := f.Image.Bounds(); b.Dx() != 64 || b.Dy() != 48 {
			t.Errorf("frame %d is %v, want the smallest 4:3 size with a 48 px short side", i, b)
		}
		if c := f.Image.At(32, 24); !near(c, w.c) {
			t.Errorf("frame %d colour %v, want %v", i, c, w.c)
		}
	}
}

// An hour-long video gives at most MaxKeyframes frames, spread over the
// whole hour (not the first 200 scene changes).
func TestVideoKeyframesCapped(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	p := filepath.Join(t.TempDir(), "hour.mp4")
	// A hue that turns every second: a new scene at almost every keyframe.
	ffmpegMake(t, "-f", "lavfi", "-i", "testsrc2=s=64x48:r=1:d=3600,hue=h=t*97", "-c:v", "libx264",
		"-preset", "ultrafast", "-g", "2", "-pix_fmt", "yuv420p", p)
	fs, err := collectFrames(t, p, Limits{}, 24)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) > MaxKeyframes || len(fs) < MaxKeyframes/2 {
		t.Fatalf("%d frames of an hour, want at most %d (and not far fewer)", len(fs), MaxKeyframes)
	}
	if last := fs[len(fs)-1].At; last < 55*time.Minute {
		t.Errorf("the last frame is at %v: the frames stop short of the hour", last)
	}
	for i := 1; i < len(fs); i++ {
		if fs[i].At <= fs[i-1].At {
			t.Fatalf("frame %d at %v after frame %d at %v", i, fs[i].At, i-1, fs[i-1].At)
		}
	}
}

// A damaged video gives no frames and an error, never a hang; a picture
// has no frames.
func TestVideoKeyframesDamaged(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.mp4")
	colourVideo(t, whole, "red", "blue")
	data, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.mp4")
	// The header kept, the media data overwritten with garbage.
	for i := len(data) / 8; i < len(data); i++ {
		data[i] = byte(i * 7)
	}
	os.WriteFile(bad, data, 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	src := NewSource(bad, nil)
	defer src.Close()
	n := 0
	err = src.Frames(ctx, Limits{MaxDecodeTime: 20 * time.Second}, nil, func(Frame) error { n++; return nil })
	if err == nil && n > 0 {
		// ffmpeg may still decode what precedes the damage: then the
		// frames it gives must be real ones.
		t.Logf("%d frames from the damaged video", n)
	} else if err == nil || n != 0 {
		t.Errorf("damaged video: %d frames, err %v; want an error and no frame", n, err)
	}
	png := writeFile(t, dir, "p.png", encodePNG(t, noisyImage(8, 8)))
	if _, err := collectFrames(t, png, Limits{}, 8); !errors.Is(err, ErrUnsupported) {
		t.Errorf("a picture's frames: %v, want ErrUnsupported", err)
	}
	garbage := writeFile(t, dir, "g.mp4", append([]byte("\x00\x00\x00\x20ftypisom"), make([]byte, 4000)...))
	if fs, err := collectFrames(t, garbage, Limits{}, 8); err == nil || len(fs) != 0 {
		t.Errorf("garbage mp4: %d frames, err %v; want none and an error", len(fs), err)
	}
}

// TestKeyframeTimeoutClamped: the pass's time limit grows with the
// declared duration only up to 12 hours, and only as far as the file's
// size could hold at 8 kbit/s; a declared 10^9 s, a negative or NaN one
// get no more.
func TestKeyframeTimeoutClamped(t *testing.T) {
	base := time.Minute
	for _, c := range []struct {
		secs float64
		size int64
		want time.Duration
	}{
		{3600, 1 << 30, base + 5*time.Minute},            // an honest hour
		{1e9, 1 << 40, base + 12*5*time.Minute},          // years declared, a huge file: 12 h at most
		{1e9, 3_600_000, base + 5*time.Minute},           // years declared in 3.6 MB: an hour at 1000 B/s
		{7200, 1_800_000, base + 5*time.Minute/2},        // two hours declared in 1.8 MB: half an hour
		{-5, 1 << 30, base}, {math.NaN(), 1 << 30, base}, // nonsense declares nothing
		{math.Inf(1), 1 << 40, base + 12*5*time.Minute}, // nor does infinity beyond the ceiling
	} {
		if got := keyframeTimeout(base, c.secs, c.size); got != c.want {
			t.Errorf("declared %g s in %d bytes: %v, want %v", c.secs, c.size, got, c.want)
		}
	}
}
