package api

import (
	"context"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// TextMatches lists every unit of one file where the query's words are:
// each text: term on its own, a plain search's words together, with the
// page or line and a marked snippet; a query that does not parse, or has
// no words, lists nothing and fails nothing.
func TestTextMatches(t *testing.T) {
	a := textLibrary(t, map[string][]byte{
		"report.pdf": testutil.TextPDF([]string{"Invoice summary", "Contents", "The quarterly invoice 2024 is attached", "Paid by card"}),
		"notes.txt":  []byte("shopping list\nmilk\n"),
	})
	ws, _ := a.workspace()
	pdf, err := ws.Lib.DB.EntryByPath(context.Background(), "report.pdf")
	if err != nil {
		t.Fatal(err)
	}
	mark := markHit
	for _, c := range []struct {
		q        string
		pages    []int
		snippets []string
	}{
		{"text:invoice", []int{1, 3}, []string{mark("Invoice") + " summary", "The quarterly " + mark("invoice") + " 2024 is attached"}},
		{"text:invoice text:paid", []int{1, 3, 4}, []string{mark("Invoice") + " summary", "The quarterly " + mark("invoice") + " 2024 is attached", mark("Paid") + " by card"}},
		{"invoice 2024", []int{3}, []string{"The quarterly " + mark("invoice") + " " + mark("2024") + " is attached"}},
		{"milk", nil, nil},
		{"type:document", nil, nil},
		{"text:(", nil, nil},
		{"", nil, nil},
	} {
		got, err := a.TextMatches(pdf.ID, c.q)
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		var pages []int
		var snippets []string
		for _, h := range got.Items {
			if h.Source != "pdf" {
				t.Errorf("%q: source %q", c.q, h.Source)
			}
			pages, snippets = append(pages, h.Page), append(snippets, h.Snippet)
		}
		if !reflect.DeepEqual(pages, c.pages) || !reflect.DeepEqual(snippets, c.snippets) || got.More {
			t.Errorf("%q: pages %v snippets %q more %v, want %v %q", c.q, pages, snippets, got.More, c.pages, c.snippets)
		}
	}
}

// shot renders a screenshot-like picture with lines of text whose
// baselines are at y = 160, 250, … (ImageMagick), into root/name.
func shot(t *testing.T, root, name string, lines ...string) {
	t.Helper()
	args := []string{"-size", "1280x720", "xc:#f4f4f4", "-font", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
		"-pointsize", "28", "-fill", "#202020"}
	for i, l := range lines {
		args = append(args, "-annotate", "+80+"+strconv.Itoa(160+90*i), l)
	}
	if out, err := exec.Command("convert", append(args, filepath.Join(root, name))...).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v: %s", err, out)
	}
}

// The library's OCR switch, through the settings: off, an index leaves a
// picture's words unread; on again, the index it starts reads them (the
// pictures indexed while it was off included), each line with its box.
func TestOCRSwitchInSettings(t *testing.T) {
	ctx := context.Background()
	t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
	root := t.TempDir()
	a := New(Options{Version: "test", ConfigDir: t.TempDir(), Model: workspace.ModelOptions{ModelsDir: t.TempDir(), Provider: "cpu"}})
	t.Cleanup(func() { Shutdown(a) })
	if _, err := a.OpenLibrary(root, true); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	ws, _ := a.workspace()
	// The models from a folder (the catalog would download them).
	if err := ws.SetOCR(ctx, true, testutil.OCRModels(t)); err != nil {
		t.Fatal(err)
	}
	set := func(on bool) {
		t.Helper()
		s, err := a.Settings()
		if err != nil || s.OCR == nil {
			t.Fatalf("settings %+v %v", s, err)
		}
		s.OCR = &on
		if s, err = a.SaveSettings(s); err != nil || s.OCR == nil || *s.OCR != on {
			t.Fatalf("save ocr=%v: %+v %v", on, s, err)
		}
		info, err := a.LibraryInfo()
		if err != nil || info.OCR.Off == on || info.OCR.On != on {
			t.Fatalf("ocr=%v, library says %+v %v", on, info.OCR, err)
		}
		waitJobs(t, a)
	}
	matches := func(q string) []TextHit {
		t.Helper()
		e, err := ws.Lib.DB.EntryByPath(ctx, "shot.png")
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.TextMatches(e.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		return got.Items
	}

	set(false)
	shot(t, root, "shot.png", "Quarterly invoice overview", "Payment received")
	if _, err := a.StartIndex(); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	if got := matches("text:quarterly"); len(got) != 0 {
		t.Fatalf("OCR off, yet the words were read: %+v", got)
	}

	set(true) // starts the index that reads what was left unread
	got := matches("text:quarterly text:payment")
	if len(got) != 2 {
		t.Fatalf("OCR on: %d matches %+v, want both lines", len(got), got)
	}
	// Each line's box lies around its baseline (160 and 250 of 720, 28 pt
	// text) and starts near x = 80 of 1280.
	for i, base := range []float32{160, 250} {
		b := got[i].Box
		if got[i].Source != "ocr" || b == nil || b.Y > base/720 || b.Y+b.H < (base-20)/720 || b.X > 90.0/1280 || b.X+b.W < 0.2 {
			t.Errorf("line %d: %+v box %+v, not where it was drawn", i, got[i], b)
		}
	}
}
