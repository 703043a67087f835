package tagstudio

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// The TagStudio databases the tests read are written here, one schema per
// DB_VERSION, transcribed from what TagStudio wrote (its empty libraries of
// each version and its migrations). Only what the importer reads is filled.

// tsVersions are the DB_VERSIONs the tests generate.
var tsVersions = []int{6, 7, 8, 9, 100, 101, 103, 200, 201, 202, 300, 400}

func tsDDL(v int) []string {
	colorBorder := ""
	if v >= 8 {
		colorBorder = "color_border BOOLEAN NOT NULL,"
	}
	hidden := ""
	if v >= 103 {
		hidden = "is_hidden BOOLEAN NOT NULL,"
	}
	ddl := []string{
		`CREATE TABLE namespaces (namespace VARCHAR NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (namespace))`,
		`CREATE TABLE tag_colors (slug VARCHAR NOT NULL, namespace VARCHAR NOT NULL, name VARCHAR NOT NULL,
			"primary" VARCHAR NOT NULL, secondary VARCHAR, ` + colorBorder + `
			PRIMARY KEY (slug, namespace), FOREIGN KEY(namespace) REFERENCES namespaces (namespace))`,
		`CREATE TABLE tags (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, name VARCHAR NOT NULL, shorthand VARCHAR,
			color_namespace VARCHAR, color_slug VARCHAR, is_category BOOLEAN NOT NULL, ` + hidden + `
			icon VARCHAR, disambiguation_id INTEGER,
			FOREIGN KEY(color_namespace, color_slug) REFERENCES tag_colors (namespace, slug))`,
		`CREATE TABLE tag_parents (parent_id INTEGER NOT NULL, child_id INTEGER NOT NULL, PRIMARY KEY (parent_id, child_id),
			FOREIGN KEY(parent_id) REFERENCES tags (id), FOREIGN KEY(child_id) REFERENCES tags (id))`,
		`CREATE TABLE tag_entries (tag_id INTEGER NOT NULL, entry_id INTEGER NOT NULL, PRIMARY KEY (tag_id, entry_id),
			FOREIGN KEY(tag_id) REFERENCES tags (id), FOREIGN KEY(entry_id) REFERENCES entries (id))`,
		`CREATE TABLE tag_aliases (id INTEGER NOT NULL, name VARCHAR NOT NULL, tag_id INTEGER NOT NULL, PRIMARY KEY (id),
			FOREIGN KEY(tag_id) REFERENCES tags (id))`,
	}
	if v < 201 { // dropped by 104 in TagStudio's migrations; its new 200 libraries still had it
		ddl = append(ddl, `CREATE TABLE preferences ("key" VARCHAR NOT NULL, value JSON NOT NULL, PRIMARY KEY ("key"))`)
	}
	if v >= 101 {
		ddl = append(ddl, `CREATE TABLE versions ("key" VARCHAR NOT NULL, value INTEGER NOT NULL, PRIMARY KEY ("key"))`)
	}
	filename := ""
	if v >= 9 {
		filename = "filename VARCHAR NOT NULL,"
	}
	if v < 300 {
		ddl = append(ddl,
			`CREATE TABLE folders (id INTEGER NOT NULL, path VARCHAR NOT NULL, uuid VARCHAR NOT NULL, PRIMARY KEY (id), UNIQUE (path), UNIQUE (uuid))`,
			`CREATE TABLE entries (id INTEGER NOT NULL, folder_id INTEGER NOT NULL, path VARCHAR NOT NULL, `+filename+`
				suffix VARCHAR NOT NULL, date_created DATETIME, date_modified DATETIME, date_added DATETIME,
				PRIMARY KEY (id), FOREIGN KEY(folder_id) REFERENCES folders (id), UNIQUE (path))`)
	} else {
		ddl = append(ddl, `CREATE TABLE "entries" (id INTEGER NOT NULL, path VARCHAR NOT NULL, suffix VARCHAR NOT NULL,
			date_created DATETIME, date_modified DATETIME, date_added DATETIME, filename TEXT NOT NULL DEFAULT '',
			PRIMARY KEY (id), UNIQUE (path))`)
	}
	if v < 200 {
		ddl = append(ddl,
			`CREATE TABLE value_type ("key" VARCHAR NOT NULL, name VARCHAR NOT NULL, type VARCHAR(9) NOT NULL,
				is_default BOOLEAN NOT NULL, position INTEGER NOT NULL, PRIMARY KEY ("key"))`,
			`CREATE TABLE boolean_fields (value BOOLEAN NOT NULL, id INTEGER NOT NULL, type_key VARCHAR NOT NULL,
				entry_id INTEGER NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (id))`,
			`CREATE TABLE text_fields (value VARCHAR, id INTEGER NOT NULL, type_key VARCHAR NOT NULL,
				entry_id INTEGER NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (id),
				FOREIGN KEY(type_key) REFERENCES value_type ("key"), FOREIGN KEY(entry_id) REFERENCES entries (id))`,
			`CREATE TABLE datetime_fields (value VARCHAR, id INTEGER NOT NULL, type_key VARCHAR NOT NULL,
				entry_id INTEGER NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (id),
				FOREIGN KEY(type_key) REFERENCES value_type ("key"), FOREIGN KEY(entry_id) REFERENCES entries (id))`)
	} else {
		ddl = append(ddl,
			`CREATE TABLE text_field_templates (is_multiline BOOLEAN NOT NULL, id INTEGER NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (id))`,
			`CREATE TABLE datetime_field_templates (id INTEGER NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (id))`,
			`CREATE TABLE text_fields (is_multiline BOOLEAN NOT NULL, id INTEGER NOT NULL, name VARCHAR NOT NULL,
				entry_id INTEGER NOT NULL, value VARCHAR, PRIMARY KEY (id), FOREIGN KEY(entry_id) REFERENCES entries (id))`,
			`CREATE TABLE datetime_fields (id INTEGER NOT NULL, name VARCHAR NOT NULL, entry_id INTEGER NOT NULL,
				value VARCHAR, PRIMARY KEY (id), FOREIGN KEY(entry_id) REFERENCES entries (id))`)
	}
	if v >= 400 {
		ddl = append(ddl, `CREATE TABLE category_exclusions (tag_id INTEGER NOT NULL REFERENCES tags(id),
			category_id INTEGER NOT NULL REFERENCES tags(id), PRIMARY KEY (tag_id, category_id))`)
	}
	return ddl
}

