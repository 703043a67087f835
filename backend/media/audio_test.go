package media

import (
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/testutil"
)

// makeAudio writes the test's sound files with ffmpeg: an MP3 with a red
// cover and ID3 tags, a FLAC without cover whose first half is four times
// louder than its second, an Ogg with Vorbis comments, a WAV.
func makeAudio(t testing.TB, dir string) {
	t.Helper()
	cover := image.NewRGBA(image.Rect(0, 0, 120, 120))
	for i := range cover.Pix {
		cover.Pix[i] = []byte{255, 0, 0, 255}[i%4]
	}
	writeFile(t, dir, "cover.png", encodePNG(t, cover))
	p := func(n string) string { return filepath.Join(dir, n) }
	ffmpegMake(t, "-f", "lavfi", "-i", "sine=f=440:d=3", "-i", p("cover.png"), "-map", "0", "-map", "1",
		"-c:a", "libmp3lame", "-b:a", "128k", "-c:v", "png", "-disposition:v", "attached_pic", "-id3v2_version", "3",
		"-metadata", "title=Sine Song", "-metadata", "artist=Test Artist", "-metadata", "album=Test Album",
		"-metadata", "date=2019", "-metadata", "track=3/12", "-metadata", "genre=Ambient", p("song.mp3"))
	ffmpegMake(t, "-f", "lavfi", "-i", "aevalsrc='if(lt(t,2),0.8,0.2)*sin(2*PI*440*t)':s=22050:d=4",
		"-metadata", "title=Loud Then Quiet", "-metadata", "artist=Flac Artist", p("wave.flac"))
	ffmpegMake(t, "-f", "lavfi", "-i", "sine=f=220:d=2", "-c:a", "libvorbis",
		"-metadata", "title=Ogg Title", "-metadata", "album=Ogg Album", p("tone.ogg"))
	ffmpegMake(t, "-f", "lavfi", "-i", "sine=f=330:d=1.5:sample_rate=8000", p("plain.wav"))
}

func TestAudioFactsAndPoster(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	makeAudio(t, dir)
	enough := func(w, h int) bool { return max(w, h) >= 64 }
	for _, c := range []struct {
		name, codec, title, artist, album, genre string
		dur                                      float64
		rate, year, track                        int
	}{
		{"song.mp3", "mp3", "Sine Song", "Test Artist", "Test Album", "Ambient", 3, 44100, 2019, 3},
		{"wave.flac", "flac", "Loud Then Quiet", "Flac Artist", "", "", 4, 22050, 0, 0},
		{"tone.ogg", "vorbis", "Ogg Title", "", "Ogg Album", "", 2, 44100, 0, 0},
		{"plain.wav", "pcm_s16le", "", "", "", "", 1.5, 8000, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := NewSource(filepath.Join(dir, c.name), nil)
			defer src.Close()
			info, err := src.Probe(context.Background(), Limits{})
			if err != nil || info.MediaType != TypeAudio {
				t.Fatalf("probe %+v %v", info, err)
			}
			f, err := src.Facts(context.Background(), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(f.Duration-c.dur) > 0.1 || f.Codec != c.codec || f.SampleRate != c.rate || f.Bitrate <= 0 ||
				f.Title != c.title || f.Artist != c.artist || f.Album != c.album || f.Genre != c.genre ||
				f.Year != c.year || f.Track != c.track || f.Width != 0 {
				t.Errorf("facts %+v, want %+v", f, c)
			}
			img, _, err := src.Poster(context.Background(), Limits{}, enough)
			if err != nil {
				t.Fatal(err)
			}
			want := 64 // the waveform: the smallest size enough accepts
			if c.name == "song.mp3" {
				want = 120 // the cover, a PNG, at its own size
			}
			if b := img.Bounds(); max(b.Dx(), b.Dy()) != want {
				t.Errorf("poster %v, want a long side of %d", b, want)
			}
			if c.name == "song.mp3" && !near(img.At(32, 32), red) {
				t.Errorf("cover centre %v, want red", img.At(32, 32))
			}
		})
	}
}

