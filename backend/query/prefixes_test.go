package query

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestPrefixListIsTheParsers: every prefix the list names (and each alias)
// parses, and a name not in the list is refused with the list in the error,
// so the completion and help built from Prefixes never offer what the parser
// refuses, nor miss what it takes.
func TestPrefixListIsTheParsers(t *testing.T) {
	values := map[string]string{"type": "image", "mediatype": "image", "taken": "2023", "date": "2023", "iso": "100",
		"width": ">10", "height": ">10", "size": ">1mb", "sort": "taken", "special": "untagged", "is": "untagged", "field": "note", "tag_id": "1011", "duration": ">2m", "pages": ">10", "has": "text"}
	for _, p := range Prefixes {
		for _, name := range append([]string{p.Name}, p.Aliases...) {
			v := values[name]
			if v == "" {
				v = "x"
			}
			q := name + ":" + v
			if _, err := Parse(q); err != nil {
				t.Errorf("%q: %v", q, err)
			}
			if !strings.Contains(knownPrefixes, name+":") {
				t.Errorf("the error message's list lacks %s:", name)
			}
		}
	}
	_, err := Compile(context.Background(), "colour:red", testTags)
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "unknown prefix") || !strings.Contains(se.Msg, "camera:") {
		t.Errorf("unknown prefix: %v", err)
	}
	help := PrefixHelp()
	for _, p := range Prefixes {
		if !strings.Contains(help, p.Help) {
			t.Errorf("help lacks %s", p.Name)
		}
	}
}
