package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sqlText is what marks a string literal as SQL: a statement's keywords
// in SQL's upper case, a LIKE or GLOB, an EXISTS subquery, or a
// comparison on a column of entries aliased e, as query's filters were
// written before they moved into store (filter.go).
var sqlText = regexp.MustCompile(`\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b|` +
	` (LIKE|GLOB) |\bEXISTS \(|\bWHERE\b|\be\.[a-z_]+ *(NOT +)?(=|<|>|IN\b)|\b[a-z]{1,2}\.[a-z_]+ *(<>|>=|<=|>|=) *(\?|0|'')`)

// sqlLiterals lists, as "file:line: text", the string literals that look
// like SQL in the Go files outside backend/store, tests and the foreignSQL
// files excepted.
func sqlLiterals(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	var found []string
	read := 0
	goFilesOutsideStore(t, func(rel, path string) error {
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if _, ok := foreignSQL[rel]; ok {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		read++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && sqlText.MatchString(s) {
				found = append(found, rel+":"+strconv.Itoa(fset.Position(lit.Pos()).Line)+": "+s)
			}
			return true
		})
		return nil
	})
	if read < 100 {
		t.Fatalf("only %d Go files read: the walk is looking in the wrong place", read)
	}
	return found
}

// TestNoSQLOutsideStore: no Go file outside store (tests and the
// foreignSQL files excepted) writes SQL text; a filter on entries is a
// store.Filter made by store's constructors.
func TestNoSQLOutsideStore(t *testing.T) {
	for _, s := range sqlLiterals(t) {
		t.Errorf("%s\n\tlooks like SQL: SQL on the library belongs in backend/store (a Filter constructor or a method)", s)
	}
}

// The pattern finds the SQL query's filters were written in, and no
// ordinary words.
func TestSQLTextPattern(t *testing.T) {
	for _, s := range []string{
		"e.id IN (SELECT et.entry_id FROM entry_tags et WHERE et.tag_id = ",
		"NOT EXISTS (SELECT 1 FROM entry_tags et WHERE et.entry_id = e.id)",
		"e.media_type = ",
		"e.path GLOB ",
		"lower(e.path) GLOB ",
		" LIKE ",
		"x.duration > 0",
		"e.taken <> ''",
		"e.missing = 1",
		") AND e.id NOT IN (?",
		"e.missing = 0 AND (",
		"EXISTS (SELECT 1 FROM entry_fields f WHERE f.entry_id = e.id AND f.name = ",
		"DELETE FROM entries WHERE id = ?",
		"UPDATE entries SET missing = 1",
	} {
		if !sqlText.MatchString(s) {
			t.Errorf("%q is SQL, but the pattern misses it", s)
		}
	}
	for _, s := range []string{
		"select the pictures whose tags to write",
		"delete the tag from the selected files",
		"like: path",
		"sort by taken, added, name, size or random",
		"tag:%s is not a tag",
	} {
		if sqlText.MatchString(s) {
			t.Errorf("%q is no SQL, but the pattern takes it for some", s)
		}
	}
}
