package query

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxDepth bounds nesting of parentheses and NOT, so hostile input cannot
// exhaust the stack.
const maxDepth = 100

// Parse parses a query into its AST. An empty or blank query gives a nil
// Node and no error. Errors are *SyntaxError. Bare words stay KindWord: only
// Compile, with a TagResolver, knows whether they are tags.
func Parse(input string) (Node, error) { return parseMode(input, false) }

// parseMode is Parse; with upperOnly only upper-case AND, OR and NOT are
// keywords (see lexMode).
func parseMode(input string, upperOnly bool) (Node, error) {
	toks, err := lexMode(input, upperOnly)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tEOF {
		return nil, nil
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind == tRParen {
		return nil, errAt(t.col, 1, "unmatched closing parenthesis")
	} else if t.kind != tEOF {
		return nil, errAt(t.col, t.n, "unexpected %q", t.raw) // not reached: or() consumes all terms
	}
	if err := checkPlacement(n, true); err != nil {
		return nil, err
	}
	return n, nil
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// startsTerm reports whether t can begin an operand.
func startsTerm(t token) bool { return t.kind == tWord || t.kind == tLParen || t.kind == tNot }

func kw(t token) string {
	switch t.kind {
	case tAnd:
		return "AND"
	case tOr:
		return "OR"
	case tNot:
		return "NOT"
	}
	return ""
}

func (p *parser) needOperand(op token, side string) error {
	t := p.peek()
	if startsTerm(t) {
		return nil
	}
	return errAt(op.col, op.n, "%s needs a term %s it", kw(op), side)
}

func (p *parser) or() (Node, error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	items := appendFlat(nil, first, true)
	for p.peek().kind == tOr {
		op := p.next()
		if err := p.needOperand(op, "after"); err != nil {
			return nil, err
		}
		n, err := p.and()
		if err != nil {
			return nil, err
		}
		items = appendFlat(items, n, true)
	}
	if len(items) == 1 {
		return items[0], nil
	}
	return &Or{Items: items}, nil
}

// appendFlat appends n to items, splicing in its items when n is the same
// kind of list, so a AND (b AND c) is one And of three.
func appendFlat(items []Node, n Node, or bool) []Node {
	if x, ok := n.(*And); ok && !or {
		return append(items, x.Items...)
	}
	if x, ok := n.(*Or); ok && or {
		return append(items, x.Items...)
	}
	return append(items, n)
}

func (p *parser) and() (Node, error) {
	if t := p.peek(); t.kind == tAnd || t.kind == tOr {
		return nil, errAt(t.col, t.n, "%s needs a term before it", kw(t))
	}
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	items := appendFlat(nil, first, false)
	for {
		t := p.peek()
		if t.kind == tAnd {
			p.next()
			if err := p.needOperand(t, "after"); err != nil {
				return nil, err
			}
		} else if !startsTerm(t) {
			break
		}
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		items = appendFlat(items, n, false)
	}
	if len(items) == 1 {
		return items[0], nil
	}
	return &And{Items: items}, nil
}

func (p *parser) unary() (Node, error) {
	t := p.peek()
	switch t.kind {
	case tNot:
		p.next()
		if err := p.needOperand(t, "after"); err != nil {
			return nil, err
		}
		if p.depth++; p.depth > maxDepth {
			return nil, errAt(t.col, t.n, "query is nested too deeply")
		}
		x, err := p.unary()
		p.depth--
		if err != nil {
			return nil, err
		}
		return &Not{X: x, Col: t.col}, nil
	case tLParen:
		p.next()
		if c := p.peek(); c.kind == tRParen {
			return nil, errAt(t.col, c.col+1-t.col, "empty parentheses")
		} else if c.kind == tEOF {
			return nil, errAt(t.col, 1, "missing closing parenthesis")
		}
		if p.depth++; p.depth > maxDepth {
			return nil, errAt(t.col, 1, "query is nested too deeply")
		}
		n, err := p.or()
		p.depth--
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tRParen {
			return nil, errAt(t.col, 1, "missing closing parenthesis")
		}
		p.next()
		return n, nil
	case tRParen:
		return nil, errAt(t.col, 1, "unmatched closing parenthesis")
	case tWord:
		p.next()
		return parseTerm(p.joinValue(t))
	}
	// tAnd/tOr/tEOF: callers check startsTerm first.
	return nil, errAt(t.col, t.n, "expected a term")
}

// joinValue gives a prefix typed with nothing after its colon the word that
// follows, as TagStudio's users type it (path: holiday, special: untagged).
// A following word that is a prefix term itself, starts with a colon or is
// a keyword stays apart, so tag: : and tag: path:x are still errors.
func (p *parser) joinValue(t token) token {
	if t.quoted || t.raw == "" || !strings.HasSuffix(t.raw, ":") || strings.ContainsAny(t.raw[:1], "~+-") {
		return t
	}
	prefix, value, ok := splitPrefix(t.raw)
	if !ok || value != "" || !(isKnownPrefix(strings.ToLower(prefix)) || strings.EqualFold(prefix, "field")) {
		return t
	}
	v := p.peek()
	if v.kind != tWord || strings.HasPrefix(v.raw, ":") {
		return t
	}
	if v.quoted && v.raw != "" {
		return t
	}
	if _, _, isPrefix := splitPrefix(v.raw); isPrefix {
		return t
	}
	p.next()
	j := v
	j.raw = t.raw + v.raw
	j.col, j.n = t.col, v.col+v.n-t.col
	j.gap = v.col - (t.col + t.n)
	return j
}

// checkPlacement rejects semantic parts and sort: terms anywhere but at
// top-level AND positions.
func checkPlacement(n Node, top bool) error {
	switch x := n.(type) {
	case *And:
		for _, it := range x.Items {
			if err := checkPlacement(it, top); err != nil {
				return err
			}
		}
	case *Or:
		for _, it := range x.Items {
			if err := checkPlacement(it, false); err != nil {
				return err
			}
		}
	case *Not:
		return checkPlacement(x.X, false)
	case *Term:
		if top {
			return nil
		}
		switch x.Kind {
		case KindSemantic, KindLike:
			return errAt(x.Col, x.Len, "semantic parts can only be combined with AND, not put under OR or NOT")
		case KindSort:
			return errAt(x.Col, x.Len, "sort: can only be combined with AND, not put under OR or NOT")
		case KindHidden:
			return errAt(x.Col, x.Len, "special:hidden can only be combined with AND, not put under OR or NOT")
		}
	}
	return nil
}

// --- terms ---

var weightRe = regexp.MustCompile(`^[0-9.]+:`)

// splitPrefix splits "tag:x" into "tag", "x". ok is false when there is no
// colon or the part before it is not an ASCII letter followed by ASCII
// letters and underscores (tag_id).
func splitPrefix(s string) (prefix, value string, ok bool) {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return "", s, false
	}
	for j := 0; j < i; j++ {
		if j > 0 && s[j] == '_' {
			continue
		}
		c := s[j] | 0x20
		if c < 'a' || c > 'z' {
			return "", s, false
		}
	}
	return s[:i], s[i+1:], true
}

// valSpan locates a term's value: the quoted part, or the unquoted text after
// the first skip bytes of raw.
type valSpan struct {
	col, n int
	quoted bool
}

func (v valSpan) errf(format string, args ...any) *SyntaxError {
	return errAt(v.col, v.n, format, args...)
}

// sub narrows the span to value[off:end] when the value was typed unquoted;
// inside quotes escapes break the mapping, so the whole value is kept.
func (v valSpan) sub(value string, off, end int) valSpan {
	if v.quoted || off < 0 || end > len(value) || off > end {
		return v
	}
	return valSpan{col: v.col + utf8.RuneCountInString(value[:off]), n: max(1, utf8.RuneCountInString(value[off:end]))}
}

func spanAfter(t token, skip int) valSpan {
	if t.quoted {
		return valSpan{col: t.qcol, n: t.qn, quoted: true}
	}
	c := t.col + utf8.RuneCountInString(t.raw[:skip]) + t.gap
	return valSpan{col: c, n: max(1, t.col+t.n-c)}
}

func parseTerm(t token) (Node, error) {
	term := &Term{Col: t.col, Len: t.n, Quoted: t.quoted}
	raw := t.raw
	if t.quoted && raw == "" {
		if t.val == "" {
			return nil, errAt(t.col, t.n, "empty quotes")
		}
		term.Kind, term.Value = KindLiteral, t.val
		return term, nil
	}

	// Semantic forcing and weights.
	if raw[0] == '~' || raw[0] == '+' || raw[0] == '-' {
		return parseSemantic(t, term)
	}

	prefix, value, ok := splitPrefix(raw)
	if !ok {
		if raw[0] == ':' {
			return nil, errAt(t.col, 1, "a colon needs a prefix before it, like tag:x (quote the word to search for it)")
		}
		if i := strings.IndexAny(raw, "[]"); i >= 0 {
			return nil, errAt(t.col+utf8.RuneCountInString(raw[:i]), 1, "[ and ] are reserved in words (TagStudio's property syntax): quote the word to search for it")
		}
		term.Kind, term.Value = KindWord, raw
		switch strings.ToLower(raw) {
		case "favourite", "favorite":
			term.Kind = KindFavourite
		case "archived":
			term.Kind = KindArchived
		}
		return term, nil
	}
	pl := strings.ToLower(prefix)
	if pl == "field" {
		return parseField(t, term, value)
	}
	if t.quoted {
		value = t.val
	}
	if !isKnownPrefix(pl) {
		return nil, errAt(t.col, utf8.RuneCountInString(prefix)+1, "unknown prefix %q; known prefixes: %s (quote the word to search for it)", prefix+":", knownPrefixes)
	}
	if value == "" {
		return nil, errAt(t.col, t.n, "%s: needs a value", pl)
	}
	vs := spanAfter(t, len(prefix)+1)
	term.Value = value
	return prefixTerm(term, pl, value, vs)
}

// parseField reads field:NAME (entries that have the field) and
// field:NAME=VALUE (VALUE a substring of the field's value). rest is what
// followed "field:" outside quotes: field:"a=b", field:a="b c" and field:a=b
// are all accepted.
func parseField(t token, term *Term, rest string) (Node, error) {
	term.Kind = KindField
	var name, value string
	var hasEq bool
	switch {
	case t.quoted && rest != "": // field:name="value"
		name, value, hasEq = strings.TrimSuffix(rest, "="), t.val, true
	case t.quoted:
		name, value, hasEq = strings.Cut(t.val, "=")
	default:
		name, value, hasEq = strings.Cut(rest, "=")
	}
	if t.val == "" && rest == "" {
		return nil, errAt(t.col, t.n, "field: needs a value, like field:source=scanner")
	}
	if name == "" {
		return nil, errAt(t.col, t.n, "field: needs a field name before =")
	}
	if hasEq && value == "" {
		return nil, errAt(t.col, t.n, "field:%s= needs a value after =; use field:%s for entries that have the field", name, name)
	}
	term.Field, term.Value = name, value
	return term, nil
}

func parseSemantic(t token, term *Term) (Node, error) {
	raw := t.raw
	term.Kind, term.Weight = KindSemantic, 1
	if raw[0] == '~' {
		rest := raw[1:]
		switch {
		case t.quoted && rest != "":
			return nil, errAt(t.col, t.n, "~ forces a semantic part and cannot precede %q", rest)
		case t.quoted:
			term.Value = t.val
		default:
			term.Value = rest
		}
		if term.Value == "" {
			return nil, errAt(t.col, t.n, "~ needs a word or quoted text after it")
		}
		return term, nil
	}
	sign := 1.0
	if raw[0] == '-' {
		sign = -1
	}
	rest := raw[1:]
	skip := 1
	if m := weightRe.FindString(rest); m != "" {
		w, err := strconv.ParseFloat(m[:len(m)-1], 64)
		if err != nil || math.IsInf(w, 0) {
			return nil, errAt(t.col, utf8.RuneCountInString(m)+1, "bad weight %q", raw[:1+len(m)-1])
		}
		if w == 0 {
			return nil, errAt(t.col, utf8.RuneCountInString(m)+1, "a weight of 0 does nothing; leave the part out")
		}
		term.Weight = sign * w
		rest = rest[len(m):]
		skip += len(m)
	} else {
		term.Weight = sign
	}
	op := raw[:skip]
	if rest == "" {
		if !t.quoted || t.val == "" {
			return nil, errAt(t.col, t.n, "%s needs a word or quoted text after it", op)
		}
		term.Value = t.val
		return term, nil
	}
	prefix, value, ok := splitPrefix(rest)
	if !ok {
		// Unquoted: the quote would have been attached only after a prefix.
		term.Value = rest
		return term, nil
	}
	if t.quoted {
		value = t.val
	}
	switch pl := strings.ToLower(prefix); pl {
	case "like":
		term.Kind = KindLike
	case "sem":
	default:
		pcol := t.col + utf8.RuneCountInString(op)
		if !isKnownPrefix(pl) {
			return nil, errAt(pcol, utf8.RuneCountInString(prefix)+1, "unknown prefix %q; known prefixes: %s", prefix+":", knownPrefixes)
		}
		return nil, errAt(t.col, utf8.RuneCountInString(op), "%s weights semantic parts only (words, sem:, like:); use NOT to exclude %s: terms", op, pl)
	}
	if value == "" {
		return nil, errAt(t.col, t.n, "%s: needs a value", strings.ToLower(prefix))
	}
	term.Value = value
	return term, nil
}

var mediaTypes = map[string]string{
	"image": "image", "images": "image", "photo": "image", "photos": "image", "picture": "image", "pictures": "image",
	"video": "video", "videos": "video", "audio": "audio",
	"raw": "raw", "raws": "raw",
	"document": "document", "documents": "document", "doc": "document", "docs": "document",
	"archive": "archive", "archives": "archive",
	"other": "other",
	// Kinds that share a media type with others, told apart by extension
	// (typeExts); the names after the first of each are TagStudio's
	// mediatype: categories.
	"pdf": "pdf", "pdfs": "pdf",
	"text": "text", "texts": "text", "plaintext": "text", "source_code": "text", "code": "text",
	"font": "font", "fonts": "font",
	"ebook": "ebook", "ebooks": "ebook", "book": "ebook", "books": "ebook", "comic": "ebook", "comics": "ebook",
	"svg": "svg", "vector": "svg", "image_vector": "svg",
	"model": "model", "models": "model", "3d": "model",
	"image_raw": "raw",
}

// typeExts are the extensions of the kinds that have no media type of
// their own: type:pdf is a file ending in .pdf or .ai, whatever the scan
// sniffed, so a zero-byte or damaged one is found too.
var typeExts = map[string][]string{
	"pdf":   {"pdf", "ai"},
	"text":  {"txt", "text", "md", "markdown", "rst", "csv", "tsv", "json", "jsonl", "log", "xml", "yaml", "yml", "toml", "ini", "cfg", "conf", "go", "py", "js", "mjs", "ts", "tsx", "jsx", "c", "h", "cc", "cpp", "hpp", "rs", "java", "kt", "swift", "rb", "php", "sh", "bash", "zsh", "ps1", "bat", "lua", "pl", "r", "sql", "css", "scss", "html", "htm", "svelte", "vue", "tex", "srt", "vtt"},
	"font":  {"ttf", "otf", "ttc", "otc", "woff", "woff2"},
	"ebook": {"epub", "cbz", "cbr", "cb7", "cbt", "mobi", "azw3", "fb2"},
	"svg":   {"svg", "svgz"},
	"model": {"stl", "obj", "glb", "gltf", "3mf", "ply"},
}

var sortKeys = map[string]string{"taken": "taken", "added": "added", "name": "name", "path": "name", "size": "size", "random": "random"}

func prefixTerm(term *Term, pl, value string, vs valSpan) (Node, error) {
	lv := strings.ToLower(value)
	switch pl {
	case "tag", "person":
		// person:Alice is tag:Alice: a named person is a tag (People).
		term.Kind = KindTag
	case "tag_id":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < 0 {
			return nil, vs.errf("bad tag id %q: want a TagStudio tag id, a whole number like 1011", value)
		}
		term.Kind, term.ID = KindTagID, n
	case "path":
		term.Kind = KindPath
	case "camera":
		term.Kind = KindCamera
	case "lens":
		term.Kind = KindLens
	case "sem":
		term.Kind, term.Weight = KindSemantic, 1
	case "like":
		term.Kind, term.Weight = KindLike, 1
	case "type", "mediatype":
		mt, ok := mediaTypes[lv]
		if !ok {
			return nil, vs.errf("unknown type %q; types: image (photo), video, audio, pdf, text, font, ebook, svg, model (3d), raw, document, archive, other", value)
		}
		term.Kind, term.Value = KindType, mt
	case "ext", "filetype":
		e := strings.TrimPrefix(lv, ".")
		if e == "" || strings.ContainsAny(e, "/.") {
			return nil, vs.errf("bad extension %q: give it without a dot, like ext:jpg", value)
		}
		term.Kind, term.Value = KindExt, e
	case "special", "is":
		switch lv {
		case "untagged":
			term.Kind = KindUntagged
		case "favourite", "favorite", "favourites", "favorites":
			term.Kind = KindFavourite
		case "archived":
			term.Kind = KindArchived
		case "hidden":
			term.Kind = KindHidden
		default:
			return nil, vs.errf("unknown %s: value %q; known: untagged, hidden, favourite, archived", pl, value)
		}
		if pl == "special" && term.Kind != KindUntagged && term.Kind != KindHidden {
			return nil, vs.errf("unknown special: value %q; known: untagged, hidden (see also is:%s)", value, lv)
		}
	case "sort":
		desc := strings.HasPrefix(lv, "-")
		key, ok := sortKeys[strings.TrimPrefix(lv, "-")]
		if !ok {
			return nil, vs.errf("unknown sort key %q; keys: taken, added, name, size, random (- first for descending)", value)
		}
		term.Kind, term.Value, term.Desc = KindSort, key, desc
	case "taken", "date":
		b, err := parseDateBounds(value, vs)
		if err != nil {
			return nil, err
		}
		term.Kind, term.Bounds = KindTaken, b
	case "duration":
		b, err := parseDurationBounds(value, vs)
		if err != nil {
			return nil, err
		}
		term.Kind, term.Bounds = KindDuration, b
	case "artist", "album", "title", "author", "subject", "keywords", "genre", "codec":
		term.Kind, term.Field = KindFact, pl
	case "text":
		term.Kind = KindText
	case "has":
		if lv != "text" {
			return nil, vs.errf("unknown has: value %q; known: text", value)
		}
		term.Kind = KindHasText
	case "iso", "width", "height", "size", "pages":
		term.Kind = map[string]Kind{"iso": KindISO, "width": KindWidth, "height": KindHeight, "size": KindSize, "pages": KindPages}[pl]
		b, err := parseNumBounds(value, vs, pl == "size")
		if err != nil {
			return nil, err
		}
		term.Bounds = b
	}
	return term, nil
}

// splitOp takes a leading comparison operator off v.
func splitOp(v string) (op, rest string) {
	for _, o := range []string{">=", "<=", ">", "<", "="} {
		if strings.HasPrefix(v, o) {
			return o, v[len(o):]
		}
	}
	return "", v
}

// --- numbers and sizes ---

const maxNumber = 1 << 53

var sizeRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([A-Za-z]*)$`)

var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
	"m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
	"g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
	"t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40,
}

func parseNum(s string, vs valSpan, size bool) (int64, error) {
	if s == "" {
		return 0, vs.errf("missing number")
	}
	if !size {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, vs.errf("bad number %q: want a whole number like 800", s)
		}
		if n > maxNumber {
			return 0, vs.errf("number %q is too large", s)
		}
		return int64(n), nil
	}
	m := sizeRe.FindStringSubmatch(s)
	if m == nil {
		return 0, vs.errf("bad size %q: want a number with an optional unit, like 10mb", s)
	}
	unit, ok := sizeUnits[strings.ToLower(m[2])]
	if !ok {
		return 0, vs.errf("unknown size unit %q; units: b, kb, mb, gb, tb (1024-based)", m[2])
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, vs.errf("bad size %q", s)
	}
	f = math.Round(f * unit)
	if f > maxNumber {
		return 0, vs.errf("size %q is too large", s)
	}
	return int64(f), nil
}

func parseNumBounds(v string, vs valSpan, size bool) (Bounds, error) {
	return parseAmountBounds(v, vs, "100..400", "larger", func(s string, vs valSpan) (int64, int64, error) {
		n, err := parseNum(s, vs, size)
		return n, 1, err
	})
}

// parseAmountBounds reads N, >N, >=N, <N, <=N, N1..N2, N.. and ..N of
// amounts that one reads (with the step of the unit typed: a bare N is
// N up to N+step-1); example shows a range, larger says how the start
// can be past the end.
func parseAmountBounds(v string, vs valSpan, example, larger string, one func(string, valSpan) (n, step int64, err error)) (Bounds, error) {
	var b Bounds
	op, rest := splitOp(v)
	if op == "" {
		if lo, hi, ok := strings.Cut(v, ".."); ok {
			if lo == "" && hi == "" {
				return b, vs.errf("bad range %q: give at least one end, like %s", v, example)
			}
			if lo != "" {
				n, _, err := one(lo, vs.sub(v, 0, len(lo)))
				if err != nil {
					return b, err
				}
				b.Lo, b.HasLo = n, true
			}
			if hi != "" {
				n, _, err := one(hi, vs.sub(v, len(lo)+2, len(v)))
				if err != nil {
					return b, err
				}
				b.Hi, b.HasHi = n, true
			}
			if b.HasLo && b.HasHi && b.Lo > b.Hi {
				return b, vs.errf("bad range %q: the start is %s than the end", v, larger)
			}
			return b, nil
		}
	}
	n, step, err := one(rest, vs.sub(v, len(op), len(v)))
	if err != nil {
		return b, err
	}
	switch op {
	case "", "=":
		b.Lo, b.HasLo, b.Hi, b.HasHi = n, true, n+step-1, true
	case ">":
		b.Lo, b.HasLo = n+1, true
	case ">=":
		b.Lo, b.HasLo = n, true
	case "<":
		b.Hi, b.HasHi = n-1, true
	case "<=":
		b.Hi, b.HasHi = n, true
	}
	return b, nil
}

// --- durations ---

var durationRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([A-Za-z]*)$`)

