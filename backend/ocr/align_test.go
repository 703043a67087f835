package ocr

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// line is one text drawn on a test picture: its baseline's left end.
type line struct {
	text, font string
	px, x, y   int
	fill       string
}

// renderLines draws lines on a w×h picture of colour bg with ImageMagick.
func renderLines(t *testing.T, w, h int, bg string, lines []line) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "page.png")
	a := []string{"-size", fmt.Sprintf("%dx%d", w, h), "xc:" + bg}
	for _, l := range lines {
		a = append(a, "-font", l.font, "-pointsize", fmt.Sprint(l.px), "-fill", l.fill, "-stroke", "none",
			"-annotate", fmt.Sprintf("+%d+%d", l.x, l.y), l.text)
	}
	a = append(a, "-density", "72", p)
	testutil.NeedTools(t, "convert")
	if b, err := exec.Command("convert", a...).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v: %s", err, b)
	}
	return p
}

func readTexts(t *testing.T, e *Engine, p string) []string {
	t.Helper()
	words, err := e.Read(context.Background(), loadPNG(t, p))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, w := range words {
		texts = append(texts, w.Text)
	}
	return texts
}

const dejavuDir = "/usr/share/fonts/truetype/dejavu/"

// Short lines of a screenshot keep their spaces beside a long one: batched
// with it they used to be padded out to its width with grey, and the
// padding cost them spaces ("Starredreport starred search").
func TestShortLinesBesideALongOneKeepTheirSpaces(t *testing.T) {
	e := testEngine(t)
	sans := dejavuDir + "DejaVuSans.ttf"
	short := []string{"Weather editor", "Starred report starred search", "Recent printer copy", "Install recent",
		"Security help filter", "Network sound recent view", "Close project", "Account keyboard"}
	var lines []line
	for i, s := range short {
		lines = append(lines, line{text: s, font: sans, px: 14, x: 22 + 300*(i%2), y: 40 + 44*(i/2), fill: "#222222"})
	}
	long := "Copy the recent documents to the shared archive folder and restore the backup of the gallery before the update"
	lines = append(lines, line{text: long, font: sans, px: 14, x: 22, y: 40 + 44*4, fill: "#222222"})
	texts := readTexts(t, e, renderLines(t, 900, 240, "#f6f6f6", lines))
	t.Logf("%q", texts)
	got := map[string]bool{}
	for _, s := range texts {
		got[s] = true
	}
	kept := 0
	for _, s := range short {
		if got[s] {
			kept++
		} else {
			t.Logf("%q not read as one line with its spaces", s)
		}
	}
	// "Install recent" reads "Installrecent" even cut out alone (the
	// recogniser's own limit); padded to the long line's width, two more
	// short lines lost their spaces.
	if kept < len(short)-1 {
		t.Errorf("%d of %d short lines read with their spaces, want at least %d", kept, len(short), len(short)-1)
	}
}
