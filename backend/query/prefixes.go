package query

import "strings"

// Prefix is a term prefix of the query language. This list is the one the
// parser accepts, the search bar completes and the CLI's help prints.
type Prefix struct {
	Name    string   // without the colon
	Aliases []string // other spellings the parser accepts (TagStudio's among them)
	Help    string   // one line for completion and help
	// Complete is what completion inserts, when it is not Name + ":"
	// (a whole term such as special:untagged).
	Complete string
}

// Prefixes are every prefix, in the order help and completion show them.
var Prefixes = []Prefix{
	{Name: "tag", Help: "a tag and its child tags"},
	{Name: "person", Help: "a named person (their tag in People), e.g. person:Alice"},
	{Name: "tag_id", Help: "a tag by its TagStudio id (imported tags), that tag only"},
	{Name: "path", Help: "part of the file path, * wildcards"},
	{Name: "type", Aliases: []string{"mediatype"}, Help: "image, video, audio, pdf, text, font, ebook, svg, model, raw, document, archive"},
	{Name: "ext", Aliases: []string{"filetype"}, Help: "file extension"},
	{Name: "taken", Aliases: []string{"date"}, Help: "2023, 2023-06, >=2023-06-01, 2023-06..2023-08"},
	{Name: "camera", Help: "make or model"},
	{Name: "lens", Help: "lens model"},
	{Name: "iso", Help: "iso:>800, iso:100..400"},
	{Name: "width", Help: "width:>3000"},
	{Name: "height", Help: "height:>2000"},
	{Name: "size", Help: "size:>10mb"},
	{Name: "duration", Help: "duration:>2m, duration:30s..1h, duration:<1:30"},
	{Name: "pages", Help: "pages:>10"},
	{Name: "artist", Help: "a song's artist"},
	{Name: "album", Help: "a song's album"},
	{Name: "title", Help: "a song's, document's or book's title"},
	{Name: "author", Help: "a document's or book's author"},
	{Name: "subject", Help: "a document's subject"},
	{Name: "keywords", Help: "a document's keywords"},
	{Name: "genre", Help: "a song's genre"},
	{Name: "codec", Help: "video or audio codec, e.g. codec:h264"},
	{Name: "text", Help: `words inside documents: text:invoice, text:"exact phrase" (PDF, text, EPUB, office, XMP)`},
	{Name: "has", Help: "has:text: files with words found inside", Complete: "has:text"},
	{Name: "field", Help: "field:source=scanner, or field:source for any value"},
	{Name: "like", Help: "pictures like this file"},
	{Name: "sem", Help: "force a search by meaning"},
	{Name: "sort", Help: "taken, -taken, added, name, size, random"},
	{Name: "special", Aliases: []string{"is"}, Help: "untagged: entries without tags; hidden: show entries with hidden tags", Complete: "special:untagged"},
}

// Keywords are the bare words with a meaning of their own, for completion
// and help.
var Keywords = []Prefix{
	{Name: "favourite", Help: "entries tagged Favourite"},
	{Name: "archived", Help: "entries tagged Archived (hidden unless asked for)"},
}

var prefixByName = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range Prefixes {
		m[p.Name] = true
		for _, a := range p.Aliases {
			m[a] = true
		}
	}
	return m
}()

func isKnownPrefix(p string) bool { return prefixByName[p] }

// knownPrefixes lists the prefixes for error messages: "tag:, path:, …".
var knownPrefixes = func() string {
	var names []string
	for _, p := range Prefixes {
		names = append(names, p.Name+":")
		for _, a := range p.Aliases {
			names = append(names, a+":")
		}
	}
	return strings.Join(names, ", ")
}()

// PrefixHelp is the prefixes and keywords, one per line, for a command's help.
func PrefixHelp() string {
	var b strings.Builder
	for _, p := range append(append([]Prefix{}, Prefixes...), Keywords...) {
		name := p.Name
		if p.Complete != "" {
			name = p.Complete
		} else if !contains(Keywords, p.Name) {
			name += ":"
		}
		b.WriteString("  " + name + strings.Repeat(" ", max(1, 18-len(name))) + p.Help + "\n")
	}
	return b.String()
}

func contains(ps []Prefix, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}
