package workspace

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

// screenshot renders a window-like picture with a title bar and lines of
// text at known places (ImageMagick), into root/name.
func screenshot(t *testing.T, root, name string, lines ...string) {
	t.Helper()
	args := []string{"-size", "1280x720", "xc:#f4f4f4", "-fill", "#3a6ea5", "-draw", "rectangle 0,0 1280,48",
		"-font", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "-pointsize", "28", "-fill", "#202020"}
	for i, l := range lines {
		args = append(args, "-annotate", "+80+"+itoa(160+90*i), l)
	}
	args = append(args, filepath.Join(root, name))
	if out, err := exec.Command("convert", args...).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v: %s", err, out)
	}
}

func itoa(i int) string {
	return string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
}

// A screenshot in a scanned library is found by a word it shows, with the
// word's box where it was drawn; with OCR turned off a new one is not read.
func TestOCRFindsScreenshotByItsWords(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	screenshot(t, root, "shot.png", "Quarterly invoice overview", "Payment received")
	t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
	ws, err := Open(ctx, root, true, ModelOptions{ModelsDir: t.TempDir(), Provider: "cpu"}, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	if o := ws.OCR(); o.Engine != nil {
		t.Fatalf("OCR on before its models are installed")
	}
	if err := ws.SetOCR(ctx, true, testutil.OCRModels(t)); err != nil {
		t.Fatal(err)
	}
	if o := ws.OCR(); o.Engine == nil {
		t.Fatalf("no OCR: %v", o.Err)
	}
	index(t, ws)
	shot, err := ws.Lib.DB.EntryByPath(ctx, "shot.png")
	if err != nil {
		t.Fatal(err)
	}
	hits, err := ws.Lib.DB.SearchText(ctx, []string{"quarterly"}, store.All(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].EntryID != shot.ID || hits[0].Source != "ocr" || hits[0].Box == nil {
		t.Fatalf("text search for quarterly: %+v", hits)
	}
	// The first line's baseline is at y=160 of 720, 28 pt high: its box
	// lies across y 0.18..0.24 and starts near x 80/1280.
	b := hits[0].Box
	if b.Y > 160.0/720 || b.Y+b.H < 140.0/720 || b.X > 90.0/1280 || b.X+b.W < 0.3 {
		t.Errorf("box %+v is not where the line was drawn", *b)
	}
	units, err := store.TextUnits(ctx, ws.Lib.DB, shot.ID, "ocr")
	if err != nil || len(units) != 2 {
		t.Fatalf("units %+v %v", units, err)
	}

	// Off: a new screenshot is indexed without its words.
	if err := ws.SetOCR(ctx, false, ""); err != nil {
		t.Fatal(err)
	}
	screenshot(t, root, "later.png", "Unread messages waiting")
	index(t, ws)
	if hits, err := ws.Lib.DB.SearchText(ctx, []string{"messages"}, store.All(), 10); err != nil || len(hits) != 0 {
		t.Fatalf("OCR off, yet: %+v %v", hits, err)
	}
}
