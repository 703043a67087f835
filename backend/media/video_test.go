package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/testutil"
)

// ffmpegMake runs ffmpeg to make a test file.
func ffmpegMake(t testing.TB, args ...string) {
	t.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// ffmpegFrame is ffmpeg's own first frame of a file, rotation applied:
// the reference the poster's orientation is checked against.
func ffmpegFrame(t *testing.T, path string) image.Image {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-i", path, "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "pipe:1").Output()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, b uint8) bool { return math.Abs(float64(a>>8)-float64(b)) <= 40 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

var (
	red  = color.RGBA{255, 0, 0, 255}
	blue = color.RGBA{0, 0, 255, 255}
)

func TestVideoFactsAndPoster(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=red:s=320x240:d=3", "-c:v", "libx264", "-pix_fmt", "yuv420p", p("red.mp4"))
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=blue:s=320x240:d=2.5:r=30", "-c:v", "libx264", "-pix_fmt", "yuv420p", p("blue.mov"))
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=red:s=320x240:d=3", "-c:v", "mpeg4", p("red.mkv"))
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=blue:s=320x240:d=2", "-c:v", "libvpx-vp9", "-deadline", "realtime", p("blue.webm"))
	// Two seconds of black, then red: the poster skips the black.
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=black:s=320x240:d=2", "-f", "lavfi", "-i", "color=c=red:s=320x240:d=2",
		"-filter_complex", "concat=n=2:v=1:a=0", "-c:v", "libx264", "-pix_fmt", "yuv420p", p("fade.mp4"))
	// Left red, right blue, turned by the container (stream copy keeps
	// the rotate tag as a display matrix in ffmpeg 5.x).
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=red:s=160x240:d=1", "-f", "lavfi", "-i", "color=c=blue:s=160x240:d=1",
		"-filter_complex", "hstack", "-c:v", "libx264", "-pix_fmt", "yuv420p", p("lr.mp4"))
	ffmpegMake(t, "-i", p("lr.mp4"), "-c", "copy", "-metadata:s:v:0", "rotate=90", p("turned.mp4"))

	enough := func(w, h int) bool { return max(w, h) >= 64 }
	for _, c := range []struct {
		name   string
		dur    float64
		codec  string
		w, h   int
		fps    float64
		colour color.RGBA
	}{
		{"red.mp4", 3, "h264", 320, 240, 25, red},
		{"blue.mov", 2.5, "h264", 320, 240, 30, blue},
		{"red.mkv", 3, "mpeg4", 320, 240, 25, red},
		{"blue.webm", 2, "vp9", 320, 240, 25, blue},
		{"fade.mp4", 4, "h264", 320, 240, 25, red},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := NewSource(p(c.name), nil)
			defer src.Close()
			f, err := src.Facts(context.Background(), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(f.Duration-c.dur) > 0.1 || f.Codec != c.codec || f.Width != c.w || f.Height != c.h || f.FPS != c.fps || f.Bitrate <= 0 {
				t.Errorf("facts %+v, want %gs %s %dx%d %g fps", f, c.dur, c.codec, c.w, c.h, c.fps)
			}
			img, info, err := src.Poster(context.Background(), Limits{}, enough)
			if err != nil {
				t.Fatal(err)
			}
			if info.MediaType != TypeVideo {
				t.Errorf("info %+v", info)
			}
			b := img.Bounds()
			if b.Dx() != 64 || b.Dy() != 48 {
				t.Errorf("poster %v, want 64x48 (the smallest enough)", b)
			}
			if px := img.At(b.Dx()/2, b.Dy()/2); !near(px, c.colour) {
				t.Errorf("poster centre %v, want %v", px, c.colour)
			}
		})
	}

	t.Run("rotated", func(t *testing.T) {
		src := NewSource(p("turned.mp4"), nil)
		defer src.Close()
		f, err := src.Facts(context.Background(), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		ref := ffmpegFrame(t, p("turned.mp4")) // ffmpeg's own display of it
		rb := ref.Bounds()
		if f.Width != rb.Dx() || f.Height != rb.Dy() || f.Width != 240 || f.Height != 320 || f.Rotation%180 != 90 {
			t.Fatalf("facts %+v, ffmpeg shows %v", f, rb)
		}
		img, _, err := src.Poster(context.Background(), Limits{}, enough)
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		if b.Dx() != 48 || b.Dy() != 64 {
			t.Fatalf("poster %v, want 48x64", b)
		}
		for _, y := range []float64{0.2, 0.8} {
			want := ref.At(rb.Dx()/2, int(y*float64(rb.Dy())))
			got := img.At(b.Dx()/2, int(y*float64(b.Dy())))
			r, g, bl, _ := want.RGBA()
			if !near(got, color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}) {
				t.Errorf("at %g of the height: poster %v, ffmpeg %v", y, got, want)
			}
		}
	})
}

