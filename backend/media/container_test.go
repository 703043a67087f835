package media

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

var green = color.RGBA{0, 200, 0, 255}

func flat(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
	return img
}

type part struct {
	name string
	data []byte
}

func zipBytes(t testing.TB, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tarGzBytes(t testing.TB, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, p := range parts {
		tw.WriteHeader(&tar.Header{Name: p.name, Mode: 0o644, Size: int64(len(p.data)), Typeflag: tar.TypeReg})
		tw.Write(p.data)
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// TestContainers: each container's facts (what the test put in) and its
// poster's colour (the picture the format names, else the first).
func TestContainers(t *testing.T) {
	dir := t.TempDir()
	redPNG, bluePNG := encodePNG(t, flat(40, 30, red)), encodePNG(t, flat(40, 30, blue))
	greenPNG, redJPG := encodePNG(t, flat(40, 30, green)), encodeJPEG(t, flat(40, 30, red))
	text := []byte("not a picture")

	writeFile(t, dir, "plain.zip", zipBytes(t, part{"readme.txt", text}, part{"b/z.png", bluePNG},
		part{"a/x.png", redPNG}, part{"__MACOSX/a/._x.png", text}))
	// Natural order: page2 before page10; without ComicInfo the first page.
	writeFile(t, dir, "nat.cbz", zipBytes(t, part{"page10.png", bluePNG}, part{"page2.png", redPNG}))
	comicInfo := `<?xml version="1.0"?><ComicInfo><Series>Tintin</Series><Number>3</Number><Writer>Hergé</Writer>
		<Year>1931</Year><PageCount>62</PageCount><Pages><Page Image="0"/><Page Image="1" Type="FrontCover"/></Pages></ComicInfo>`
	writeFile(t, dir, "marked.cbz", zipBytes(t, part{"ComicInfo.xml", []byte(comicInfo)},
		part{"p01.png", redPNG}, part{"p02.png", greenPNG}, part{"p03.png", bluePNG}))
	opf := `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">
		<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>A Study in Scarlet</dc:title>
		<dc:creator>Arthur Conan Doyle</dc:creator><dc:date>1887-11-01</dc:date></metadata>
		<manifest><item id="a" href="images/aaa.png" media-type="image/png"/>
		<item id="c" href="images/my%20cover.png" media-type="image/png" properties="cover-image"/></manifest>
		<spine><itemref idref="a"/></spine></package>`
	container := `<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">
		<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`
	writeFile(t, dir, "book.epub", zipBytes(t, part{"mimetype", []byte("application/epub+zip")},
		part{"META-INF/container.xml", []byte(container)}, part{"OEBPS/content.opf", []byte(opf)},
		part{"OEBPS/images/aaa.png", redPNG}, part{"OEBPS/images/my cover.png", bluePNG}))
	// EPUB 2 marks its cover with <meta name="cover">.
	opf2 := `<package><metadata><title>Two</title><meta name="cover" content="cv"/></metadata>
		<manifest><item id="x" href="a.png"/><item id="cv" href="z.png"/></manifest></package>`
	writeFile(t, dir, "two.epub", zipBytes(t, part{"META-INF/container.xml", []byte(container)},
		part{"OEBPS/content.opf", []byte(opf2)}, part{"OEBPS/a.png", redPNG}, part{"OEBPS/z.png", greenPNG}))
	writeFile(t, dir, "pics.tar.gz", tarGzBytes(t, part{"notes.txt", text}, part{"img/g.png", greenPNG}))
	app := `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Pages>7</Pages></Properties>`
	core := `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
		xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Report</dc:title><dc:creator>Ada</dc:creator></cp:coreProperties>`
	// The document's thumbnail is red; a blue picture inside is not it.
	writeFile(t, dir, "report.docx", zipBytes(t, part{"[Content_Types].xml", text}, part{"word/media/image1.png", bluePNG},
		part{"docProps/app.xml", []byte(app)}, part{"docProps/core.xml", []byte(core)},
		part{"docProps/thumbnail.jpeg", redJPG}))
	meta := `<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
		xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
		<office:meta><dc:title>Notes</dc:title><meta:initial-creator>Grace</meta:initial-creator>
		<meta:document-statistic meta:page-count="3" meta:word-count="10"/></office:meta></office:document-meta>`
	writeFile(t, dir, "notes.odt", zipBytes(t, part{"mimetype", []byte("application/vnd.oasis.opendocument.text")},
		part{"Pictures/blue.png", bluePNG}, part{"meta.xml", []byte(meta)}, part{"Thumbnails/thumbnail.png", redPNG}))
	writeFile(t, dir, "paint.kra", zipBytes(t, part{"mimetype", []byte("application/x-krita")},
		part{"preview.png", bluePNG}, part{"mergedimage.png", greenPNG}))

	cases := []struct {
		name     string
		mt, f    string
		entries  int
		unpacked int64
		title    string
		author   string
		pages    int
		colour   color.RGBA
	}{
		{"plain.zip", TypeArchive, "zip", 4, int64(2*len(text) + len(bluePNG) + len(redPNG)), "", "", 0, red},
		{"nat.cbz", TypeDocument, "cbz", 2, int64(len(bluePNG) + len(redPNG)), "", "", 2, red},
		{"marked.cbz", TypeDocument, "cbz", 4, int64(len(comicInfo) + len(redPNG) + len(greenPNG) + len(bluePNG)), "Tintin 3", "Hergé", 62, green},
		{"book.epub", TypeDocument, "epub", 0, 0, "A Study in Scarlet", "Arthur Conan Doyle", 0, blue},
		{"two.epub", TypeDocument, "epub", 0, 0, "Two", "", 0, green},
		{"pics.tar.gz", TypeArchive, "gz", 2, int64(len(text) + len(greenPNG)), "", "", 0, green},
		{"report.docx", TypeDocument, "docx", 0, 0, "Report", "Ada", 7, red},
		{"notes.odt", TypeDocument, "odt", 0, 0, "Notes", "Grace", 3, red},
		{"paint.kra", TypeDocument, "kra", 0, 0, "", "", 0, green},
	}
	if _, err := exec.LookPath("7z"); err == nil {
		// 7z (p7zip) packs a solid archive of the same pictures.
		os.Mkdir(filepath.Join(dir, "in"), 0o755)
		writeFile(t, filepath.Join(dir, "in"), "b.png", bluePNG)
		writeFile(t, filepath.Join(dir, "in"), "a.png", greenPNG)
		cmd := exec.Command("7z", "a", "-bd", "-ms=on", filepath.Join(dir, "pics.cb7"), "b.png", "a.png")
		cmd.Dir = filepath.Join(dir, "in")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("7z: %v %s", err, out)
		}
		cases = append(cases, struct {
			name          string
			mt, f         string
			entries       int
			unpacked      int64
			title, author string
			pages         int
			colour        color.RGBA
		}{"pics.cb7", TypeDocument, "cb7", 2, int64(len(bluePNG) + len(greenPNG)), "", "", 2, green})
	} else {
		t.Log("7z not installed: no 7z case")
	}
	// No RAR case: no free tool makes one, and no fixture of known
	// licence was at hand.
	enough := func(w, h int) bool { return w >= 20 }
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := NewSource(filepath.Join(dir, c.name), nil)
			defer src.Close()
			f, err := src.Facts(context.Background(), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if f.Entries != c.entries || f.Unpacked != c.unpacked || f.Title != c.title || f.Author != c.author || f.Pages != c.pages {
				t.Errorf("facts %+v, want %d entries, %d bytes, %q by %q, %d pages", f, c.entries, c.unpacked, c.title, c.author, c.pages)
			}
			img, info, err := src.Poster(context.Background(), Limits{}, enough)
			if err != nil {
				t.Fatal(err)
			}
			if info.MediaType != c.mt || info.Format != c.f {
				t.Errorf("typed %s/%s, want %s/%s", info.MediaType, info.Format, c.mt, c.f)
			}
			b := img.Bounds()
			if px := img.At(b.Dx()/2, b.Dy()/2); b.Dx() < 20 || b.Dx() > 40 || !near(px, c.colour) {
				t.Errorf("poster %v centre %v, want 20 to 40 wide, %v", b, px, c.colour)
			}
		})
	}
	t.Run("no picture", func(t *testing.T) {
		p := writeFile(t, dir, "text.zip", zipBytes(t, part{"a.txt", text}))
		_, _, err := NewSource(p, nil).Poster(context.Background(), Limits{}, enough)
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("err %v, want ErrUnsupported (no poster, nothing wrong)", err)
		}
	})
}