// TestAudioWaveform: without a cover the poster is the waveform: dark
// above and below the band, light in it, and the band of the first half
// (amplitude 0.8) four times as tall as the second's (0.2).
func TestAudioWaveform(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	makeAudio(t, dir)
	src := NewSource(filepath.Join(dir, "wave.flac"), nil)
	defer src.Close()
	img, _, err := src.Poster(context.Background(), Limits{}, func(w, h int) bool { return max(w, h) >= 400 })
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != 400 || b.Dy() != 200 {
		t.Fatalf("waveform %v, want 400x200", b)
	}
	light := func(c color.Color) bool { r, g, bl, _ := c.RGBA(); return (r+g+bl)>>8 > 3*128 }
	band := func(x int) (top, bottom int) {
		top, bottom = -1, -1
		for y := range b.Dy() {
			if light(img.At(x, y)) {
				if top < 0 {
					top = y
				}
				bottom = y
			}
		}
		return top, bottom
	}
	var loud, quiet []float64
	for x := 10; x < b.Dx()-10; x += 7 {
		top, bottom := band(x)
		if top < 0 || top > b.Dy()/2 || bottom < b.Dy()/2-1 {
			t.Fatalf("column %d: band %d..%d does not hold the middle line", x, top, bottom)
		}
		if light(img.At(x, 0)) || light(img.At(x, b.Dy()-1)) {
			t.Fatalf("column %d: light at the edges", x)
		}
		h := float64(bottom - top + 1)
		switch {
		case x < b.Dx()/2-10:
			loud = append(loud, h)
		case x > b.Dx()/2+10:
			quiet = append(quiet, h)
		}
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	if l, q := mean(loud), mean(quiet); l < 0.8*float64(b.Dy()) || math.Abs(q/l-0.25) > 0.05 {
		t.Errorf("band heights: loud %.1f, quiet %.1f (ratio %.3f, want 0.25 of the amplitudes)", l, q, q/l)
	}
}

// TestAudioHostile: a truncated MP3 and a file that is not sound are
// reported within their deadline; a FLAC picture and an ID3 tag declaring
// gigabytes are refused before anything that size is allocated.
func TestAudioHostile(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	makeAudio(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lim := Limits{MaxDecodeTime: 20 * time.Second}

	junk := writeFile(t, dir, "junk.flac", append([]byte("fLaC"), make([]byte, 64)...))
	if _, err := NewSource(junk, nil).Facts(ctx, lim); !errors.Is(err, ErrCorrupt) {
		t.Errorf("junk: %v", err)
	}
	if _, _, err := NewSource(junk, nil).Poster(ctx, lim, nil); err == nil {
		t.Error("junk: a poster")
	}

	// A picture block of 50 bytes whose data claims 4 GB.
	pic := []byte("fLaC\x86\x00\x00\x32")
	pic = binary.BigEndian.AppendUint32(pic, 3)
	pic = binary.BigEndian.AppendUint32(pic, 9)
	pic = append(pic, "image/png"...)
	pic = binary.BigEndian.AppendUint32(pic, 0)
	pic = append(pic, make([]byte, 16)...)
	pic = binary.BigEndian.AppendUint32(pic, 0xfffffff0)
	pic = append(pic, make([]byte, 64)...)
	// An ID3 tag declaring 200 MiB (syncsafe), then nothing.
	id3 := []byte("ID3\x03\x00\x00\x64\x00\x00\x00")
	id3 = append(id3, make([]byte, 64)...)
	for name, data := range map[string][]byte{"bigpic.flac": pic, "bigtag.mp3": id3} {
		path := writeFile(t, dir, name, data)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := readAudioTags(ctx, NewSource(path, nil), lim)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooManyPixels) || strings.Contains(err.Error(), "needs") {
			t.Errorf("%s: %v", name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
			t.Errorf("%s: %d bytes allocated reading it", name, n)
		}
	}

	whole, _ := os.ReadFile(filepath.Join(dir, "song.mp3"))
	trunc := writeFile(t, dir, "trunc.mp3", whole[:len(whole)/3])
	src := NewSource(trunc, nil)
	f, err := src.Facts(ctx, lim)
	if err != nil && !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated: %v", err)
	}
	if f.Artist != "Test Artist" && err == nil {
		t.Errorf("truncated: facts %+v", f)
	}
	if ctx.Err() != nil {
		t.Fatal("ran past the deadline")
	}
}

func TestAudioWithoutFFmpeg(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	makeAudio(t, dir)
	t.Setenv("TAGSIGHT_FFMPEG_DIR", t.TempDir())
	src := NewSource(filepath.Join(dir, "song.mp3"), nil)
	f, err := src.Facts(context.Background(), Limits{})
	if !errors.Is(err, ErrMissingTool) || f.Artist != "Test Artist" || f.Album != "Test Album" {
		t.Errorf("facts %+v %v: the tags are read without ffprobe, its absence said", f, err)
	}
	// The cover needs no ffmpeg either.
	img, _, err := src.Poster(context.Background(), Limits{}, nil)
	if err != nil || !near(img.At(60, 60), red) {
		t.Errorf("poster without ffmpeg: %v", err)
	}
	if _, _, err := NewSource(filepath.Join(dir, "wave.flac"), nil).Poster(context.Background(), Limits{}, nil); !errors.Is(err, ErrMissingTool) {
		t.Errorf("waveform without ffmpeg: %v", err)
	}
}

func TestParseAudioProbeTags(t *testing.T) {
	data := []byte(`{"streams":[{"codec_type":"audio","codec_name":"vorbis","sample_rate":"48000","channels":2,
		"tags":{"TITLE":"On the stream","TRACKNUMBER":"7"}}],
		"format":{"duration":"61.5","bit_rate":"96000","tags":{"ARTIST":"Someone","DATE":"2001-02-03"}}}`)
	f, err := parseAudioProbe(data)
	if err != nil || f.Title != "On the stream" || f.Artist != "Someone" || f.Year != 2001 || f.Track != 7 ||
		f.Duration != 61.5 || f.SampleRate != 48000 || f.Channels != 2 || f.Codec != "vorbis" {
		t.Errorf("%+v %v", f, err)
	}
}

// FuzzAudioTags: the tag reader behind its bounds checks never panics
// and allocates within its reservation; a failure wraps a sentinel.
func FuzzAudioTags(f *testing.F) {
	f.Add([]byte("fLaC\x86\x00\x00\x32\x00\x00\x00\x03\x00\x00\x00\x09image/png"))
	f.Add([]byte("ID3\x03\x00\x00\x00\x00\x01\x00TIT2\x00\x00\x00\x05\x00\x00\x00abcd"))
	f.Add([]byte("\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A mp42"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"a.mp3", "a.flac", "a.m4a"} {
			_, err := readAudioTags(context.Background(), NewSource(name, data), Limits{})
			if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooManyPixels) && !strings.Contains(err.Error(), "probe") {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}
