package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInfoTextFontSVGFacts: a scanned Go file, font and SVG each get a
// tile, and `info --json` shows their facts.
func TestInfoTextFontSVGFacts(t *testing.T) {
	root := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.go", []byte("package main\n\nfunc main() {}\n"))
	write("dot.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><circle cx="20" cy="15" r="10" fill="red"/></svg>`))
	ttf, err := os.ReadFile("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
	if err == nil {
		write("DejaVuSans.ttf", ttf)
	}
	if _, stderr, code := run(t, "index", root, "--json"); code != 0 {
		t.Fatalf("index: %d %s", code, stderr)
	}
	type infoJSON struct {
		MediaType string `json:"media_type"`
		Thumbnail *string
		Facts     struct {
			Lines         int
			Encoding      string
			Family, Style string
			Glyphs        int
			Width, Height int
		}
	}
	info := func(name string) infoJSON {
		t.Helper()
		stdout, stderr, code := run(t, "info", root, name, "--json")
		if code != 0 {
			t.Fatalf("info %s: %d %s", name, code, stderr)
		}
		var i infoJSON
		if err := json.Unmarshal([]byte(stdout), &i); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
		if i.Thumbnail == nil {
			t.Errorf("%s has no tile:\n%s", name, stdout)
		}
		return i
	}
	if i := info("main.go"); i.MediaType != "document" || i.Facts.Lines != 3 || i.Facts.Encoding != "UTF-8" {
		t.Errorf("main.go: %+v", i)
	}
	if i := info("dot.svg"); i.MediaType != "image" || i.Facts.Width != 40 || i.Facts.Height != 30 {
		t.Errorf("dot.svg: %+v", i)
	}
	if ttf != nil {
		if i := info("DejaVuSans.ttf"); i.MediaType != "font" || i.Facts.Family != "DejaVu Sans" || i.Facts.Glyphs == 0 {
			t.Errorf("DejaVuSans.ttf: %+v", i)
		}
		stdout, stderr, code := run(t, "search", root, "type:font", "--json")
		if code != 0 || !strings.Contains(stdout, "DejaVuSans.ttf") || strings.Contains(stdout, "main.go") {
			t.Errorf("search type:font: %d %s\n%s", code, stderr, stdout)
		}
	}
}