// zipBomb writes a zip holding one picture-named file of n zero bytes,
// deflated: one flushed block of 1 MiB of zeros repeated (each block
// refers back only to zeros, so the stream stays valid) — about a
// thousandth of n on disk, made without deflating n bytes.
func zipBomb(t testing.TB, path string, n int64) {
	t.Helper()
	const chunk = 1 << 20
	var blk bytes.Buffer
	fw, _ := flate.NewWriter(&blk, flate.BestCompression)
	fw.Write(make([]byte, chunk))
	fw.Flush()
	block := append([]byte(nil), blk.Bytes()...)
	var tail bytes.Buffer
	fw2, _ := flate.NewWriter(&tail, flate.BestCompression)
	fw2.Close() // a final empty block
	crc := uint32(0)
	zero := make([]byte, chunk)
	for i := int64(0); i < n/chunk; i++ {
		crc = crc32.Update(crc, crc32.IEEETable, zero)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "zeros.png", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(int64(len(block))*(n/chunk) + int64(tail.Len())), UncompressedSize64: uint64(n)})
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(0); i < n/chunk; i++ {
		w.Write(block)
	}
	w.Write(tail.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestContainerHostile: a 1 GiB zip bomb is listed (its declared size is
// a fact) but its member is refused unread; a zip that lies about its
// sizes, a truncated zip and a damaged epub are reported.
func TestContainerHostile(t *testing.T) {
	dir := t.TempDir()
	bomb := filepath.Join(dir, "bomb.zip")
	zipBomb(t, bomb, 1<<30)
	st, _ := os.Stat(bomb)
	if st.Size() > 4<<20 {
		t.Fatalf("the bomb is %d bytes on disk, not a bomb", st.Size())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	src := NewSource(bomb, nil)
	f, err := src.Facts(ctx, Limits{})
	if err != nil || f.Entries != 1 || f.Unpacked != 1<<30 {
		t.Errorf("bomb facts %+v %v, want 1 entry of 1 GiB", f, err)
	}
	before := decodeMemory.Load().sem
	_, _, err = src.Poster(ctx, Limits{}, nil)
	if !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("bomb poster: %v, want refused", err)
	}
	src.Close()
	// Smaller limits: the same bomb is refused by its ratio, below the
	// size cap.
	_, _, err = NewSource(bomb, nil).Poster(ctx, Limits{MaxFileBytes: 2 << 30}, nil)
	if !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("bomb poster by ratio: %v, want refused", err)
	}
	if !before.TryAcquire(DefaultMaxDecodeBytes) {
		t.Error("the decode budget was not given back")
	} else {
		before.Release(DefaultMaxDecodeBytes)
	}

	good := zipBytes(t, part{"a.png", encodePNG(t, flat(40, 30, red))})
	for name, data := range map[string][]byte{
		"trunc.zip":  good[:len(good)/2],
		"lying.zip":  lieAboutSize(t, good),
		"empty.epub": zipBytes(t, part{"mimetype", []byte("application/epub+zip")}),
	} {
		p := writeFile(t, dir, name, data)
		src := NewSource(p, nil)
		_, errF := src.Facts(ctx, Limits{})
		_, _, errP := src.Poster(ctx, Limits{}, nil)
		src.Close()
		if errF == nil && errP == nil {
			t.Errorf("%s: no error", name)
		}
		for _, err := range []error{errF, errP} {
			if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooManyPixels) && !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: %v is neither corrupt nor refused", name, err)
			}
		}
	}
	// An empty file is an entry with nothing to read, not a damaged one.
	p := writeFile(t, dir, "nothing.zip", nil)
	if _, err := NewSource(p, nil).Facts(ctx, Limits{}); err != nil && !errors.Is(err, ErrUnsupported) {
		t.Errorf("empty zip: %v", err)
	}
}

