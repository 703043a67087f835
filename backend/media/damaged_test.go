package media

import (
	"context"
	"errors"
	"image"
	"image/png"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// imDecode decodes a file with ImageMagick (an independent reader) to RGBA.
func imDecode(t *testing.T, path string) *image.RGBA {
	t.Helper()
	out := path + ".im.png"
	if b, err := exec.Command("convert", path, out).CombinedOutput(); err != nil {
		t.Fatalf("convert %s: %v %s", path, err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return toRGBA(img)
}

// meanDiff is the mean absolute difference of the RGB values of a and b
// over rows [y0, y1).
func meanDiff(a, b *image.RGBA, y0, y1 int) float64 {
	var sum, n float64
	for y := y0; y < y1; y++ {
		for x := 0; x < a.Bounds().Dx(); x++ {
			o, p := a.PixOffset(x, y), b.PixOffset(x, y)
			for c := 0; c < 3; c++ {
				d := float64(a.Pix[o+c]) - float64(b.Pix[p+c])
				if d < 0 {
					d = -d
				}
				sum += d
				n++
			}
		}
	}
	return sum / n
}

// TestDecodeDamagedJPEG: a photo whose scan data a failing card or an
// interrupted copy damaged decodes like other viewers show it (ImageMagick
// is the reference): the intact part as it was, a warning saying so; a
// JPEG with no picture data at all still fails.
func TestDecodeDamagedJPEG(t *testing.T) {
	dir := t.TempDir()
	photo := filepath.Join(dir, "photo.jpg")
	if b, err := exec.Command("convert", "-size", "640x480", "-seed", "7", "plasma:fractal", "-quality", "90", photo).CombinedOutput(); err != nil {
		t.Fatalf("convert (ImageMagick, installed by make setup): %v %s", err, b)
	}
	data, err := os.ReadFile(photo)
	if err != nil {
		t.Fatal(err)
	}
	n := len(data)
	zeros := append([]byte{}, data...)
	copy(zeros[n*55/100:], make([]byte, 512))
	noise := append([]byte{}, data...)
	rand.New(rand.NewSource(3)).Read(noise[n*55/100 : n*55/100+512])
	damaged := map[string][]byte{"zeroed block": zeros, "random block": noise, "cut short": data[:n*6/10]}
	whole := imDecode(t, photo)
	full := func(w, h int) bool { return w >= 640 } // decode at full size, to compare pixels
	for name, b := range damaged {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".jpg")
			testutil.WriteFile(t, p, b)
			img, info, release, err := decode(context.Background(), p, Limits{}, full, nil)
			if err == nil {
				defer release()
			}
			if !turboJPEG {
				// image/jpeg (builds without libjpeg-turbo) gives nothing of a damaged file.
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("pure-Go decoder: %v, want ErrCorrupt", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("a damaged JPEG was refused: %v", err)
			}
			if !strings.Contains(info.Warning, "damaged JPEG") {
				t.Errorf("warning %q", info.Warning)
			}
			got, ref := toRGBA(img), imDecode(t, p)
			if got.Bounds() != ref.Bounds() {
				t.Fatalf("size %v, ImageMagick's %v", got.Bounds(), ref.Bounds())
			}
			// The rows before the damage are the photo's own.
			if d := meanDiff(got, whole, 0, 480*4/10); d > 2 {
				t.Errorf("intact rows differ from the undamaged photo by %.1f on average", d)
			}
			// The whole picture is what ImageMagick shows of the file.
			if d := meanDiff(got, ref, 0, 480); d > 2 {
				t.Errorf("differs from ImageMagick's decode by %.1f on average", d)
			}
			// The pipeline's decode carries the warning too.
			if _, info, err := DecodeOriented(context.Background(), p, Limits{}, func(w, h int) bool { return w >= 64 }); err != nil || info.Warning == "" {
				t.Errorf("DecodeOriented: %v, warning %q", err, info.Warning)
			}
		})
	}
	t.Run("no picture data", func(t *testing.T) {
		p := filepath.Join(dir, "header-only.jpg")
		testutil.WriteFile(t, p, testutil.HeaderOnly(data))
		if _, _, _, err := decode(context.Background(), p, Limits{}, full, nil); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%v, want ErrCorrupt", err)
		}
	})
	// An intact photo has no warning.
	_, info, release, err := decode(context.Background(), photo, Limits{}, full, nil)
	if err != nil || info.Warning != "" {
		t.Fatalf("intact photo: %v, warning %q", err, info.Warning)
	}
	release()
}
