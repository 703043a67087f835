package tagstudio

import (
	"context"
	"encoding/json"
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/query"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// TestSearchLibraryCounts: TagStudio's search_library as shipped (three
// entries without a file), imported, answers TagStudio's own 66 search test
// cases with the counts TagStudio's tests expect (no model: words that are
// no tag match nothing, as in TagStudio), and its 8 invalid queries are
// syntax errors (the CLI's exit status 2). TagStudio's search counts its
// unlinked entries, so the cases run with missing entries included
// (`tagsight search --missing`); Tagsight's default leaves them out.
func TestSearchLibraryCounts(t *testing.T) {
	root := t.TempDir()
	writeTSWith(t, root, 400, searchLibraryTags, searchLibraryEntries, searchLibraryFields)
	for i, e := range searchLibraryEntries {
		if searchLibraryAbsent[e.path] {
			continue
		}
		c := color.RGBA{uint8(i * 7), uint8(255 - i*5), uint8(i * 3), 255}
		var b []byte
		switch {
		case strings.HasSuffix(e.path, ".png"):
			b = testutil.PNG(t, testutil.Solid(16, 16, c))
		case strings.HasSuffix(e.path, ".jpg"):
			b = testutil.JPEG(t, testutil.Solid(16, 16, c), nil)
		default:
			t.Fatalf("%s: the fixture ships only pictures", e.path)
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
	wantMissing := []string{"empty.png", "untagged.png", "untagged.txt"}
	if rep.EntriesMatched != 29 || !slices.Equal(rep.Missing, wantMissing) || rep.MissingAdded != 3 || len(rep.Unmatched) != 0 || rep.LinksAdded != 58 {
		t.Fatalf("import: %d matched, missing %v (%d made), unmatched %v, %d links; want 29, %v (3), none, 58",
			rep.EntriesMatched, rep.Missing, rep.MissingAdded, rep.Unmatched, rep.LinksAdded, wantMissing)
	}
	// The fixture's fields came with the entries whose file is absent.
	e37, err := ws.Lib.DB.EntryByPath(ctx, "untagged.png")
	if err != nil || !e37.Missing {
		t.Fatalf("untagged.png: %+v, %v; want a missing entry", e37, err)
	}
	if fs, err := ws.Lib.DB.EntryFields(ctx, e37.ID); err != nil || len(fs) != 1 || fs[0].Value != "I have fields, but no tags. I am not empty." {
		t.Errorf("untagged.png fields = %v, %v", fs, err)
	}
	// The app's default still shows present files only.
	if res, err := ws.Now().Search.Search(ctx, "", search.Options{Limit: 500}); err != nil || len(res.Hits) != 29 {
		t.Errorf("default search: %d results (%v), want the 29 present files", len(res.Hits), err)
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
		// As `tagsight search LIB QUERY --json --limit 500 --missing` runs it.
		res, err := ws.Now().Search.Search(ctx, c.Query, search.Options{Limit: 500, IncludeMissing: true})
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
