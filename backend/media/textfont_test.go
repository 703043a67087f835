package media

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/tagsight/tagsight/backend/testutil"
)

// poster decodes the file's poster through its kind's decoder, as the
// pipeline does; enough asks for a 256-pixel tile.
func poster(t *testing.T, path string) (*image.RGBA, error) {
	t.Helper()
	src := NewSource(path, nil)
	defer src.Close()
	img, _, err := src.Poster(context.Background(), Limits{}, func(w, h int) bool { return max(w, h) >= 256 })
	return img, err
}

func factsOf(t *testing.T, path string) (f struct {
	Lines         int
	Encoding      string
	Family, Style string
	Glyphs        int
	Width, Height int
}, err error) {
	t.Helper()
	src := NewSource(path, nil)
	defer src.Close()
	ff, err := src.Facts(context.Background(), Limits{})
	f.Lines, f.Encoding, f.Family, f.Style, f.Glyphs, f.Width, f.Height =
		ff.Lines, ff.Encoding, ff.Family, ff.Style, ff.Glyphs, ff.Width, ff.Height
	return f, err
}

// coloured counts pixels of a region whose channels differ by more than
// 60 of 255: ink that is not black, grey or white.
func coloured(img *image.RGBA, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			o := img.PixOffset(x, y)
			p := img.Pix[o : o+3]
			if max(p[0], p[1], p[2])-min(p[0], p[1], p[2]) > 60 {
				n++
			}
		}
	}
	return n
}

// dark counts pixels of a region darker than mid-grey.
func dark(img *image.RGBA, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			o := img.PixOffset(x, y)
			if int(img.Pix[o])+int(img.Pix[o+1])+int(img.Pix[o+2]) < 3*128 {
				n++
			}
		}
	}
	return n
}

// TestTextPosterSyntaxColours: keywords of a Go file and quoted fields of
// a CSV are drawn in colour where they stand (the first line); the same
// text as plain .txt has no colour at all.
func TestTextPosterSyntaxColours(t *testing.T) {
	dir := t.TempDir()
	goSrc := "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n"
	csv := "\"name\",\"city\"\n\"Ada\",\"London\"\n"
	firstLine := image.Rect(0, 0, 256, 256/10) // margin + one line at side/26
	for _, c := range []struct {
		name, body string
		colour     bool
	}{
		{"main.go", goSrc, true},
		{"people.csv", csv, true},
		{"main.txt", goSrc, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			img, err := poster(t, writeFile(t, dir, c.name, []byte(c.body)))
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds().Dx() != 256 || img.Bounds().Dy() != 256 {
				t.Fatalf("poster %v, want 256×256", img.Bounds())
			}
			if dark(img, firstLine) == 0 {
				t.Fatalf("no ink on the first line")
			}
			got := coloured(img, firstLine)
			if c.colour && got < 20 {
				t.Errorf("%d coloured pixels on the first line, want the keyword/string in colour", got)
			}
			if !c.colour && coloured(img, img.Bounds()) != 0 {
				t.Errorf("plain text drawn in colour")
			}
		})
	}
}

// TestTextFacts: lines and encoding, the encoded files made by iconv
// from UTF-8.
func TestTextFacts(t *testing.T) {
	dir := t.TempDir()
	iconv := func(to, s string) []byte {
		t.Helper()
		testutil.NeedTools(t, "iconv")
		cmd := exec.Command("iconv", "-f", "UTF-8", "-t", to)
		cmd.Stdin = strings.NewReader(s)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("iconv: %v", err)
		}
		return out
	}
	// A multi-byte letter cut by the 1 MiB chunk boundary is still UTF-8.
	long := strings.Repeat("a", textChunk-1) + "é\n" + strings.Repeat("line\n", 9)
	for _, c := range []struct {
		name  string
		body  []byte
		lines int
		enc   string
	}{
		{"three.txt", []byte("one\ntwo\nthree"), 3, EncUTF8},
		{"ended.md", []byte("one\ntwo\n"), 2, EncUTF8},
		{"crlf.log", []byte("a\r\nb\r\nc\r\n"), 3, EncUTF8},
		{"utf8.txt", []byte("café\nnaïve\n"), 2, EncUTF8},
		{"bom.txt", append([]byte{0xef, 0xbb, 0xbf}, "x\ny\n"...), 2, EncUTF8},
		{"latin1.txt", iconv("LATIN1", "café\nnaïve\n"), 2, EncLatin1},
		{"utf16le.txt", append([]byte{0xff, 0xfe}, iconv("UTF-16LE", "x\nÿ\nz\n")...), 3, EncUTF16LE},
		{"utf16be.csv", append([]byte{0xfe, 0xff}, iconv("UTF-16BE", "a,b\n1,2\n3,4")...), 3, EncUTF16BE},
		{"long.txt", []byte(long), 10, EncUTF8},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := factsOf(t, writeFile(t, dir, c.name, c.body))
			if err != nil {
				t.Fatal(err)
			}
			if f.Lines != c.lines || f.Encoding != c.enc {
				t.Errorf("lines %d encoding %q, want %d %q", f.Lines, f.Encoding, c.lines, c.enc)
			}
			if _, err := poster(t, filepath.Join(dir, c.name)); err != nil {
				t.Errorf("poster: %v", err)
			}
		})
	}
	// Binary content under a text name is reported, not drawn.
	bin := writeFile(t, dir, "blob.txt", []byte("abc\x00\x01\x02"))
	if _, err := factsOf(t, bin); !errors.Is(err, ErrCorrupt) {
		t.Errorf("binary .txt: %v, want ErrCorrupt", err)
	}
	if _, err := poster(t, bin); err == nil {
		t.Errorf("binary .txt drawn")
	}
}

