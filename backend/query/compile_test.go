package query

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// fakeTags is a TagResolver over a fixed map, keys lower case.
type fakeTags map[string][]int64

func (f fakeTags) TagIDs(_ context.Context, s string) ([]int64, error) {
	return f[strings.ToLower(s)], nil
}

var testTags = fakeTags{"dog": {6}, "vacation": {7}, "beach house": {8}}

func TestCompile(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		where     string // substring expected in Where ("" to skip)
		args      []any
		semantic  []SemanticPart
		sort      Sort
		hasFilter bool
	}{
		{name: "empty", in: "", where: "1"},
		{name: "bare tag", in: "Dog", where: "e.id IN (SELECT et.entry_id FROM entry_tags et WHERE et.tag_id IN (WITH RECURSIVE d(id) AS (VALUES (?) UNION SELECT tp.child_id FROM tag_parents tp JOIN d ON tp.parent_id = d.id) SELECT id FROM d))", args: []any{int64(6)}, hasFilter: true},
		{name: "semantic phrase", in: "dog on the beach", args: []any{int64(6)}, hasFilter: true,
			semantic: []SemanticPart{{Text: "on the beach", Weight: 1}}},
		{name: "phrase only", in: "sunset over the sea", where: "1",
			semantic: []SemanticPart{{Text: "sunset over the sea", Weight: 1}}},
		{name: "tag splits phrases", in: "red vacation car", args: []any{int64(7)}, hasFilter: true,
			semantic: []SemanticPart{{Text: "red", Weight: 1}, {Text: "car", Weight: 1}}},
		{name: "sort does not split phrase", in: "red sort:-taken car", where: "1",
			semantic: []SemanticPart{{Text: "red car", Weight: 1}}, sort: Sort{Key: "taken", Desc: true}},
		{name: "last sort wins", in: "sort:name sort:size", where: "1", sort: Sort{Key: "size"}},
		{name: "weighted parts", in: `cat +2:"golden retriever" -fruit -0.5:"x" ~dog like:a.jpg -like:b.jpg`, where: "1",
			semantic: []SemanticPart{{Text: "cat", Weight: 1}, {Text: "golden retriever", Weight: 2}, {Text: "fruit", Weight: -1},
				{Text: "x", Weight: -0.5}, {Text: "dog", Weight: 1}, {Image: "a.jpg", Weight: 1, Col: 48, Len: 10}, {Image: "b.jpg", Weight: -1, Col: 59, Len: 11}}},
		{name: "quoted tag", in: `"beach house"`, where: "e.id IN", args: []any{int64(8)}, hasFilter: true},
		{name: "quoted non-tag is path literal", in: `"a*b_c"`, where: "lower(e.path) GLOB ?", args: []any{"*a[*]b_c*"}, hasFilter: true},
		{name: "quoted smart case", in: `"IMG"`, where: "e.path GLOB ?", args: []any{"*IMG*"}, hasFilter: true},
		{name: "unknown tag matches nothing", in: "tag:nope", where: "0", hasFilter: true},
		{name: "or of tags", in: "dog OR vacation", where: "(e.id IN", args: []any{int64(6), int64(7)}, hasFilter: true},
		{name: "not", in: "NOT type:video", where: "NOT (e.media_type = ?)", args: []any{"video"}, hasFilter: true},
		{name: "path substring", in: "path:a_b%", where: "lower(e.path) GLOB ?", args: []any{"*a_b%*"}, hasFilter: true},
		{name: "path glob anchored", in: "path:2023/*.JPG", where: "e.path GLOB ?", args: []any{"2023/*.JPG"}, hasFilter: true},
		{name: "path bracket literal", in: "path:[x]", args: []any{"*[[]x]*"}, hasFilter: true},
		{name: "ext group", in: "ext:jpeg", where: `(e.path LIKE ? ESCAPE '\' OR e.path LIKE ? ESCAPE '\' OR e.path LIKE ? ESCAPE '\' OR e.path LIKE ? ESCAPE '\')`,
			args: []any{"%.jpg", "%.jpeg", "%.jpe", "%.jfif"}, hasFilter: true},
		{name: "ext escapes like", in: "ext:a_b", args: []any{`%.a\_b`}, hasFilter: true},
		{name: "camera", in: "camera:EOS_R", where: "((e.make || ' ' || e.model) LIKE ? ESCAPE '\\')", args: []any{`%EOS\_R%`}, hasFilter: true},
		{name: "lens", in: "lens:50%", args: []any{`%50\%%`}, hasFilter: true},
		{name: "taken", in: "taken:2023", where: "(e.taken >= ? AND e.taken < ?)", args: []any{"2023-01-01", "2024-01-01"}, hasFilter: true},
		{name: "taken before", in: "taken:<2024", where: "(e.taken <> '' AND e.taken < ?)", args: []any{"2024-01-01"}, hasFilter: true},
		{name: "iso gt", in: "iso:>800", where: "(e.iso >= ?)", args: []any{int64(801)}, hasFilter: true},
		{name: "iso lt excludes unknown", in: "iso:<800", where: "(e.iso > 0 AND e.iso <= ?)", args: []any{int64(799)}, hasFilter: true},
		{name: "width eq", in: "width:100", where: "(e.width = ?)", args: []any{int64(100)}, hasFilter: true},
		{name: "size keeps zero", in: "size:<1k", where: "(e.size <= ?)", args: []any{int64(1023)}, hasFilter: true},
		{name: "untagged", in: "special:untagged", where: "NOT EXISTS (SELECT 1 FROM entry_tags et WHERE et.entry_id = e.id)", hasFilter: true},
		{name: "field", in: "field:Source=a_b", where: "EXISTS (SELECT 1 FROM entry_fields f WHERE f.entry_id = e.id AND f.name = ? COLLATE NOCASE AND f.value LIKE ? ESCAPE '\\')",
			args: []any{"Source", `%a\_b%`}, hasFilter: true},
		{name: "field present", in: "field:source", where: "f.name = ? COLLATE NOCASE)", args: []any{"source"}, hasFilter: true},
		{name: "favourite", in: "favourite", args: []any{int64(2)}, hasFilter: true},
		{name: "archived", in: "is:archived", args: []any{int64(1)}, hasFilter: true},
		{name: "filters joined by and", in: "type:image ext:png", where: "e.media_type = ? AND (e.path LIKE ? ESCAPE '\\')", args: []any{"image", "%.png"}, hasFilter: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Compile(context.Background(), tt.in, testTags)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tt.in, err)
			}
			if tt.where != "" && !strings.Contains(c.Filter.Key(), tt.where) {
				t.Errorf("filter = %q\nwant it to contain %s", c.Filter.Key(), tt.where)
			}
			if want := fmt.Sprintf("\x00%#v", tt.args); !strings.HasSuffix(c.Filter.Key(), want) {
				t.Errorf("filter = %q, want its args %#v", c.Filter.Key(), tt.args)
			}
			if !reflect.DeepEqual(c.Semantic, tt.semantic) {
				t.Errorf("Semantic = %+v, want %+v", c.Semantic, tt.semantic)
			}
			if c.Sort != tt.sort || c.HasFilter != tt.hasFilter {
				t.Errorf("Sort, HasFilter = %+v, %v, want %+v, %v", c.Sort, c.HasFilter, tt.sort, tt.hasFilter)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, in string
		col      int
		msg      string
	}{
		{"non-tag word under or", "dog OR sunset", 8, `"sunset" is no tag`},
		{"non-tag word under not", "NOT sunset", 5, "only be combined with AND"},
		{"non-tag word in group under or", "(red car) OR dog", 2, `"red" is no tag`},
		{"syntax error passes through", "(dog", 1, "missing closing parenthesis"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(context.Background(), tt.in, testTags)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Compile(%q) error = %v, want *SyntaxError", tt.in, err)
			}
			if se.Col != tt.col || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("Compile(%q) = col %d %q, want col %d containing %q", tt.in, se.Col, se.Msg, tt.col, tt.msg)
			}
		})
	}
}

