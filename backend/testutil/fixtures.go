// Package testutil builds test fixtures (pictures with EXIF, hostile files)
// for the tests of several packages. Only tests import it.
package testutil

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// Solid is a w×h picture in one colour with a gradient in blue, so JPEG
// encoding is not trivially small and thumbnails have content.
func Solid(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{c.R, c.G, uint8((int(c.B) + x) % 256), 255})
		}
	}
	return img
}

// JPEG encodes img, with exif (a TIFF block) as an APP1 segment when not nil.
func JPEG(t testing.TB, img image.Image, exif []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	if exif == nil {
		return buf.Bytes()
	}
	return WithEXIF(t, buf.Bytes(), exif)
}

// WithEXIF inserts a TIFF block as an EXIF APP1 segment right after a
// JPEG's start-of-image marker.
func WithEXIF(t testing.TB, jpg, tiff []byte) []byte {
	t.Helper()
	seg := append([]byte("Exif\x00\x00"), tiff...)
	if len(seg)+2 > 0xffff {
		t.Fatal("exif too big for APP1")
	}
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// PNG is a fixture helper.
func PNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// WriteFile is a fixture helper.
func WriteFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Tag is one TIFF/EXIF field.
type Tag struct {
	id   uint16
	typ  uint16 // 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL
	data []byte // big-endian value bytes
	n    uint32 // count
	sub  []Tag  // for pointer tags (0x8769, 0x8825): the sub-IFD
}

// ASCII is a fixture helper.
func ASCII(id uint16, s string) Tag {
	return Tag{id: id, typ: 2, data: append([]byte(s), 0), n: uint32(len(s) + 1)}
}

// Short is a fixture helper.
func Short(id uint16, v uint16) Tag {
	return Tag{id: id, typ: 3, data: []byte{byte(v >> 8), byte(v), 0, 0}, n: 1}
}

// Rationals is a fixture helper.
func Rationals(id uint16, vs ...[2]uint32) Tag {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint32(b, v[0])
		b = binary.BigEndian.AppendUint32(b, v[1])
	}
	return Tag{id: id, typ: 5, data: b, n: uint32(len(vs))}
}

// Shorts is a fixture helper: several SHORT values.
func Shorts(id uint16, vs ...uint16) Tag {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	if len(b) < 4 {
		b = append(b, make([]byte, 4-len(b))...)
	}
	return Tag{id: id, typ: 3, data: b, n: uint32(len(vs))}
}

// Undefined is a fixture helper: raw bytes (a maker note).
func Undefined(id uint16, b []byte) Tag {
	d := append([]byte{}, b...)
	if len(d) < 4 {
		d = append(d, make([]byte, 4-len(d))...)
	}
	return Tag{id: id, typ: 7, data: d, n: uint32(len(b))}
}

// NikonMakerNote is a Nikon type-3 maker note: "Nikon\0", version 2.10,
// and a self-contained TIFF holding ifd.
func NikonMakerNote(ifd []Tag) []byte {
	return append([]byte("Nikon\x00\x02\x10\x00\x00"), TIFF(ifd)...)
}

// IFDMakerNote is a maker note that is a plain IFD whose values' offsets
// count from the outer TIFF's start, as Canon writes them.
func IFDMakerNote(ifd []Tag) Tag {
	return Tag{id: 0x927C, typ: 7, n: uint32(ifdSize(ifd)), sub: ifd}
}

// Long is a fixture helper: a LONG (uint32) field.
func Long(id uint16, v uint32) Tag {
	return Tag{id: id, typ: 4, data: binary.BigEndian.AppendUint32(nil, v), n: 1}
}

// RAW is a minimal TIFF-based camera RAW: IFD0 with make, orientation and
// a JPEGInterchangeFormat pointer to preview, appended after the TIFF.
func RAW(preview []byte, orientation uint16) []byte {
	tags := func(off uint32) []Tag {
		return []Tag{ASCII(0x010F, "Nikon"), Short(0x0112, orientation), Long(0x0201, off), Long(0x0202, uint32(len(preview)))}
	}
	head := TIFF(tags(0))
	out := TIFF(tags(uint32(len(head))))
	return append(out, preview...)
}