// dejavu copies DejaVu Sans (fonts-dejavu-core) into dir.
func dejavu(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	data, err := os.ReadFile("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
	if err != nil {
		testutil.Missing(t, "fonts-dejavu-core not installed (scripts/setup.sh installs it)")
	}
	return writeFile(t, dir, "DejaVuSans.ttf", data), data
}

// fcQuery is fontconfig's reading of a font's family and style: the
// expectation, from another parser.
func fcQuery(t *testing.T, path string) (string, string) {
	t.Helper()
	testutil.NeedTools(t, "fc-query")
	out, err := exec.Command("fc-query", "-f", "%{family[0]}|%{style[0]}", path).Output()
	if err != nil {
		t.Fatalf("fc-query %s: %v", path, err)
	}
	fam, style, _ := strings.Cut(string(out), "|")
	return fam, style
}

// sfntTables splits a TrueType file into its tables, in directory order.
func sfntTables(t *testing.T, b []byte) (flavor uint32, tags []string, tables [][]byte) {
	n := int(binary.BigEndian.Uint16(b[4:]))
	for i := range n {
		rec := b[12+16*i:]
		off, l := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		tags = append(tags, string(rec[:4]))
		tables = append(tables, b[off:off+l])
	}
	return binary.BigEndian.Uint32(b), tags, tables
}

// makeWOFF wraps a TrueType font as WOFF 1 (each table zlib-compressed),
// following the W3C WOFF 1.0 layout.
func makeWOFF(t *testing.T, ttf []byte) []byte {
	flavor, tags, tables := sfntTables(t, ttf)
	n := len(tags)
	var body bytes.Buffer
	dir := make([]byte, 20*n)
	off := 44 + 20*n
	for i, tb := range tables {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(tb)
		w.Close()
		data := z.Bytes()
		if len(data) >= len(tb) {
			data = tb
		}
		rec := dir[20*i:]
		copy(rec, tags[i])
		binary.BigEndian.PutUint32(rec[4:], uint32(off+body.Len()))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(data)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(tb)))
		body.Write(data)
		for body.Len()%4 != 0 {
			body.WriteByte(0)
		}
	}
	head := make([]byte, 44)
	copy(head, "wOFF")
	binary.BigEndian.PutUint32(head[4:], flavor)
	binary.BigEndian.PutUint32(head[8:], uint32(44+len(dir)+body.Len()))
	binary.BigEndian.PutUint16(head[12:], uint16(n))
	binary.BigEndian.PutUint32(head[16:], uint32(len(ttf)))
	return append(append(head, dir...), body.Bytes()...)
}

