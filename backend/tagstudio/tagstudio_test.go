package tagstudio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

// newLib makes a folder with a.png and sub/b.png (not gone.png), indexed.
func newLib(t *testing.T) (string, *library.Library) {
	t.Helper()
	root := t.TempDir()
	png := testutil.PNG(t, testutil.Solid(8, 8, color.RGBA{200, 10, 10, 255}))
	testutil.WriteFile(t, filepath.Join(root, "a.png"), png)
	testutil.WriteFile(t, filepath.Join(root, "sub", "b.png"), testutil.PNG(t, testutil.Solid(8, 8, color.RGBA{10, 10, 200, 255})))
	lib, err := library.Open(context.Background(), root, library.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if _, err := lib.Scan(context.Background(), library.ScanOptions{Workers: 1}); err != nil {
		t.Fatal(err)
	}
	return root, lib
}

func tagByName(t *testing.T, db *store.DB, name string) store.Tag {
	t.Helper()
	ts, err := db.ListTags(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no tag %q", name)
	return store.Tag{}
}

func entryTags(t *testing.T, db *store.DB, path string) []string {
	t.Helper()
	e, err := db.EntryByPath(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	names, err := db.TagNames(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	return names
}

func sameIDs(a, b []int64) bool {
	a, b = append([]int64{}, a...), append([]int64{}, b...)
	sort.Slice(a, func(i, j int) bool { return a[i] < a[j] })
	sort.Slice(b, func(i, j int) bool { return b[i] < b[j] })
	return reflect.DeepEqual(a, b)
}

// checkImported checks what every format must bring over. withHidden: the
// source carries TagStudio's hidden flag.
func checkImported(t *testing.T, db *store.DB, rep *Report, withHidden bool) {
	t.Helper()
	ctx := context.Background()
	animal, dog, puppy := tagByName(t, db, "Animal"), tagByName(t, db, "Dog"), tagByName(t, db, "Puppy")
	if animal.Shorthand != "ani" || animal.Color != "green" {
		t.Errorf("Animal = %+v, want shorthand ani, colour green", animal)
	}
	if !reflect.DeepEqual(dog.Aliases, []string{"Doggo", "Pup"}) {
		t.Errorf("Dog aliases = %v", dog.Aliases)
	}
	if dog.Color != "#242424" || puppy.Color != "#ff87ba" {
		t.Errorf("colours: Dog %q, Puppy %q; want #242424, #ff87ba", dog.Color, puppy.Color)
	}
	// The chain, child to parent: Puppy -> Dog -> Animal.
	if !sameIDs(dog.Parents, []int64{animal.ID}) || !sameIDs(puppy.Parents, []int64{dog.ID}) || len(animal.Parents) != 0 {
		t.Errorf("parents: Animal %v, Dog %v (want [%d]), Puppy %v (want [%d])", animal.Parents, dog.Parents, animal.ID, puppy.Parents, dog.ID)
	}
	for tsID, want := range map[int64]int64{0: 1, 1: 2, 1000: animal.ID, 1001: dog.ID, 1002: puppy.ID} {
		got, err := db.TagIDForTagStudio(ctx, tsID)
		if err != nil || got != want {
			t.Errorf("TagStudio tag %d -> %d, %v; want %d", tsID, got, err, want)
		}
	}
	if got, want := entryTags(t, db, "a.png"), []string{"Dog", "Favourite"}; !reflect.DeepEqual(got, want) {
		t.Errorf("a.png tags = %v, want %v", got, want)
	}
	if got, want := entryTags(t, db, "sub/b.png"), []string{"Archived", "Puppy"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sub/b.png tags = %v, want %v", got, want)
	}
	a, _ := db.EntryByPath(ctx, "a.png")
	b, _ := db.EntryByPath(ctx, "sub/b.png")
	fa, _ := db.EntryFields(ctx, a.ID)
	fb, _ := db.EntryFields(ctx, b.ID)
	if want := []store.Field{{Name: "Title", Kind: "text", Value: "Hello"}}; !reflect.DeepEqual(fa, want) {
		t.Errorf("a.png fields = %v, want %v", fa, want)
	}
	if want := []store.Field{{Name: "Date", Kind: "date", Value: "2024-05-01T13:04:05"}}; !reflect.DeepEqual(fb, want) {
		t.Errorf("sub/b.png fields = %v, want %v", fb, want)
	}
	// gone.png has no file: it is kept as a missing entry with its tag.
	if len(rep.Missing) != 1 || len(rep.Unmatched) != 0 || rep.EntriesMatched != 2 {
		t.Errorf("matched %d, missing %v, unmatched %v; want 2, one and none", rep.EntriesMatched, rep.Missing, rep.Unmatched)
	}
	for _, p := range rep.Missing {
		if e, err := db.EntryByPath(ctx, p); err != nil || !e.Missing || e.Fingerprint != "" {
			t.Errorf("%s: %+v, %v; want a missing entry with no fingerprint", p, e, err)
		}
		if got := entryTags(t, db, p); !reflect.DeepEqual(got, []string{"Animal"}) {
			t.Errorf("%s tags = %v, want [Animal]", p, got)
		}
	}
	fav, _ := db.TagByID(ctx, 2)
	if fav.Name != "Favourite" || fav.Color != "yellow" {
		t.Errorf("built-in 2 = %+v", fav)
	}
	arch, _ := db.TagByID(ctx, 1)
	if arch.Name != "Archived" || !arch.IsHidden || arch.Color != "red" {
		t.Errorf("built-in 1 = %+v", arch)
	}
	_ = withHidden
}

func fileBytes(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportEveryVersion(t *testing.T) {
	for _, v := range tsVersions {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			ctx := context.Background()
			root, lib := newLib(t)
			p := writeTS(t, root, v)
			before := fileBytes(t, p)
			rep, err := Import(ctx, lib.DB, root)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Format != "sqlite" || rep.Version != fmt.Sprint(v) || rep.Tags != len(genTags) {
				t.Errorf("report: %s %s %d tags", rep.Format, rep.Version, rep.Tags)
			}
			checkImported(t, lib.DB, rep, v >= 103)
			if !reflect.DeepEqual(rep.Missing, []string{"gone.png"}) || rep.MissingAdded != 1 {
				t.Errorf("missing = %v (%d made), want [gone.png] (1)", rep.Missing, rep.MissingAdded)
			}
			meta := tagByName(t, lib.DB, "Meta Tags")
			if !meta.IsCategory {
				t.Error("Meta Tags is not a category")
			}
			fav, _ := lib.DB.TagByID(ctx, 2)
			if !sameIDs(fav.Parents, []int64{meta.ID}) {
				t.Errorf("Favourite parents = %v, want [%d] (Meta Tags)", fav.Parents, meta.ID)
			}
			if secret := tagByName(t, lib.DB, "Secret"); secret.IsHidden != (v >= 103) {
				t.Errorf("Secret hidden = %v, want %v", secret.IsHidden, v >= 103)
			}
			if len(rep.TagsAdded) != 5 { // Meta Tags, Animal, Dog, Puppy, Secret
				t.Errorf("added %v", rep.TagsAdded)
			}
			n := len(mustTags(t, lib.DB))

			// Again: nothing new, nothing duplicated.
			rep2, err := Import(ctx, lib.DB, root)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep2.TagsAdded)+len(rep2.TagsChanged)+rep2.AliasesAdded+rep2.ParentsAdded+rep2.LinksAdded+rep2.FieldsSet+rep2.MissingAdded != 0 ||
				rep2.TagsUnchanged != len(genTags) || rep2.FieldsSame != 2 {
				t.Errorf("re-import changed things: %+v", rep2)
			}
			if m := len(mustTags(t, lib.DB)); m != n {
				t.Errorf("re-import: %d tags, had %d", m, n)
			}
			checkImported(t, lib.DB, rep2, v >= 103)
			if !bytes.Equal(before, fileBytes(t, p)) {
				t.Error("TagStudio's database changed")
			}
			if _, err := os.Stat(p + "-wal"); err == nil {
				t.Error("a -wal file appeared beside TagStudio's database")
			}
		})
	}
}

func mustTags(t *testing.T, db *store.DB) []store.Tag {
	t.Helper()
	ts, err := db.ListTags(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// A tag edited in Tagsight after an import is brought back in step, and a
// TagStudio tag renamed there keeps its Tagsight tag (matched by id).
func TestReimportUpdates(t *testing.T) {
	ctx := context.Background()
	root, lib := newLib(t)
	p := writeTS(t, root, 400)
	if _, err := Import(ctx, lib.DB, root); err != nil {
		t.Fatal(err)
	}
	dog := tagByName(t, lib.DB, "Dog")
	if err := lib.DB.SetTagColor(ctx, dog.ID, "blue"); err != nil {
		t.Fatal(err)
	}
	// TagStudio renames Dog to Hound.
	sdb := openRW(t, p)
	if _, err := sdb.Exec(`UPDATE tags SET name='Hound' WHERE id=1001`); err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	rep, err := Import(ctx, lib.DB, root)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := lib.DB.TagByID(ctx, dog.ID)
	if got.Color != "#242424" {
		t.Errorf("colour = %q, want #242424 back", got.Color)
	}
	if !reflect.DeepEqual(rep.TagsChanged, []string{"Dog"}) || len(rep.TagsAdded) != 0 {
		t.Errorf("changed %v, added %v", rep.TagsChanged, rep.TagsAdded)
	}
	// The new TagStudio name arrives as an alias; the tag is not duplicated.
	if !reflect.DeepEqual(got.Aliases, []string{"Doggo", "Hound", "Pup"}) {
		t.Errorf("aliases = %v", got.Aliases)
	}
}

func TestImportJSON(t *testing.T) {
	ctx := context.Background()
	root, lib := newLib(t)
	p := writeJSONLib(t, root)
	rep, err := Import(ctx, lib.DB, root)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != "json" || rep.Version != "9.4.2" {
		t.Errorf("report: %s %s", rep.Format, rep.Version)
	}
	checkImported(t, lib.DB, rep, false)
	if rep.Missing[0] != "win/dir/gone.png" {
		t.Errorf("missing = %v (Windows separators should become /)", rep.Missing)
	}
	if loop := tagByName(t, lib.DB, "Loop"); loop.Color != "amber" || len(loop.Parents) != 0 {
		t.Errorf("Loop = %+v, want amber with no parents", loop)
	}
	found := false
	for _, pr := range rep.NotMapped {
		if pr.Reason == "a tag cannot be its own parent" {
			found = true
		}
	}
	if !found {
		t.Errorf("self-parent not reported: %v", rep.NotMapped)
	}
	rep2, err := Import(ctx, lib.DB, root)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep2.TagsAdded)+len(rep2.TagsChanged)+rep2.LinksAdded+rep2.FieldsSet != 0 {
		t.Errorf("re-import changed things: %+v", rep2)
	}
	if string(fileBytes(t, p)) != genJSON {
		t.Error("TagStudio's JSON changed")
	}
}

func TestBadLibraries(t *testing.T) {
	ctx := context.Background()
	_, lib := newLib(t)
	for _, c := range []struct {
		name    string
		setup   func(root string)
		version bool
	}{
		{"none", func(string) {}, false},
		{"garbage", func(root string) {
			testutil.WriteFile(t, filepath.Join(root, ".TagStudio", "ts_library.sqlite"), []byte("not a database at all, really not"))
		}, false},
		{"version 5", func(root string) { setVersion(t, writeTS(t, root, 6), "preferences", 5) }, true},
		{"version 500", func(root string) { setVersion(t, writeTS(t, root, 400), "versions", 500) }, true},
		{"json 8.0", func(root string) {
			testutil.WriteFile(t, filepath.Join(root, ".TagStudio", "ts_library.json"), []byte(`{"ts-version":"8.0","tags":[]}`))
		}, true},
		{"json garbage", func(root string) {
			testutil.WriteFile(t, filepath.Join(root, ".TagStudio", "ts_library.json"), []byte(`{"ts-vers`))
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			c.setup(root)
			_, err := Import(ctx, lib.DB, root)
			if err == nil {
				t.Fatal("no error")
			}
			if c.version != errors.Is(err, store.ErrTagStudioVersion) {
				t.Errorf("err = %v; version error: want %v", err, c.version)
			}
		})
	}
}

func setVersion(t *testing.T, p, table string, v int) {
	t.Helper()
	db := openRW(t, p)
	defer db.Close()
	q := `UPDATE versions SET value=? WHERE key='CURRENT'`
	if table == "preferences" {
		q = `UPDATE preferences SET value=? WHERE key='DB_VERSION'`
	}
	if _, err := db.Exec(q, v); err != nil {
		t.Fatal(err)
	}
}

// A file that appears at a missing entry's path takes the entry over on
// the next scan, tags and all: a whole scan and a scan of that path alone
// (a watcher's batch). A file elsewhere, whatever its content, does not:
// the entry's content was never read.
func TestMissingEntryTakenByPath(t *testing.T) {
	for _, only := range [][]string{nil, {"gone.png"}} {
		t.Run(fmt.Sprint(only), func(t *testing.T) {
			ctx := context.Background()
			root, lib := newLib(t)
			writeTS(t, root, 400)
			if _, err := Import(ctx, lib.DB, root); err != nil {
				t.Fatal(err)
			}
			gone, err := lib.DB.EntryByPath(ctx, "gone.png")
			if err != nil || !gone.Missing {
				t.Fatalf("gone.png: %+v, %v", gone, err)
			}
			// A copy of a.png elsewhere first: a new entry, not gone.png's.
			png := fileBytes(t, filepath.Join(root, "a.png"))
			testutil.WriteFile(t, filepath.Join(root, "elsewhere.png"), png)
			if _, err := lib.Scan(ctx, library.ScanOptions{Workers: 1, Only: []string{"elsewhere.png"}}); err != nil {
				t.Fatal(err)
			}
			if e, err := lib.DB.EntryByPath(ctx, "gone.png"); err != nil || !e.Missing {
				t.Fatalf("gone.png after a file appeared elsewhere: %+v, %v; want still missing", e, err)
			}
			if got := entryTags(t, lib.DB, "elsewhere.png"); len(got) != 0 {
				t.Errorf("elsewhere.png took tags %v", got)
			}

			testutil.WriteFile(t, filepath.Join(root, "gone.png"), testutil.PNG(t, testutil.Solid(8, 8, color.RGBA{10, 200, 10, 255})))
			res, err := lib.Scan(ctx, library.ScanOptions{Workers: 1, Only: only})
			if err != nil {
				t.Fatal(err)
			}
			e, err := lib.DB.EntryByPath(ctx, "gone.png")
			if err != nil || e.ID != gone.ID || e.Missing || e.Fingerprint == "" || e.Width != 8 {
				t.Fatalf("gone.png after its file appeared: %+v, %v; want entry %d, present, read", e, err, gone.ID)
			}
			if got := entryTags(t, lib.DB, "gone.png"); !reflect.DeepEqual(got, []string{"Animal"}) {
				t.Errorf("gone.png tags = %v, want [Animal]", got)
			}
			if res.Added != 0 || res.Missing != 0 {
				t.Errorf("scan: %d added, %d missing; want the entry taken over and none missing", res.Added, res.Missing)
			}
		})
	}
}

// A TagStudio path no entry can have is left out and reported: nothing is
// made outside the library or in a data folder.
func TestImportRefusesBadPaths(t *testing.T) {
	ctx := context.Background()
	root, lib := newLib(t)
	bad := []string{"../outside.png", "/abs.png", ".tagsight/thumbs/x.png", ".TagStudio/ts_library.sqlite", "a/../b.png", ""}
	entries := []genEntry{{1, "a.png", []int64{1000}}}
	for i, p := range bad {
		entries = append(entries, genEntry{int64(i + 2), p, []int64{1000}})
	}
	writeTSWith(t, root, 400, genTags, entries, nil)
	rep, err := Import(ctx, lib.DB, root)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{}, bad...)
	sort.Strings(want)
	if !reflect.DeepEqual(rep.Unmatched, want) || len(rep.Missing) != 0 || rep.EntriesMatched != 1 {
		t.Errorf("unmatched %q, missing %q, %d matched; want %q, none, 1", rep.Unmatched, rep.Missing, rep.EntriesMatched, want)
	}
	es, err := lib.DB.ListEntries(ctx, store.ListOptions{IncludeMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 {
		t.Errorf("%d entries, want a.png and sub/b.png only: %+v", len(es), es)
	}
}
