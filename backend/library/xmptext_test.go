package library

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// TestRescanGivesOldLibraryItsXMPText: a library whose metadata was read
// at m2 (before XMP titles and descriptions went into the text index) has
// no XMP text; the next scan reads the metadata again and the title is
// then searchable.
func TestRescanGivesOldLibraryItsXMPText(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "embedded.jpg"), xmpFixture(t, "embedded.jpg"), 0o644); err != nil {
		t.Fatal(err)
	}
	l := openLib(t, root)
	scan(t, l, ScanOptions{})
	id := entryMap(t, l)["embedded.jpg"].ID
	xmpText := func() string {
		t.Helper()
		us, err := l.DB.TextUnits(ctx, id, "xmp")
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, u := range us {
			s += u.Text + "|"
		}
		return s
	}
	if got := xmpText(); got != "Sunset|On the Promenade|" {
		t.Fatalf("xmp text after the first scan %q", got)
	}
	// What a library analysed at m2 holds: the row, no text.
	rows, err := l.DB.AnalysisIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	row := rows[id]["metadata"]
	row.Version = "m2"
	err = l.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceText(ctx, id, "xmp", nil); err != nil {
			return err
		}
		return store.PutAnalysis(ctx, tx, row)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := xmpText(); got != "" {
		t.Fatalf("xmp text of the m2 library %q", got)
	}
	scan(t, l, ScanOptions{})
	if got := xmpText(); got != "Sunset|On the Promenade|" {
		t.Fatalf("xmp text after the rescan %q, want the title and description", got)
	}
	hits, err := l.DB.SearchText(ctx, []string{"promenade"}, store.All(), 5)
	if err != nil || len(hits) != 1 || hits[0].EntryID != id {
		t.Fatalf("text:promenade %+v %v", hits, err)
	}
}
