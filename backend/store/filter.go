package store

import (
	"fmt"
	"strings"
)

// Filter is a condition on entries, as the search bar's queries ask it
// (package query builds one from what the user typed). Only this
// package's constructors make one and only this package reads it, so the
// SQL it holds stays here. The zero Filter allows every entry.
type Filter struct {
	where string // a boolean expression over entries aliased e; "" is "1"
	args  []any
}

func (f Filter) sql() string {
	if f.where == "" {
		return "1"
	}
	return f.where
}

// Key names the filter, for a cache of what it matched: two filters with
// one key match the same entries.
func (f Filter) Key() string {
	args := f.args
	if len(args) == 0 {
		args = nil
	}
	return fmt.Sprintf("%s\x00%#v", f.sql(), args)
}

// All allows every entry.
func All() Filter { return Filter{where: "1"} }

// None allows no entry.
func None() Filter { return Filter{where: "0"} }

// And allows the entries every one of fs allows; All when fs is empty.
func And(fs ...Filter) Filter { return join(fs, " AND ") }

// Or allows the entries any of fs allows; None when fs is empty.
func Or(fs ...Filter) Filter {
	if len(fs) == 0 {
		return None()
	}
	return join(fs, " OR ")
}

func join(fs []Filter, op string) Filter {
	if len(fs) == 0 {
		return All()
	}
	parts := make([]string, len(fs))
	var args []any
	for i, f := range fs {
		parts[i] = f.sql()
		args = append(args, f.args...)
	}
	return Filter{where: "(" + strings.Join(parts, op) + ")", args: args}
}

// Not allows the entries f does not.
func Not(f Filter) Filter { return Filter{where: "NOT (" + f.sql() + ")", args: f.args} }

// Missing allows the entries whose file is missing.
func Missing() Filter { return Filter{where: "e.missing = 1"} }

// TagsWithDescendants allows the entries carrying any of ids or any of
// their descendants. UNION (not UNION ALL) makes the recursion stop on
// cycles; the subquery is uncorrelated, so SQLite evaluates it once per
// query.
func TagsWithDescendants(ids []int64) Filter {
	var b strings.Builder
	args := make([]any, 0, len(ids))
	b.WriteString("e.id IN (SELECT et.entry_id FROM entry_tags et WHERE et.tag_id IN (WITH RECURSIVE d(id) AS (VALUES ")
	for i, id := range ids {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("(?)")
		args = append(args, id)
	}
	b.WriteString(" UNION SELECT tp.child_id FROM tag_parents tp JOIN d ON tp.parent_id = d.id) SELECT id FROM d))")
	return Filter{where: b.String(), args: args}
}

// TagOnly allows the entries carrying tag id itself, not its descendants.
func TagOnly(id int64) Filter {
	return Filter{where: "e.id IN (SELECT et.entry_id FROM entry_tags et WHERE et.tag_id = ?)", args: []any{id}}
}

// Untagged allows the entries with no tag.
func Untagged() Filter {
	return Filter{where: "NOT EXISTS (SELECT 1 FROM entry_tags et WHERE et.entry_id = e.id)"}
}

// MediaType allows the entries of media type t.
func MediaType(t string) Filter { return Filter{where: "e.media_type = ?", args: []any{t}} }

// Extensions allows the paths ending in . and any of exts.
func Extensions(exts []string) Filter {
	parts := make([]string, len(exts))
	args := make([]any, len(exts))
	for i, x := range exts {
		parts[i] = `e.path LIKE ? ESCAPE '\'`
		args[i] = "%." + escapeLike(x)
	}
	return Filter{where: "(" + strings.Join(parts, " OR ") + ")", args: args}
}

// PathGlob allows the paths matching the GLOB pattern pat; unless
// caseSensitive, the path is lowered first, so pat must have no upper case.
func PathGlob(pat string, caseSensitive bool) Filter {
	if caseSensitive {
		return Filter{where: "e.path GLOB ?", args: []any{pat}}
	}
	return Filter{where: "lower(e.path) GLOB ?", args: []any{pat}}
}

// factColumns are the entry_facts columns FactContains matches; codec is
// the video's or the audio's.
var factColumns = map[string]string{
	"artist": "x.artist", "album": "x.album", "title": "x.title", "author": "x.author", "genre": "x.genre",
	"subject": "x.subject", "keywords": "x.keywords",
	"codec": "(x.codec || ' ' || x.audio_codec)",
}

