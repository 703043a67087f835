package query

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/tagsight/tagsight/backend/store"
)

// FuzzParse checks that Parse and Compile never panic, that every error
// about the input is a *SyntaxError inside the input, and that whatever
// compiles is SQL that SQLite accepts with the right number of arguments.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`dog on the beach`,
		`tag:Animals NOT tag:Pets`,
		`(tag:"golden retriever" OR tag:cat) taken:2023-06..2023-08`,
		`path:2023/*.JPG ext:jpeg type:photo`,
		`camera:canon iso:>800 width:>3000 size:>10mb sort:-taken`,
		`+2:"golden retriever" -fruit -0.5:"x" ~dog like:a/b.jpg`,
		`"it\'s" 'a \"b\"' special:untagged`,
		`favourite OR archived OR is:favorite`,
		`NOT (a AND (b OR NOT c))`,
		`taken:<=2023 taken:>2020-02-29 size:1.5kb..2G`,
		`foo:bar tag: (unbalanced "quote`,
		`été "ü tag:100%_x -tag:x`,
		`field:source="old scanner" field:"a=b" field:notes`,
	} {
		f.Add(s)
	}
	db, err := store.Open(context.Background(), filepath.Join(f.TempDir(), "library.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	r := fakeTags{"dog": {6}, "cat": {7, 8}, "a": {9}, "b": {10}, "c": {11}}
	check := func(t *testing.T, in, what string, err error) {
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("%s(%q): error %v is not a *SyntaxError", what, in, err)
		}
		n := utf8.RuneCountInString(in)
		if se.Col < 1 || se.Col > n+1 || se.Len < 1 || se.Col+se.Len > n+2 {
			t.Fatalf("%s(%q): error span col %d len %d outside %d runes: %v", what, in, se.Col, se.Len, n, se)
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		ctx := context.Background()
		if _, err := Parse(in); err != nil {
			check(t, in, "Parse", err)
		}
		c, err := Compile(ctx, in, r)
		if err != nil {
			check(t, in, "Compile", err)
			return
		}
		if _, err := db.CountFilter(ctx, c.Filter); err != nil {
			t.Fatalf("Compile(%q) gave a bad filter %q: %v", in, c.Filter.Key(), err)
		}
	})
}