func TestVideoContainerDateAndPlace(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	mov := filepath.Join(dir, "phone.mov")
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=red:s=320x240:d=1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
		"-movflags", "use_metadata_tags", "-metadata", "com.apple.quicktime.make=Apple",
		"-metadata", "com.apple.quicktime.model=iPhone 12",
		"-metadata", "com.apple.quicktime.location.ISO6709=+48.8584+002.2945+035.000/",
		"-metadata", "creation_time=2021-05-01T12:34:56Z", mov)
	mp4 := filepath.Join(dir, "xyz.mp4") // the location as MP4's ©xyz
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=red:s=320x240:d=1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
		"-metadata", "location=-33.8568+151.2153/", "-metadata", "creation_time=2020-02-03T04:05:06Z", mp4)
	for _, c := range []struct {
		path, created, make, model string
		lat, lon                   float64
	}{
		{mov, "2021-05-01T12:34:56+00:00", "Apple", "iPhone 12", 48.8584, 2.2945},
		{mp4, "2020-02-03T04:05:06+00:00", "", "", -33.8568, 151.2153},
	} {
		f, err := NewSource(c.path, nil).Facts(context.Background(), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if f.Created != c.created || f.Make != c.make || f.Model != c.model || f.Lat == nil ||
			math.Abs(*f.Lat-c.lat) > 1e-4 || math.Abs(*f.Lon-c.lon) > 1e-4 {
			t.Errorf("%s: %+v", filepath.Base(c.path), f)
		}
	}
}

// TestVideoHostile: a truncated MP4 and an MKV claiming a duration of
// thousands of years are reported, and nothing runs past its deadline.
func TestVideoHostile(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.mp4")
	ffmpegMake(t, "-f", "lavfi", "-i", "testsrc=s=320x240:d=3", "-c:v", "libx264", "-pix_fmt", "yuv420p", whole)
	data, _ := os.ReadFile(whole)
	trunc := filepath.Join(dir, "trunc.mp4")
	os.WriteFile(trunc, data[:len(data)/2], 0o644)
	mkv := filepath.Join(dir, "bogus.mkv")
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=red:s=320x240:d=2", "-c:v", "mpeg4", mkv)
	writeBogusDuration(t, mkv)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lim := Limits{MaxDecodeTime: 20 * time.Second}
	_, err := NewSource(trunc, nil).Facts(ctx, lim)
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated: %v", err)
	}
	if _, _, err := NewSource(trunc, nil).Poster(ctx, lim, nil); err == nil {
		t.Error("truncated: a poster")
	}
	src := NewSource(mkv, nil)
	f, err := src.Facts(ctx, lim)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "duration") || f.Duration != 0 || f.Width != 320 {
		t.Errorf("bogus duration: %+v %v", f, err)
	}
	if img, _, err := src.Poster(ctx, lim, nil); err != nil || !near(img.At(160, 120), red) {
		t.Errorf("bogus duration poster: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("ran past the deadline")
	}
}

// writeBogusDuration sets a Matroska file's Segment Info Duration (EBML
// id 0x4489, an 8-byte float of milliseconds) to 1e15.
func writeBogusDuration(t *testing.T, path string) {
	data, _ := os.ReadFile(path)
	i := bytes.Index(data, []byte{0x44, 0x89, 0x88})
	if i < 0 {
		t.Fatal("no 8-byte Duration element")
	}
	binary.BigEndian.PutUint64(data[i+3:], math.Float64bits(1e15))
	os.WriteFile(path, data, 0o644)
}

