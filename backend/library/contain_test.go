package library

import (
	"bytes"
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

// containLayout is a library with every kind of link Contain must judge,
// beside a folder outside it.
func containLayout(t *testing.T) (*Library, string) {
	t.Helper()
	parent := t.TempDir()
	root, outside := filepath.Join(parent, "lib"), filepath.Join(parent, "outside")
	testutil.WriteFile(t, filepath.Join(root, "a", "real.jpg"), []byte("real"))
	testutil.WriteFile(t, filepath.Join(outside, "secret.jpg"), []byte("secret"))
	testutil.WriteFile(t, filepath.Join(root, ".TAGSIGHT", "x.jpg"), []byte("x"))
	l := openLib(t, root)
	for link, target := range map[string]string{
		"inlink":       "a",                             // a folder inside
		"hop":          "inlink",                        // a link to a link inside
		"back":         filepath.Join("..", "lib", "a"), // out and in again
		"outlink":      outside,                         // a folder outside
		"dotdot":       filepath.Join("..", "outside"),  // the same, relative
		"datalink":     ".tagsight",                     // the data folder
		"caselink":     ".TAGSIGHT",                     // the data folder on a case-blind disk
		"dbfile.jpg":   filepath.Join(".tagsight", "library.db"),
		"esc.jpg":      filepath.Join(outside, "secret.jpg"),
		"inside.jpg":   filepath.Join("a", "real.jpg"),
		"dangling.jpg": "nowhere.jpg",
		"dangdir":      "nowhere",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	return l, outside
}

// TestContain: every path × link layout, the answer written by hand.
func TestContain(t *testing.T) {
	l, _ := containLayout(t)
	ok := func(dir, name, real string) Contained { return Contained{Dir: dir, Name: name, Real: real} }
	for _, tc := range []struct {
		rel  string
		want Contained
		err  error // nil: allowed; errAny: refused for another reason
	}{
		{"a/real.jpg", ok("a", "real.jpg", "a/real.jpg"), nil},
		{"a/new.jpg", ok("a", "new.jpg", "a/new.jpg"), nil},
		{"new/deeper/x.jpg", ok("new/deeper", "x.jpg", "new/deeper/x.jpg"), nil},
		{"top.jpg", ok("", "top.jpg", "top.jpg"), nil},
		{"inlink/real.jpg", ok("a", "real.jpg", "a/real.jpg"), nil},
		{"inlink/new/x.jpg", ok("a/new", "x.jpg", "a/new/x.jpg"), nil},
		{"hop/real.jpg", ok("a", "real.jpg", "a/real.jpg"), nil},
		{"back/real.jpg", ok("a", "real.jpg", "a/real.jpg"), nil},
		{"inside.jpg", ok("", "inside.jpg", "a/real.jpg"), nil},
		{"dangling.jpg", ok("", "dangling.jpg", "dangling.jpg"), nil},
		{"inlink", ok("", "inlink", "a"), nil},
		{"outlink/x.jpg", Contained{}, ErrOutside},
		{"outlink/secret.jpg", Contained{}, ErrOutside},
		{"outlink", Contained{}, ErrOutside},
		{"dotdot/new/x.jpg", Contained{}, ErrOutside},
		{"esc.jpg", Contained{}, ErrOutside},
		{".tagsight/library.db", Contained{}, ErrDataDir},
		{".tagsight", Contained{}, ErrDataDir},
		{".tagsight/trash/x.jpg", Contained{}, ErrDataDir},
		{"datalink/library.db", Contained{}, ErrDataDir},
		{"datalink/new.jpg", Contained{}, ErrDataDir},
		{"dbfile.jpg", Contained{}, ErrDataDir},
		{".TAGSIGHT/x.jpg", Contained{}, ErrDataDir},
		{".TagSight/new.jpg", Contained{}, ErrDataDir},
		{"caselink/x.jpg", Contained{}, ErrDataDir},
		{".TagStudio/ts.sqlite", Contained{}, ErrDataDir},
		{".tagstudio/x.jpg", Contained{}, ErrDataDir},
		{"../outside/secret.jpg", Contained{}, ErrBadPath},
		{"a/../../outside/secret.jpg", Contained{}, ErrBadPath},
		{"a/../a/real.jpg", Contained{}, ErrBadPath},
		{"/etc/passwd", Contained{}, ErrBadPath},
		{"a/", Contained{}, ErrBadPath},
		{"", Contained{}, ErrBadPath},
		{".", Contained{}, ErrBadPath},
		{"a/\x00.jpg", Contained{}, ErrBadPath},
		{"dangdir/x.jpg", Contained{}, errAny},
		{"a/real.jpg/x.jpg", Contained{}, errAny},
	} {
		got, err := l.Contain(tc.rel)
		switch {
		case tc.err == nil && err != nil:
			t.Errorf("%q refused: %v", tc.rel, err)
		case tc.err == nil && got != tc.want:
			t.Errorf("%q: %+v, want %+v", tc.rel, got, tc.want)
		case tc.err == errAny && err == nil:
			t.Errorf("%q allowed as %+v, want refused", tc.rel, got)
		case tc.err != nil && tc.err != errAny && !errors.Is(err, tc.err):
			t.Errorf("%q: %+v %v, want %v", tc.rel, got, err, tc.err)
		}
	}
}

var errAny = errors.New("any refusal")

// TestWritesThroughLinks: a folder link inside the library is followed to
// where it leads; one out of it refuses the write and the outside folder
// is left as it was.
func TestWritesThroughLinks(t *testing.T) {
	l, outside := containLayout(t)
	ctx := t.Context()
	res := ImportResult{}
	if err := l.ImportReader(ctx, "inlink/up.jpg", strings.NewReader("up"), ConflictKeepBoth, &res); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(l.Root, "a", "up.jpg")); string(b) != "up" || len(res.Paths) != 1 || res.Paths[0] != "a/up.jpg" {
		t.Errorf("upload through inlink: %q, paths %v; want a/up.jpg", b, res.Paths)
	}
	for _, tc := range []struct{ rel, policy string }{
		{"outlink/new.jpg", ConflictKeepBoth},
		{"outlink/secret.jpg", ConflictReplace},
		{"dotdot/secret.jpg", ConflictReplace},
		{"esc.jpg", ConflictReplace},
		{"datalink/library.db", ConflictReplace},
		{"caselink/x.jpg", ConflictReplace},
	} {
		if err := l.ImportReader(ctx, tc.rel, strings.NewReader("evil"), tc.policy, &ImportResult{}); err == nil {
			t.Errorf("write to %s (%s) accepted", tc.rel, tc.policy)
		}
	}
	ents, _ := os.ReadDir(outside)
	if len(ents) != 1 || ents[0].Name() != "secret.jpg" {
		t.Errorf("outside holds %v, want only secret.jpg", ents)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret.jpg")); string(b) != "secret" {
		t.Errorf("outside secret.jpg now %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(l.Root, ".TAGSIGHT", "x.jpg")); string(b) != "x" {
		t.Errorf(".TAGSIGHT/x.jpg now %q", b)
	}
}

// TestSwappedFolderFailsTheWrite: a folder that Contain resolved, swapped
// for a link (out of the library, or into .tagsight) before the write,
// fails the walk instead of redirecting it.
func TestSwappedFolderFailsTheWrite(t *testing.T) {
	l, outside := containLayout(t)
	c, err := l.Contain("swapped/x.jpg")
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{outside, ".tagsight"} {
		link := filepath.Join(l.Root, "swapped")
		os.Remove(link)
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		d, err := l.openFolder(c.Dir, true)
		if err == nil {
			_, err = d.replace(c.Name, ".t-", "", strings.NewReader("evil"), 0o644, time.Time{})
			d.Close()
		}
		if err == nil {
			t.Errorf("a write into swapped -> %s went through", target)
		}
		for _, p := range []string{filepath.Join(outside, "x.jpg"), filepath.Join(l.DataDir(), "x.jpg")} {
			if _, err := os.Lstat(p); err == nil {
				t.Errorf("%s was written", p)
			}
		}
	}
	// And a file swapped for a link after the check is not read through it.
	os.Remove(filepath.Join(l.Root, "a", "real.jpg"))
	os.Symlink(filepath.Join(outside, "secret.jpg"), filepath.Join(l.Root, "a", "real.jpg"))
	if f, _, err := l.openIn("a", "real.jpg"); err == nil {
		b := make([]byte, 16)
		n, _ := f.Read(b)
		f.Close()
		t.Errorf("opened a link swapped in after the check: read %q", b[:n])
	}
}

// TestTrashAndSidecarsStayInside: an entry reached through a folder link
// out of the library is neither trashed (its file stays, the trash stays
// empty) nor given a sidecar.
func TestTrashAndSidecarsStayInside(t *testing.T) {
	root, outside := filepath.Join(t.TempDir(), "lib"), t.TempDir()
	pic := testutil.JPEG(t, testutil.Solid(16, 16, color.RGBA{1, 2, 3, 255}), nil)
	testutil.WriteFile(t, filepath.Join(root, "sub", "p.jpg"), pic)
	l := openLib(t, root)
	scan(t, l, ScanOptions{ThumbSize: 32})
	e, err := l.DB.EntryByPath(t.Context(), "sub/p.jpg")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := l.DB.CreateTag(t.Context(), "Kept", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.DB.ApplyTag(t.Context(), tg, []int64{e.ID}); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(root, "sub"))
	testutil.WriteFile(t, filepath.Join(outside, "p.jpg"), pic)
	if err := os.Symlink(outside, filepath.Join(root, "sub")); err != nil {
		t.Fatal(err)
	}
	out, err := l.WriteXMP(t.Context(), []store.Entry{e})
	if err != nil || len(out) != 1 || out[0].Error == "" || out[0].Sidecar != "" {
		t.Errorf("WriteXMP through a link out: %+v %v, want a refusal", out, err)
	}
	if _, err := l.Trash(t.Context(), []int64{e.ID}); !errors.Is(err, ErrOutside) {
		t.Errorf("Trash through a link out: %v, want ErrOutside", err)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "p.jpg")); !bytes.Equal(b, pic) {
		t.Error("the outside file changed or moved")
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 1 {
		t.Errorf("outside holds %d files, want 1", len(ents))
	}
	if ents, _ := os.ReadDir(filepath.Join(l.DataDir(), TrashDirName)); len(ents) != 0 {
		t.Errorf("the trash holds %d folder(s)", len(ents))
	}
}
