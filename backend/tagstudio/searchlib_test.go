package tagstudio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/query"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// TestSearchLibraryCounts: TagStudio's search_library, imported, answers
// TagStudio's own 66 search test cases with the counts TagStudio's tests
// expect (no model: words that are no tag match nothing, as in TagStudio),
// and its 8 invalid queries are syntax errors (the CLI's exit status 2).
func TestSearchLibraryCounts(t *testing.T) {
	root := t.TempDir()
	writeTSWith(t, root, 400, searchLibraryTags, searchLibraryEntries)
	for i, e := range searchLibraryEntries {
		c := color.RGBA{uint8(i * 7), uint8(255 - i*5), uint8(i * 3), 255}
		var b []byte
		switch {
		case strings.HasSuffix(e.path, ".png"):
			b = testutil.PNG(t, testutil.Solid(16, 16, c))
		case strings.HasSuffix(e.path, ".jpg"):
			b = testutil.JPEG(t, testutil.Solid(16, 16, c), nil)
		default:
			b = []byte(fmt.Sprintf("entry %d\n", e.id))
		}
		testutil.WriteFile(t, filepath.Join(root, filepath.FromSlash(e.path)), b)
	}
	ctx := context.Background()
	ws, err := workspace.Open(ctx, root, true, workspace.ModelOptions{Model: filepath.Join(t.TempDir(), "no-model"), ModelsDir: t.TempDir()}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, _, err := ws.Index(ctx, library.ScanOptions{}, false); err != nil {
		t.Fatal(err)
	}
	rep, err := Import(ctx, ws.Lib.DB, root)
	if err != nil {
		t.Fatal(err)
	}
	if rep.EntriesMatched != 32 || len(rep.Unmatched) != 0 || rep.LinksAdded != 58 {
		t.Fatalf("import: %d matched, unmatched %v, %d links; want 32, none, 58", rep.EntriesMatched, rep.Unmatched, rep.LinksAdded)
	}

	b, err := os.ReadFile("../query/testdata/tagstudio_search.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases struct {
		Valid []struct {
			Query string `json:"query"`
			Count int    `json:"count"`
		} `json:"valid"`
		Invalid []string `json:"invalid"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases.Valid) != 66 || len(cases.Invalid) != 8 {
		t.Fatalf("%d valid and %d invalid cases", len(cases.Valid), len(cases.Invalid))
	}
	for _, c := range cases.Valid {
		// As `tagsight search LIB QUERY --json --limit 500` runs it.
		res, err := ws.Now().Search.Search(ctx, c.Query, search.Options{Limit: 500})
		if err != nil {
			t.Errorf("%q: %v", c.Query, err)
			continue
		}
		if len(res.Hits) != c.Count {
			t.Errorf("%q: %d results, TagStudio's test expects %d", c.Query, len(res.Hits), c.Count)
		}
	}
	for _, q := range cases.Invalid {
		_, err := ws.Now().Search.Search(ctx, q, search.Options{Limit: 500})
		var se *query.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: %v, want a syntax error", q, err)
		}
	}
}
