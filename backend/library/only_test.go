package library

import (
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// TestScanOnlyTheGivenPaths: an import's scan looks at exactly what it
// brought: other new files stay unindexed and a file that vanished
// elsewhere is not marked missing; a folder in Only is walked whole.
func TestScanOnlyTheGivenPaths(t *testing.T) {
	root := t.TempDir()
	pic := func(rel string, c color.RGBA) {
		testutil.WriteFile(t, filepath.Join(root, rel), testutil.JPEG(t, testutil.Solid(24, 16, c), nil))
	}
	pic("old/a.jpg", color.RGBA{200, 0, 0, 255})
	pic("old/b.jpg", color.RGBA{0, 200, 0, 255})
	l := openLib(t, root)
	scan(t, l, ScanOptions{ThumbSize: 64})

	os.Remove(filepath.Join(root, "old/b.jpg")) // vanished, not yet noticed
	pic("elsewhere.jpg", color.RGBA{0, 0, 200, 255})
	pic("import/x.jpg", color.RGBA{9, 9, 9, 255})
	pic("import/sub/y.jpg", color.RGBA{99, 9, 9, 255})
	pic("single.jpg", color.RGBA{9, 99, 9, 255})

	res := scan(t, l, ScanOptions{ThumbSize: 64, Only: []string{"import", "single.jpg", "gone.jpg"}})
	got := entryMap(t, l)
	for _, p := range []string{"import/x.jpg", "import/sub/y.jpg", "single.jpg"} {
		if _, ok := got[p]; !ok {
			t.Errorf("%s was brought but not indexed", p)
		}
	}
	if _, ok := got["elsewhere.jpg"]; ok {
		t.Error("a file outside the scan's paths was indexed")
	}
	if b, ok := got["old/b.jpg"]; !ok || b.Missing {
		t.Errorf("an entry outside the scan's paths was touched: %+v", b)
	}
	if res.Added != 3 || res.Missing != 0 {
		t.Errorf("result %+v, want 3 added and nothing missing", res)
	}
	if _, err := l.Scan(t.Context(), ScanOptions{Only: []string{".tagsight/thumbs"}}); err == nil {
		t.Error("a scan of Tagsight's own folder was accepted")
	}
	// A full scan afterwards sees the rest.
	scan(t, l, ScanOptions{ThumbSize: 64})
	got = entryMap(t, l)
	if _, ok := got["elsewhere.jpg"]; !ok || !got["old/b.jpg"].Missing {
		t.Errorf("full scan: %+v", got)
	}
}
