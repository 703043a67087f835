package library

import (
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/testutil"
)

// thumbAt decodes an entry's thumbnail.
func thumbAt(t *testing.T, l *Library, thumb string) image.Image {
	t.Helper()
	f, err := os.Open(l.Derived().Path(Thumbs, thumb))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestScanAudio: songs become entries with their tags kept as facts, the
// cover or the waveform as their tile.
func TestScanAudio(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	root := t.TempDir()
	p := func(n string) string { return filepath.Join(root, n) }
	cover := image.NewRGBA(image.Rect(0, 0, 100, 100))
	for i := range cover.Pix {
		cover.Pix[i] = []byte{255, 0, 0, 255}[i%4]
	}
	cf, err := os.Create(filepath.Join(t.TempDir(), "cover.png"))
	if err != nil {
		t.Fatal(err)
	}
	png.Encode(cf, cover)
	cf.Close()
	ffmpegMake(t, "-f", "lavfi", "-i", "sine=f=440:d=3", "-i", cf.Name(), "-map", "0", "-map", "1",
		"-c:a", "libmp3lame", "-c:v", "png", "-disposition:v", "attached_pic",
		"-metadata", "artist=Test Artist", "-metadata", "album=Test Album", p("song.mp3"))
	ffmpegMake(t, "-f", "lavfi", "-i", "sine=f=440:d=2", p("tone.flac"))

	l := openLib(t, root)
	res := scan(t, l, ScanOptions{ThumbSize: 64})
	if len(res.Errors) != 0 || len(res.Warnings) != 0 {
		t.Errorf("errors %+v warnings %+v", res.Errors, res.Warnings)
	}
	es := entryMap(t, l)
	song, tone := es["song.mp3"], es["tone.flac"]
	if song.MediaType != media.TypeAudio || song.Thumb == "" || tone.Thumb == "" {
		t.Fatalf("song %+v tone %+v", song, tone)
	}
	img := thumbAt(t, l, song.Thumb)
	if r, g, b, _ := img.At(32, 32).RGBA(); r>>8 < 200 || g>>8 > 60 || b>>8 > 60 {
		t.Errorf("song tile centre %d %d %d, want the red cover", r>>8, g>>8, b>>8)
	}
	img = thumbAt(t, l, tone.Thumb)
	bd := img.Bounds()
	lum := func(x, y int) uint32 { r, g, b, _ := img.At(x, y).RGBA(); return (r + g + b) / 3 >> 8 }
	if bd.Dx() != 64 || bd.Dy() != 32 || lum(32, 16) < 150 || lum(32, 0) > 80 {
		t.Errorf("tone tile %v: middle %d, top %d, want a light band on dark", bd, lum(32, 16), lum(32, 0))
	}
	ctx := context.Background()
	if f, err := l.DB.Facts(ctx, song.ID); err != nil || f.Artist != "Test Artist" || f.Album != "Test Album" || f.Duration < 2.9 || f.Duration > 3.1 || f.SampleRate != 44100 {
		t.Errorf("song facts %+v %v", f, err)
	}
}

// TestScanPDF: a PDF becomes an entry whose tile is its first page (the
// red rectangle drawn on it) and whose facts hold its pages and Info.
func TestScanPDF(t *testing.T) {
	root := t.TempDir()
	info := "<< /Title (Quarterly Report) /Author (Ada Lovelace) >>"
	if err := os.WriteFile(filepath.Join(root, "report.pdf"), testutil.PDF(3, info), 0o644); err != nil {
		t.Fatal(err)
	}
	l := openLib(t, root)
	res := scan(t, l, ScanOptions{ThumbSize: 64})
	if len(res.Errors) != 0 || len(res.Warnings) != 0 {
		t.Errorf("errors %+v warnings %+v", res.Errors, res.Warnings)
	}
	e := entryMap(t, l)["report.pdf"]
	if e.MediaType != media.TypeDocument || e.Thumb == "" {
		t.Fatalf("%+v", e)
	}
	img := thumbAt(t, l, e.Thumb)
	b := img.Bounds()
	r, g, bl, _ := img.At(b.Dx()/2, b.Dy()/2).RGBA()
	wr, wg, wb, _ := img.At(1, 1).RGBA()
	if b.Dx() != 64 || r>>8 < 200 || g>>8 > 60 || bl>>8 > 60 || wr>>8 < 220 || wg>>8 < 220 || wb>>8 < 220 {
		t.Errorf("tile %v: centre %d %d %d (want red), corner %d %d %d (want white)", b, r>>8, g>>8, bl>>8, wr>>8, wg>>8, wb>>8)
	}
	if f, err := l.DB.Facts(context.Background(), e.ID); err != nil || f.Pages != 3 || f.Title != "Quarterly Report" || f.Author != "Ada Lovelace" {
		t.Errorf("facts %+v %v", f, err)
	}
}