// makeWOFF2 wraps a TrueType font as WOFF2 (one Brotli stream, W3C WOFF2
// layout). With transformGlyf, glyf and loca are flagged as transformed
// (their bytes then stand for the transformed form a reader must rebuild).
func makeWOFF2(t *testing.T, ttf []byte, transformGlyf bool) []byte {
	flavor, tags, tables := sfntTables(t, ttf)
	var dir, stream bytes.Buffer
	b128 := func(v uint32) {
		var tmp []byte
		for {
			tmp = append([]byte{byte(v & 0x7f)}, tmp...)
			if v >>= 7; v == 0 {
				break
			}
		}
		for i := 0; i < len(tmp)-1; i++ {
			tmp[i] |= 0x80
		}
		dir.Write(tmp)
	}
	for i, tag := range tags {
		idx := byte(0x3f)
		for j, k := range woff2Tags {
			if k == tag {
				idx = byte(j)
			}
		}
		glyfLoca := tag == "glyf" || tag == "loca"
		version := byte(0)
		if glyfLoca && !transformGlyf {
			version = 3 // the null transform
		}
		dir.WriteByte(idx | version<<6)
		if idx == 0x3f {
			dir.WriteString(tag)
		}
		b128(uint32(len(tables[i])))
		data := tables[i]
		if glyfLoca && transformGlyf {
			if tag == "loca" {
				data = nil
			}
			b128(uint32(len(data)))
		}
		stream.Write(data)
	}
	var z bytes.Buffer
	w := brotli.NewWriter(&z)
	w.Write(stream.Bytes())
	w.Close()
	head := make([]byte, 48)
	copy(head, "wOF2")
	binary.BigEndian.PutUint32(head[4:], flavor)
	binary.BigEndian.PutUint32(head[8:], uint32(48+dir.Len()+z.Len()))
	binary.BigEndian.PutUint16(head[12:], uint16(len(tags)))
	binary.BigEndian.PutUint32(head[16:], uint32(len(ttf)))
	binary.BigEndian.PutUint32(head[20:], uint32(z.Len()))
	return append(append(head, dir.Bytes()...), z.Bytes()...)
}

// maxpGlyphs reads numGlyphs at offset 4 of the maxp table (OpenType spec).
func maxpGlyphs(t *testing.T, ttf []byte) int {
	_, tags, tables := sfntTables(t, ttf)
	for i, tag := range tags {
		if tag == "maxp" {
			return int(binary.BigEndian.Uint16(tables[i][4:]))
		}
	}
	t.Fatal("no maxp")
	return 0
}

// TestFontFactsAndPoster: DejaVu Sans as TTF, WOFF and WOFF2 gives
// fontconfig's family and style, maxp's glyph count and "Aa" in ink in
// the middle of a white tile, the same pixels from every wrapping.
func TestFontFactsAndPoster(t *testing.T) {
	dir := t.TempDir()
	ttfPath, ttf := dejavu(t, dir)
	fam, style := fcQuery(t, ttfPath)
	glyphs := maxpGlyphs(t, ttf)
	woff := writeFile(t, dir, "DejaVuSans.woff", makeWOFF(t, ttf))
	woff2 := writeFile(t, dir, "DejaVuSans.woff2", makeWOFF2(t, ttf, false))
	var first *image.RGBA
	for _, p := range []string{ttfPath, woff, woff2} {
		t.Run(filepath.Ext(p), func(t *testing.T) {
			f, err := factsOf(t, p)
			if err != nil {
				t.Fatal(err)
			}
			if f.Family != fam || f.Style != style || f.Glyphs != glyphs {
				t.Errorf("facts %q %q %d, want %q %q %d", f.Family, f.Style, f.Glyphs, fam, style, glyphs)
			}
			img, err := poster(t, p)
			if err != nil {
				t.Fatal(err)
			}
			s := img.Bounds().Dx()
			mid := image.Rect(s/4, s/4, 3*s/4, 3*s/4)
			if d := dark(img, mid); d < s*s/40 {
				t.Errorf("%d dark pixels in the middle, want the sample drawn", d)
			}
			for _, c := range []image.Point{{1, 1}, {s - 2, 1}, {1, s - 2}, {s - 2, s - 2}} {
				if dark(img, image.Rectangle{c, c.Add(image.Pt(1, 1))}) != 0 {
					t.Errorf("corner %v inked", c)
				}
			}
			if first == nil {
				first = img
			} else if !bytes.Equal(first.Pix, img.Pix) {
				t.Errorf("%s drawn unlike the TTF", filepath.Ext(p))
			}
		})
	}
}

