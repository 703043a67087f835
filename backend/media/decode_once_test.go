package media

import (
	"context"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// TestDecodeOrientedServesEveryNeed decodes once at the size both a 16 px
// thumbnail and a 24 px model input need, oriented, and checks that
// scaling the one result gives what the separate paths give.
func TestDecodeOrientedServesEveryNeed(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "o.jpg", withAPP1(t, encodeJPEG(t, halves(64, 48)), orientationTIFF(6)))
	img, info, err := DecodeOriented(context.Background(), p, Limits{}, func(w, h int) bool { return min(w, h) >= 24 && max(w, h) >= 16 })
	if err != nil {
		t.Fatal(err)
	}
	if info.Orientation != 6 || img.Rect.Dx() > img.Rect.Dy() {
		t.Fatalf("not oriented: %+v %v", info, img.Rect)
	}
	in := ScaleShort(img, 24)
	want, _, err := DecodeScaled(context.Background(), p, 24, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Bounds().Size() != want.Bounds().Size() || !isRed(in.At(12, 4)) || !isBlue(in.At(12, 28)) {
		t.Errorf("model input %v, DecodeScaled %v", in.Bounds(), want.Bounds())
	}
	dst := filepath.Join(dir, "t", "o.jpg")
	if err := ThumbnailFrom(context.Background(), img, dst, 16); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := jpeg.DecodeConfig(f)
	if err != nil || cfg.Width != 12 || cfg.Height != 16 {
		t.Errorf("thumbnail %dx%d %v, want 12x16", cfg.Width, cfg.Height, err)
	}
}
