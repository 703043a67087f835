package library

import (
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// TestScanFollowsSymlinksInsideOnly: a symlink to a file in the library is
// indexed; one to a file outside, or into .tagsight, is reported and never
// opened (its content gets no entry and no thumbnail).
func TestScanFollowsSymlinksInsideOnly(t *testing.T) {
	root := filepath.Join(t.TempDir(), "lib")
	outside := t.TempDir()
	pic := testutil.JPEG(t, testutil.Solid(32, 24, color.RGBA{200, 30, 30, 255}), nil)
	testutil.WriteFile(t, filepath.Join(root, "a", "real.jpg"), pic)
	testutil.WriteFile(t, filepath.Join(outside, "secret.jpg"), testutil.JPEG(t, testutil.Solid(32, 24, color.RGBA{30, 200, 30, 255}), nil))
	for link, target := range map[string]string{
		"inside.jpg":   filepath.Join(root, "a", "real.jpg"),
		"relative.jpg": filepath.Join("a", "real.jpg"),
		"outside.jpg":  filepath.Join(outside, "secret.jpg"),
		"dotdot.jpg":   relTo(t, root, filepath.Join(outside, "secret.jpg")),
		"data.jpg":     filepath.Join(".tagsight", "library.db"),
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	l := openLib(t, root)
	res := scan(t, l, ScanOptions{ThumbSize: 64})
	got := entryMap(t, l)
	for _, p := range []string{"a/real.jpg", "inside.jpg", "relative.jpg"} {
		if _, ok := got[p]; !ok {
			t.Errorf("%s not indexed", p)
		}
	}
	errs := errMap(res)
	if _, ok := got["data.jpg"]; ok || !strings.Contains(errs["data.jpg"], "data folder") {
		t.Errorf("data.jpg (a symlink to the database): indexed %v, error %q; want it refused", ok, errs["data.jpg"])
	}
	for _, p := range []string{"outside.jpg", "dotdot.jpg"} {
		if _, ok := got[p]; ok {
			t.Errorf("%s (a symlink out of the library) was indexed", p)
		}
		if !strings.Contains(errs[p], "outside the library") {
			t.Errorf("%s: error %q, want it reported as outside the library", p, errs[p])
		}
	}
}

func relTo(t *testing.T, base, target string) string {
	r, err := filepath.Rel(base, target)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