// Pointer is a fixture helper.
func Pointer(id uint16, sub []Tag) Tag { return Tag{id: id, typ: 4, n: 1, sub: sub} }

func ifdSize(tags []Tag) int {
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
func writeIFD(tags []Tag, off int) []byte {
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

// TIFF builds a big-endian TIFF block with IFD0 = ifd0.
func TIFF(ifd0 []Tag) []byte {
	return append([]byte("MM\x00\x2a\x00\x00\x00\x08"), writeIFD(ifd0, 8)...)
}

// CameraExif is a full set of the fields Tagsight reads.
func CameraExif(orientation uint16) []byte {
	return TIFF([]Tag{
		ASCII(0x010F, "Canon"),
		ASCII(0x0110, "Canon EOS R5"),
		Short(0x0112, orientation),
		Pointer(0x8769, []Tag{
			ASCII(0x9003, "2023:06:15 14:30:05"),
			Short(0x8827, 800),
			Rationals(0x829D, [2]uint32{28, 10}),
			Rationals(0x829A, [2]uint32{1, 250}),
			Rationals(0x920A, [2]uint32{50, 1}),
			ASCII(0xA434, "RF50mm F1.8 STM"),
		}),
		Pointer(0x8825, []Tag{
			ASCII(0x0001, "N"),
			Rationals(0x0002, [2]uint32{48, 1}, [2]uint32{51, 1}, [2]uint32{2964, 100}),
			ASCII(0x0003, "E"),
			Rationals(0x0004, [2]uint32{2, 1}, [2]uint32{17, 1}, [2]uint32{4008, 100}),
		}),
	})
}

// HeaderOnly cuts a JPEG right after its start-of-scan header: every
// header, no picture data.
func HeaderOnly(jpg []byte) []byte {
	for i := 2; i+3 < len(jpg); {
		m := jpg[i+1]
		n := int(jpg[i+2])<<8 | int(jpg[i+3])
		if m == 0xDA {
			return jpg[:i+2+n]
		}
		i += 2 + n
	}
	return jpg
}

// PNGBadCRC corrupts the CRC of the IHDR chunk.
func PNGBadCRC(b []byte) []byte {
	b = append([]byte{}, b...)
	// signature(8) + length(4) + "IHDR"(4) + data(13) => CRC at 29
	b[29] ^= 0xFF
	return b
}

// PNGBomb is a valid PNG header declaring w×h pixels with almost no data.
func PNGBomb(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := func(typ string, data []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		c := append([]byte(typ), data...)
		b = append(b, c...)
		b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(c))
	}
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01})
	chunk("IEND", nil)
	return b
}

// JPEGBomb patches a real JPEG's SOF0 dimensions.
func JPEGBomb(t testing.TB, w, h uint16) []byte {
	b := JPEG(t, Solid(16, 16, color.RGBA{1, 2, 3, 255}), nil)
	for i := 2; i+9 < len(b); i++ {
		if b[i] == 0xFF && (b[i+1] == 0xC0 || b[i+1] == 0xC2) {
			binary.BigEndian.PutUint16(b[i+5:], h)
			binary.BigEndian.PutUint16(b[i+7:], w)
			return b
		}
	}
	t.Fatal("no SOF in fixture")
	return nil
}

