package query

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"unicode/utf8"
)

// TagStudio's own search tests (tests/core/library/test_search.py, the
// parametrised cases of test_single_constraint, test_and, test_or,
// test_not, test_parentheses and test_parent_tags) with the counts they
// expect on its search_library fixture (32 entries), and the queries its
// test_syntax expects to be parse errors. The CLI's tests run the valid ones
// against that library once imported; here they must parse and compile.
type tagStudioCase struct {
	query string
	count int
}

// tagStudioCases reads them from testdata/tagstudio_search.json, which the
// CLI's test of an imported library reads too.
func tagStudioCases(t *testing.T) (valid []tagStudioCase, invalid []string) {
	t.Helper()
	b, err := os.ReadFile("testdata/tagstudio_search.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Valid []struct {
			Query string `json:"query"`
			Count int    `json:"count"`
		} `json:"valid"`
		Invalid []string `json:"invalid"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for _, v := range f.Valid {
		valid = append(valid, tagStudioCase{v.Query, v.Count})
	}
	return valid, f.Invalid
}

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
	tagStudioValid, tagStudioInvalid := tagStudioCases(t)
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
	_, tagStudioInvalid := tagStudioCases(t)
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
