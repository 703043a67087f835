package store

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// oldLibrary writes a library at schema version v, as a Tagsight of that
// version left it (its migrations, its version, format 1), and hands back
// its path and a way to add rows; done closes it for Open. One connection:
// a pragma given through exec holds for every later row.
func oldLibrary(t *testing.T, v int) (p string, exec func(q string, args ...any), done func()) {
	t.Helper()
	p = filepath.Join(t.TempDir(), "library.db")
	raw, err := sql.Open("sqlite3", "file:"+p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	raw.SetMaxOpenConns(1)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	exec = func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, m := range ms[:v] {
		exec(m.sql)
	}
	exec(fmt.Sprintf("PRAGMA user_version = %d", v))
	exec("INSERT OR REPLACE INTO settings(key, value) VALUES ('format_major', '1')")
	return p, exec, func() { raw.Close() }
}