func TestVideoWithoutFFmpeg(t *testing.T) {
	t.Setenv("TAGSIGHT_FFMPEG_DIR", t.TempDir())
	path := filepath.Join(t.TempDir(), "a.mp4")
	os.WriteFile(path, []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), 0o644)
	src := NewSource(path, nil)
	if _, err := src.Facts(context.Background(), Limits{}); !errors.Is(err, ErrMissingTool) || !strings.Contains(err.Error(), "install ffmpeg") && !strings.Contains(err.Error(), "TAGSIGHT_FFMPEG_DIR") {
		t.Errorf("facts: %v", err)
	}
	if _, _, err := src.Poster(context.Background(), Limits{}, nil); !errors.Is(err, ErrMissingTool) {
		t.Errorf("poster: %v", err)
	}
}

// TestToolKilledOnTimeLimit: a program that never ends is killed at
// Limits.MaxDecodeTime (a stand-in ffprobe that sleeps).
func TestToolKilledOnTimeLimit(t *testing.T) {
	testutil.NeedTools(t, "sleep")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ffprobe"), []byte("#!/bin/sh\nexec sleep 1000\n"), 0o755)
	t.Setenv("TAGSIGHT_FFMPEG_DIR", dir)
	path := filepath.Join(t.TempDir(), "a.mp4")
	os.WriteFile(path, []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), 0o644)
	_, err := NewSource(path, nil).Facts(context.Background(), Limits{MaxDecodeTime: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("err %v", err)
	}
}

func TestParseProbe(t *testing.T) {
	// Written by ffprobe 5.1 for a 320x240 H.264 mp4 with rotate=90
	// (display matrix rotation 90: turned a quarter counter-clockwise,
	// 270 clockwise) and for a QuickTime file with Apple keys.
	data, err := os.ReadFile("testdata/ffprobe-rotated.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseProbe(data)
	if err != nil || f.Rotation != 270 || f.Width != 240 || f.Height != 320 || f.Duration != 1 || f.Codec != "h264" || f.FPS != 25 {
		t.Errorf("rotated: %+v %v", f, err)
	}
	data, _ = os.ReadFile("testdata/ffprobe-quicktime.json")
	f, err = parseProbe(data)
	if err != nil || f.Make != "Apple" || f.Model != "iPhone 12" || f.Created != "2021-05-01T12:34:56+00:00" ||
		f.Lat == nil || *f.Lat != 48.8584 || *f.Lon != 2.2945 || f.Bitrate != 21384 {
		t.Errorf("quicktime: %+v %v", f, err)
	}
	for _, c := range []struct {
		in       string
		lat, lon float64
		ok       bool
	}{
		{"+48.8584+002.2945+035.000/", 48.8584, 2.2945, true},
		{"-33.8568+151.2153/", -33.8568, 151.2153, true},
		{"+91.0+000.0/", 0, 0, false},
		{"garbage", 0, 0, false},
	} {
		lat, lon, ok := parseISO6709(c.in)
		if ok != c.ok || lat != c.lat || lon != c.lon {
			t.Errorf("%q: %g %g %v", c.in, lat, lon, ok)
		}
	}
}

func FuzzParseProbe(f *testing.F) {
	for _, n := range []string{"testdata/ffprobe-rotated.json", "testdata/ffprobe-quicktime.json"} {
		data, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"streams":[{"codec_type":"video","width":1,"height":1,"avg_frame_rate":"1/0","side_data_list":[{"side_data_type":"Display Matrix","rotation":-1e308}]}],"format":{"duration":"NaN"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fa, _ := parseProbe(data)
		if fa.Rotation%90 != 0 || fa.Rotation < 0 || fa.Rotation >= 360 {
			t.Errorf("rotation %d", fa.Rotation)
		}
		if math.IsNaN(fa.Duration) || fa.Duration < 0 || fa.Duration > maxPlausibleDuration || math.IsNaN(fa.FPS) || fa.FPS < 0 {
			t.Errorf("duration %g fps %g", fa.Duration, fa.FPS)
		}
		if fa.Lat != nil && (math.Abs(*fa.Lat) > 90 || math.Abs(*fa.Lon) > 180) {
			t.Errorf("place %g %g", *fa.Lat, *fa.Lon)
		}
		if fa.Width < 0 || fa.Height < 0 {
			t.Errorf("size %dx%d", fa.Width, fa.Height)
		}
	})
}
