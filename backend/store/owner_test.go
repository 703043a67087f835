package store

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// sqlMethods are database/sql's ways of running SQL or holding a
// connection. Outside store, none may be called, on anything.
var sqlMethods = map[string]bool{
	"QueryContext": true, "QueryRowContext": true, "ExecContext": true, "BeginTx": true,
	"Query": true, "QueryRow": true, "Exec": true, "Begin": true,
	"PrepareContext": true, "Prepare": true,
}

// sqlOwnerViolations lists what in one file breaks the rule that store is
// the only package speaking SQL: an import of database/sql (or below it),
// or a call of one of sqlMethods. Two exceptions, by database/sql's
// signatures: Query with no arguments is net/url's URL.Query (database/sql's
// always takes the SQL text), and Prepare with other than one argument is
// some other hook (database/sql's takes the query alone).
func sqlOwnerViolations(fset *token.FileSet, f *ast.File) []string {
	var out []string
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		if p == "database/sql" || strings.HasPrefix(p, "database/sql/") {
			out = append(out, fmt.Sprintf("%s: imports %s", fset.Position(im.Pos()), p))
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || !sqlMethods[sel.Sel.Name] {
			return true
		}
		if sel.Sel.Name == "Query" && len(call.Args) == 0 || sel.Sel.Name == "Prepare" && len(call.Args) != 1 {
			return true
		}
		out = append(out, fmt.Sprintf("%s: calls .%s", fset.Position(sel.Sel.Pos()), sel.Sel.Name))
		return true
	})
	return out
}

// TestOnlyStoreSpeaksSQL keeps every other package of backend/ on store's
// methods: tests may set up state with SQL, nothing else may.
func TestOnlyStoreSpeaksSQL(t *testing.T) {
	backend := filepath.Join(testutil.RepoRoot(t), "backend")
	fset := token.NewFileSet()
	files := 0
	var bad []string
	err := filepath.WalkDir(backend, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == filepath.Join(backend, "store") || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		bad = append(bad, sqlOwnerViolations(fset, f)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("only %d Go files under %s: the walk is looking in the wrong place", files, backend)
	}
	for _, b := range bad {
		t.Errorf("%s (SQL belongs in backend/store: add a store method)", b)
	}
}

// The guard itself finds what it should, and lets net/url through.
func TestSQLOwnerViolations(t *testing.T) {
	src := `package x
import (
	"database/sql"
	_ "database/sql/driver"
	"net/url"
)
func f(db *sql.DB, tx *sql.Tx, u *url.URL, s interface{ Exec(string) }) {
	db.QueryContext(nil, "SELECT 1")
	tx.QueryRowContext(nil, "SELECT 1")
	db.ExecContext(nil, "x")
	db.BeginTx(nil, nil)
	db.Query("SELECT 1")
	db.QueryRow("SELECT 1")
	s.Exec("x")
	db.Begin()
	tx.PrepareContext(nil, "x")
	db.Prepare("SELECT 1")
	_ = u.Query().Get("token")
	opts.Prepare(ctx, item) // a hook of that name, not database/sql's
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := sqlOwnerViolations(fset, f)
	want := []string{"imports database/sql", "imports database/sql/driver", ".QueryContext", ".QueryRowContext", ".ExecContext",
		".BeginTx", ".Query", ".QueryRow", ".Exec", ".Begin", ".PrepareContext", ".Prepare"}
	if len(got) != len(want) {
		t.Fatalf("found %d violations, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasSuffix(got[i], w) {
			t.Errorf("violation %d: %q, want one ending %q", i, got[i], w)
		}
	}
}
