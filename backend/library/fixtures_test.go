package library

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// solid returns a w×h image in one colour with a gradient, so JPEG
// encoding is not trivially small and thumbnails have content.
func solid(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{c.R, c.G, uint8((int(c.B) + x) % 256), 255})
		}
	}
	return img
}

func jpegBytes(t testing.TB, img image.Image, exif []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if exif == nil {
		return b
	}
	seg := append([]byte("Exif\x00\x00"), exif...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, b[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, b[2:]...)
}

func pngBytes(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A minimal big-endian TIFF/EXIF writer for fixtures.
type tag struct {
	id   uint16
	typ  uint16 // 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL
	data []byte // big-endian value bytes
	n    uint32 // count
	sub  []tag  // for pointer tags (0x8769, 0x8825): the sub-IFD
}

func ascii(id uint16, s string) tag {
	return tag{id: id, typ: 2, data: append([]byte(s), 0), n: uint32(len(s) + 1)}
}
func short(id uint16, v uint16) tag {
	return tag{id: id, typ: 3, data: []byte{byte(v >> 8), byte(v), 0, 0}, n: 1}
}
func rationals(id uint16, vs ...[2]uint32) tag {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint32(b, v[0])
		b = binary.BigEndian.AppendUint32(b, v[1])
	}
	return tag{id: id, typ: 5, data: b, n: uint32(len(vs))}
}
func pointer(id uint16, sub []tag) tag { return tag{id: id, typ: 4, n: 1, sub: sub} }

func ifdSize(tags []tag) int {
	n := 2 + 12*len(tags) + 4
	for _, t := range tags {
		if len(t.data) > 4 {
			n += len(t.data) + len(t.data)%2
		}
		if t.sub != nil {
			n += ifdSize(t.sub)
		}
	}
	return n
}

// writeIFD appends an IFD that starts at offset off (from the TIFF start),
// followed by its out-of-line values and sub-IFDs.
func writeIFD(tags []tag, off int) []byte {
	sort.Slice(tags, func(i, j int) bool { return tags[i].id < tags[j].id })
	head := 2 + 12*len(tags) + 4
	var tail []byte
	var b []byte
	b = binary.BigEndian.AppendUint16(b, uint16(len(tags)))
	for _, t := range tags {
		b = binary.BigEndian.AppendUint16(b, t.id)
		b = binary.BigEndian.AppendUint16(b, t.typ)
		b = binary.BigEndian.AppendUint32(b, t.n)
		switch {
		case t.sub != nil:
			subOff := off + head + len(tail)
			b = binary.BigEndian.AppendUint32(b, uint32(subOff))
			tail = append(tail, writeIFD(t.sub, subOff)...)
		case len(t.data) > 4:
			b = binary.BigEndian.AppendUint32(b, uint32(off+head+len(tail)))
			tail = append(tail, t.data...)
			if len(t.data)%2 == 1 {
				tail = append(tail, 0)
			}
		default:
			v := make([]byte, 4)
			copy(v, t.data)
			b = append(b, v...)
		}
	}
	b = binary.BigEndian.AppendUint32(b, 0) // no next IFD
	return append(b, tail...)
}

func tiff(ifd0 []tag) []byte {
	return append([]byte("MM\x00\x2a\x00\x00\x00\x08"), writeIFD(ifd0, 8)...)
}

// cameraExif is a full set of the fields Tagsight reads.
func cameraExif(orientation uint16) []byte {
	return tiff([]tag{
		ascii(0x010F, "Canon"),
		ascii(0x0110, "Canon EOS R5"),
		short(0x0112, orientation),
		pointer(0x8769, []tag{
			ascii(0x9003, "2023:06:15 14:30:05"),
			short(0x8827, 800),
			rationals(0x829D, [2]uint32{28, 10}),
			rationals(0x829A, [2]uint32{1, 250}),
			rationals(0x920A, [2]uint32{50, 1}),
			ascii(0xA434, "RF50mm F1.8 STM"),
		}),
		pointer(0x8825, []tag{
			ascii(0x0001, "N"),
			rationals(0x0002, [2]uint32{48, 1}, [2]uint32{51, 1}, [2]uint32{2964, 100}),
			ascii(0x0003, "E"),
			rationals(0x0004, [2]uint32{2, 1}, [2]uint32{17, 1}, [2]uint32{4008, 100}),
		}),
	})
}
