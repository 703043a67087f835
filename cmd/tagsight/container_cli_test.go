package main

import (
	"archive/zip"
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestInfoContainerFacts: `info --json` shows an archive's and a
// comic's facts, and each gets a thumbnail (its picture inside).
func TestInfoContainerFacts(t *testing.T) {
	root := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = []uint8{255, 0, 0, 255}[i%4]
	}
	var pic bytes.Buffer
	png.Encode(&pic, img)
	mkzip := func(name string, parts map[string][]byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for n, d := range parts {
			w, _ := zw.Create(n)
			w.Write(d)
		}
		zw.Close()
		if err := os.WriteFile(filepath.Join(root, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mkzip("stuff.zip", map[string][]byte{"a.txt": []byte("hello"), "p/b.png": pic.Bytes()})
	mkzip("issue.cbz", map[string][]byte{"01.png": pic.Bytes(), "02.png": pic.Bytes(),
		"ComicInfo.xml": []byte(`<ComicInfo><Title>Red</Title><Writer>Ann</Writer><PageCount>2</PageCount></ComicInfo>`)})
	if _, stderr, code := run(t, "index", root, "--json"); code != 0 {
		t.Fatalf("index: %d %s", code, stderr)
	}
	type infoJSON struct {
		MediaType string `json:"media_type"`
		Thumbnail *string
		Facts     struct {
			Entries  int
			Unpacked int64
			Title    string
			Author   string
			Pages    int
		}
	}
	var z, c infoJSON
	info(t, root, "stuff.zip", &z)
	info(t, root, "issue.cbz", &c)
	if z.MediaType != "archive" || z.Thumbnail == nil || z.Facts.Entries != 2 || z.Facts.Unpacked != int64(5+pic.Len()) {
		t.Errorf("stuff.zip: %+v", z)
	}
	if c.MediaType != "document" || c.Thumbnail == nil || c.Facts.Title != "Red" || c.Facts.Author != "Ann" || c.Facts.Pages != 2 {
		t.Errorf("issue.cbz: %+v", c)
	}
	for _, i := range []infoJSON{z, c} {
		if i.Thumbnail == nil {
			continue
		}
		f, err := os.Open(*i.Thumbnail)
		if err != nil {
			t.Fatal(err)
		}
		th, err := jpeg.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		b := th.Bounds()
		r, g, bl, _ := th.At(b.Dx()/2, b.Dy()/2).RGBA()
		if r>>8 < 200 || g>>8 > 60 || bl>>8 > 60 {
			t.Errorf("thumbnail %s is %v, want red", *i.Thumbnail, color.RGBA64{uint16(r), uint16(g), uint16(bl), 0xffff})
		}
	}
}
