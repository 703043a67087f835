package query

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// dbTags resolves against a library's tags the way the app does: name,
// shorthand or alias, case-insensitive.
type dbTags struct{ db *store.DB }

func (r dbTags) TagIDs(ctx context.Context, s string) ([]int64, error) {
	return r.db.TagIDsByName(ctx, s)
}

// paths runs a compiled query's condition and returns the paths it
// matches, sorted.
func paths(ctx context.Context, db *store.DB, c Compiled) ([]string, error) {
	ids, err := db.FilterIDs(ctx, c.Filter)
	if err != nil {
		return nil, err
	}
	byID, err := db.EntryPaths(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []string // nil when none, as the expectations are written
	for _, p := range byID {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

const mib = 1 << 20

// openFixture builds a small library. Tags: Animals(3) with children
// Mammals(4) and Pets(5), both parents of Dog(6) — a diamond; X(7) and Y(8)
// are each other's parent — a cycle; 100%(9), a_b(10), axb(11) test LIKE
// metacharacters in names.
func openFixture(t *testing.T) (*store.DB, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	entries := []store.Entry{
		{Path: "2023/beach/IMG_0001.JPG", MediaType: "image", Size: 12 * mib, Taken: "2023-06-15T10:00:00", Make: "Canon", Model: "Canon EOS R5", Lens: "RF24-105mm F4 L", ISO: 100, Width: 8192, Height: 5464},
		{Path: "2023/beach/img_0002.jpeg", MediaType: "image", Size: 5 * mib, Taken: "2023-08-31T23:59:59+02:00", Make: "NIKON CORPORATION", Model: "NIKON Z 6", ISO: 1600, Width: 6000, Height: 4000},
		{Path: "2024/party/clip.mp4", MediaType: "video", Size: 100 * mib, Taken: "2024-01-01T00:00:00", Width: 1920, Height: 1080},
		{Path: "docs/report_100%.pdf", MediaType: "document", Size: 1024},
		{Path: "scans/scan.TIFF", MediaType: "image", Size: 1536, Taken: "2023-07-01T00:00:00", ISO: 400, Width: 2000, Height: 3000},
		{Path: "phone/IMG_1234.HEIC", MediaType: "image", Size: 3 * mib, Taken: "2022-12-31T23:59:59", ISO: 50},
		{Path: "misc/a_b.png", MediaType: "image", Size: 0},
		{Path: "misc/axb.png", MediaType: "image", Size: 10},
		{Path: "misc/[x].png", MediaType: "image", Size: 20},
		{Path: "photos/pic.jfif", MediaType: "image", Size: 30},
	}
	ids := map[string]int64{}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for i := range entries {
			e := &entries[i]
			e.Fingerprint, e.AddedAt, e.UpdatedAt = "fp"+e.Path, 1, 1
			if err := store.InsertEntry(ctx, tx, e); err != nil {
				return err
			}
			ids[e.Path] = e.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, name := range []string{"Animals", "Mammals", "Pets", "Dog", "X", "Y", "100%", "a_b", "axb"} {
		id, err := db.CreateTag(ctx, name, 0)
		must(err)
		if id != int64(i+3) {
			t.Fatalf("tag %s got id %d, want %d", name, id, i+3)
		}
	}
	must(db.SetTagShorthand(ctx, 6, "dg"))
	must(db.AddTagAlias(ctx, 6, "doggo"))
	for _, l := range [][2]int64{{4, 3}, {5, 3}, {6, 4}, {6, 5}} {
		must(db.AddTagParent(ctx, l[0], l[1]))
	}
	// X and Y are each other's parent, as an older library may hold them.
	must(db.AddTagParentsAsFound(ctx, [][2]int64{{7, 8}, {8, 7}}))
	tag := func(path string, tagID int64) {
		t.Helper()
		_, err := db.ApplyTag(ctx, tagID, []int64{ids[path]})
		must(err)
	}
	tag("2023/beach/IMG_0001.JPG", 6)
	tag("2023/beach/img_0002.jpeg", 4)
	tag("2024/party/clip.mp4", 2)
	tag("docs/report_100%.pdf", 9)
	tag("scans/scan.TIFF", 10)
	tag("misc/axb.png", 11)
	tag("phone/IMG_1234.HEIC", 1)
	tag("misc/[x].png", 7)
	tag("photos/pic.jfif", 8)
	must(db.SetEntryField(ctx, ids["scans/scan.TIFF"], store.Field{Name: "Source", Kind: "text", Value: "Old Scanner"}))
	must(db.SetEntryField(ctx, ids["docs/report_100%.pdf"], store.Field{Name: "Notes", Kind: "text", Value: "50% off"}))
	return db, ids
}

func TestQueriesAgainstLibrary(t *testing.T) {
	db, ids := openFixture(t)
	var all []string
	for p := range ids {
		all = append(all, p)
	}
	sort.Strings(all)
	except := func(out ...string) []string {
		var r []string
		for _, p := range all {
			keep := true
			for _, o := range out {
				keep = keep && p != o
			}
			if keep {
				r = append(r, p)
			}
		}
		return r
	}
	const (
		e1  = "2023/beach/IMG_0001.JPG"
		e2  = "2023/beach/img_0002.jpeg"
		e3  = "2024/party/clip.mp4"
		e4  = "docs/report_100%.pdf"
		e5  = "scans/scan.TIFF"
		e6  = "phone/IMG_1234.HEIC"
		e7  = "misc/a_b.png"
		e8  = "misc/axb.png"
		e9  = "misc/[x].png"
		e10 = "photos/pic.jfif"
	)
	tests := []struct {
		in   string
		want []string
	}{
		{"", all},
		{"tag:Animals", []string{e1, e2}}, // e1 through the diamond, once
		{"tag:pets", []string{e1}},
		{"tag:Dog", []string{e1}},
		{"tag:DOGGO", []string{e1}},
		{"tag:dg", []string{e1}},
		{"Animals", []string{e1, e2}},
		{`tag:X`, []string{e9, e10}}, // cycle terminates
		{`tag:100%`, []string{e4}},
		{`tag:100`, nil},
		{`tag:a_b`, []string{e5}},
		{`"a_b"`, []string{e5}},
		{`"report_100%"`, []string{e4}},
		{`"a?b"`, nil},
		{`tag:nothing`, nil},
		{`NOT tag:nothing`, all},
		{"path:a_b", []string{e7}},
		{"path:100%", []string{e4}},
		{"path:IMG", []string{e1, e6}},
		{"path:img", []string{e1, e2, e6}},
		{"path:*.png", []string{e7, e8, e9}},
		{"path:misc/a?b.png", []string{e7, e8}},
		{"path:[x]", []string{e9}},
		{"path:2023/*", []string{e1, e2}},
		{"path:beach/*", nil},
		{"path:*.tiff", []string{e5}},
		{"path:*.TIFF", []string{e5}},
		{"path:*.Tiff", nil},
		{"ext:jpg", []string{e1, e2, e10}},
		{"ext:JFIF", []string{e1, e2, e10}},
		{"ext:tif", []string{e5}},
		{"ext:heif", []string{e6}},
		{"ext:png", []string{e7, e8, e9}},
		{"type:video", []string{e3}},
		{"type:document", []string{e4}},
		{"type:photo ext:heic", []string{e6}},
		{"taken:2023", []string{e1, e2, e5}},
		{"taken:2023-06", []string{e1}},
		{"taken:2023-06..2023-08", []string{e1, e2, e5}},
		{"taken:2023-08-31", []string{e2}},
		{"taken:2023-06-16..2023-07-01", []string{e5}},
		{"taken:>=2023-07-01", []string{e2, e3, e5}},
		{"taken:>2023", []string{e3}},
		{"taken:<2024", []string{e1, e2, e5, e6}},
		{"taken:<=2022", []string{e6}},
		{"taken:..2022-12-31", []string{e6}},
		{"NOT taken:<2024", except(e1, e2, e5, e6)},
		{"size:>10mb", []string{e1, e3}},
		{"size:1kb", []string{e4}},
		{"size:1.5kb", []string{e5}},
		{"size:<1k", []string{e7, e8, e9, e10}},
		{"size:1m..20M", []string{e1, e2, e6}},
		{"camera:canon", []string{e1}},
		{"camera:nikon", []string{e2}},
		{`camera:"eos r5"`, []string{e1}},
		{"lens:rf24", []string{e1}},
		{"iso:>800", []string{e2}},
		{"iso:100..400", []string{e1, e5}},
		{"iso:<200", []string{e1, e6}},
		{"iso:200", nil},
		{"width:>3000", []string{e1, e2}},
		{"height:<=1080", []string{e3}},
		{"special:untagged", []string{e7}},
		{"favourite", []string{e3}},
		{"is:favorite", []string{e3}},
		{"archived", []string{e6}},
		{"tag:Animals OR type:video", []string{e1, e2, e3}},
		{"tag:Animals NOT tag:Pets", []string{e2}},
		{"tag:Animals AND NOT tag:Pets", []string{e2}},
		{"NOT tag:Animals", except(e1, e2)},
		{"NOT (tag:Animals OR ext:png)", except(e1, e2, e7, e8, e9)},
		{"(ext:jpg OR ext:png) taken:2023", []string{e1, e2}},
		{"dog on the beach sort:-taken", []string{e1}},
		{"field:source", []string{e5}},
		{`field:SOURCE="old scan"`, []string{e5}},
		{"field:source=new", nil},
		{"field:notes=50%", []string{e4}},
		{"field:notes=50_", nil},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := Compile(ctx, tt.in, dbTags{db})
			if err != nil {
				t.Fatal(err)
			}
			got, err := paths(ctx, db, c)
			if err != nil {
				t.Fatalf("%q: %v", c.Filter.Key(), err)
			}
			want := append([]string(nil), tt.want...)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %s\nwant %s\nfilter %q", strings.Join(got, ", "), strings.Join(want, ", "), c.Filter.Key())
			}
		})
	}
	c, err := Compile(ctx, "dog on the beach sort:-taken", dbTags{db})
	if err != nil || len(c.Semantic) != 1 || c.Semantic[0].Text != "on the beach" || c.Sort != (Sort{Key: "taken", Desc: true}) {
		t.Errorf("semantic/sort: %+v, %v", c, err)
	}
}

// TagByTagStudioID maps the fixture's made-up TagStudio ids: 1004 is
// Mammals (4), whose child Dog (6) is on e1 while Mammals itself is on e2.
func (r dbTags) TagByTagStudioID(_ context.Context, id int64) (int64, bool, error) {
	tagID, ok := map[int64]int64{1004: 4, 1005: 5}[id]
	return tagID, ok, nil
}

func TestTagStudioHabitsAgainstLibrary(t *testing.T) {
	db, ids := openFixture(t)
	ctx := context.Background()
	run := func(t *testing.T, in string, opt Options) ([]string, Compiled) {
		t.Helper()
		c, err := CompileWith(ctx, in, dbTags{db}, opt)
		if err != nil {
			t.Fatal(err)
		}
		got, err := paths(ctx, db, c)
		if err != nil {
			t.Fatalf("%q: %v", c.Filter.Key(), err)
		}
		return got, c
	}
	const (
		e1 = "2023/beach/IMG_0001.JPG"
		e2 = "2023/beach/img_0002.jpeg"
	)
	tests := []struct {
		in        string
		noModel   bool
		want      int // -1: every entry but want2
		wantPaths []string
		unmatched []string
	}{
		// tag_id: is TagStudio's: that tag only, not its children.
		{in: "tag_id:1004", wantPaths: []string{e2}},
		{in: "tag_id:1005"}, // Pets is on no entry itself
		{in: "tag_id:4"},    // a Tagsight id is no TagStudio id
		{in: "NOT tag_id:1004", want: -1, wantPaths: []string{e2}},
		{in: "tag_id:1004 or tag:pets", wantPaths: []string{e1, e2}},
		{in: "filetype:'JPG'", wantPaths: []string{e1, e2, "photos/pic.jfif"}},
		{in: "tag:'Dog'", wantPaths: []string{e1}},
		{in: "animals aNd not tag:pets", wantPaths: []string{e2}},
		// Without a model a word that is no tag matches nothing, anywhere.
		{in: "doesnt exist", noModel: true, unmatched: []string{"doesnt", "exist"}},
		{in: "not unexistant", noModel: true, want: -1, unmatched: []string{"unexistant"}},
		{in: "unexistant or tag:pets", noModel: true, wantPaths: []string{e1}, unmatched: []string{"unexistant"}},
		{in: "dog or beach", noModel: true, wantPaths: []string{e1}, unmatched: []string{"beach"}},
		{in: "dog", noModel: true, wantPaths: []string{e1}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, c := run(t, tt.in, Options{NoModel: tt.noModel})
			want := append([]string(nil), tt.wantPaths...)
			if tt.want == -1 {
				want = nil
				for p := range ids {
					if !slices.Contains(tt.wantPaths, p) {
						want = append(want, p)
					}
				}
			}
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %s\nwant %s\nfilter %q", strings.Join(got, ", "), strings.Join(want, ", "), c.Filter.Key())
			}
			if len(c.Semantic) != 0 {
				t.Errorf("semantic parts %v", c.Semantic)
			}
			if !reflect.DeepEqual(c.Unmatched, tt.unmatched) {
				t.Errorf("unmatched %q, want %q", c.Unmatched, tt.unmatched)
			}
		})
	}
	// With a model, words stay a search by meaning, and lower-case
	// keywords that would put them under OR or NOT are read as words.
	for in, text := range map[string]string{"doesnt exist": "doesnt exist", "a cat or a bird": "a cat or a bird", "not unexistant": "not unexistant"} {
		_, c := run(t, in, Options{})
		if len(c.Semantic) != 1 || c.Semantic[0].Text != text || c.HasFilter || c.Unmatched != nil {
			t.Errorf("%q with a model: %+v", in, c)
		}
	}
}