var durationUnits = map[string]int64{
	"": 1000, "s": 1000, "sec": 1000, "secs": 1000,
	"m": 60_000, "min": 60_000, "mins": 60_000,
	"h": 3_600_000, "hr": 3_600_000, "hrs": 3_600_000,
}

// parseDuration reads 90, 90s, 1.5m, 2h or 1:30, 1:02:03 into milliseconds;
// step is the unit typed (a second for clock forms and fractions), so that
// duration:2m can mean the whole minute as taken:2023 means the whole year.
func parseDuration(s string, vs valSpan) (ms, step int64, err error) {
	if s == "" {
		return 0, 0, vs.errf("missing duration")
	}
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) > 3 {
			return 0, 0, vs.errf("bad duration %q: want 1:30 or 1:02:03", s)
		}
		for i, p := range parts {
			n, err := strconv.ParseUint(p, 10, 32)
			if err != nil || (i > 0 && (len(p) != 2 || n > 59)) {
				return 0, 0, vs.errf("bad duration %q: want 1:30 or 1:02:03", s)
			}
			ms = ms*60 + int64(n)
		}
		return ms * 1000, 1000, nil
	}
	m := durationRe.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, vs.errf("bad duration %q: want a number with an optional unit, like 90s, 2m, 1h or 1:30", s)
	}
	unit, ok := durationUnits[strings.ToLower(m[2])]
	if !ok {
		return 0, 0, vs.errf("unknown duration unit %q; units: s, m, h", m[2])
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil || f*float64(unit) > maxNumber {
		return 0, 0, vs.errf("bad duration %q", s)
	}
	step = unit
	if strings.Contains(m[1], ".") {
		step = 1000
	}
	return int64(math.Round(f * float64(unit))), step, nil
}