func TestCompileResolver(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	r := ResolverFunc(func(ctx context.Context, s string) ([]int64, error) {
		calls++
		if s == "bad" {
			return nil, boom
		}
		return nil, nil
	})
	if _, err := Compile(context.Background(), "x bad", r); !errors.Is(err, boom) {
		t.Errorf("resolver error = %v, want wrapped boom", err)
	}
	calls = 0
	if _, err := Compile(context.Background(), "cat Cat cat tag:cat", r); err != nil || calls != 1 {
		t.Errorf("err %v, %d resolver calls, want 1 (cached, case-insensitive)", err, calls)
	}
	c, err := Compile(context.Background(), "dog tag:dog", nil)
	if err != nil || c.Filter.Key() != store.None().Key() || len(c.Semantic) != 1 {
		t.Errorf("nil resolver: %+v, %v", c, err)
	}
}

// graphTags is a resolver that knows the tag graph: relatives maps a tag
// to its descendants and ancestors.
type graphTags struct {
	fakeTags
	relatives map[int64][]int64
}

func (g graphTags) TagRelatives(_ context.Context, ids []int64) ([]int64, error) {
	out := append([]int64{}, ids...)
	for _, id := range ids {
		out = append(out, g.relatives[id]...)
	}
	return out, nil
}

func TestCompileNamedTags(t *testing.T) {
	r := graphTags{
		fakeTags:  fakeTags{"dog": {6}, "secret": {20}, "archived": {1}},
		relatives: map[int64][]int64{20: {21, 19}, 1: {30}},
	}
	tests := []struct {
		in     string
		tags   []int64
		hidden bool
	}{
		{in: "red car"},
		{in: "dog", tags: []int64{6}},
		{in: "tag:Secret", tags: []int64{19, 20, 21}},
		{in: `"secret" OR NOT dog`, tags: []int64{6, 19, 20, 21}},
		{in: "tag:nosuchtag"},
		{in: "archived", tags: []int64{1, 30}},
		{in: "is:archived favourite", tags: []int64{1, 2, 30}},
		// The word as text names nothing.
		{in: "path:archived"},
		{in: `~"archived photos"`},
		{in: `"archived/old.jpg"`}, // no tag of that name: a path literal
		{in: "field:note=archived"},
		{in: "special:hidden", hidden: true},
		{in: "red is:hidden car", hidden: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := Compile(context.Background(), tt.in, r)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Tags, tt.tags) || c.IncludeHidden != tt.hidden {
				t.Errorf("tags %v hidden %v, want %v %v", c.Tags, c.IncludeHidden, tt.tags, tt.hidden)
			}
		})
	}
	// special:hidden is no filter: it cannot sit under OR or NOT.
	for _, in := range []string{"dog OR special:hidden", "NOT is:hidden"} {
		if _, err := Compile(context.Background(), in, r); err == nil {
			t.Errorf("%q compiled", in)
		}
	}
	// A resolver that does not know the graph reports the named tags only.
	c, _ := Compile(context.Background(), "secret", r.fakeTags)
	if !reflect.DeepEqual(c.Tags, []int64{20}) {
		t.Errorf("without relatives: %v", c.Tags)
	}
}
