package query

import (
	"strings"
	"testing"
)

func TestComplete(t *testing.T) {
	tags := []CompletionTag{
		{Name: "Sea", Color: "blue"},
		{Name: "New York", Aliases: []string{"NYC"}},
		{Name: "Seattle", Shorthand: "sea2"},
		{Name: `Say "hi"`},
	}
	texts := func(cs []Completion) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Text)
		}
		return strings.Join(out, "|")
	}
	cases := []struct {
		text   string
		cursor int
		want   string
	}{
		{"red se", 6, "Sea|Seattle|sem:"},
		{"red tag:se", 10, "tag:Sea|tag:Seattle"},
		{"nyc", 3, `"New York"`},
		{"(ne", 3, `"New York"`},
		{"sa", 2, `"Say \"hi\""`},
		{"so", 2, "sort:"},
		{"ta", 2, "tag:|tag_id:|taken:"},
		{"tag:", 4, `tag:Sea|tag:"New York"|tag:Seattle|tag:"Say \"hi\""`},
		{"ext:jp", 6, ""},
		{"", 0, ""},
		{"sea dog", 3, "Sea|Seattle"},    // the cursor's word, not the last
		{"spec", -1, "special:untagged"}, // a cursor out of range means the end
	}
	for _, c := range cases {
		if got := texts(Complete(c.text, c.cursor, tags)); got != c.want {
			t.Errorf("Complete(%q, %d) = %s, want %s", c.text, c.cursor, got, c.want)
		}
	}
	many := make([]CompletionTag, 20)
	for i := range many {
		many[i] = CompletionTag{Name: "tag" + string(rune('a'+i))}
	}
	if n := len(Complete("tag:ta", 6, many)); n != MaxTagCompletions {
		t.Errorf("%d tag completions, want %d", n, MaxTagCompletions)
	}
}
