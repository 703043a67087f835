package query

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/tagsight/tagsight/backend/store"
)

// TagResolver finds tags by what the user typed.
type TagResolver interface {
	// TagIDs returns the ids of tags whose name, shorthand or alias equals s (case-insensitive); nil if none.
	TagIDs(ctx context.Context, s string) ([]int64, error)
}

// TagRelatives is implemented by resolvers that know the tag graph. A
// compiler whose resolver has it reports, in Compiled.Tags, the named tags'
// relatives too.
type TagRelatives interface {
	// TagRelatives returns ids with all their descendants and ancestors.
	TagRelatives(ctx context.Context, ids []int64) ([]int64, error)
}

// TagStudioIDs is implemented by resolvers that know the TagStudio ids of
// imported tags; without it tag_id:N matches nothing.
type TagStudioIDs interface {
	// TagByTagStudioID returns the tag imported with TagStudio id id; ok is
	// false when there is none.
	TagByTagStudioID(ctx context.Context, id int64) (tagID int64, ok bool, err error)
}

// ResolverFunc adapts a function to TagResolver.
type ResolverFunc func(ctx context.Context, s string) ([]int64, error)

// TagIDs calls f.
func (f ResolverFunc) TagIDs(ctx context.Context, s string) ([]int64, error) { return f(ctx, s) }

// SemanticPart is one part of the semantic ranking: Text or, for like:, Image.
type SemanticPart struct {
	Text   string
	Image  string // like: path
	Weight float64
	// Col and Len locate a like: term in the query, for errors about its path.
	Col, Len int
}

// Sort is the order asked for with sort:; Key "" means none.
type Sort struct {
	Key  string // "taken","added","name","size","random",""
	Desc bool
}

// Compiled is a query ready to run.
type Compiled struct {
	Filter    store.Filter // what the query's filters allow; all entries when it has none
	Semantic  []SemanticPart
	Sort      Sort
	HasFilter bool
	// Tags are the tags the query names (tag:, bare words and quoted
	// strings that are tags, favourite, archived), anywhere in it, with
	// their descendants and ancestors when the resolver knows the graph
	// (TagRelatives); sorted, no repeats. The caller shows entries with a
	// hidden tag among these.
	Tags []int64
	// IncludeHidden: the query has special:hidden (is:hidden), so entries
	// with hidden tags are shown.
	IncludeHidden bool
	// Unmatched are the bare words that are no tag and, compiled with
	// Options.NoModel, match nothing; in query order, repeats kept.
	Unmatched []string
	// Words are the bare words searched by meaning (no tag, no sem:, ~
	// or weight), in query order: plain search looks for them in the
	// text index too.
	Words []string
	// TextTerms are the values of the query's text: terms, anywhere in
	// it: what a result's snippet shows.
	TextTerms []string
	// TextWords are the bare words that are no tag and, compiled with
	// Options.NoModel and Options.Text, were looked for in the text index
	// (they are in TextTerms too).
	TextWords []string
}

// Options change how Compile reads a query.
type Options struct {
	// NoModel: there is no model to search by meaning, so a bare word that
	// is no tag matches nothing (TagStudio's rule), anywhere in the query,
	// instead of being a semantic word; Compiled.Unmatched lists them.
	NoModel bool
	// Text: the library has text in its index. With NoModel, a bare word
	// that is no tag then matches the files whose text has it, as
	// text:word does (Compiled.TextWords lists it), instead of nothing.
	Text bool
}

// Built-in tag ids (migration 0001).
const (
	archivedTagID  = 1
	favouriteTagID = 2
)

// Compile parses input and turns it into a store filter, semantic parts
// and a sort. r answers which bare words and quoted strings are tags; a nil r
// knows no tags. Syntax errors, including a bare word that is no tag standing
// under OR or NOT, are *SyntaxError; a resolver failure is returned wrapped.
// Hidden tags are not excluded here: the caller adds that condition, using
// Tags and IncludeHidden.
func Compile(ctx context.Context, input string, r TagResolver) (Compiled, error) {
	return CompileWith(ctx, input, r, Options{})
}