// HostileFolder fills root with every kind of file a scan must survive.
// good lists the paths that must be indexed; bad maps the paths that must
// be reported to a fragment of the expected reason ("" = any reason).
// unreadable.jpg has mode 000: a test running as root, which reads it
// anyway, must refuse it through a hook or expect it indexed.
func HostileFolder(t testing.TB, root string) (good map[string]bool, bad map[string]string) {
	t.Helper()
	good = map[string]bool{}
	img := JPEG(t, Solid(64, 48, color.RGBA{200, 30, 30, 255}), nil)
	addGood := func(rel string, b []byte) {
		WriteFile(t, filepath.Join(root, rel), b)
		good[rel] = true
	}
	addGood("plain.jpg", img)
	addGood("camera.jpg", JPEG(t, Solid(64, 48, color.RGBA{20, 200, 30, 255}), CameraExif(6)))
	addGood("image.png", PNG(t, Solid(40, 30, color.RGBA{0, 0, 255, 255})))
	addGood("notes.txt", []byte("just text\n"))
	// Malformed EXIF must not cost the picture its entry.
	addGood("exif-offset-past-end.jpg", JPEG(t, Solid(32, 32, color.RGBA{9, 9, 9, 255}), []byte("MM\x00\x2a\x00\x00\xff\xf0")))
	loop := TIFF([]Tag{ASCII(0x010F, "Loop")})
	binary.BigEndian.PutUint32(loop[len(loop)-10:], 8) // IFD0's next-IFD offset points at itself
	addGood("exif-ifd-loop.jpg", JPEG(t, Solid(32, 32, color.RGBA{9, 9, 9, 255}), loop))
	// Odd names.
	for _, n := range []string{"with space.jpg", `quote'"s.jpg`, "100%.jpg", "emoji 🙂📷.jpg", "-starts-with-dash.jpg", "caf\xe9-latin1.jpg", "ünïcödé/naïve.jpg"} {
		addGood(n, img)
	}
	deep := ""
	for i := 0; i < 30; i++ {
		deep += "d" + string(rune('a'+i%26)) + "/"
	}
	addGood(deep+"deep.jpg", img)
	addGood("x.jpg/inside.jpg", img) // a folder named like a picture

	bad = map[string]string{} // path -> expected error fragment
	addBad := func(rel string, b []byte, want string) {
		WriteFile(t, filepath.Join(root, rel), b)
		bad[rel] = want
	}
	// Empty files are entries typed by their names, as in TagStudio.
	addGood("zero.jpg", nil)
	addGood("zero.txt", nil)
	addGood("zero.mp4", nil)
	rnd := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(rnd)
	addBad("random.jpg", rnd, "")
	// A JPEG cut short (an interrupted copy) shows what decodes, with a
	// warning; one with no picture data at all fails.
	addGood("truncated.jpg", JPEG(t, Solid(400, 300, color.RGBA{1, 100, 200, 255}), nil)[:3000])
	addBad("header-only.jpg", HeaderOnly(JPEG(t, Solid(400, 300, color.RGBA{1, 100, 200, 255}), nil)), "no picture data")
	addBad("bad-crc.png", PNGBadCRC(PNG(t, Solid(40, 30, color.RGBA{1, 2, 3, 255}))), "")
	addBad("bomb.png", PNGBomb(60000, 60000), "pixel")
	addBad("bomb.jpg", JPEGBomb(t, 60000, 60000), "pixel")

	// Special files.
	if mkfifo(t, filepath.Join(root, "fifo.jpg")) {
		bad["fifo.jpg"] = "named pipe"
	}
	os.Symlink("loop-b", filepath.Join(root, "loop-a"))
	os.Symlink("loop-a", filepath.Join(root, "loop-b"))
	bad["loop-a"], bad["loop-b"] = "loop", "loop"
	os.Symlink(".", filepath.Join(root, "self"))
	bad["self"] = "not followed"
	os.Symlink("nowhere.jpg", filepath.Join(root, "dangling.jpg"))
	bad["dangling.jpg"] = "dangling"
	// A sparse multi-GB file: fingerprinted by sampling, never read whole.
	for _, n := range []string{"sparse.bin", "sparse.jpg"} {
		f, err := os.Create(filepath.Join(root, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(3 << 30); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	good["sparse.bin"] = true
	bad["sparse.jpg"] = ""
	// Unreadable: chmod works for normal users; root reads anyway, so the
	// open is also refused through the test hook.
	addBad("unreadable.jpg", img, "permission denied")
	os.Chmod(filepath.Join(root, "unreadable.jpg"), 0)

	return good, bad
}