// lieAboutSize rewrites a one-member zip's declared unpacked size (local
// header and directory) to 10 bytes: reading must stop there.
func lieAboutSize(t testing.TB, z []byte) []byte {
	out := append([]byte(nil), z...)
	for _, sig := range []struct {
		magic string
		off   int
	}{{"PK\x03\x04", 22}, {"PK\x01\x02", 24}} {
		i := bytes.Index(out, []byte(sig.magic))
		if i < 0 {
			t.Fatal("no header")
		}
		out[i+sig.off], out[i+sig.off+1], out[i+sig.off+2], out[i+sig.off+3] = 10, 0, 0, 0
	}
	return out
}

// FuzzContainer: any bytes as a zip-based comic, an EPUB, a tar.gz or a
// 7z give facts and a poster or an error, never a panic.
func FuzzContainer(f *testing.F) {
	png := encodePNG(f, flat(8, 8, red))
	f.Add(zipBytes(f, part{"ComicInfo.xml", []byte(`<ComicInfo><Pages><Page Image="0" Type="FrontCover"/></Pages></ComicInfo>`)}, part{"a.png", png}), "x.cbz")
	f.Add(zipBytes(f, part{"META-INF/container.xml", []byte(`<container><rootfiles><rootfile full-path="c.opf"/></rootfiles></container>`)},
		part{"c.opf", []byte(`<package><manifest><item href="a.png" properties="cover-image"/></manifest></package>`)}, part{"a.png", png}), "x.epub")
	f.Add(tarGzBytes(f, part{"a.png", png}), "x.tar.gz")
	f.Add([]byte("7z\xbc\xaf\x27\x1c\x00\x04"), "x.7z")
	f.Add([]byte("Rar!\x1a\x07\x01\x00"), "x.rar")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		if len(name) > 64 || filepath.Base(name) != name {
			return
		}
		lim := Limits{MaxFileBytes: 1 << 20, MaxDecodeBytes: 64 << 20, MaxDecodeTime: 5 * time.Second}
		src := NewSource(name, data)
		src.Facts(context.Background(), lim)
		src.Poster(context.Background(), lim, nil)
	})
}