// TestTextTerms: text: searches the text index only (a word, or a quoted
// phrase in its order), combines with the other terms, and has:text finds
// every entry with words.
func TestTextTerms(t *testing.T) {
	ctx := context.Background()
	db, ids := openFixture(t)
	err := db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceText(ctx, ids["docs/report_100%.pdf"], "pdf", []store.TextUnit{
			{Source: "pdf", Page: 3, Text: "Invoice 2024: exact phrase here"}}); err != nil {
			return err
		}
		return tx.ReplaceText(ctx, ids["scans/scan.TIFF"], "ocr", []store.TextUnit{{Source: "ocr", Text: "phrase exact, said the café"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{
		`text:invoice`:                     {"docs/report_100%.pdf"},
		`text:"exact phrase"`:              {"docs/report_100%.pdf"},
		`text:exact text:phrase`:           {"docs/report_100%.pdf", "scans/scan.TIFF"},
		`text:cafe`:                        {"scans/scan.TIFF"},
		`text:phrase type:image`:           {"scans/scan.TIFF"},
		`text:phrase AND NOT text:invoice`: {"scans/scan.TIFF"},
		`has:text`:                         {"docs/report_100%.pdf", "scans/scan.TIFF"},
		`NOT has:text type:document`:       nil,
		`text:beach`:                       nil, // in a path, not in any text
		`text:"NEAR(invoice here)"`:        nil,
	}
	for q, want := range cases {
		c, err := Compile(ctx, q, dbTags{db})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		got, err := paths(ctx, db, c)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", q, got, want)
		}
	}
}
