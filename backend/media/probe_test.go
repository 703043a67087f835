package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// jpegSOF returns the offset of the first SOFn marker of a JPEG.
func jpegSOF(t testing.TB, b []byte) int {
	t.Helper()
	for p := 2; p+4 <= len(b); {
		m := b[p+1]
		if m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc {
			return p
		}
		p += 2 + int(binary.BigEndian.Uint16(b[p+2:]))
	}
	t.Fatal("no SOF")
	return 0
}

func jpegBomb(t testing.TB) []byte {
	b := encodeJPEG(t, noisyImage(32, 32))
	sof := jpegSOF(t, b)
	binary.BigEndian.PutUint16(b[sof+5:], 60000) // height
	binary.BigEndian.PutUint16(b[sof+7:], 60000) // width
	return b
}

func pngBomb(t testing.TB) []byte {
	b := encodePNG(t, noisyImage(32, 32))
	ihdr := pngChunk(t, b, "IHDR")
	binary.BigEndian.PutUint32(b[ihdr+8:], 60000)
	binary.BigEndian.PutUint32(b[ihdr+12:], 60000)
	fixCRC(b, ihdr)
	return b
}

func alphaImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			a := uint8(0)
			if x < w/2 {
				a = 0xff
			}
			img.SetNRGBA(x, y, color.NRGBA{0xff, 0, 0, a})
		}
	}
	return img
}

func TestProbe(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	random[0] = 0 // never a real signature
	jpg := encodeJPEG(t, noisyImage(64, 48))
	pngA := encodePNG(t, alphaImage(40, 20))
	badIHDR := append([]byte{}, pngA...)
	badIHDR[pngChunk(t, badIHDR, "IHDR")+8+13] ^= 0xff
	var gifBuf, bmpBuf, tifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, noisyImage(10, 7), nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&bmpBuf, noisyImage(11, 5)); err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(&tifBuf, noisyImage(13, 9), nil); err != nil {
		t.Fatal(err)
	}
	badExif := buildTIFF([]tiffTag{asciiTag(0x010f, "M")}, nil, nil)
	binary.LittleEndian.PutUint32(badExif[4:], 0xffff0000) // IFD0 offset past the end
	loopExif := orientationTIFF(8)
	binary.LittleEndian.PutUint32(loopExif[8+2+24:], 8) // IFD0 → IFD0

	tests := []struct {
		name   string
		file   string
		data   []byte
		lim    Limits
		err    error // nil = success expected
		mt, f  string
		w, h   int
		orient int
		exif   bool
	}{
		{"zero bytes jpg", "z.jpg", nil, Limits{}, ErrCorrupt, "other", "", 0, 0, 1, false},
		{"zero bytes txt", "z.txt", nil, Limits{}, nil, "document", "txt", 0, 0, 1, false},
		{"random bytes jpg", "r.jpg", random, Limits{}, ErrCorrupt, "other", "", 0, 0, 1, false},
		{"random bytes bin", "r.bin", random, Limits{}, nil, "other", "", 0, 0, 1, false},
		{"jpeg", "a.jpg", jpg, Limits{}, nil, "image", "jpeg", 64, 48, 1, false},
		{"jpeg header cut", "a.jpg", jpg[:150], Limits{}, ErrCorrupt, "image", "jpeg", 0, 0, 1, false},
		{"jpeg half (headers intact)", "a.jpg", jpg[:len(jpg)/2], Limits{}, nil, "image", "jpeg", 64, 48, 1, false},
		{"jpeg exif", "e.jpg", withAPP1(t, jpg, fullExifTIFF()), Limits{}, nil, "image", "jpeg", 64, 48, 6, true},
		{"jpeg malformed exif", "m.jpg", withAPP1(t, jpg, badExif), Limits{}, nil, "image", "jpeg", 64, 48, 1, false},
		{"jpeg exif ifd loop", "l.jpg", withAPP1(t, jpg, loopExif), Limits{}, nil, "image", "jpeg", 64, 48, 8, true},
		{"jpeg bomb", "b.jpg", jpegBomb(t), Limits{}, ErrTooManyPixels, "image", "jpeg", 60000, 60000, 1, false},
		{"png bomb", "b.png", pngBomb(t), Limits{}, ErrTooManyPixels, "image", "png", 60000, 60000, 1, false},
		{"small limit", "a.jpg", jpg, Limits{MaxPixels: 1000}, ErrTooManyPixels, "image", "jpeg", 64, 48, 1, false},
		{"png alpha", "a.png", pngA, Limits{}, nil, "image", "png", 40, 20, 1, false},
		{"png bad IHDR crc", "c.png", badIHDR, Limits{}, ErrCorrupt, "image", "png", 0, 0, 1, false},
		{"gif", "a.gif", gifBuf.Bytes(), Limits{}, nil, "image", "gif", 10, 7, 1, false},
		{"bmp", "a.bmp", bmpBuf.Bytes(), Limits{}, nil, "image", "bmp", 11, 5, 1, false},
		{"tiff", "a.tif", tifBuf.Bytes(), Limits{}, nil, "image", "tiff", 13, 9, 1, false},
		{"nef exif", "a.nef", fullExifTIFF(), Limits{}, nil, "raw", "nef", 0, 0, 6, true},
		{"png named jpg", "p.jpg", pngA, Limits{}, nil, "image", "png", 40, 20, 1, false},
		{"pdf named jpg", "d.jpg", []byte("%PDF-1.4 ..."), Limits{}, ErrCorrupt, "document", "pdf", 0, 0, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, tt.file, tt.data)
			info, err := Probe(ctx, p, tt.lim)
			if tt.err == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if info.MediaType != tt.mt || info.Format != tt.f {
				t.Errorf("type %q/%q, want %q/%q", info.MediaType, info.Format, tt.mt, tt.f)
			}
			if info.Width != tt.w || info.Height != tt.h || info.Orientation != tt.orient {
				t.Errorf("size %dx%d orient %d, want %dx%d orient %d",
					info.Width, info.Height, info.Orientation, tt.w, tt.h, tt.orient)
			}
			if (info.Exif != nil) != tt.exif {
				t.Errorf("exif %+v, want present=%v", info.Exif, tt.exif)
			}
		})
	}
}

