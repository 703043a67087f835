package query

import (
	"context"
	"errors"
	"testing"
	"unicode/utf8"
)

// TagStudio's own search tests (tests/core/library/test_search.py, the
// parametrised cases of test_single_constraint, test_and, test_or,
// test_not, test_parentheses and test_parent_tags) with the counts they
// expect on its search_library fixture (32 entries), and the queries its
// test_syntax expects to be parse errors. A later test runs the valid ones
// against that library once imported; here they must parse and compile.
type tagStudioCase struct {
	query string
	count int
}

var tagStudioValid = []tagStudioCase{
	// test_single_constraint
	{"", 32},
	{"path:*", 32},
	{"path:*inherit*", 24},
	{"path:*comp*", 5},
	{"special:untagged", 3},
	{"filetype:png", 25},
	{"filetype:jpg", 6},
	{"filetype:'jpg'", 6},
	{"tag_id:1011", 5},
	{"tag_id:1038", 11},
	{"doesnt exist", 0},
	{"archived", 0},
	{"favorite", 0},
	{"tag:favorite", 0},
	{"circle", 11},
	{"tag:square", 11},
	{"green", 5},
	{"orange", 5},
	{"tag:orange", 5},
	// test_and
	{"circle aND square", 5},
	{"circle square", 5},
	{"green AND square", 2},
	{"green square", 2},
	{"orange AnD square", 2},
	{"orange square", 2},
	{"orange and filetype:png", 5},
	{"square and filetype:jpg", 2},
	{"orange filetype:png", 5},
	{"green path:*inherit*", 4},
	// test_or
	{"square or circle", 17},
	{"orange or green", 10},
	{"orange Or circle", 14},
	{"orange oR square", 14},
	{"square OR green", 14},
	{"circle or green", 14},
	{"green or circle", 14},
	{"filetype:jpg or tag:orange", 11},
	{"red or filetype:png", 28},
	{"filetype:jpg or path:*comp*", 11},
	// test_not
	{"not unexistant", 32},
	{"not path:*", 0},
	{"not not path:*", 32},
	{"not special:untagged", 29},
	{"not filetype:png", 7},
	{"not filetype:jpg", 26},
	{"not tag_id:1011", 27},
	{"not tag_id:1038", 21},
	{"not green", 27},
	{"tag:favorite", 0},
	{"not circle", 21},
	{"not tag:square", 21},
	{"circle and not square", 6},
	{"not circle and square", 6},
	{"special:untagged or not filetype:jpg", 26},
	{"not square or green", 23},
	// test_parentheses
	{"(tag_id:1041)", 11},
	{"(((tag_id:1041)))", 11},
	{"not (not tag_id:1041)", 11},
	{"((circle) and (not square))", 6},
	{"(not ((square) OR (green)))", 18},
	{"filetype:png and (tag:square or green)", 12},
	// test_parent_tags
	{"ellipse", 17},
	{"yellow", 15},
	{"color", 25},
	{"shape", 24},
	{"yellow not green", 10},
}

// tagStudioInvalid are test_syntax's queries: each must be a ParsingError
// there and a positioned SyntaxError here.
var tagStudioInvalid = []string{"asd AND", "asd AND AND", "tag:(", "(asd", "asd[]", "asd]", ":", "tag: :"}

// tagStudioTags resolves the tag names the cases use (the ids are made up)
// and the TagStudio ids they name.
type tagStudioTags struct{ fakeTags }

func (tagStudioTags) TagByTagStudioID(_ context.Context, id int64) (int64, bool, error) {
	tagID, ok := map[int64]int64{1011: 11, 1038: 38, 1041: 41}[id]
	return tagID, ok, nil
}

var tagStudioResolver = tagStudioTags{fakeTags{
	"circle": {20}, "square": {21}, "ellipse": {22}, "shape": {23},
	"green": {30}, "orange": {31}, "red": {32}, "yellow": {33}, "color": {34},
	"favorite": {2}, "archived": {1},
}}

func TestTagStudioCasesCompile(t *testing.T) {
	if len(tagStudioValid) != 66 || len(tagStudioInvalid) != 8 {
		t.Fatalf("%d valid and %d invalid cases, TagStudio has 66 and 8", len(tagStudioValid), len(tagStudioInvalid))
	}
	ctx := context.Background()
	for _, tc := range tagStudioValid {
		if _, err := Parse(tc.query); err != nil {
			t.Errorf("Parse(%q): %v", tc.query, err)
			continue
		}
		// As TagStudio runs them: no model, so words that are no tag
		// (doesnt, exist, unexistant) match nothing and are no error.
		c, err := CompileWith(ctx, tc.query, tagStudioResolver, Options{NoModel: true})
		if err != nil {
			t.Errorf("CompileWith(%q): %v", tc.query, err)
			continue
		}
		if len(c.Semantic) != 0 {
			t.Errorf("%q: semantic parts %v without a model", tc.query, c.Semantic)
		}
		if tc.query != "" && !c.HasFilter {
			t.Errorf("%q: no filter", tc.query)
		}
	}
}

func TestTagStudioInvalidCases(t *testing.T) {
	ctx := context.Background()
	for _, q := range tagStudioInvalid {
		for _, opt := range []Options{{}, {NoModel: true}} {
			_, err := CompileWith(ctx, q, tagStudioResolver, opt)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("CompileWith(%q, %+v) = %v, want a SyntaxError", q, opt, err)
				continue
			}
			if n := utf8.RuneCountInString(q); se.Col < 1 || se.Len < 1 || se.Col > n+1 {
				t.Errorf("%q: error at column %d+%d of a %d-rune query: %v", q, se.Col, se.Len, n, se)
			}
		}
		if _, err := Parse(q); err == nil {
			t.Errorf("Parse(%q) succeeded", q)
		}
	}
}