// parseDurationBounds is parseNumBounds for durations: N (the whole unit
// typed: 2m is 2:00 up to 2:59.999), >N, >=N, <N, <=N, N1..N2 (inclusive
// of N2 itself), N.. and ..N; in milliseconds.
func parseDurationBounds(v string, vs valSpan) (Bounds, error) {
	return parseAmountBounds(v, vs, "30s..2m", "longer", parseDuration)
}

// --- dates ---

var dateRe = regexp.MustCompile(`^([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?$`)

// parsePeriod reads 2023, 2023-06 or 2023-06-01 into the period's first day
// and the first day after it, as 'YYYY-MM-DD' text.
func parsePeriod(s string, vs valSpan) (from, to string, err error) {
	m := dateRe.FindStringSubmatch(s)
	if m == nil {
		return "", "", vs.errf("bad date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	y, _ := strconv.Atoi(m[1])
	if y < 1 {
		return "", "", vs.errf("bad date %q: year must be 0001-9999", s)
	}
	mo, d := 1, 1
	if m[2] != "" {
		mo, _ = strconv.Atoi(m[2])
		if mo < 1 || mo > 12 {
			return "", "", vs.errf("bad date %q: month must be 01-12", s)
		}
	}
	start := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
	var end time.Time
	switch {
	case m[3] != "":
		d, _ = strconv.Atoi(m[3])
		if d < 1 || d > start.AddDate(0, 1, -1).Day() {
			return "", "", vs.errf("bad date %q: %s has no day %d", s, start.Format("2006-01"), d)
		}
		start = start.AddDate(0, 0, d-1)
		end = start.AddDate(0, 0, 1)
	case m[2] != "":
		end = start.AddDate(0, 1, 0)
	default:
		end = start.AddDate(1, 0, 0)
	}
	from = start.Format("2006-01-02")
	if end.Year() > 9999 {
		// '~' sorts after every character of a stored date, so this bounds
		// the last day without a five-digit year.
		to = "9999-12-31~"
	} else {
		to = end.Format("2006-01-02")
	}
	return from, to, nil
}

func parseDateBounds(v string, vs valSpan) (Bounds, error) {
	var b Bounds
	op, rest := splitOp(v)
	if op == "" {
		if lo, hi, ok := strings.Cut(v, ".."); ok {
			if lo == "" && hi == "" {
				return b, vs.errf("bad range %q: give at least one end, like 2023-06..2023-08", v)
			}
			if lo != "" {
				f, _, err := parsePeriod(lo, vs.sub(v, 0, len(lo)))
				if err != nil {
					return b, err
				}
				b.From = f
			}
			if hi != "" {
				_, t, err := parsePeriod(hi, vs.sub(v, len(lo)+2, len(v)))
				if err != nil {
					return b, err
				}
				b.To = t
			}
			if b.From != "" && b.To != "" && b.From >= b.To {
				return b, vs.errf("bad range %q: the start is after the end", v)
			}
			return b, nil
		}
	}
	from, to, err := parsePeriod(rest, vs.sub(v, len(op), len(v)))
	if err != nil {
		return b, err
	}
	switch op {
	case "", "=":
		b.From, b.To = from, to
	case ">":
		b.From = to
	case ">=":
		b.From = from
	case "<":
		b.To = from
	case "<=":
		b.To = to
	}
	return b, nil
}