func TestProbeCommitted(t *testing.T) {
	for _, tt := range []struct{ file, f string }{
		{"tiny.webp", "webp"}, {"tiny.heic", "heic"}, {"tiny.avif", "avif"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			info, err := Probe(context.Background(), filepath.Join("testdata", tt.file), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != tt.f || info.Width != 40 || info.Height != 30 {
				t.Errorf("got %+v", info)
			}
		})
	}
}

// TestBombsRefusedCheaply: a 60000x60000 declaration would need 14 GB of
// pixels; refusal must come from the header, in milliseconds and with
// almost no allocation, from Probe, DecodeScaled and Thumbnail alike.
func TestBombsRefusedCheaply(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		data []byte
	}{{"b.jpg", jpegBomb(t)}, {"b.png", pngBomb(t)}} {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, tt.name, tt.data)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err1 := Probe(ctx, p, Limits{})
			_, _, err2 := DecodeScaled(ctx, p, 224, Limits{})
			_, err3 := Thumbnail(ctx, p, filepath.Join(dir, "out", tt.name+".jpg"), 256, Limits{})
			el := time.Since(start)
			runtime.ReadMemStats(&after)
			for i, err := range []error{err1, err2, err3} {
				if !errors.Is(err, ErrTooManyPixels) {
					t.Errorf("call %d: err %v, want ErrTooManyPixels", i, err)
				}
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("allocated %d bytes refusing a bomb", alloc)
			}
			if el > 2*time.Second {
				t.Errorf("took %v", el)
			}
		})
	}
}
