package library

import (
	"context"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

// xmpFixture is a file written by exiftool (see backend/media/xmp_test.go).
func xmpFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "media", "testdata", "xmp", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sidecarXMP(subjects ...string) string {
	var li strings.Builder
	for _, s := range subjects {
		li.WriteString("<rdf:li>" + s + "</rdf:li>")
	}
	return `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="2">
<dc:subject><rdf:Bag>` + li.String() + `</rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>`
}

// entryTagNames are the names of an entry's tags, sorted.
func entryTagNames(t *testing.T, l *Library, rel string) []string {
	t.Helper()
	ctx := context.Background()
	e, err := l.DB.EntryByPath(ctx, rel)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	tags, err := l.DB.TagsOfEntry(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range tags {
		names = append(names, tg.Name)
	}
	slices.Sort(names)
	return names
}

func entryFieldMap(t *testing.T, l *Library, rel string) map[string]string {
	t.Helper()
	e, err := l.DB.EntryByPath(context.Background(), rel)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := l.DB.EntryFields(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, f := range fs {
		m[f.Name] = f.Value
	}
	return m
}

func TestScanReadsXMP(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	write := func(rel string, b []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(root, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("embedded.jpg", xmpFixture(t, "embedded.jpg"))
	write("embedded.png", xmpFixture(t, "embedded.png"))
	// Sidecar conventions: photo.jpg.xmp and photo.xmp.
	pic := testutil.JPEG(t, testutil.Solid(32, 24, color.RGBA{200, 10, 10, 255}), nil)
	write("cat.jpg", pic)
	write("cat.jpg.xmp", xmpFixture(t, "sidecar.xmp"))
	write("dog.jpg", testutil.JPEG(t, testutil.Solid(30, 20, color.RGBA{10, 200, 10, 255}), nil))
	write("dog.xmp", []byte(sidecarXMP("Dog", "Garden")))
	write("orphan.xmp", []byte(sidecarXMP("Nobody")))
	l := openLib(t, root)
	res := scan(t, l, ScanOptions{})
	if len(res.Errors) != 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	em := entryMap(t, l)
	for _, p := range []string{"cat.jpg.xmp", "dog.xmp", "orphan.xmp"} {
		if _, ok := em[p]; ok {
			t.Errorf("sidecar %s became an entry", p)
		}
	}
	if len(em) != 4 {
		t.Fatalf("entries %v", em)
	}
	for _, rel := range []string{"embedded.jpg", "embedded.png"} {
		if got, want := entryTagNames(t, l, rel), []string{"Beach", "Holiday", "Nice"}; !slices.Equal(got, want) {
			t.Errorf("%s tags %q, want %q", rel, got, want)
		}
		f := entryFieldMap(t, l, rel)
		if f["rating"] != "4" || f["title"] != "Sunset" || f["description"] != "On the Promenade" {
			t.Errorf("%s fields %v", rel, f)
		}
		if e := em[rel]; e.Taken != "2021-07-14T18:30:05+02:00" {
			t.Errorf("%s taken %q", rel, e.Taken)
		}
	}
	// Hierarchy: Nice under France under Places.
	tags, _ := l.DB.ListTags(ctx)
	byName := map[string]store.Tag{}
	for _, tg := range tags {
		byName[tg.Name] = tg
	}
	if !slices.Equal(byName["Nice"].Parents, []int64{byName["France"].ID}) || !slices.Equal(byName["France"].Parents, []int64{byName["Places"].ID}) {
		t.Errorf("hierarchy: %+v", byName)
	}
	if got := entryTagNames(t, l, "cat.jpg"); !slices.Equal(got, []string{"Cat"}) {
		t.Errorf("cat.jpg tags %q", got)
	}
	if !slices.Equal(byName["Cat"].Parents, []int64{byName["Pets"].ID}) {
		t.Errorf("Cat parents %v", byName["Cat"].Parents)
	}
	if f := entryFieldMap(t, l, "cat.jpg"); f["rating"] != "4" || f["title"] != "The cat" {
		t.Errorf("cat.jpg fields %v", f)
	}
	if em["cat.jpg"].Taken != "2019-03-02T08:09:10" {
		t.Errorf("cat.jpg taken %q", em["cat.jpg"].Taken)
	}
	if got := entryTagNames(t, l, "dog.jpg"); !slices.Equal(got, []string{"Dog", "Garden"}) {
		t.Errorf("dog.jpg tags %q", got)
	}
	if ids, err := l.DB.TagIDsByName(ctx, "Nobody"); err != nil || len(ids) != 0 {
		t.Fatalf("an orphan sidecar made tags: %v %v", ids, err)
	}

	// The user tags dog.jpg by hand; then the sidecar drops "Garden" and
	// adds "Ball": a watcher batch naming only the sidecar redoes the
	// picture's metadata, and only the XMP's own tag goes.
	dog := em["dog.jpg"]
	mine, err := l.DB.CreateTag(ctx, "Mine", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.DB.ApplyTag(ctx, mine, []int64{dog.ID}); err != nil {
		t.Fatal(err)
	}
	write("dog.xmp", []byte(sidecarXMP("Dog", "Ball", "Mine")))
	later := time.Now().Add(2 * time.Second)
	os.Chtimes(filepath.Join(root, "dog.xmp"), later, later)
	res = scan(t, l, ScanOptions{Only: []string{"dog.xmp"}})
	if len(res.Errors) != 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	if got := entryTagNames(t, l, "dog.jpg"); !slices.Equal(got, []string{"Ball", "Dog", "Mine"}) {
		t.Errorf("after the sidecar changed: %q", got)
	}
	// The sidecar goes: its tags go, the user's stays.
	os.Remove(filepath.Join(root, "dog.xmp"))
	scan(t, l, ScanOptions{Only: []string{"dog.xmp"}})
	if got := entryTagNames(t, l, "dog.jpg"); !slices.Equal(got, []string{"Mine"}) {
		t.Errorf("after the sidecar went: %q", got)
	}
	// Nothing changed: nothing is read again.
	res = scan(t, l, ScanOptions{})
	if n := res.Analysis.Analyzers["metadata"]; n != nil && n.Done > 0 {
		t.Errorf("an unchanged library re-read %d pictures' metadata", n.Done)
	}
}

// A sidecar that cannot be read is reported and leaves the tags alone.
func TestScanBadSidecar(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "a.jpg"), testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{10, 10, 200, 255}), nil), 0o644)
	os.WriteFile(filepath.Join(root, "a.jpg.xmp"), []byte(sidecarXMP("Keep")), 0o644)
	l := openLib(t, root)
	scan(t, l, ScanOptions{})
	laughs := `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>`
	os.WriteFile(filepath.Join(root, "a.jpg.xmp"), []byte(laughs), 0o644)
	later := time.Now().Add(2 * time.Second)
	os.Chtimes(filepath.Join(root, "a.jpg.xmp"), later, later)
	res := scan(t, l, ScanOptions{})
	st := res.Analysis.Analyzers["metadata"]
	if st == nil || st.Failed != 1 || len(st.Errors) != 1 || !strings.Contains(st.Errors[0].Error, "DOCTYPE") {
		t.Fatalf("metadata stats %+v", st)
	}
	if got := entryTagNames(t, l, "a.jpg"); !slices.Equal(got, []string{"Keep"}) {
		t.Errorf("tags %q", got)
	}
}

// A library indexed before sidecars were sidecars has them as entries:
// the next scan forgets those (they are part of their pictures now)
// rather than calling them missing.
func TestScanForgetsSidecarEntries(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "a.jpg"), testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{10, 10, 200, 255}), nil), 0o644)
	os.WriteFile(filepath.Join(root, "a.xmp"), []byte(sidecarXMP("Keep")), 0o644)
	l := openLib(t, root)
	old := store.Entry{Path: "a.xmp", Size: 1, Fingerprint: "x", MediaType: "other", Orientation: 1}
	if err := l.DB.Tx(ctx, func(tx *store.Tx) error { return store.InsertEntry(ctx, tx, &old) }); err != nil {
		t.Fatal(err)
	}
	res := scan(t, l, ScanOptions{})
	em := entryMap(t, l)
	if _, ok := em["a.xmp"]; ok || res.Missing != 0 || len(em) != 1 {
		t.Fatalf("entries %v, missing %d", em, res.Missing)
	}
	if got := entryTagNames(t, l, "a.jpg"); !slices.Equal(got, []string{"Keep"}) {
		t.Errorf("tags %q", got)
	}
}
