package media

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"image/color"
	"testing"
)

// psdBytes writes a w×h 8-bit RGB PSD (Adobe's file format specification:
// header, three empty sections, then the merged image data) whose top
// half is top and bottom half bottom; rle packs each row as PackBits.
func psdBytes(w, h int, top, bottom color.RGBA, rle bool) []byte {
	var b bytes.Buffer
	be := binary.BigEndian
	b.WriteString("8BPS")
	binary.Write(&b, be, uint16(1))
	b.Write(make([]byte, 6))
	binary.Write(&b, be, uint16(3))
	binary.Write(&b, be, uint32(h))
	binary.Write(&b, be, uint32(w))
	binary.Write(&b, be, uint16(8))
	binary.Write(&b, be, uint16(3)) // RGB
	b.Write(make([]byte, 12))       // colour mode data, resources, layers: empty
	plane := func(c, y int) byte {
		px := top
		if y >= h/2 {
			px = bottom
		}
		return []byte{px.R, px.G, px.B}[c]
	}
	if !rle {
		binary.Write(&b, be, uint16(0))
		for c := 0; c < 3; c++ {
			for y := 0; y < h; y++ {
				b.Write(bytes.Repeat([]byte{plane(c, y)}, w))
			}
		}
		return b.Bytes()
	}
	binary.Write(&b, be, uint16(1))
	var rows [][]byte
	for c := 0; c < 3; c++ {
		for y := 0; y < h; y++ {
			var row []byte
			for left := w; left > 0; { // runs of at most 128
				n := min(left, 128)
				row = append(row, byte(int8(1-n)), plane(c, y))
				left -= n
			}
			rows = append(rows, row)
			binary.Write(&b, be, uint16(len(row)))
		}
	}
	for _, r := range rows {
		b.Write(r)
	}
	return b.Bytes()
}

func TestPSDComposite(t *testing.T) {
	dir := t.TempDir()
	for _, rle := range []bool{false, true} {
		name := map[bool]string{false: "raw.psd", true: "rle.psd"}[rle]
		p := writeFile(t, dir, name, psdBytes(300, 200, red, blue, rle))
		src := NewSource(p, nil)
		img, info, err := src.Poster(context.Background(), Limits{}, nil)
		src.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b := img.Bounds()
		if info.Format != "psd" || b.Dx() != 300 || b.Dy() != 200 || !near(img.At(150, 50), red) || !near(img.At(150, 150), blue) {
			t.Errorf("%s: %v %v, top %v bottom %v", name, info.Format, b, img.At(150, 50), img.At(150, 150))
		}
	}
	// A truncated composite is reported, not drawn.
	data := psdBytes(300, 200, red, blue, true)
	p := writeFile(t, dir, "cut.psd", data[:len(data)-500])
	if _, _, err := NewSource(p, nil).Poster(context.Background(), Limits{}, nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated PSD: %v", err)
	}
}

// blendBytes writes a .blend as Blender's file format describes it (a
// 12-byte header, then blocks: 4-byte code, int32 length, the old
// pointer, int32 SDNA index, int32 count, the data): a REND block, the
// TEST thumbnail (int32 width and height, RGBA rows bottom-up), ENDB.
func blendBytes(w, h int, top, bottom color.RGBA) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("BLENDER-v293")
	block := func(code string, data []byte) {
		b.WriteString(code)
		binary.Write(&b, le, int32(len(data)))
		b.Write(make([]byte, 8)) // old pointer (8 bytes: "-")
		binary.Write(&b, le, int32(0))
		binary.Write(&b, le, int32(1))
		b.Write(data)
	}
	block("REND", make([]byte, 72))
	var th bytes.Buffer
	binary.Write(&th, le, int32(w))
	binary.Write(&th, le, int32(h))
	for y := h - 1; y >= 0; y-- { // stored bottom row first
		c := top
		if y >= h/2 {
			c = bottom
		}
		for x := 0; x < w; x++ {
			th.Write([]byte{c.R, c.G, c.B, 255})
		}
	}
	block("TEST", th.Bytes())
	block("ENDB", nil)
	return b.Bytes()
}

func TestBlendThumbnail(t *testing.T) {
	dir := t.TempDir()
	plain := blendBytes(128, 128, red, blue)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	for name, data := range map[string][]byte{"plain.blend": plain, "gz.blend": gz.Bytes()} {
		p := writeFile(t, dir, name, data)
		img, info, err := NewSource(p, nil).Poster(context.Background(), Limits{}, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if info.MediaType != TypeDocument || info.Format != "blend" || img.Bounds().Dx() != 128 ||
			!near(img.At(64, 20), red) || !near(img.At(64, 108), blue) {
			t.Errorf("%s: %s/%s %v top %v bottom %v", name, info.MediaType, info.Format, img.Bounds(), img.At(64, 20), img.At(64, 108))
		}
	}
	// Saved without a thumbnail: no poster, nothing wrong.
	none := append([]byte("BLENDER-v293ENDB"), make([]byte, 20)...)
	p := writeFile(t, dir, "none.blend", none)
	if _, _, err := NewSource(p, nil).Poster(context.Background(), Limits{}, nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("no thumbnail: %v", err)
	}
}

// FuzzDocThumb: any bytes as a PSD or a .blend give a picture or an
// error, never a panic.
func FuzzDocThumb(f *testing.F) {
	f.Add(psdBytes(8, 8, red, blue, true), "a.psd")
	f.Add(psdBytes(8, 8, red, blue, false), "a.psd")
	f.Add(blendBytes(4, 4, red, blue), "a.blend")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		if name != "a.psd" && name != "a.blend" {
			return
		}
		lim := Limits{MaxFileBytes: 1 << 20, MaxDecodeBytes: 64 << 20}
		NewSource(name, data).Poster(context.Background(), lim, nil)
	})
}