// genTag is a tag the generator writes.
type genTag struct {
	id            int64
	name, short   string
	ns, slug      string
	category      bool
	hidden        bool
	aliases       []string
	parents       []int64
	disambiguator int64
}

// genTags: a parent chain Animal <- Dog <- Puppy, aliases, a category, a
// hidden tag, colours by palette name and by value.
var genTags = []genTag{
	{id: 0, name: "Archived", ns: "tagstudio-standard", slug: "red", hidden: true, aliases: []string{"Archive"}, parents: []int64{2}},
	{id: 1, name: "Favorite", ns: "tagstudio-standard", slug: "yellow", aliases: []string{"Favorited", "Favorites"}, parents: []int64{2}},
	{id: 2, name: "Meta Tags", category: true, aliases: []string{"Meta Tag", "Meta"}},
	{id: 1000, name: "Animal", short: "ani", ns: "tagstudio-standard", slug: "green"},
	{id: 1001, name: "Dog", ns: "tagstudio-grayscale", slug: "dark-gray", aliases: []string{"Doggo", "Pup"}, parents: []int64{1000}},
	{id: 1002, name: "Puppy", ns: "tagstudio-pastels", slug: "light-pink", parents: []int64{1001}},
	{id: 1003, name: "Secret", hidden: true},
}

type genEntry struct {
	id   int64
	path string
	tags []int64
}

var genEntries = []genEntry{
	{1, "a.png", []int64{1001, 1}},
	{2, "sub/b.png", []int64{1002, 0}},
	{3, "gone.png", []int64{1000}},
}

