package ocr

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

const dejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

// analyse puts the file at path into a new library as an entry of that
// media type and runs the ocr analyzer over it through the pipeline.
func analyse(t *testing.T, a *Analyzer, path, mediaType string) (*store.DB, int64) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := store.Entry{Path: filepath.Base(path), Fingerprint: "f1", MediaType: mediaType}
	if err := db.Tx(ctx, func(tx *store.Tx) error { return store.InsertEntry(ctx, tx, &e) }); err != nil {
		t.Fatal(err)
	}
	if !a.Applies(mediaType, e.Path) {
		t.Fatalf("ocr does not apply to %s %s", mediaType, e.Path)
	}
	it := &analysis.Item{EntryID: e.ID, Rel: e.Path, Abs: path, Fingerprint: "f1", MediaType: mediaType, Pending: []analysis.Analyzer{a}}
	res, err := analysis.Run(ctx, db, []*analysis.Item{it}, analysis.Options{Analyzers: []analysis.Analyzer{a}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Analyzers[Source]; st.Done != 1 {
		t.Fatalf("ocr: %+v", st)
	}
	return db, e.ID
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", name, err, out)
	}
}

// TestOCROfScannedPDFPage: a PDF whose page 1 has a text layer and page
// 2 is a scan of a word is found by that word on page 2, and page 1 is
// not read by OCR (its words are the text layer's).
func TestOCROfScannedPDFPage(t *testing.T) {
	a := NewAnalyzer(testEngine(t), "test")
	dir := t.TempDir()
	scan := filepath.Join(dir, "scan.jpg")
	run(t, "convert", "-size", "1600x1000", "xc:white", "-font", dejaVu, "-pointsize", "120", "-fill", "black",
		"-annotate", "+200+550", "Lighthouse", "-quality", "92", scan)
	jpg, err := os.ReadFile(scan)
	if err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "mixed.pdf")
	if err := os.WriteFile(pdf, testutil.MixedPDF([]testutil.PDFPage{{Text: "Harbour cover page"}, {JPEG: jpg, W: 1600, H: 1000}}), 0o644); err != nil {
		t.Fatal(err)
	}
	db, id := analyse(t, a, pdf, media.TypeDocument)
	ctx := context.Background()
	units, err := db.TextUnits(ctx, id, Source)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if u.Page != 2 {
			t.Errorf("ocr unit %+v: only page 2 is a scan", u)
		}
	}
	hits, err := db.SearchText(ctx, []string{"lighthouse"}, store.All(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].EntryID != id || hits[0].Page != 2 || hits[0].Source != Source {
		t.Fatalf("text:lighthouse found %+v (ocr units %+v), want entry %d page 2 from ocr", hits, units, id)
	}
}

// TestOCROfVideoKeyframes: two words shown one after the other in a
// video (on two slides) are found with the time each is shown.
func TestOCROfVideoKeyframes(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg")
	a := NewAnalyzer(testEngine(t), "test")
	dir := t.TempDir()
	video := filepath.Join(dir, "talk.mp4")
	text := func(word, when string) string {
		return "drawtext=fontfile=" + dejaVu + ":text=" + word + ":fontsize=96:fontcolor=white:x=(w-tw)/2:y=(h-th)/2:enable='" + when + "'"
	}
	run(t, "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=navy:s=1280x720:d=5:r=25",
		"-f", "lavfi", "-i", "color=c=darkgreen:s=1280x720:d=5:r=25",
		"-filter_complex", "[0][1]concat=n=2:v=1[v];[v]"+text("WHITEBOARD", "lt(t,5)")+","+text("GLACIER", "gte(t,5)")+"[o]",
		"-map", "[o]", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "25", "-y", video)
	db, id := analyse(t, a, video, media.TypeVideo)
	ctx := context.Background()
	for _, c := range []struct {
		word   string
		lo, hi int64
	}{{"whiteboard", 0, 5000}, {"glacier", 5000, 10000}} {
		hits, err := db.SearchText(ctx, []string{c.word}, store.All(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].EntryID != id || hits[0].AtMS < c.lo || hits[0].AtMS >= c.hi {
			units, _ := db.TextUnits(ctx, id, Source)
			t.Errorf("text:%s found %+v, want entry %d at %d..%d ms (ocr units %+v)", c.word, hits, id, c.lo, c.hi, units)
		}
	}
}
