package query

import (
	"strconv"
	"strings"
)

// Node is a node of a parsed query: *And, *Or, *Not or *Term.
type Node interface {
	// Span is the 1-based rune column and rune length of the node's text.
	Span() (col, n int)
	// String is a canonical, fully parenthesised form, for tests and logs.
	String() string
	isNode()
}

// And is a conjunction, explicit or implicit. Nested Ands are flattened.
type And struct{ Items []Node }

// Or is a disjunction. Nested Ors are flattened.
type Or struct{ Items []Node }

// Not negates X; Col is the column of the NOT keyword.
type Not struct {
	X   Node
	Col int
}

// Kind says what a Term is.
type Kind int

// Term kinds.
const (
	KindWord      Kind = iota // bare word: a tag if one exists, else semantic
	KindLiteral               // quoted string without prefix: tag, else path substring
	KindTag                   // tag:
	KindPath                  // path:
	KindType                  // type: (Value is the media_type)
	KindExt                   // ext: (Value lower case, no dot)
	KindUntagged              // special:untagged, is:untagged
	KindFavourite             // favourite, is:favourite
	KindArchived              // archived, is:archived
	KindTaken                 // taken: (Bounds.From/To)
	KindCamera                // camera:
	KindLens                  // lens:
	KindISO                   // iso: (Bounds.Lo/Hi)
	KindWidth                 // width:
	KindHeight                // height:
	KindSize                  // size: (bytes)
	KindSemantic              // ~, sem:, -word, +2:"x"
	KindLike                  // like:PATH
	KindSort                  // sort:
	KindField                 // field:NAME or field:NAME=VALUE
	KindHidden                // special:hidden, is:hidden: show entries with hidden tags (no filter)
	KindTagID                 // tag_id:N, a TagStudio tag id (ID)
	KindDuration              // duration: (Bounds.Lo/Hi in milliseconds)
	KindPages                 // pages:
	KindFact                  // artist:, album:, codec:, title:, author:, genre: (Field the fact, Value a substring)
	KindText                  // text: (Value a word, or a phrase when quoted), in the text index only
	KindHasText               // has:text: entries with any text in the index
)

var kindNames = [...]string{"word", "literal", "tag", "path", "type", "ext", "untagged", "favourite",
	"archived", "taken", "camera", "lens", "iso", "width", "height", "size", "sem", "like", "sort", "field", "hidden", "tag_id",
	"duration", "pages", "fact", "text", "has"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Bounds is the range of a comparison term. Numbers are inclusive; dates are
// 'YYYY-MM-DD' text, From inclusive and To exclusive, "" when open.
type Bounds struct {
	Lo, Hi       int64
	HasLo, HasHi bool
	From, To     string
}

// Term is one search term.
type Term struct {
	Kind   Kind
	Value  string // name, pattern, text, path, media type, extension, sort key or field value
	Field  string // KindField: the field's name; KindFact: the fact (artist, album, …)
	Quoted bool
	Weight float64 // KindSemantic, KindLike
	Desc   bool    // KindSort
	ID     int64   // KindTagID: the TagStudio tag id
	Bounds Bounds  // KindTaken, KindISO, KindWidth, KindHeight, KindSize, KindDuration, KindPages
	Col    int
	Len    int
}

func (*And) isNode()  {}
func (*Or) isNode()   {}
func (*Not) isNode()  {}
func (*Term) isNode() {}

func spanOf(items []Node) (int, int) {
	if len(items) == 0 {
		return 1, 1
	}
	c, _ := items[0].Span()
	lc, ln := items[len(items)-1].Span()
	return c, lc + ln - c
}

func (n *And) Span() (int, int) { return spanOf(n.Items) }
func (n *Or) Span() (int, int)  { return spanOf(n.Items) }
func (n *Not) Span() (int, int) {
	c, l := n.X.Span()
	return n.Col, c + l - n.Col
}
func (t *Term) Span() (int, int) { return t.Col, t.Len }

func listString(op string, items []Node) string {
	var b strings.Builder
	b.WriteString("(" + op)
	for _, it := range items {
		b.WriteString(" " + it.String())
	}
	b.WriteString(")")
	return b.String()
}

func (n *And) String() string { return listString("AND", n.Items) }
func (n *Or) String() string  { return listString("OR", n.Items) }
func (n *Not) String() string { return "(NOT " + n.X.String() + ")" }

func (t *Term) String() string {
	switch t.Kind {
	case KindWord:
		return t.Value
	case KindLiteral:
		return strconv.Quote(t.Value)
	case KindUntagged, KindFavourite, KindArchived, KindHidden:
		return "is:" + t.Kind.String()
	case KindSemantic, KindLike:
		return t.Kind.String() + "(" + strconv.FormatFloat(t.Weight, 'g', -1, 64) + "):" + strconv.Quote(t.Value)
	case KindField:
		if t.Value == "" {
			return "field:" + strconv.Quote(t.Field)
		}
		return "field:" + strconv.Quote(t.Field) + "=" + strconv.Quote(t.Value)
	case KindFact:
		return t.Field + ":" + strconv.Quote(t.Value)
	case KindTagID:
		return "tag_id:" + strconv.FormatInt(t.ID, 10)
	case KindSort:
		if t.Desc {
			return "sort:-" + t.Value
		}
		return "sort:" + t.Value
	case KindTaken:
		return "taken:[" + t.Bounds.From + "," + t.Bounds.To + ")"
	case KindISO, KindWidth, KindHeight, KindSize, KindDuration, KindPages:
		lo, hi := "", ""
		if t.Bounds.HasLo {
			lo = strconv.FormatInt(t.Bounds.Lo, 10)
		}
		if t.Bounds.HasHi {
			hi = strconv.FormatInt(t.Bounds.Hi, 10)
		}
		return t.Kind.String() + ":[" + lo + "," + hi + "]"
	}
	return t.Kind.String() + ":" + strconv.Quote(t.Value)
}
