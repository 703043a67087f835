package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

var (
	bigJPEGOnce sync.Once
	bigJPEG     []byte
)

// jpeg12MP is a 4000x3000 noisy gradient JPEG, generated once per process.
func jpeg12MP(t testing.TB) []byte {
	bigJPEGOnce.Do(func() { bigJPEG = encodeJPEG(t, noisyImage(4000, 3000)) })
	return bigJPEG
}

func TestDecodeScaled12MP(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the 12 MP fixture takes seconds to make (CI runs it)")
	}
	p := writeFile(t, t.TempDir(), "big.jpg", jpeg12MP(t))
	var dw, dh int
	decodedHook = func(w, h int) { dw, dh = w, h }
	defer func() { decodedHook = nil }()
	img, info, err := DecodeScaled(context.Background(), p, 224, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Width != 4000 || info.Height != 3000 {
		t.Errorf("info %dx%d", info.Width, info.Height)
	}
	if b := img.Bounds(); b.Dx() != 299 || b.Dy() != 224 {
		t.Errorf("result %v, want 299x224", b.Size())
	}
	if turboJPEG {
		// libjpeg-turbo at 1/8: 500x375, never the 4000x3000 buffer.
		if s := min(dw, dh); s < 224 || s >= 2*224 {
			t.Errorf("decoder produced %dx%d, want short side in [224, 448)", dw, dh)
		}
	} else if dw != 4000 {
		t.Errorf("pure-Go decoder produced %dx%d", dw, dh)
	}
}

