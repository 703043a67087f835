package store

import (
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// exposesSQL reports whether t mentions a type of database/sql (or below
// it), looking through pointers, slices, maps, signatures and struct
// fields; seen stops the walk at named types already visited.
func exposesSQL(t types.Type, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.Alias:
		return exposesSQL(types.Unalias(t), seen)
	case *types.Named:
		if p := t.Obj().Pkg(); p != nil && (p.Path() == "database/sql" || strings.HasPrefix(p.Path(), "database/sql/")) {
			return true
		}
		for i := 0; i < t.TypeArgs().Len(); i++ {
			if exposesSQL(t.TypeArgs().At(i), seen) {
				return true
			}
		}
		return false // its own exported parts are checked where it is declared
	case *types.Pointer:
		return exposesSQL(t.Elem(), seen)
	case *types.Slice:
		return exposesSQL(t.Elem(), seen)
	case *types.Array:
		return exposesSQL(t.Elem(), seen)
	case *types.Map:
		return exposesSQL(t.Key(), seen) || exposesSQL(t.Elem(), seen)
	case *types.Chan:
		return exposesSQL(t.Elem(), seen)
	case *types.Signature:
		for _, tu := range []*types.Tuple{t.Params(), t.Results()} {
			for i := 0; i < tu.Len(); i++ {
				if exposesSQL(tu.At(i).Type(), seen) {
					return true
				}
			}
		}
		return false
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			if f := t.Field(i); (f.Exported() || f.Embedded()) && exposesSQL(f.Type(), seen) {
				return true
			}
		}
		return false
	case *types.Interface:
		for i := 0; i < t.NumMethods(); i++ {
			if m := t.Method(i); m.Exported() && exposesSQL(m.Type(), seen) {
				return true
			}
		}
		return false
	}
	return false
}

// sqlLeaks lists the exported declarations of pkg (functions, methods,
// types with their exported fields and methods, variables) whose types
// hand out database/sql.
func sqlLeaks(pkg *types.Package) []string {
	var out []string
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		typ := obj.Type()
		if _, isType := obj.(*types.TypeName); isType {
			if exposesSQL(typ.Underlying(), map[types.Type]bool{}) {
				out = append(out, name)
			}
			if named, ok := typ.(*types.Named); ok {
				for i := 0; i < named.NumMethods(); i++ {
					m := named.Method(i)
					if m.Exported() && exposesSQL(m.Type(), map[types.Type]bool{}) {
						out = append(out, name+"."+m.Name())
					}
				}
			}
			// An alias (type Tx = sql.Tx) is itself the leak.
			if exposesSQL(typ, map[types.Type]bool{}) {
				out = append(out, name)
			}
			continue
		}
		if exposesSQL(typ, map[types.Type]bool{}) {
			out = append(out, name)
		}
	}
	return out
}

// checkStoreAPI type-checks the package in dir and returns its leaks.
func checkStoreAPI(t *testing.T, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	// The files a build with the project's tags compiles (not the guard
	// that stops a build without FTS5).
	bctx := build.Default
	bctx.BuildTags = append(bctx.BuildTags, strings.Split(BuildTags, ",")...)
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool {
		ok, err := bctx.MatchFile(dir, fi.Name())
		return err == nil && ok && !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	var name string
	for n, p := range pkgs {
		name = n
		for _, f := range p.Files {
			files = append(files, f)
		}
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check(name, fset, files, nil)
	if err != nil {
		t.Fatalf("type-check %s: %v", dir, err)
	}
	return sqlLeaks(pkg)
}

// TestStoreIsOpaque: nothing store exports hands out a database/sql type,
// so no other package can run SQL on the library, whatever it calls.
func TestStoreIsOpaque(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: type-checking store from source takes seconds (CI runs it)")
	}
	for _, leak := range checkStoreAPI(t, ".") {
		t.Errorf("store exports %s, which hands out database/sql: keep the SQL inside store", leak)
	}
}

// The type check finds what it should: an embedded *sql.DB, an alias of
// sql.Tx, a function taking *sql.Rows, a method returning sql.Result.
func TestStoreIsOpaqueFindsLeaks(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: type-checking store from source takes seconds (CI runs it)")
	}
	dir := t.TempDir()
	src := `package leaky
import "database/sql"
type DB struct{ *sql.DB; Path string }
type Tx = sql.Tx
type Safe struct{ db *sql.DB }
func Scan(r *sql.Rows) error { return nil }
func (s *Safe) Run() (sql.Result, error) { return nil, nil }
func (s *Safe) Fine() error { return nil }
func hidden(db *sql.DB) {}
`
	if err := writeFile(filepath.Join(dir, "leaky.go"), src); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(checkStoreAPI(t, dir), " ")
	for _, want := range []string{"DB", "Tx", "Scan", "Safe.Run"} {
		if !strings.Contains(" "+got+" ", " "+want+" ") {
			t.Errorf("leaks %q, want %s among them", got, want)
		}
	}
	if strings.Contains(got, "Fine") || strings.Contains(got, "hidden") || strings.Contains(" "+got+" ", " Safe ") {
		t.Errorf("leaks %q: Safe, Fine and hidden keep database/sql to themselves", got)
	}
}

// foreignSQL are the files outside store that may import database/sql:
// each opens a SQLite file that is not a Tagsight library.
var foreignSQL = map[string]string{
	"cmd/knn-bench/main.go":               "benchmarks sqlite-vec's own tables",
	"cmd/knn-bench/follow.go":             "writes vec0 rows raw, below the store, for the benchmark",
	"backend/tagstudio/testdata_test.go":  "writes TagStudio's databases as fixtures",
	"backend/tagstudio/tagstudio_test.go": "edits a TagStudio fixture database",
	"cmd/tagsight/tagstudio_cli_test.go":  "writes a TagStudio fixture database",
}

// TestOnlyStoreImportsSQL: no Go file outside store (tests included)
// imports database/sql or the SQLite driver, but the foreignSQL files.
func TestOnlyStoreImportsSQL(t *testing.T) {
	fset := token.NewFileSet()
	goFilesOutsideStore(t, func(rel, path string) error {
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if p == "database/sql" || strings.HasPrefix(p, "database/sql/") || strings.HasPrefix(p, "github.com/mattn/go-sqlite3") {
				if _, ok := foreignSQL[rel]; !ok {
					t.Errorf("%s imports %s (SQL on the library belongs in backend/store: add a store method)", rel, p)
				}
			}
		}
		return nil
	})
}

// goFilesOutsideStore calls each with every Go file of the repository
// outside backend/store (tests included; testdata, node_modules,
// third_party and dot folders skipped), by its slash-separated path
// relative to the root and its path, and fails when the walk found too few
// to be looking in the right place.
func goFilesOutsideStore(t *testing.T, each func(rel, path string) error) {
	t.Helper()
	root := testutil.RepoRoot(t)
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch {
			case rel == "backend/store", d.Name() == "testdata", d.Name() == "node_modules", d.Name() == "third_party",
				strings.HasPrefix(d.Name(), ".") && rel != ".":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		files++
		return each(rel, path)
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("only %d Go files under %s: the walk is looking in the wrong place", files, root)
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o644) }