// genField is a text or datetime field on an entry; null: its value is
// NULL (TagStudio writes that for a field added and left empty).
type genField struct {
	entry       int64
	name        string // Title, Notes or Date
	value       string
	null        bool
	multiline   bool
	isDatetime  bool
	legacyKey   string // the value_type key before DB_VERSION 200
	legacyKind  string // its type there
	legacyIndex int    // its position there
}

var (
	fieldTitle = genField{name: "Title", legacyKey: "TITLE", legacyKind: "TEXT_LINE", legacyIndex: 0}
	fieldNotes = genField{name: "Notes", multiline: true, legacyKey: "NOTES", legacyKind: "TEXT_BOX", legacyIndex: 5}
	fieldDate  = genField{name: "Date", isDatetime: true, legacyKey: "DATE", legacyKind: "DATETIME", legacyIndex: 10}
)

// field is one of those three on an entry.
func field(kind genField, entry int64, value string, null bool) genField {
	kind.entry, kind.value, kind.null = entry, value, null
	return kind
}

// genFields: a title and an empty note on entry 1, a date on entry 2.
var genFields = []genField{
	field(fieldTitle, 1, "Hello", false),
	field(fieldNotes, 1, "", true),
	field(fieldDate, 2, "2024-05-01 13:04:05", false),
}

// writeTS writes a TagStudio library of DB_VERSION v at root/.TagStudio.
func writeTS(t testing.TB, root string, v int) string {
	t.Helper()
	return writeTSWith(t, root, v, genTags, genEntries, genFields)
}

// writeTSWith writes a TagStudio library of DB_VERSION v with these tags,
// entries and fields.
func writeTSWith(t testing.TB, root string, v int, genTags []genTag, genEntries []genEntry, genFields []genField) string {
	t.Helper()
	dir := filepath.Join(root, ".TagStudio")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "ts_library.sqlite")
	db, err := sql.Open("sqlite3", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("v%d: %s: %v", v, strings.Fields(q)[0:3], err)
		}
	}
	for _, q := range tsDDL(v) {
		exec(q)
	}
	if v < 201 {
		exec(`INSERT INTO preferences VALUES ('DB_VERSION', ?)`, v)
	}
	if v >= 101 {
		exec(`INSERT INTO versions VALUES ('INITIAL', ?), ('CURRENT', ?)`, v, v)
	}
	for _, ns := range []string{"tagstudio-standard", "tagstudio-grayscale", "tagstudio-pastels"} {
		exec(`INSERT INTO namespaces VALUES (?, ?)`, ns, ns)
	}
	colours := [][3]string{{"red", "tagstudio-standard", "#E22C3C"}, {"yellow", "tagstudio-standard", "#FFD63D"},
		{"green", "tagstudio-standard", "#45D649"}, {"dark-gray", "tagstudio-grayscale", "#242424"}, {"light-pink", "tagstudio-pastels", "#FF87BA"}}
	for _, c := range colours {
		if v >= 8 {
			exec(`INSERT INTO tag_colors VALUES (?, ?, ?, ?, NULL, 0)`, c[0], c[1], c[0], c[2])
		} else {
			exec(`INSERT INTO tag_colors VALUES (?, ?, ?, ?, NULL)`, c[0], c[1], c[0], c[2])
		}
	}
	aliasID := 0
	for _, g := range genTags {
		var ns, slug any
		if g.slug != "" {
			ns, slug = g.ns, g.slug
		}
		if v >= 103 {
			exec(`INSERT INTO tags (id, name, shorthand, color_namespace, color_slug, is_category, is_hidden) VALUES (?,?,?,?,?,?,?)`,
				g.id, g.name, g.short, ns, slug, g.category, g.hidden)
		} else {
			exec(`INSERT INTO tags (id, name, shorthand, color_namespace, color_slug, is_category) VALUES (?,?,?,?,?,?)`,
				g.id, g.name, g.short, ns, slug, g.category)
		}
		for _, a := range g.aliases {
			aliasID++
			exec(`INSERT INTO tag_aliases VALUES (?, ?, ?)`, aliasID, a, g.id)
		}
		for _, p := range g.parents {
			if v < 100 { // the columns' meaning before TagStudio's migration to 100
				exec(`INSERT INTO tag_parents (parent_id, child_id) VALUES (?, ?)`, g.id, p)
			} else {
				exec(`INSERT INTO tag_parents (parent_id, child_id) VALUES (?, ?)`, p, g.id)
			}
		}
	}
	if v < 300 {
		exec(`INSERT INTO folders VALUES (1, ?, 'uuid-1')`, root)
	}
	for _, e := range genEntries {
		suffix := strings.TrimPrefix(filepath.Ext(e.path), ".")
		switch {
		case v >= 300:
			exec(`INSERT INTO entries (id, path, suffix, filename) VALUES (?,?,?,?)`, e.id, e.path, suffix, filepath.Base(e.path))
		case v >= 9:
			exec(`INSERT INTO entries (id, folder_id, path, filename, suffix) VALUES (?,1,?,?,?)`, e.id, e.path, filepath.Base(e.path), suffix)
		default:
			exec(`INSERT INTO entries (id, folder_id, path, suffix) VALUES (?,1,?,?)`, e.id, e.path, suffix)
		}
		for _, tg := range e.tags {
			exec(`INSERT INTO tag_entries VALUES (?, ?)`, tg, e.id)
		}
	}
	if v < 200 {
		for _, f := range []genField{fieldTitle, fieldDate, fieldNotes} {
			exec(`INSERT INTO value_type VALUES (?,?,?,?,?)`, f.legacyKey, f.name, f.legacyKind, f.legacyKey == "TITLE", f.legacyIndex)
		}
	}
	for i, f := range genFields {
		var val any = f.value
		if f.null {
			val = nil
		}
		table := "text_fields"
		if f.isDatetime {
			table = "datetime_fields"
		}
		switch {
		case v < 200:
			exec(`INSERT INTO `+table+` (value, id, type_key, entry_id, position) VALUES (?,?,?,?,?)`, val, i+1, f.legacyKey, f.entry, i)
		case f.isDatetime:
			exec(`INSERT INTO datetime_fields (id, name, entry_id, value) VALUES (?,?,?,?)`, i+1, f.name, f.entry, val)
		default:
			exec(`INSERT INTO text_fields (is_multiline, id, name, entry_id, value) VALUES (?,?,?,?,?)`, f.multiline, i+1, f.name, f.entry, val)
		}
	}
	return p
}