// halves is w×h, left half red and right half blue, as stored.
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{0xff, 0, 0, 0xff}
			if x >= w/2 {
				c = color.RGBA{0, 0, 0xff, 0xff}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func isRed(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r > 0xc000 && g < 0x4000 && b < 0x4000
}

func isBlue(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return b > 0xc000 && g < 0x4000 && r < 0x4000
}

func TestDecodeScaledOrientation(t *testing.T) {
	dir := t.TempDir()
	base := encodeJPEG(t, halves(64, 48))
	tests := []struct {
		orient        int
		w, h          int
		redAt, blueAt image.Point // in the result
	}{
		{1, 32, 24, image.Pt(4, 12), image.Pt(28, 12)},
		{3, 32, 24, image.Pt(28, 12), image.Pt(4, 12)},
		{6, 24, 32, image.Pt(12, 4), image.Pt(12, 28)}, // rotated clockwise: left half on top
		{8, 24, 32, image.Pt(12, 28), image.Pt(12, 4)}, // counter-clockwise: left half at the bottom
	}
	for _, tt := range tests {
		t.Run(string(rune('0'+tt.orient)), func(t *testing.T) {
			p := writeFile(t, dir, "o.jpg", withAPP1(t, base, orientationTIFF(uint16(tt.orient))))
			img, info, err := DecodeScaled(context.Background(), p, 24, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if info.Orientation != tt.orient || info.Width != 64 || info.Height != 48 {
				t.Errorf("info %+v", info)
			}
			if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Fatalf("size %v, want %dx%d", b.Size(), tt.w, tt.h)
			}
			if !isRed(img.At(tt.redAt.X, tt.redAt.Y)) || !isBlue(img.At(tt.blueAt.X, tt.blueAt.Y)) {
				t.Errorf("wrong orientation: %v at red point, %v at blue point",
					img.At(tt.redAt.X, tt.redAt.Y), img.At(tt.blueAt.X, tt.blueAt.Y))
			}
		})
	}
}

func TestDecodeFormats(t *testing.T) {
	dir := t.TempDir()
	var gifBuf, bmpBuf, tifBuf bytes.Buffer
	src := noisyImage(60, 40)
	if err := gif.Encode(&gifBuf, src, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&bmpBuf, src); err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(&tifBuf, src, nil); err != nil {
		t.Fatal(err)
	}
	webpData, err := os.ReadFile("testdata/tiny.webp")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		file string
		data []byte
		w, h int
	}{
		{"a.jpg", encodeJPEG(t, src), 30, 20},
		{"a.png", encodePNG(t, src), 30, 20},
		{"a.gif", gifBuf.Bytes(), 30, 20},
		{"a.bmp", bmpBuf.Bytes(), 30, 20},
		{"a.tif", tifBuf.Bytes(), 30, 20},
		{"a.webp", webpData, 27, 20}, // 40x30 → short side 20
	} {
		t.Run(tt.file, func(t *testing.T) {
			img, _, err := DecodeScaled(context.Background(), writeFile(t, dir, tt.file, tt.data), 20, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Errorf("size %v, want %dx%d", b.Size(), tt.w, tt.h)
			}
		})
	}
	t.Run("no upscale", func(t *testing.T) {
		img, _, err := DecodeScaled(context.Background(), writeFile(t, dir, "s.png", encodePNG(t, src)), 224, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Size() != image.Pt(60, 40) {
			t.Errorf("size %v", img.Bounds().Size())
		}
	})
}

func TestDecodeErrors(t *testing.T) {
	dir := t.TempDir()
	jpg := encodeJPEG(t, noisyImage(256, 192))
	pngData := encodePNG(t, noisyImage(64, 64))
	badIDAT := append([]byte{}, pngData...)
	idat := pngChunk(t, badIDAT, "IDAT")
	badIDAT[idat+8+10] ^= 0x55 // corrupt data, CRC now wrong
	badCRC := append([]byte{}, pngData...)
	badCRC[idat+8+int(binary.BigEndian.Uint32(badCRC[idat:]))] ^= 0xff // data intact, CRC wrong
	heic, err := os.ReadFile("testdata/tiny.heic")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, file string
		data       []byte
		want       error
	}{
		{"zero bytes", "z.jpg", nil, ErrCorrupt},
		{"random jpg", "r.jpg", bytes.Repeat([]byte{0x42, 0x17, 0x99}, 500), ErrCorrupt},
		{"jpeg without picture data", "t.jpg", testutil.HeaderOnly(jpg), ErrCorrupt},
		{"png corrupt idat", "c.png", badIDAT, ErrCorrupt},
		{"png bad idat crc", "k.png", badCRC, ErrCorrupt},
		{"truncated png", "t.png", pngData[:len(pngData)/2], ErrCorrupt},
		{"heic cut short", "h.heic", heic[:len(heic)/2], ErrCorrupt},
		{"pdf", "d.pdf", []byte("%PDF-1.4\n..."), ErrUnsupported},
		{"jpeg bomb", "b.jpg", jpegBomb(t), ErrTooManyPixels},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, tt.file, tt.data)
			_, _, err := DecodeScaled(context.Background(), p, 64, Limits{})
			if !errors.Is(err, tt.want) {
				t.Errorf("DecodeScaled: %v, want %v", err, tt.want)
			}
			t.Logf("DecodeScaled: %v", err)
			out := filepath.Join(dir, "thumbs", tt.name+".jpg")
			_, err = Thumbnail(context.Background(), p, out, 64, Limits{})
			if !errors.Is(err, tt.want) {
				t.Errorf("Thumbnail: %v, want %v", err, tt.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("thumbnail written for a bad file")
			}
		})
	}
	t.Run("heic and avif decode", func(t *testing.T) {
		if !heifDecoder {
			t.Fatal("built without libheif: HEIC/AVIF cannot be decoded (install libheif-dev; make setup does)")
		}
		for _, f := range []string{"tiny.heic", "tiny.avif"} {
			data, err := os.ReadFile(filepath.Join("testdata", f))
			if err != nil {
				t.Fatal(err)
			}
			p := writeFile(t, dir, f, data)
			img, info, err := DecodeScaled(context.Background(), p, 16, Limits{})
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if b := img.Bounds(); min(b.Dx(), b.Dy()) != 16 || info.Width != 40 || info.Height != 30 {
				t.Errorf("%s: decoded %v, header %dx%d", f, b, info.Width, info.Height)
			}
			out := filepath.Join(dir, "thumbs", f+".jpg")
			if _, err := Thumbnail(context.Background(), p, out, 32, Limits{}); err != nil {
				t.Errorf("%s thumbnail: %v", f, err)
			}
		}
	})
	t.Run("file size limit", func(t *testing.T) {
		p := writeFile(t, dir, "l.jpg", jpg)
		_, _, err := DecodeScaled(context.Background(), p, 64, Limits{MaxFileBytes: 100})
		if !errors.Is(err, ErrTooManyPixels) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, _, err := DecodeScaled(ctx, writeFile(t, dir, "c.jpg", jpg), 64, Limits{}); !errors.Is(err, context.Canceled) {
			t.Errorf("err %v", err)
		}
	})
}