// CompileWith is Compile with options. and, or and not in any case are
// keywords (TagStudio's habit); when that reading is a SyntaxError and a
// keyword was typed in lower or mixed case, the query is read again with
// upper-case keywords only, so "a dog or a cat" stays a search by meaning.
func CompileWith(ctx context.Context, input string, r TagResolver, opt Options) (Compiled, error) {
	out, err := compile(ctx, input, r, opt, false)
	var se *SyntaxError
	if errors.As(err, &se) && hasLooseKeyword(input) {
		if out2, err2 := compile(ctx, input, r, opt, true); err2 == nil {
			return out2, nil
		}
	}
	return out, err
}

// hasLooseKeyword reports whether input has and, or or not in other than
// upper case as a keyword.
func hasLooseKeyword(input string) bool {
	toks, err := lex(input)
	if err != nil {
		return false
	}
	for _, t := range toks {
		if (t.kind == tAnd || t.kind == tOr || t.kind == tNot) && t.raw != strings.ToUpper(t.raw) {
			return true
		}
	}
	return false
}

func compile(ctx context.Context, input string, r TagResolver, opt Options, upperOnly bool) (Compiled, error) {
	out := Compiled{Filter: store.All()}
	n, err := parseMode(input, upperOnly)
	if err != nil || n == nil {
		return out, err
	}
	c := &compiler{ctx: ctx, r: r, opt: opt, cache: map[string][]int64{}, named: map[int64]bool{}}
	items := []Node{n}
	if a, ok := n.(*And); ok {
		items = a.Items
	}
	var filters []store.Filter
	phrase := -1 // index in out.Semantic of the phrase the previous word extends, or -1
	for _, it := range items {
		t, ok := it.(*Term)
		if !ok {
			sql, err := c.expr(it)
			if err != nil {
				return Compiled{Filter: store.All()}, err
			}
			filters = append(filters, sql)
			phrase = -1
			continue
		}
		switch t.Kind {
		case KindSort:
			out.Sort = Sort{Key: t.Value, Desc: t.Desc}
			continue // transparent: does not break a phrase
		case KindHidden:
			out.IncludeHidden = true
			continue // not a filter, and transparent like sort:
		case KindSemantic:
			out.Semantic = append(out.Semantic, SemanticPart{Text: t.Value, Weight: t.Weight})
			phrase = -1
			continue
		case KindLike:
			out.Semantic = append(out.Semantic, SemanticPart{Image: t.Value, Weight: t.Weight, Col: t.Col, Len: t.Len})
			phrase = -1
			continue
		case KindWord:
			ids, err := c.resolve(t.Value)
			if err != nil {
				return Compiled{Filter: store.All()}, err
			}
			if len(ids) == 0 && opt.NoModel {
				break // matches nothing: c.term says so
			}
			if len(ids) == 0 {
				out.Words = append(out.Words, t.Value)
				if phrase >= 0 {
					out.Semantic[phrase].Text += " " + t.Value
				} else {
					out.Semantic = append(out.Semantic, SemanticPart{Text: t.Value, Weight: 1})
					phrase = len(out.Semantic) - 1
				}
				continue
			}
		}
		sql, err := c.expr(t)
		if err != nil {
			return Compiled{Filter: store.All()}, err
		}
		filters = append(filters, sql)
		phrase = -1
	}
	if len(filters) == 1 {
		out.Filter, out.HasFilter = filters[0], true
	} else if len(filters) > 1 {
		out.Filter, out.HasFilter = store.And(filters...), true
	}
	if out.Tags, err = c.namedTags(); err != nil {
		return Compiled{Filter: store.All()}, err
	}
	out.Unmatched = c.unmatched
	out.TextTerms = c.textTerms
	out.TextWords = c.textWords
	return out, nil
}

