package ort

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// This package is the only door to ONNX Runtime: every other package of
// backend/ and cmd/, tests included, goes through it.
func TestOnlyOrtImportsOnnxruntimeGo(t *testing.T) {
	const runtimePkg = "github.com/yalue/onnxruntime_go"
	root := testutil.RepoRoot(t)
	self := filepath.Join(root, "backend", "ort")
	checked := 0
	for _, top := range []string{"backend", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if n := d.Name(); n == "testdata" || n == "node_modules" || (n[0] == '.' && p != root) {
					return filepath.SkipDir
				}
				return nil
			}
			if filepath.Ext(p) != ".go" || filepath.Dir(p) == self {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			checked++
			for _, imp := range f.Imports {
				if path, _ := strconv.Unquote(imp.Path.Value); path == runtimePkg {
					rel, _ := filepath.Rel(root, p)
					t.Errorf("%s imports %s: go through backend/ort", rel, runtimePkg)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 100 {
		t.Fatalf("only %d Go files checked: the walk missed the tree", checked)
	}
}