// FactContains allows the entries whose fact (artist, album, title,
// author, genre, subject, keywords, codec) contains value.
func FactContains(fact, value string) (Filter, error) {
	col := factColumns[fact]
	if col == "" {
		return Filter{}, fmt.Errorf("unknown fact %q", fact)
	}
	return Filter{where: "e.id IN (SELECT x.entry_id FROM entry_facts x WHERE " + col + ` LIKE ? ESCAPE '\')`,
		args: []any{"%" + escapeLike(value) + "%"}}, nil
}

// Range bounds a number; a side without Has is open.
type Range struct {
	Lo, Hi       int64
	HasLo, HasHi bool
}

// DurationMS allows the entries with a known duration within r
// (milliseconds; the column is seconds).
func DurationMS(r Range) Filter {
	parts := []string{"x.duration > 0"}
	var args []any
	if r.HasLo {
		parts = append(parts, "x.duration >= ?")
		args = append(args, float64(r.Lo)/1000)
	}
	if r.HasHi {
		parts = append(parts, "x.duration <= ?")
		args = append(args, float64(r.Hi)/1000)
	}
	return Filter{where: "e.id IN (SELECT x.entry_id FROM entry_facts x WHERE " + strings.Join(parts, " AND ") + ")", args: args}
}

// Pages allows the entries with a known page count within r.
func Pages(r Range) Filter {
	parts := []string{"x.pages > 0"} // 0 is unknown
	var args []any
	if r.HasLo {
		parts = append(parts, "x.pages >= ?")
		args = append(args, r.Lo)
	}
	if r.HasHi {
		parts = append(parts, "x.pages <= ?")
		args = append(args, r.Hi)
	}
	return Filter{where: "e.id IN (SELECT x.entry_id FROM entry_facts x WHERE " + strings.Join(parts, " AND ") + ")", args: args}
}

// CameraContains allows the entries whose camera make and model, joined
// by a space, contain v.
func CameraContains(v string) Filter {
	return Filter{where: `((e.make || ' ' || e.model) LIKE ? ESCAPE '\')`, args: []any{"%" + escapeLike(v) + "%"}}
}

// LensContains allows the entries whose lens contains v.
func LensContains(v string) Filter {
	return Filter{where: `(e.lens LIKE ? ESCAPE '\')`, args: []any{"%" + escapeLike(v) + "%"}}
}

// TakenBetween allows the entries taken at or after from and before to
// (both as the taken column spells them); an empty side is open, and an
// entry with no date never matches.
func TakenBetween(from, to string) Filter {
	var parts []string
	var args []any
	if from != "" {
		parts = append(parts, "e.taken >= ?")
		args = append(args, from)
	} else {
		parts = append(parts, "e.taken <> ''")
	}
	if to != "" {
		parts = append(parts, "e.taken < ?")
		args = append(args, to)
	}
	return Filter{where: "(" + strings.Join(parts, " AND ") + ")", args: args}
}

// ISO, Width and Height allow the entries with that number within r; 0 is
// unknown, so it matches only a range reaching below 1. Size allows 0.
func ISO(r Range) Filter    { return numeric("e.iso", r, true) }
func Width(r Range) Filter  { return numeric("e.width", r, true) }
func Height(r Range) Filter { return numeric("e.height", r, true) }
func Size(r Range) Filter   { return numeric("e.size", r, false) }

func numeric(col string, b Range, zeroUnknown bool) Filter {
	var parts []string
	var args []any
	if zeroUnknown && (!b.HasLo || b.Lo <= 0) {
		parts = append(parts, col+" > 0")
	}
	if b.HasLo && b.HasHi && b.Lo == b.Hi {
		parts = append(parts, col+" = ?")
		args = append(args, b.Lo)
	} else {
		if b.HasLo {
			parts = append(parts, col+" >= ?")
			args = append(args, b.Lo)
		}
		if b.HasHi {
			parts = append(parts, col+" <= ?")
			args = append(args, b.Hi)
		}
	}
	return Filter{where: "(" + strings.Join(parts, " AND ") + ")", args: args}
}

// FieldContains allows the entries with a field named name (in any case)
// whose value contains value; value "" asks only that the field be there.
func FieldContains(name, value string) Filter {
	s := "EXISTS (SELECT 1 FROM entry_fields f WHERE f.entry_id = e.id AND f.name = ? COLLATE NOCASE"
	args := []any{name}
	if value != "" {
		s += ` AND f.value LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(value)+"%")
	}
	return Filter{where: s + ")", args: args}
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