func TestThumbnail(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	readJPEG := func(t *testing.T, p string) image.Image {
		f, err := os.Open(p)
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
	t.Run("png alpha on grey", func(t *testing.T) {
		src := writeFile(t, dir, "a.png", encodePNG(t, alphaImage(400, 200)))
		dst := filepath.Join(dir, "deep", "er", "a.jpg")
		info, err := Thumbnail(ctx, src, dst, 100, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if info.Width != 400 || info.Height != 200 {
			t.Errorf("info %+v", info)
		}
		img := readJPEG(t, dst)
		if img.Bounds().Size() != image.Pt(100, 50) {
			t.Fatalf("size %v", img.Bounds().Size())
		}
		if !isRed(img.At(20, 25)) {
			t.Errorf("opaque half: %v", img.At(20, 25))
		}
		r, g, b, _ := img.At(80, 25).RGBA()
		for _, v := range []uint32{r >> 8, g >> 8, b >> 8} {
			if v < 0x70 || v > 0x90 {
				t.Errorf("transparent half should be neutral grey, got %v", img.At(80, 25))
				break
			}
		}
		entries, _ := os.ReadDir(filepath.Dir(dst))
		if len(entries) != 1 {
			t.Errorf("temp files left behind: %v", entries)
		}
	})
	t.Run("orientation 6, long side bound", func(t *testing.T) {
		src := writeFile(t, dir, "o.jpg", withAPP1(t, encodeJPEG(t, halves(640, 480)), orientationTIFF(6)))
		dst := filepath.Join(dir, "o_thumb.jpg")
		if _, err := Thumbnail(ctx, src, dst, 64, Limits{}); err != nil {
			t.Fatal(err)
		}
		img := readJPEG(t, dst)
		if img.Bounds().Size() != image.Pt(48, 64) {
			t.Fatalf("size %v, want 48x64", img.Bounds().Size())
		}
		if !isRed(img.At(24, 8)) || !isBlue(img.At(24, 56)) {
			t.Errorf("not rotated clockwise")
		}
	})
	t.Run("overwrite existing", func(t *testing.T) {
		src := writeFile(t, dir, "s.png", encodePNG(t, noisyImage(20, 10)))
		dst := writeFile(t, dir, "old.jpg", []byte("old"))
		if _, err := Thumbnail(ctx, src, dst, 256, Limits{}); err != nil {
			t.Fatal(err)
		}
		if img := readJPEG(t, dst); img.Bounds().Size() != image.Pt(20, 10) {
			t.Errorf("size %v (no upscaling expected)", img.Bounds().Size())
		}
	})
}

func TestRawPreview(t *testing.T) {
	dir := t.TempDir()
	preview := encodeJPEG(t, noisyImage(320, 240))
	raw := testutil.RAW(preview, 6)
	p := writeFile(t, dir, "DSC_0001.NEF", raw)
	img, info, err := DecodeScaled(context.Background(), p, 60, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if info.MediaType != TypeRaw || info.Orientation != 6 {
		t.Errorf("info %+v", info)
	}
	// 320x240 preview, decoded at ≥60 short side, turned a quarter by orientation 6.
	if b := img.Bounds(); b.Dx() >= b.Dy() || min(b.Dx(), b.Dy()) != 60 {
		t.Errorf("raw preview decoded to %v", b)
	}
	if _, err := Thumbnail(context.Background(), p, filepath.Join(dir, "t.jpg"), 64, Limits{}); err != nil {
		t.Errorf("thumbnail: %v", err)
	}
	// No preview inside: unsupported, not corrupt.
	noPrev := writeFile(t, dir, "empty.dng", testutil.TIFF([]testutil.Tag{testutil.ASCII(0x010F, "Canon")}))
	if _, _, err := DecodeScaled(context.Background(), noPrev, 60, Limits{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("RAW without preview: %v", err)
	}
	// A preview pointer past the end, and an IFD loop, are survived.
	bad := append([]byte{}, raw[:len(raw)-len(preview)/2]...)
	if _, _, err := DecodeScaled(context.Background(), writeFile(t, dir, "cut.nef", bad), 60, Limits{}); err == nil {
		t.Error("cut RAW decoded")
	}
}