// TestFontHostile: broken tables, a WOFF that inflates past what it
// declares, a WOFF2 whose outlines are transformed (facts only, reported).
func TestFontHostile(t *testing.T) {
	dir := t.TempDir()
	_, ttf := dejavu(t, dir)

	broken := bytes.Clone(ttf)
	// Every table record's offset points past the end of the file.
	n := int(binary.BigEndian.Uint16(broken[4:]))
	for i := range n {
		binary.BigEndian.PutUint32(broken[12+16*i+8:], uint32(len(broken)+16))
	}
	bp := writeFile(t, dir, "broken.ttf", broken)
	if _, err := factsOf(t, bp); !errors.Is(err, ErrCorrupt) {
		t.Errorf("broken tables: facts %v, want ErrCorrupt", err)
	}
	if _, err := poster(t, bp); err == nil {
		t.Errorf("broken tables drawn")
	}

	cut := writeFile(t, dir, "cut.otf", append([]byte("OTTO"), ttf[4:200]...))
	if _, err := poster(t, cut); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated font: %v, want ErrCorrupt", err)
	}

	w := makeWOFF(t, ttf)
	// A well-compressed table claims a smaller original size than it
	// inflates to (still above its compressed size).
	for i := range int(binary.BigEndian.Uint16(w[12:])) {
		rec := w[44+20*i:]
		if comp, orig := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:]); comp < orig/2 {
			binary.BigEndian.PutUint32(rec[12:], comp+1)
			break
		}
	}
	if _, err := factsOf(t, writeFile(t, dir, "liar.woff", w)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("lying woff: %v, want ErrCorrupt", err)
	}
	if _, err := unwrapWOFF(w, int64(len(ttf))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("lying woff unwrapped: %v, want ErrCorrupt", err)
	}
	w = makeWOFF(t, ttf)
	binary.BigEndian.PutUint32(w[16:], 1<<31) // declares 2 GiB unpacked
	if _, err := factsOf(t, writeFile(t, dir, "bomb.woff", w)); !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("woff bomb: %v, want ErrTooManyPixels", err)
	}

	tp := writeFile(t, dir, "transformed.woff2", makeWOFF2(t, ttf, true))
	fam, style := fcQuery(t, filepath.Join(dir, "DejaVuSans.ttf"))
	f, err := factsOf(t, tp)
	if !errors.Is(err, errWOFF2Glyf) || f.Family != fam || f.Style != style || f.Glyphs != maxpGlyphs(t, ttf) {
		t.Errorf("transformed woff2: %+v %v, want %q %q and errWOFF2Glyf", f, err, fam, style)
	}
	if _, err := poster(t, tp); !errors.Is(err, errWOFF2Glyf) {
		t.Errorf("transformed woff2 poster: %v", err)
	}
}

// TestSVG: a red circle's tile is red in the middle and white in the
// corners, its facts the declared size; hostile drawings are refused.
func TestSVG(t *testing.T) {
	dir := t.TempDir()
	circle := writeFile(t, dir, "circle.svg", []byte(`<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 20 10">
  <circle cx="10" cy="5" r="4" fill="#ff0000"/>
</svg>`))
	f, err := factsOf(t, circle)
	if err != nil || f.Width != 200 || f.Height != 100 {
		t.Fatalf("facts %dx%d %v, want 200x100", f.Width, f.Height, err)
	}
	img, err := poster(t, circle)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 128 {
		t.Fatalf("poster %v, want 256×128 (the aspect kept)", b)
	}
	c := img.RGBAAt(128, 64)
	if c.R < 230 || c.G > 25 || c.B > 25 {
		t.Errorf("centre %v, want red", c)
	}
	if c := img.RGBAAt(3, 3); c.R < 240 || c.G < 240 || c.B < 240 {
		t.Errorf("corner %v, want white", c)
	}

	laughs := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&lol9;</text></svg>`
	for name, body := range map[string]string{
		"laughs.svg":   laughs,
		"notsvg.svg":   `<html><body/></html>`,
		"cut.svg":      `<svg xmlns="http://www.w3.org/2000/svg"><circle`,
		"many.svg":     `<svg>` + strings.Repeat(`<g/>`, maxSVGElements+1) + `</svg>`,
		"textual.svg":  `just text`,
		"entities.svg": `<svg><text>&undefined;</text></svg>`,
		"declares.svg": `<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>`,
	} {
		p := writeFile(t, dir, name, []byte(body))
		if _, err := poster(t, p); err == nil {
			t.Errorf("%s drawn", name)
		}
		if _, err := factsOf(t, p); err == nil {
			t.Errorf("%s: facts read", name)
		}
	}

	// A huge declared size is drawn at a tile's size, never allocated.
	huge := writeFile(t, dir, "huge.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1000000" height="500000"><rect width="1000000" height="500000" fill="blue"/></svg>`))
	img, err = poster(t, huge)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 128 {
		t.Errorf("huge poster %v, want 256×128", b)
	}
	if c := img.RGBAAt(128, 64); c.B < 200 || c.R > 30 {
		t.Errorf("huge centre %v, want blue", c)
	}

	// The SVG 1.1 DTD named by a DOCTYPE (as older editors write) is fine.
	dtd := writeFile(t, dir, "dtd.svg", []byte(`<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="blue"/></svg>`))
	img, err = poster(t, dtd)
	if err != nil {
		t.Fatal(err)
	}
	if c := img.RGBAAt(128, 128); c.B < 200 || c.R > 30 {
		t.Errorf("dtd.svg centre %v, want blue", c)
	}
}
