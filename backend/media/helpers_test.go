package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// noisyImage is a gradient with noise, so JPEG sizes and decode costs are
// realistic rather than those of a flat image.
func noisyImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := img.PixOffset(x, y)
			n := uint8(r.IntN(32))
			img.Pix[i] = uint8(x*255/w) + n
			img.Pix[i+1] = uint8(y*255/h) + n
			img.Pix[i+2] = uint8((x+y)*127/(w+h)) + n
			img.Pix[i+3] = 0xff
		}
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withAPP1 inserts an "Exif\0\0" APP1 segment holding tiffData after SOI.
func withAPP1(t testing.TB, jpg, tiffData []byte) []byte { return testutil.WithEXIF(t, jpg, tiffData) }

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngChunk returns the offset of the first chunk of the given type.
func pngChunk(t testing.TB, p []byte, typ string) int {
	t.Helper()
	for o := 8; o+8 <= len(p); o += 12 + int(binary.BigEndian.Uint32(p[o:])) {
		if string(p[o+4:o+8]) == typ {
			return o
		}
	}
	t.Fatalf("no %s chunk", typ)
	return 0
}

func fixCRC(p []byte, chunk int) {
	l := int(binary.BigEndian.Uint32(p[chunk:]))
	binary.BigEndian.PutUint32(p[chunk+8+l:], crc32.ChecksumIEEE(p[chunk+4:chunk+8+l]))
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// ---- a small little-endian TIFF/EXIF builder ----

type tiffTag struct {
	id, typ uint16
	count   uint32
	val     []byte // raw value bytes (count*size)
}

func asciiTag(id uint16, s string) tiffTag {
	b := append([]byte(s), 0)
	return tiffTag{id, 2, uint32(len(b)), b}
}

func shortTag(id uint16, v uint16) tiffTag {
	return tiffTag{id, 3, 1, binary.LittleEndian.AppendUint16(nil, v)}
}

func ratTag(id uint16, pairs ...uint32) tiffTag {
	var b []byte
	for _, p := range pairs {
		b = binary.LittleEndian.AppendUint32(b, p)
	}
	return tiffTag{id, 5, uint32(len(pairs) / 2), b}
}

// buildTIFF lays out IFD0 (plus pointers to an Exif and a GPS IFD when
// those are non-empty) followed by all out-of-line values.
func buildTIFF(ifd0, exifIFD, gps []tiffTag) []byte {
	dirSize := func(n int) int { return 2 + 12*n + 4 }
	n0 := len(ifd0)
	if len(exifIFD) > 0 {
		n0++
	}
	if len(gps) > 0 {
		n0++
	}
	exifOff := 8 + dirSize(n0)
	gpsOff := exifOff
	if len(exifIFD) > 0 {
		gpsOff += dirSize(len(exifIFD))
	}
	dataOff := gpsOff
	if len(gps) > 0 {
		dataOff += dirSize(len(gps))
	}
	ptr := func(id uint16, off int) tiffTag {
		return tiffTag{id, 4, 1, binary.LittleEndian.AppendUint32(nil, uint32(off))}
	}
	if len(exifIFD) > 0 {
		ifd0 = append(ifd0, ptr(0x8769, exifOff))
	}
	if len(gps) > 0 {
		ifd0 = append(ifd0, ptr(0x8825, gpsOff))
	}
	out := []byte("II*\x00\x08\x00\x00\x00")
	var data []byte
	writeDir := func(tags []tiffTag) {
		out = binary.LittleEndian.AppendUint16(out, uint16(len(tags)))
		for _, tg := range tags {
			out = binary.LittleEndian.AppendUint16(out, tg.id)
			out = binary.LittleEndian.AppendUint16(out, tg.typ)
			out = binary.LittleEndian.AppendUint32(out, tg.count)
			if len(tg.val) <= 4 {
				v := make([]byte, 4)
				copy(v, tg.val)
				out = append(out, v...)
			} else {
				out = binary.LittleEndian.AppendUint32(out, uint32(dataOff+len(data)))
				data = append(data, tg.val...)
				if len(data)%2 == 1 {
					data = append(data, 0)
				}
			}
		}
		out = binary.LittleEndian.AppendUint32(out, 0)
	}
	writeDir(ifd0)
	if len(exifIFD) > 0 {
		writeDir(exifIFD)
	}
	if len(gps) > 0 {
		writeDir(gps)
	}
	return append(out, data...)
}

func orientationTIFF(o uint16) []byte {
	return buildTIFF([]tiffTag{asciiTag(0x010f, "TestMake"), shortTag(0x0112, o)}, nil, nil)
}

var _ = color.RGBA{}
