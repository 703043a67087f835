package api

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// textLibrary opens a library of files (name → content) with the colour
// model and waits for its index, as a user would open it.
func textLibrary(t *testing.T, files map[string][]byte) *API {
	t.Helper()
	root := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := indexedLibrary(t, root, workspace.ModelOptions{Model: colourModel, ModelsDir: t.TempDir()})
	return a
}

// markHit is w marked as a snippet marks a hit.
func markHit(w string) string { return store.HitOpen + w + store.HitClose }

// TestSearchInsideFiles: a library of a PDF (the words on page 3), a DOCX
// and a text file, indexed as a user would open it: text: finds each with
// its page or line and a marked snippet, accents and CJK included, and a
// plain search shows the PDF with its text hit.
func TestSearchInsideFiles(t *testing.T) {
	a := textLibrary(t, map[string][]byte{
		"report.pdf":  testutil.TextPDF([]string{"Annual report", "Contents", "The quarterly invoice 2024 is attached"}),
		"letter.docx": testutil.DOCX("Dear reader,", "We met at the café on Monday."),
		"notes.txt":   []byte("shopping list\nmilk\n東京タワーに行く\n"),
	})
	mark := markHit
	for _, c := range []struct {
		q, path, source string
		page, line      int
		snippet         string
	}{
		{`text:"quarterly invoice"`, "report.pdf", "pdf", 3, 0, "The " + mark("quarterly invoice") + " 2024 is attached"},
		{`text:cafe`, "letter.docx", "office", 0, 2, "We met at the " + mark("café") + " on Monday."},
		{`text:café type:document`, "letter.docx", "office", 0, 2, "We met at the " + mark("café") + " on Monday."},
		{`text:京タワ`, "notes.txt", "body", 0, 3, "…list\nmilk\n東" + mark("京タワ") + "ーに行く"},
	} {
		res, err := a.Search(SearchRequest{Query: c.q, Limit: 10})
		if err != nil || res.Error != nil {
			t.Fatalf("%s: %v %+v", c.q, err, res.Error)
		}
		if len(res.Items) != 1 || res.Items[0].Path != c.path {
			t.Errorf("%s: %d items %+v, want only %s", c.q, len(res.Items), res.Items, c.path)
			continue
		}
		h := res.Items[0].Text
		if h == nil || h.Source != c.source || h.Page != c.page || h.Line != c.line || h.Snippet != c.snippet || res.FromText != 1 {
			t.Errorf("%s: text hit %+v %q (from_text %d), want %s page %d line %d snippet %q", c.q, h, h.Snippet, res.FromText, c.source, c.page, c.line, c.snippet)
		}
	}
	res, err := a.Search(SearchRequest{Query: "has:text", Limit: 10})
	if err != nil || res.Total != 3 {
		t.Fatalf("has:text: %d results, %v; want 3", res.Total, err)
	}
	// A plain search: the words are searched by meaning and in the text.
	res, err = a.Search(SearchRequest{Query: "invoice", Limit: 10})
	if err != nil || res.Error != nil {
		t.Fatalf("invoice: %v %+v", err, res.Error)
	}
	var pdf *Item
	for i := range res.Items {
		if res.Items[i].Path == "report.pdf" {
			pdf = &res.Items[i]
		}
	}
	if pdf == nil || pdf.Text == nil || pdf.Text.Page != 3 || !strings.Contains(pdf.Text.Snippet, mark("invoice")) || res.FromText != 1 {
		t.Fatalf("plain search: pdf %+v, from_text %d", pdf, res.FromText)
	}
	if res.Cutoff == nil || *res.Cutoff < 1 || res.Items[0].Path != "report.pdf" {
		t.Fatalf("plain search: the text hit is not first within the cutoff: cutoff %v, first %s", res.Cutoff, res.Items[0].Path)
	}
}
