package main

import (
	"database/sql"
	"encoding/json"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// writeMiniTagStudio writes the smallest TagStudio database (DB_VERSION v,
// 300+ layout) with tag 1000 "Dog" (alias Doggo) on a.png.
func writeMiniTagStudio(t *testing.T, root string, v int) {
	t.Helper()
	dir := filepath.Join(root, ".TagStudio")
	os.MkdirAll(dir, 0o755)
	db, err := sql.Open("sqlite3", filepath.Join(dir, "ts_library.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE versions ("key" VARCHAR NOT NULL PRIMARY KEY, value INTEGER NOT NULL)`,
		`CREATE TABLE tags (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, name VARCHAR NOT NULL, shorthand VARCHAR,
			color_namespace VARCHAR, color_slug VARCHAR, is_category BOOLEAN NOT NULL, icon VARCHAR,
			disambiguation_id INTEGER, is_hidden BOOLEAN NOT NULL DEFAULT 0)`,
		`CREATE TABLE tag_parents (parent_id INTEGER NOT NULL, child_id INTEGER NOT NULL, PRIMARY KEY (parent_id, child_id))`,
		`CREATE TABLE tag_entries (tag_id INTEGER NOT NULL, entry_id INTEGER NOT NULL, PRIMARY KEY (tag_id, entry_id))`,
		`CREATE TABLE tag_aliases (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR NOT NULL, tag_id INTEGER NOT NULL)`,
		`CREATE TABLE entries (id INTEGER NOT NULL PRIMARY KEY, path VARCHAR NOT NULL UNIQUE, suffix VARCHAR NOT NULL,
			date_created DATETIME, date_modified DATETIME, date_added DATETIME, filename TEXT NOT NULL DEFAULT '')`,
		`INSERT INTO tags (id, name, is_category) VALUES (1000, 'Dog', 0)`,
		`INSERT INTO tag_aliases VALUES (1, 'Doggo', 1000)`,
		`INSERT INTO entries (id, path, suffix, filename) VALUES (1, 'a.png', 'png', 'a.png'), (2, 'gone.png', 'png', 'gone.png')`,
		`INSERT INTO tag_entries VALUES (1000, 1), (1000, 2)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO versions VALUES ('INITIAL', ?), ('CURRENT', ?)`, v, v); err != nil {
		t.Fatal(err)
	}
}

func TestCLITagStudioImport(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "a.png"), testutil.PNG(t, testutil.Solid(8, 8, color.RGBA{1, 2, 3, 255})))
	writeMiniTagStudio(t, root, 400)
	type report struct {
		Version        string   `json:"version"`
		TagsAdded      []string `json:"tags_added"`
		EntriesMatched int      `json:"entries_matched"`
		LinksAdded     int      `json:"links_added"`
		MissingAdded   int      `json:"missing_added"`
		Missing        []struct {
			Path string `json:"path"`
		} `json:"missing"`
		Unmatched []struct {
			Path string `json:"path"`
		} `json:"unmatched"`
	}
	// gone.png has no file: a missing entry carries its tag.
	for i, wantAdded := range []int{1, 0} {
		stdout, stderr, code := run(t, "tagstudio", "import", root, "--json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var r report
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		if r.Version != "400" || len(r.TagsAdded) != wantAdded || r.EntriesMatched != 1 || r.LinksAdded != 2*wantAdded ||
			r.MissingAdded != wantAdded || len(r.Missing) != 1 || r.Missing[0].Path != "gone.png" || len(r.Unmatched) != 0 {
			t.Errorf("run %d: %+v", i, r)
		}
	}
	stdout, _, code := run(t, "tags", root, "list", "--json")
	if code != 0 || !strings.Contains(stdout, `"Doggo"`) {
		t.Errorf("tags after import (exit %d): %s", code, stdout)
	}
	stdout, _, _ = run(t, "tagstudio", "import", root)
	if !strings.Contains(stdout, "missing (no such file in the library; kept with its tags): gone.png") {
		t.Errorf("text report: %s", stdout)
	}
	// TagStudio's search counts the entry; Tagsight's shows it on asking.
	for _, c := range []struct {
		args []string
		want int
	}{{nil, 1}, {[]string{"--missing"}, 2}} {
		stdout, stderr, code := run(t, append([]string{"search", root, "dog", "--json"}, c.args...)...)
		if code != 0 || strings.Count(stdout, `"path"`) != c.want {
			t.Errorf("search dog %v: exit %d, %s%s; want %d results", c.args, code, stdout, stderr, c.want)
		}
	}
}

func TestCLITagStudioErrors(t *testing.T) {
	if _, _, code := run(t, "tagstudio", "import"); code != 2 {
		t.Errorf("no LIBRARY: exit %d, want 2", code)
	}
	empty := t.TempDir()
	if _, stderr, code := run(t, "tagstudio", "import", empty); code != 1 || !strings.Contains(stderr, "no TagStudio library") {
		t.Errorf("no .TagStudio: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(empty, ".tagsight")); err == nil {
		t.Error("a failed import created a Tagsight library")
	}
	newer := t.TempDir()
	writeMiniTagStudio(t, newer, 900)
	if _, stderr, code := run(t, "tagstudio", "import", newer); code != 1 || !strings.Contains(stderr, "unsupported TagStudio database version 900") {
		t.Errorf("version 900: exit %d, %s", code, stderr)
	}
	bad := t.TempDir()
	testutil.WriteFile(t, filepath.Join(bad, ".TagStudio", "ts_library.sqlite"), []byte("garbage, not SQLite, definitely not"))
	if _, stderr, code := run(t, "tagstudio", "import", bad); code != 1 || !strings.Contains(stderr, "not a readable SQLite database") {
		t.Errorf("garbage: exit %d, %s", code, stderr)
	}
}
