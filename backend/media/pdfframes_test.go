package media

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// scanJPEG makes a w×h JPEG of one colour with convert.
func scanJPEG(t *testing.T, colour string, w, h int) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "scan.jpg")
	if out, err := exec.Command("convert", "-size", fmt.Sprintf("%dx%d", w, h), "xc:"+colour, "-quality", "95", p).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v: %s", err, out)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPDFFramesAreScannedPages: of a PDF whose pages 1 and 3 have a text
// layer and page 2 is a picture, the frames are page 2 alone, drawn as
// the picture, at the size asked for.
func TestPDFFramesAreScannedPages(t *testing.T) {
	pdf := testutil.MixedPDF([]testutil.PDFPage{{Text: "Cover"}, {JPEG: scanJPEG(t, "red", 800, 600), W: 800, H: 600}, {Text: "The end"}})
	src := NewSource(writeFile(t, t.TempDir(), "scan.pdf", pdf), nil)
	defer src.Close()
	var got []Frame
	err := src.Frames(context.Background(), Limits{}, func(w, h int) bool { return min(w, h) >= 300 }, func(f Frame) error {
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Page != 2 {
		t.Fatalf("frames %+v, want page 2 alone", got)
	}
	img := got[0].Image
	if b := img.Bounds(); b.Dx() != 400 || b.Dy() != 300 {
		t.Errorf("page 2 drawn at %v, want 400x300", b)
	}
	if px := img.At(200, 150); !near(px, red) {
		t.Errorf("page 2's middle is %v, want red", px)
	}
}

// TestPDFFramesOfATextPDF: a PDF that is all text has no frames to draw.
func TestPDFFramesOfATextPDF(t *testing.T) {
	src := NewSource(writeFile(t, t.TempDir(), "text.pdf", testutil.TextPDF([]string{"one", "two"})), nil)
	defer src.Close()
	n := 0
	err := src.Frames(context.Background(), Limits{}, func(w, h int) bool { return true }, func(f Frame) error { n++; return nil })
	if err != nil || n != 0 {
		t.Fatalf("frames %d, err %v: want none", n, err)
	}
}