// genJSON is a 9.x JSON library with the same content as genTags and
// genEntries (subtag_ids are parents; fields 6 and 8 hold tags).
const genJSON = `{"ts-version":"9.4.2","ext_list":[".json"],"is_exclude_list":true,
"tags":[
 {"id":0,"name":"Archived","aliases":["Archive"],"color":"Red"},
 {"id":1,"name":"Favorite","aliases":["Favorited","Favorites"],"color":"yellow"},
 {"id":1000,"name":"Animal","shorthand":"ani","aliases":[""],"color":"green"},
 {"id":1001,"name":"Dog","aliases":["Doggo","Pup"],"subtag_ids":[1000],"color":"dark gray"},
 {"id":1002,"name":"Puppy","aliases":[""],"subtag_ids":[1001],"color":"light pink"},
 {"id":1003,"name":"Loop","subtag_ids":[1003],"color":"yellow orange"}
],
"collations":[],"fields":[],"macros":[],
"entries":[
 {"id":0,"filename":"a.png","path":"","fields":[{"0":"Hello"},{"6":[1001]},{"8":[1]}]},
 {"id":1,"filename":"b.png","path":"sub","fields":[{"6":[1002,0]},{"10":"2024-05-01 13:04:05"}]},
 {"id":2,"filename":"gone.png","path":"win\\dir","fields":[{"6":[1000]}]}
]}`

func writeJSONLib(t testing.TB, root string) string {
	t.Helper()
	p := filepath.Join(root, ".TagStudio", "ts_library.json")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(genJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func openRW(t testing.TB, p string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", p)
	if err != nil {
		t.Fatal(err)
	}
	return db
}
