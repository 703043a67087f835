package workspace

import (
	"context"
	"image/color"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/watch"
)

func xmpSubjects(words ...string) []byte {
	li := ""
	for _, w := range words {
		li += "<rdf:li>" + w + "</rdf:li>"
	}
	return []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>` + li +
		`</rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>`)
}

// A watched library: a sidecar that is written, then changed, re-reads its
// picture's keywords, and never becomes an entry of its own.
func TestLiveSidecarChange(t *testing.T) {
	root := t.TempDir()
	ctx := context.Background()
	ws, err := Open(ctx, root, true, ModelOptions{ModelsDir: t.TempDir()}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	live, err := ws.Live(LiveOptions{Watch: watch.Options{Quiet: 100 * time.Millisecond, Stable: 200 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	tagsOf := func(rel string) map[string]bool {
		e, err := ws.Lib.DB.EntryByPath(ctx, rel)
		if err != nil {
			return nil
		}
		ts, _ := ws.Lib.DB.TagsOfEntry(ctx, e.ID)
		m := map[string]bool{}
		for _, t := range ts {
			m[t.Name] = true
		}
		return m
	}
	testutil.WriteFile(t, filepath.Join(root, "p.png"), testutil.PNG(t, testutil.Solid(16, 16, color.RGBA{9, 9, 9, 255})))
	waitUntil(t, "the picture", func() bool { n, _, _ := ws.Lib.DB.CountEntries(ctx); return n == 1 })
	side := filepath.Join(root, "p.png.xmp")
	testutil.WriteFile(t, side, xmpSubjects("First"))
	waitUntil(t, "the sidecar's keyword", func() bool { return tagsOf("p.png")["First"] })
	later := time.Now().Add(3 * time.Second)
	testutil.WriteFile(t, side, xmpSubjects("Second"))
	os.Chtimes(side, later, later)
	waitUntil(t, "the changed sidecar's keyword", func() bool { m := tagsOf("p.png"); return m["Second"] && !m["First"] })
	if n, _, _ := ws.Lib.DB.CountEntries(ctx); n != 1 {
		t.Fatalf("%d entries: a sidecar became one", n)
	}
}
