package library

import (
	"context"
	"image/color"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/testutil"
)

// layoutPath spells out, independently of Derived, where the README's
// layout puts a derived file: .tagsight/<kind>/<last two characters of the
// content key>/<content key>-<variant>.jpg, the key being the fingerprint
// without its colons.
func layoutPath(root, kind, fingerprint, variant string) string {
	key := strings.ReplaceAll(fingerprint, ":", "")
	return filepath.Join(root, ".tagsight", kind, key[len(key)-2:], key+"-"+variant+".jpg")
}

// Each kind of derived file is where the layout says: the thumbnail the
// scan made, and a preview and a face crop put through Derived.
func TestDerivedLayout(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "a.jpg"), testutil.JPEG(t, testutil.Solid(300, 200, color.RGBA{200, 10, 10, 255}), nil))
	l := openLib(t, root)
	scan(t, l, ScanOptions{})
	e, err := l.DB.EntryByPath(ctx, "a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	want := layoutPath(root, "thumbs", e.Fingerprint, "256")
	if got := l.Derived().Path(Thumbs, e.Thumb); got != want {
		t.Errorf("thumbnail at %s, want %s", got, want)
	}
	if _, err := os.Stat(want); err != nil {
		t.Errorf("no thumbnail where the layout says: %v", err)
	}
	d := l.Derived()
	for _, c := range []struct {
		kind    string
		variant int
	}{{Previews, 1600}, {FaceCrops, 0}, {FaceCrops, 3}} {
		rel, err := d.Put(c.kind, e.Fingerprint, c.variant, []byte("jpeg"))
		if err != nil {
			t.Fatal(err)
		}
		want := layoutPath(root, c.kind, e.Fingerprint, strconv.Itoa(c.variant))
		if b, err := os.ReadFile(want); err != nil || string(b) != "jpeg" {
			t.Errorf("%s %d: %q at %s (%v)", c.kind, c.variant, b, want, err)
		}
		if d.Path(c.kind, rel) != want || !d.Has(c.kind, rel) {
			t.Errorf("%s %d: owner says %s (has %v), want %s", c.kind, c.variant, d.Path(c.kind, rel), d.Has(c.kind, rel), want)
		}
		f, _, err := d.Open(c.kind, rel)
		if err != nil {
			t.Errorf("open %s: %v", rel, err)
		} else {
			f.Close()
		}
	}
}

// Prune removes the derived files of contents no entry has (a trashed
// picture's), keeps those of a content another entry still has, of a
// missing entry (its file may come back) and anything not named by the
// layout, removes a stale temporary file but not a fresh one, stops at its
// bound, and a whole scan prunes what is left.
func TestPruneRemovesOnlyWhatNoEntryHas(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	red := testutil.JPEG(t, testutil.Solid(64, 64, color.RGBA{200, 10, 10, 255}), nil)
	testutil.WriteFile(t, filepath.Join(root, "a.jpg"), red)
	testutil.WriteFile(t, filepath.Join(root, "copy-of-a.jpg"), red)
	testutil.WriteFile(t, filepath.Join(root, "b.jpg"), testutil.JPEG(t, testutil.Solid(64, 64, color.RGBA{10, 10, 200, 255}), nil))
	testutil.WriteFile(t, filepath.Join(root, "gone.jpg"), testutil.JPEG(t, testutil.Solid(64, 64, color.RGBA{10, 200, 10, 255}), nil))
	l := openLib(t, root)
	scan(t, l, ScanOptions{})
	os.Remove(filepath.Join(root, "gone.jpg"))
	if res := scan(t, l, ScanOptions{}); res.Missing != 1 {
		t.Fatalf("%d missing, want 1", res.Missing)
	}
	d := l.Derived()
	fps := map[string]string{}
	for _, name := range []string{"a.jpg", "b.jpg", "gone.jpg"} {
		e, err := l.DB.EntryByPath(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		fps[name] = e.Fingerprint
		for _, kind := range []string{Previews, FaceCrops} {
			if _, err := d.Put(kind, e.Fingerprint, 0, []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
	}
	a, _ := l.DB.EntryByPath(ctx, "a.jpg")
	b, _ := l.DB.EntryByPath(ctx, "b.jpg")
	if _, err := l.Trash(ctx, []int64{a.ID, b.ID}); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(root, ".tagsight", "thumbs", "zz", "notes.txt")
	testutil.WriteFile(t, foreign, []byte("mine"))
	shard := filepath.Dir(layoutPath(root, "previews", fps["b.jpg"], "0"))
	stale, fresh := filepath.Join(shard, ".tmp-stale.jpg"), filepath.Join(shard, ".tmp-fresh.jpg")
	testutil.WriteFile(t, stale, []byte("half"))
	testutil.WriteFile(t, fresh, []byte("half"))
	long := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	os.Chtimes(stale, long, long)

	gone := []string{ // b's content: no entry has it now
		layoutPath(root, "thumbs", fps["b.jpg"], "256"),
		layoutPath(root, "previews", fps["b.jpg"], "0"),
		layoutPath(root, "faces", fps["b.jpg"], "0"),
		stale,
	}
	kept := []string{
		layoutPath(root, "thumbs", fps["a.jpg"], "256"), // copy-of-a.jpg has a's content
		layoutPath(root, "previews", fps["a.jpg"], "0"),
		layoutPath(root, "faces", fps["a.jpg"], "0"),
		layoutPath(root, "thumbs", fps["gone.jpg"], "256"), // missing, not deleted
		layoutPath(root, "previews", fps["gone.jpg"], "0"),
		layoutPath(root, "faces", fps["gone.jpg"], "0"),
		foreign, fresh,
	}
	for _, p := range append(append([]string(nil), gone...), kept...) {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("before pruning: %v", err)
		}
	}
	exists := func(ps []string) []string {
		var out []string
		for _, p := range ps {
			if _, err := os.Stat(p); err == nil {
				out = append(out, p)
			}
		}
		sort.Strings(out)
		return out
	}

	res, err := l.Prune(ctx, 1)
	if err != nil || res.Removed != 1 || !res.More {
		t.Fatalf("bounded prune: %+v %v, want 1 removed and more", res, err)
	}
	if n := len(exists(gone)); n != len(gone)-1 {
		t.Errorf("bounded prune left %d of %d garbage files, want %d", n, len(gone), len(gone)-1)
	}
	// The next whole scan prunes the rest.
	scan(t, l, ScanOptions{})
	if left := exists(gone); len(left) != 0 {
		t.Errorf("after a scan, still there: %v", left)
	}
	if got := exists(kept); len(got) != len(kept) {
		t.Errorf("kept %d of %d: %v", len(got), len(kept), got)
	}
	if res, err := l.Prune(ctx, 0); err != nil || res.Removed != 0 || res.More {
		t.Errorf("prune with nothing to do: %+v %v", res, err)
	}
}
