package prefs

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestLoadSaveAndDefaults(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", FileName)
	if p := Load(path); p.Theme != "system" || p.Provider != "auto" || p.ThumbSize != 256 {
		t.Errorf("missing file: %+v", p)
	}
	want := Prefs{Provider: "cpu", ThumbSize: 384, Theme: "dark"}
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	if got := Load(path); got.Provider != "cpu" || got.ThumbSize != 384 || got.Theme != "dark" {
		t.Errorf("round trip: %+v", got)
	}
	if _, err := os.Stat(path + ".tmp"); err == nil {
		t.Error("the temporary file was left behind")
	}
	// A broken or hand-edited file gives defaults for what is wrong only.
	os.WriteFile(path, []byte(`{"theme":"neon","provider":"cpu","thumb_size":9999}`), 0o644)
	if got := Load(path); got.Theme != "system" || got.Provider != "cpu" || got.ThumbSize != 256 {
		t.Errorf("bad values: %+v", got)
	}
	os.WriteFile(path, []byte(`{not json`), 0o644)
	if got := Load(path); got.Theme != "system" {
		t.Errorf("broken file: %+v", got)
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		p  Prefs
		ok bool
	}{
		{Prefs{Theme: "dark", Provider: "cuda"}, true},
		{Prefs{Theme: "light", Provider: ""}, true},
		{Prefs{Theme: "neon", Provider: "cpu"}, false},
		{Prefs{Theme: "dark", Provider: "tpu"}, false},
	} {
		if err := c.p.Check(); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.p, err)
		}
	}
}

func TestRecent(t *testing.T) {
	var p Prefs
	base := t.TempDir()
	now := time.Unix(1700000000, 0)
	for i := 0; i < MaxRecent+3; i++ {
		d := filepath.Join(base, "lib"+strconv.Itoa(i))
		os.Mkdir(d, 0o755)
		p.Opened(d, now.Add(time.Duration(i)*time.Minute))
	}
	p.Opened(filepath.Join(base, "lib3"), now.Add(time.Hour)) // reopened: moves to the front, once
	if len(p.Recent) != MaxRecent || p.Recent[0].Name != "lib3" || p.Recent[1].Name != "lib12" {
		t.Fatalf("recent %+v", p.Recent)
	}
	seen := map[string]bool{}
	for _, r := range p.Recent {
		if seen[r.Root] {
			t.Errorf("%s twice", r.Root)
		}
		seen[r.Root] = true
	}
	os.RemoveAll(filepath.Join(base, "lib12"))
	if ex := p.ExistingRecent(); len(ex) != MaxRecent-1 || ex[1].Name != "lib11" {
		t.Errorf("existing %+v", ex)
	}
}

// Saving never writes through a link planted where the file or its old
// temporary name is: the link is replaced, the file it points to is left
// as it was.
func TestSaveWritesNoLink(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(outside, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "settings.json")
	for _, link := range []string{path, path + ".tmp"} {
		if err := os.Symlink(outside, link); err != nil {
			t.Fatal(err)
		}
	}
	if err := Save(path, Prefs{Theme: "dark"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "keep" {
		t.Errorf("the linked file outside was written: %q", b)
	}
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
		t.Errorf("settings.json is %v (%v), want a regular file", st, err)
	}
}
