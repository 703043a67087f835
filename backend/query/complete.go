package query

import "strings"

// Completion is one way to finish the word being typed.
type Completion struct {
	Kind  string // "tag" or "prefix"
	Text  string // what replaces the word
	Label string
	Color string
}

// CompletionTag is what completion needs to know of a tag.
type CompletionTag struct {
	Name, Shorthand, Color string
	Aliases                []string
}

// MaxTagCompletions caps the tags offered for one word.
const MaxTagCompletions = 8

// Complete finishes the word at cursor (a rune index) with tags (by name,
// shorthand or alias, quoted when the name needs it) and with the query
// language's prefixes and keywords. A word after tag: is completed with tags
// only; a word holding another prefix with nothing.
func Complete(text string, cursor int, tags []CompletionTag) []Completion {
	r := []rune(text)
	if cursor < 0 || cursor > len(r) {
		cursor = len(r)
	}
	start := cursor
	for start > 0 && r[start-1] != ' ' && r[start-1] != '(' {
		start--
	}
	word := strings.ToLower(string(r[start:cursor]))
	out := []Completion{}
	if word == "" {
		return out
	}
	prefix := "tag:"
	tagWord, isTag := strings.CutPrefix(word, prefix)
	if !isTag {
		prefix = "person:"
		tagWord, isTag = strings.CutPrefix(word, prefix)
	}
	tagWord = strings.Trim(tagWord, `"'`)
	if !strings.Contains(tagWord, ":") {
		for _, t := range tags {
			for _, n := range append([]string{t.Name, t.Shorthand}, t.Aliases...) {
				if n == "" || !strings.HasPrefix(strings.ToLower(n), tagWord) {
					continue
				}
				text := t.Name
				if strings.ContainsAny(text, " ():\"'") {
					text = `"` + strings.ReplaceAll(text, `"`, `\"`) + `"`
				}
				if isTag {
					text = prefix + text
				}
				out = append(out, Completion{Kind: "tag", Text: text, Label: t.Name, Color: t.Color})
				break
			}
			if len(out) >= MaxTagCompletions {
				break
			}
		}
	}
	if !isTag {
		for _, c := range prefixCompletions {
			if strings.HasPrefix(c.Text, word) && c.Text != word {
				out = append(out, c)
			}
		}
	}
	return out
}

// prefixCompletions are Prefixes and Keywords as completions.
var prefixCompletions = func() []Completion {
	var out []Completion
	for _, p := range Prefixes {
		text := p.Name + ":"
		if p.Complete != "" {
			text = p.Complete
		}
		out = append(out, Completion{Kind: "prefix", Text: text, Label: text + " — " + p.Help})
	}
	for _, k := range Keywords {
		out = append(out, Completion{Kind: "prefix", Text: k.Name, Label: k.Name + " — " + k.Help})
	}
	return out
}()