// namedTags is every tag the filters named, with its relatives when the
// resolver knows them.
func (c *compiler) namedTags() ([]int64, error) {
	if len(c.named) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(c.named))
	for id := range c.named {
		ids = append(ids, id)
	}
	if rel, ok := c.r.(TagRelatives); ok {
		var err error
		if ids, err = rel.TagRelatives(c.ctx, ids); err != nil {
			return nil, fmt.Errorf("resolve tag relatives: %w", err)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

type compiler struct {
	ctx   context.Context
	r     TagResolver
	cache map[string][]int64
	named map[int64]bool // tags that tagIn matched on
	opt   Options
	// unmatched are the bare words that are no tag, compiled to match
	// nothing under Options.NoModel.
	unmatched []string
	textTerms []string // see Compiled.TextTerms
	textWords []string // see Compiled.TextWords
}

func (c *compiler) resolve(s string) ([]int64, error) {
	key := strings.ToLower(s)
	if ids, ok := c.cache[key]; ok {
		return ids, nil
	}
	if c.r == nil {
		return nil, nil
	}
	ids, err := c.r.TagIDs(c.ctx, s)
	if err != nil {
		return nil, fmt.Errorf("resolve tag %q: %w", s, err)
	}
	// TagStudio's users type _ for a space (tag:old_portrait); a tag
	// really named with _ wins.
	if len(ids) == 0 && strings.Contains(s, "_") {
		sp := strings.ReplaceAll(s, "_", " ")
		if ids, err = c.r.TagIDs(c.ctx, sp); err != nil {
			return nil, fmt.Errorf("resolve tag %q: %w", sp, err)
		}
	}
	c.cache[key] = ids
	return ids, nil
}

// expr compiles a node that is a filter. Semantic parts and sort: terms were
// rejected below the top level by Parse; bare words that are no tag are
// rejected here.
func (c *compiler) expr(n Node) (store.Filter, error) {
	switch x := n.(type) {
	case *And:
		fs, err := c.list(x.Items)
		return store.And(fs...), err
	case *Or:
		fs, err := c.list(x.Items)
		return store.Or(fs...), err
	case *Not:
		f, err := c.expr(x.X)
		if err != nil {
			return store.Filter{}, err
		}
		return store.Not(f), nil
	case *Term:
		return c.term(x)
	}
	return store.Filter{}, fmt.Errorf("query: unknown node %T", n)
}

func (c *compiler) list(items []Node) ([]store.Filter, error) {
	fs := make([]store.Filter, len(items))
	for i, it := range items {
		f, err := c.expr(it)
		if err != nil {
			return nil, err
		}
		fs[i] = f
	}
	return fs, nil
}

func (c *compiler) term(t *Term) (store.Filter, error) {
	switch t.Kind {
	case KindWord:
		ids, err := c.resolve(t.Value)
		if err != nil {
			return store.Filter{}, err
		}
		if len(ids) == 0 && c.opt.NoModel && c.opt.Text {
			c.textWords = append(c.textWords, t.Value)
			return c.term(&Term{Kind: KindText, Value: t.Value, Col: t.Col, Len: t.Len})
		}
		if len(ids) == 0 && c.opt.NoModel {
			c.unmatched = append(c.unmatched, t.Value)
			return store.None(), nil
		}
		if len(ids) == 0 {
			return store.Filter{}, errAt(t.Col, t.Len, "%q is no tag, so it is a semantic word, and semantic words can only be combined with AND (quote it or use path: to match file names)", t.Value)
		}
		return c.tagIn(ids), nil
	case KindTag:
		ids, err := c.resolve(t.Value)
		if err != nil {
			return store.Filter{}, err
		}
		if len(ids) == 0 {
			return store.None(), nil
		}
		return c.tagIn(ids), nil
	case KindTagID:
		ts, ok := c.r.(TagStudioIDs)
		if !ok {
			return store.None(), nil
		}
		id, found, err := ts.TagByTagStudioID(c.ctx, t.ID)
		if err != nil {
			return store.Filter{}, fmt.Errorf("resolve tag_id:%d: %w", t.ID, err)
		}
		if !found {
			return store.None(), nil
		}
		// TagStudio's tag_id: is that tag only, without its children.
		c.named[id] = true
		return store.TagOnly(id), nil
	case KindLiteral:
		ids, err := c.resolve(t.Value)
		if err != nil {
			return store.Filter{}, err
		}
		if len(ids) > 0 {
			return c.tagIn(ids), nil
		}
		return c.path(globLiteral(t.Value), t.Value, true), nil
	case KindFavourite:
		return c.tagIn([]int64{favouriteTagID}), nil
	case KindArchived:
		return c.tagIn([]int64{archivedTagID}), nil
	case KindUntagged:
		return store.Untagged(), nil
	case KindPath:
		pat := globPattern(t.Value)
		return c.path(pat, t.Value, !strings.Contains(t.Value, "*")), nil
	case KindType:
		if exts, ok := typeExts[t.Value]; ok {
			return store.Extensions(exts), nil
		}
		return store.MediaType(t.Value), nil
	case KindExt:
		return store.Extensions(extGroup(t.Value)), nil
	case KindFact:
		f, err := store.FactContains(t.Field, t.Value)
		if err != nil {
			return store.Filter{}, fmt.Errorf("query: %w", err)
		}
		return f, nil
	case KindDuration:
		return store.DurationMS(rng(t.Bounds)), nil
	case KindPages:
		return store.Pages(rng(t.Bounds)), nil
	case KindCamera:
		return store.CameraContains(t.Value), nil
	case KindLens:
		return store.LensContains(t.Value), nil
	case KindTaken:
		return store.TakenBetween(t.Bounds.From, t.Bounds.To), nil
	case KindISO:
		return store.ISO(rng(t.Bounds)), nil
	case KindWidth:
		return store.Width(rng(t.Bounds)), nil
	case KindHeight:
		return store.Height(rng(t.Bounds)), nil
	case KindSize:
		return store.Size(rng(t.Bounds)), nil
	case KindField:
		return store.FieldContains(t.Field, t.Value), nil
	case KindText:
		// The text index's own search (store.TextFilter): the user's
		// words are quoted there, never read as FTS syntax.
		c.textTerms = append(c.textTerms, t.Value)
		return store.TextFilter([]string{t.Value}), nil
	case KindHasText:
		return store.HasTextFilter(), nil
	case KindSemantic, KindLike, KindSort, KindHidden:
		return store.Filter{}, errAt(t.Col, t.Len, "%s can only be combined with AND", t.Kind)
	}
	return store.Filter{}, fmt.Errorf("query: unknown term kind %v", t.Kind)
}

// rng is b as the store's range.
func rng(b Bounds) store.Range {
	return store.Range{Lo: b.Lo, Hi: b.Hi, HasLo: b.HasLo, HasHi: b.HasHi}
}

// tagIn matches entries carrying any of ids or any of their descendants.
func (c *compiler) tagIn(ids []int64) store.Filter {
	for _, id := range ids {
		c.named[id] = true
	}
	return store.TagsWithDescendants(ids)
}

// path matches pat (a GLOB pattern) against the path, case-insensitively
// unless the user's text has an upper-case letter. substring wraps pat in *.
func (c *compiler) path(pat, typed string, substring bool) store.Filter {
	if substring {
		pat = "*" + pat + "*"
	}
	// No upper case in the pattern, so lowering the path suffices.
	return store.PathGlob(pat, hasUpper(typed))
}

func hasUpper(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

// globPattern keeps * and ? as wildcards and makes [ literal.
func globPattern(s string) string { return strings.ReplaceAll(s, "[", "[[]") }

// globLiteral makes every GLOB metacharacter literal.
func globLiteral(s string) string {
	return strings.NewReplacer("[", "[[]", "*", "[*]", "?", "[?]").Replace(s)
}

var extGroups = [][]string{
	{"jpg", "jpeg", "jpe", "jfif"},
	{"tif", "tiff"},
	{"heic", "heif"},
}

func extGroup(e string) []string {
	for _, g := range extGroups {
		for _, x := range g {
			if x == e {
				return g
			}
		}
	}
	return []string{e}
}
