package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image/gif"
	"os"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// FuzzProbe feeds arbitrary bytes, under each claimed extension, to Probe:
// it must never panic or hang, and an error must wrap a sentinel.
func FuzzProbe(f *testing.F) {
	jpg := encodeJPEG(f, noisyImage(16, 12))
	f.Add(jpg, uint8(0))
	f.Add(withAPP1(f, jpg, fullExifTIFF()), uint8(0))
	f.Add(jpegBomb(f), uint8(0))
	f.Add(encodePNG(f, alphaImage(8, 4)), uint8(1))
	f.Add(pngBomb(f), uint8(1))
	var g bytes.Buffer
	if err := gif.Encode(&g, noisyImage(4, 4), nil); err != nil {
		f.Fatal(err)
	}
	f.Add(g.Bytes(), uint8(2))
	f.Add(fullExifTIFF(), uint8(3))
	f.Add(fullExifTIFF(), uint8(5))
	for _, name := range []string{"tiny.webp", "tiny.heic", "tiny.avif"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b, uint8(4))
		}
	}
	f.Add(heifWithExif(fullExifTIFF()), uint8(4))
	f.Add(testutil.RAW(jpg, 6), uint8(5))
	f.Add([]byte{}, uint8(0))
	f.Add([]byte("BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00"), uint8(6))
	exts := []string{".jpg", ".png", ".gif", ".tif", ".webp", ".nef", ".bmp", ""}
	f.Fuzz(func(t *testing.T, data []byte, ext uint8) {
		// probeFile is Probe after open/stat; going through the disk would
		// make the fuzzer measure the file system.
		name := "f" + exts[int(ext)%len(exts)]
		info, err := probeFile(bytes.NewReader(data), int64(len(data)), name, Limits{MaxPixels: 1 << 24})
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooManyPixels) {
			t.Fatalf("error without a sentinel: %v", err)
		}
		if err == nil && int64(info.Width)*int64(info.Height) > 1<<24 {
			t.Fatalf("accepted %dx%d", info.Width, info.Height)
		}
		if info.Orientation < 1 || info.Orientation > 8 {
			t.Fatalf("orientation %d", info.Orientation)
		}
	})
}

// FuzzExif feeds arbitrary bytes to the EXIF path, both as a bare TIFF
// structure and inside a JPEG APP1 segment. It must never panic, hang or
// allocate without bound (the fuzzer's memory limit catches the last).
func FuzzExif(f *testing.F) {
	f.Add(fullExifTIFF())
	f.Add(orientationTIFF(6))
	loop := orientationTIFF(8)
	binary.LittleEndian.PutUint32(loop[8+2+24:], 8)
	f.Add(loop)
	f.Add([]byte("MM\x00*\x00\x00\x00\x08\x00\x01\x01\x0f\x00\x02\x00\x00\x00\x04abc\x00\x00\x00\x00\x00"))
	f.Add([]byte("II*\x00"))
	f.Add(testutil.TIFF([]testutil.Tag{testutil.ASCII(0x010F, "NIKON"), testutil.Pointer(0x8769, []testutil.Tag{
		testutil.Undefined(0x927C, testutil.NikonMakerNote([]testutil.Tag{testutil.Shorts(0x0002, 0, 400),
			testutil.Rationals(0x0084, [2]uint32{50, 1}, [2]uint32{50, 1}, [2]uint32{18, 10}, [2]uint32{18, 10})}))})}))
	for _, n := range []string{"auto.jpg", "number.jpg"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "canon", n)); err == nil {
			f.Add(jpegExifTIFF(b)) // a Canon maker note
		}
	}
	jpg := encodeJPEG(f, noisyImage(8, 8))
	f.Fuzz(func(t *testing.T, data []byte) {
		if e := parseExifTIFF(data); e != nil {
			if e.Orientation < 0 || e.Orientation > 8 {
				t.Fatalf("orientation %d", e.Orientation)
			}
			if e.Lat != nil && (*e.Lat < -90 || *e.Lat > 90) {
				t.Fatalf("lat %v", *e.Lat)
			}
		}
		if len(data)+8 < 0xffff {
			seg := withAPP1(t, jpg, data)
			if got := jpegExifTIFF(seg); !bytes.Equal(got, data) && len(data) > 0 {
				t.Fatalf("APP1 payload not recovered")
			}
		}
		jpegExifTIFF(data)
		pngExifTIFF(data)
		ispeSize(data)
	})
}

// FuzzDecode runs the full decode path (Probe on bytes, then libjpeg-turbo
// or the Go decoders) on arbitrary bytes under a small pixel limit.
func FuzzDecode(f *testing.F) {
	f.Add(encodeJPEG(f, noisyImage(40, 30)), uint8(0))
	f.Add(withAPP1(f, encodeJPEG(f, noisyImage(24, 16)), orientationTIFF(6)), uint8(0))
	f.Add(encodePNG(f, alphaImage(20, 10)), uint8(1))
	var g bytes.Buffer
	if err := gif.Encode(&g, noisyImage(8, 8), nil); err != nil {
		f.Fatal(err)
	}
	f.Add(g.Bytes(), uint8(2))
	if b, err := os.ReadFile(filepath.Join("testdata", "tiny.webp")); err == nil {
		f.Add(b, uint8(4))
	}
	exts := []string{".jpg", ".png", ".gif", ".tif", ".webp", ".bmp"}
	f.Fuzz(func(t *testing.T, data []byte, ext uint8) {
		lim := Limits{MaxPixels: 1 << 20, MaxFileBytes: 1 << 20}
		img, _, release, err := decodeBytes(context.Background(), data, "f"+exts[int(ext)%len(exts)], lim, func(w, h int) bool { return min(w, h) >= 16 }, nil)
		if err != nil {
			return
		}
		release()
		if int64(img.Bounds().Dx())*int64(img.Bounds().Dy()) > 1<<20 {
			t.Fatalf("decoded %v", img.Bounds())
		}
	})
}
