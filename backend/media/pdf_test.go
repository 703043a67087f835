package media

import (
	"context"
	"errors"
	"image/color"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/references"

	"github.com/tagsight/tagsight/backend/testutil"
)

func rgba(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 255} }

const testInfo = "<< /Title (Quarterly Report) /Author (Ada Lovelace) /CreationDate (D:20210501123456+02'00') >>"

func TestPDFFactsAndPoster(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "report.pdf", testutil.PDF(3, testInfo))
	src := NewSource(path, nil)
	defer src.Close()
	ctx := context.Background()
	f, err := src.Facts(ctx, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Pages != 3 || f.Title != "Quarterly Report" || f.Author != "Ada Lovelace" || f.Created != "2021-05-01T12:34:56+02:00" {
		t.Errorf("facts %+v", f)
	}
	img, info, err := src.Poster(ctx, Limits{}, func(w, h int) bool { return max(w, h) >= 200 })
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); info.MediaType != TypeDocument || b.Dx() != 200 || b.Dy() != 150 {
		t.Fatalf("poster %v %+v, want 200x150", b, info)
	}
	white := rgba(255, 255, 255)
	for _, c := range []struct {
		x, y int
		want string
	}{{100, 75, "red"}, {40, 40, "red"}, {160, 110, "red"}, {5, 5, "white"}, {195, 145, "white"}, {100, 10, "white"}} {
		want := red
		if c.want == "white" {
			want = white
		}
		if px := img.At(c.x, c.y); !near(px, want) {
			t.Errorf("page at %d,%d: %v, want %s", c.x, c.y, px, c.want)
		}
	}
}

// TestPDFHostile: a truncated PDF, one whose xref points into itself and
// whose page tree is its own kid, and junk are reported within their
// deadline; a deadline already past stops the document at once.
func TestPDFHostile(t *testing.T) {
	dir := t.TempDir()
	whole := testutil.PDF(2, testInfo)
	cyclic := strings.Replace(string(whole), "/Kids [4 0 R 6 0 R] /Count 2", "/Kids [2 0 R 2 0 R] /Count 2", 1)
	cyclic = strings.Replace(cyclic, "/Root 1 0 R", "/Root 1 0 R /Prev 9", 1)
	files := map[string][]byte{
		"trunc.pdf":  whole[:len(whole)/3],
		"cyclic.pdf": []byte(cyclic),
		"junk.pdf":   []byte("%PDF-1.7\n" + strings.Repeat("(((((<<<<[[[[", 500)),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lim := Limits{MaxDecodeTime: 20 * time.Second}
	for name, data := range files {
		path := writeFile(t, dir, name, data)
		_, _, err := NewSource(path, nil).Poster(ctx, lim, nil)
		if err == nil {
			t.Errorf("%s: a poster", name)
		} else if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want it reported as corrupt", name, err)
		}
	}
	if ctx.Err() != nil {
		t.Fatal("ran past the deadline")
	}
	path := writeFile(t, dir, "ok.pdf", whole)
	err := withPDF(ctx, NewSource(path, nil), Limits{MaxDecodeTime: time.Nanosecond}.withDefaults(), 0,
		func(pdfium.Pdfium, references.FPDF_DOCUMENT) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "ran past") {
		t.Errorf("past deadline: %v", err)
	}
}

func TestParsePDFDate(t *testing.T) {
	for in, want := range map[string]string{
		"D:20210501123456+02'00'": "2021-05-01T12:34:56+02:00",
		"D:20210501123456Z":       "2021-05-01T12:34:56+00:00",
		"D:20210501123456-0530":   "2021-05-01T12:34:56-05:30",
		"D:2021":                  "2021-01-01T00:00:00",
		"20210501":                "2021-05-01T00:00:00",
		"D:20211301":              "",
		"yesterday":               "",
		"":                        "",
	} {
		if got := parsePDFDate(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func FuzzPDF(f *testing.F) {
	f.Add(testutil.PDF(1, testInfo))
	f.Add(testutil.PDF(2, "<< /Title (x) >>")[:300])
	f.Fuzz(func(t *testing.T, data []byte) {
		src := NewSource("f.pdf", data)
		lim := Limits{MaxDecodeTime: 10 * time.Second}
		fa, err := src.Facts(context.Background(), lim)
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooManyPixels) && !errors.Is(err, ErrUnsupported) && !strings.Contains(err.Error(), "ran past") {
			t.Errorf("facts: %v", err)
		}
		if fa.Pages < 0 {
			t.Errorf("pages %d", fa.Pages)
		}
		img, _, err := src.Poster(context.Background(), lim, func(w, h int) bool { return max(w, h) >= 32 })
		if err == nil && max(img.Bounds().Dx(), img.Bounds().Dy()) > pdfMaxSide {
			t.Errorf("poster %v", img.Bounds())
		}
	})
}

// TestPDFSubjectKeywords: exiftool (an independent writer) adds Subject
// and Keywords to a PDF's Info as an incremental update; the facts read
// them back as written.
func TestPDFSubjectKeywords(t *testing.T) {
	testutil.NeedTools(t, "exiftool")
	dir := t.TempDir()
	path := writeFile(t, dir, "tagged.pdf", testutil.PDF(2, "<< /Title (Engines) >>"))
	out, err := exec.Command("exiftool", "-q", "-overwrite_original",
		"-Subject=Calculating engines", "-Keywords=analytical, difference, Babbage", path).CombinedOutput()
	if err != nil {
		t.Fatalf("exiftool: %v: %s", err, out)
	}
	src := NewSource(path, nil)
	defer src.Close()
	f, err := src.Facts(context.Background(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Pages != 2 || f.Title != "Engines" || f.Subject != "Calculating engines" || f.Keywords != "analytical, difference, Babbage" {
		t.Errorf("facts %+v", f)
	}
}
