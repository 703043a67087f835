package main

import (
	"encoding/json"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// exiftoolRead returns what exiftool (the reference reader) says of files.
func exiftoolRead(t *testing.T, files ...string) map[string]map[string]any {
	t.Helper()
	out, err := exec.Command("exiftool", append([]string{"-j", "-XMP:all", "-struct"}, files...)...).Output()
	if err != nil {
		t.Fatalf("exiftool: %v", err)
	}
	var list []map[string]any
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatal(err)
	}
	m := map[string]map[string]any{}
	for _, x := range list {
		m[filepath.Base(x["SourceFile"].(string))] = x
	}
	return m
}

// strs turns exiftool's one-or-many value into a sorted list.
func strs(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = []string{x}
	case []any:
		for _, s := range x {
			out = append(out, s.(string))
		}
	}
	slices.Sort(out)
	return out
}

func entryTags(t *testing.T, lib, rel string) []string {
	t.Helper()
	out, stderr, code := run(t, "info", lib, rel, "--json")
	if code != 0 {
		t.Fatalf("info %s: %s", rel, stderr)
	}
	var e struct{ Tags []string }
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatal(err)
	}
	slices.Sort(e.Tags)
	return e.Tags
}

// TestCLIXMPRoundTrip: XMP written by exiftool comes in through a scan,
// `xmp write` puts the tags out into sidecars that exiftool reads back,
// an existing sidecar keeps its other properties, and a tag taken off in
// Tagsight leaves the sidecar (and does not come back on the next scan).
func TestCLIXMPRoundTrip(t *testing.T) {
	if _, err := exec.LookPath("exiftool"); err != nil {
		t.Fatal("exiftool not installed: make setup installs it (libimage-exiftool-perl)")
	}
	lib := t.TempDir()
	fixture := func(name, as string) {
		b, err := os.ReadFile(filepath.Join("..", "..", "backend", "media", "testdata", "xmp", name))
		if err != nil {
			t.Fatal(err)
		}
		testutil.WriteFile(t, filepath.Join(lib, as), b)
	}
	fixture("embedded.jpg", "embedded.jpg")
	fixture("sidecar.xmp", "b.xmp")
	testutil.WriteFile(t, filepath.Join(lib, "b.png"), testutil.PNG(t, testutil.Solid(9, 9, color.RGBA{1, 2, 3, 255})))
	testutil.WriteFile(t, filepath.Join(lib, "c.jpg"), testutil.JPEG(t, testutil.Solid(9, 9, color.RGBA{200, 2, 3, 255}), nil))
	if _, stderr, code := run(t, "index", lib); code != 0 {
		t.Fatalf("index: %s", stderr)
	}
	if got := entryTags(t, lib, "b.png"); !slices.Equal(got, []string{"Cat"}) {
		t.Fatalf("b.png tags after the scan: %q", got)
	}
	for _, a := range [][]string{{"Extra", "b.png"}, {"Loose", "c.jpg"}} {
		if _, stderr, code := run(t, "tag", lib, "add", "--create", a[0], a[1]); code != 0 {
			t.Fatal(stderr)
		}
	}

	// A query picks the entries: only c.jpg.
	out, stderr, code := run(t, "xmp", "write", lib, "tag:Loose", "--json")
	if code != 0 {
		t.Fatalf("xmp write: %d %s", code, stderr)
	}
	var rep struct {
		Written []struct {
			Path, Sidecar    string
			Created, Changed bool
			Keywords         int
		}
		Changed, Errors int
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.Changed != 1 || len(rep.Written) != 1 || rep.Written[0].Sidecar != "c.jpg.xmp" || !rep.Written[0].Created {
		t.Fatalf("report %s", out)
	}

	out, stderr, code = run(t, "xmp", "write", lib, "--json")
	if code != 0 {
		t.Fatalf("xmp write: %d %s", code, stderr)
	}
	rep.Written = nil
	json.Unmarshal([]byte(out), &rep)
	if rep.Changed != 2 || rep.Errors != 0 || len(rep.Written) != 3 {
		t.Fatalf("report %s", out)
	}
	got := exiftoolRead(t, filepath.Join(lib, "embedded.jpg.xmp"), filepath.Join(lib, "b.xmp"), filepath.Join(lib, "c.jpg.xmp"))
	if s := strs(got["embedded.jpg.xmp"]["Subject"]); !slices.Equal(s, []string{"Beach", "Holiday", "Nice"}) {
		t.Errorf("embedded.jpg.xmp subjects %q", s)
	}
	if h := strs(got["embedded.jpg.xmp"]["HierarchicalSubject"]); !slices.Equal(h, []string{"Places|France|Nice"}) {
		t.Errorf("embedded.jpg.xmp hierarchy %q", h)
	}
	b := got["b.xmp"]
	if s := strs(b["Subject"]); !slices.Equal(s, []string{"Cat", "Extra"}) {
		t.Errorf("b.xmp subjects %q", s)
	}
	if h := strs(b["HierarchicalSubject"]); !slices.Equal(h, []string{"Animals|Pets|Cat"}) {
		t.Errorf("b.xmp hierarchy %q", h)
	}
	// The sidecar's other properties survive.
	if b["Label"] != "Red" || b["RatingPercent"] != float64(75) || b["DateCreated"] != "2019:03:02 08:09:10" {
		t.Errorf("b.xmp lost properties: %v", b)
	}
	if b["Title"] != "The cat" || b["Title-fr"] != "Chat" {
		t.Errorf("b.xmp title %v / %v", b["Title"], b["Title-fr"])
	}
	if s := strs(got["c.jpg.xmp"]["Subject"]); !slices.Equal(s, []string{"Loose"}) {
		t.Errorf("c.jpg.xmp subjects %q", s)
	}
	// The original is never written.
	before, _ := os.ReadFile(filepath.Join("..", "..", "backend", "media", "testdata", "xmp", "embedded.jpg"))
	if now, _ := os.ReadFile(filepath.Join(lib, "embedded.jpg")); string(now) != string(before) {
		t.Error("embedded.jpg was modified")
	}

	// Taken off in Tagsight: gone from the sidecar, and the next scan
	// (which reads the rewritten sidecar) does not bring it back.
	if _, stderr, code := run(t, "tag", lib, "remove", "Extra", "b.png"); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := run(t, "xmp", "write", lib); code != 0 {
		t.Fatal(stderr)
	}
	if s := strs(exiftoolRead(t, filepath.Join(lib, "b.xmp"))["b.xmp"]["Subject"]); !slices.Equal(s, []string{"Cat"}) {
		t.Errorf("b.xmp subjects after removal %q", s)
	}
	if _, stderr, code := run(t, "index", lib); code != 0 {
		t.Fatal(stderr)
	}
	if got := entryTags(t, lib, "b.png"); !slices.Equal(got, []string{"Cat"}) {
		t.Errorf("b.png tags after the rescan: %q", got)
	}
	if got := entryTags(t, lib, "c.jpg"); !slices.Equal(got, []string{"Loose"}) {
		t.Errorf("c.jpg tags after the rescan: %q", got)
	}
	out, _, _ = run(t, "ls", lib, "--json")
	if strings.Contains(out, ".xmp") {
		t.Errorf("a sidecar became an entry: %s", out)
	}
}
