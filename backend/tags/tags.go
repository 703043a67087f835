// Package tags is TagStudio-style tagging: tags with shorthands, aliases,
// parent tags (a graph: several parents, no cycles), colours, category and
// hidden flags; applying and removing tags on many entries at once; and
// resolving the names a query uses. It keeps tag centroids in step (via
// package store) but knows nothing about models or search.
package tags

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/store"
)

// Built-in tags, the same ids in every library.
const (
	ArchivedID  int64 = 1
	FavouriteID int64 = 2
)

var (
	ErrNotFound = errors.New("tag not found")
	ErrExists   = errors.New("a tag with that name already exists")
	ErrCycle    = errors.New("that parent would make a cycle")
	ErrBuiltIn  = errors.New("built-in tags cannot be deleted or merged away")
	ErrBadName  = errors.New("tag names cannot be empty")
	ErrBadColor = errors.New("unknown colour")
)

// Tag is a tag with its aliases, parents and how many entries carry it.
type Tag struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Shorthand  string   `json:"shorthand"`
	Color      string   `json:"color"`
	IsCategory bool     `json:"is_category"`
	IsHidden   bool     `json:"is_hidden"`
	Aliases    []string `json:"aliases"`
	Parents    []int64  `json:"parents"`
	Count      int      `json:"count"`
}

// Colours are TagStudio's palette names; "#rrggbb" is accepted too.
var Colours = []string{"red", "orange", "amber", "yellow", "lime", "green", "teal", "cyan", "blue",
	"indigo", "violet", "purple", "magenta", "pink", "brown", "gray", "black", "white"}

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// NormColour validates a colour and returns its canonical form.
func NormColour(c string) (string, error) {
	c = strings.ToLower(strings.TrimSpace(c))
	if c == "" || c == "none" {
		return "", nil
	}
	if c == "grey" {
		c = "gray"
	}
	if hexColour.MatchString(c) {
		return c, nil
	}
	for _, k := range Colours {
		if k == c {
			return c, nil
		}
	}
	return "", fmt.Errorf("%w %q: use #rrggbb or one of %s", ErrBadColor, c, strings.Join(Colours, ", "))
}

// Service edits the tags of one library.
type Service struct{ db *store.DB }

// New returns the tag service of a library database.
func New(db *store.DB) *Service { return &Service{db: db} }

func cleanName(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", ErrBadName
	}
	return s, nil
}

// Create makes a new tag.
func (s *Service) Create(ctx context.Context, name string) (Tag, error) {
	name, err := cleanName(name)
	if err != nil {
		return Tag{}, err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO tags(name, created_at) VALUES (?, ?)`, name, time.Now().Unix())
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return Tag{}, fmt.Errorf("%w: %q", ErrExists, name)
		}
		return Tag{}, fmt.Errorf("create tag: %w", err)
	}
	id, _ := res.LastInsertId()
	return s.Get(ctx, id)
}

// Get returns one tag.
func (s *Service) Get(ctx context.Context, id int64) (Tag, error) {
	ts, err := s.list(ctx, "WHERE t.id = ?", id)
	if err != nil {
		return Tag{}, err
	}
	if len(ts) == 0 {
		return Tag{}, fmt.Errorf("%w: id %d", ErrNotFound, id)
	}
	return ts[0], nil
}

// Find returns the tag whose name, shorthand or alias is s (names first).
func (s *Service) Find(ctx context.Context, name string) (Tag, error) {
	ids, err := s.TagIDs(ctx, name)
	if err != nil {
		return Tag{}, err
	}
	if len(ids) == 0 {
		return Tag{}, fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	return s.Get(ctx, ids[0])
}

// List returns every tag, sorted by name.
func (s *Service) List(ctx context.Context) ([]Tag, error) { return s.list(ctx, "") }

func (s *Service) list(ctx context.Context, where string, args ...any) ([]Tag, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.name, t.shorthand, t.color, t.is_category, t.is_hidden,
		(SELECT COUNT(*) FROM entry_tags et JOIN entries e ON e.id = et.entry_id WHERE et.tag_id = t.id AND e.missing = 0)
		FROM tags t `+where+` ORDER BY t.name COLLATE NOCASE`, args...)
	if err != nil {
		return nil, err
	}
	var out []Tag
	byID := map[int64]int{}
	for rows.Next() {
		var t Tag
		if err := rows.Scan(&t.ID, &t.Name, &t.Shorthand, &t.Color, &t.IsCategory, &t.IsHidden, &t.Count); err != nil {
			rows.Close()
			return nil, err
		}
		t.Aliases, t.Parents = []string{}, []int64{}
		byID[t.ID] = len(out)
		out = append(out, t)
	}
	rows.Close()
	if len(out) == 0 {
		return out, rows.Err()
	}
	ar, err := s.db.QueryContext(ctx, `SELECT tag_id, alias FROM tag_aliases ORDER BY alias COLLATE NOCASE`)
	if err != nil {
		return nil, err
	}
	for ar.Next() {
		var id int64
		var a string
		ar.Scan(&id, &a)
		if i, ok := byID[id]; ok {
			out[i].Aliases = append(out[i].Aliases, a)
		}
	}
	ar.Close()
	pr, err := s.db.QueryContext(ctx, `SELECT child_id, parent_id FROM tag_parents ORDER BY parent_id`)
	if err != nil {
		return nil, err
	}
	for pr.Next() {
		var c, p int64
		pr.Scan(&c, &p)
		if i, ok := byID[c]; ok {
			out[i].Parents = append(out[i].Parents, p)
		}
	}
	pr.Close()
	return out, nil
}

func (s *Service) exec(ctx context.Context, id int64, q string, args ...any) error {
	res, err := s.db.ExecContext(ctx, q, args...)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return ErrExists
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Get(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// Rename changes a tag's name; every link stays.
func (s *Service) Rename(ctx context.Context, id int64, name string) error {
	name, err := cleanName(name)
	if err != nil {
		return err
	}
	if err := s.exec(ctx, id, `UPDATE tags SET name=? WHERE id=?`, name, id); err != nil {
		return fmt.Errorf("rename tag: %w", err)
	}
	return nil
}

// SetShorthand sets (or clears) a tag's shorthand.
func (s *Service) SetShorthand(ctx context.Context, id int64, sh string) error {
	return s.exec(ctx, id, `UPDATE tags SET shorthand=? WHERE id=?`, strings.TrimSpace(sh), id)
}

// SetColor sets a tag's colour ("" clears it).
func (s *Service) SetColor(ctx context.Context, id int64, c string) error {
	c, err := NormColour(c)
	if err != nil {
		return err
	}
	return s.exec(ctx, id, `UPDATE tags SET color=? WHERE id=?`, c, id)
}

// SetCategory marks a tag as a category (shown as a group in the inspector).
func (s *Service) SetCategory(ctx context.Context, id int64, on bool) error {
	return s.exec(ctx, id, `UPDATE tags SET is_category=? WHERE id=?`, on, id)
}

// SetHidden hides a tag's entries from searches that do not ask for it.
func (s *Service) SetHidden(ctx context.Context, id int64, on bool) error {
	return s.exec(ctx, id, `UPDATE tags SET is_hidden=? WHERE id=?`, on, id)
}

// AddAlias adds another name for a tag.
func (s *Service) AddAlias(ctx context.Context, id int64, alias string) error {
	alias, err := cleanName(alias)
	if err != nil {
		return err
	}
	if _, err := s.Get(ctx, id); err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT OR IGNORE INTO tag_aliases(tag_id, alias) VALUES (?, ?)`, id, alias)
	return err
}

// RemoveAlias removes an alias.
func (s *Service) RemoveAlias(ctx context.Context, id int64, alias string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM tag_aliases WHERE tag_id=? AND alias=? COLLATE NOCASE`, id, alias)
	return err
}

// AddParent makes parent a parent of child. A tag may have several
// parents; a link that would make the graph cyclic is refused.
func (s *Service) AddParent(ctx context.Context, child, parent int64) error {
	if child == parent {
		return fmt.Errorf("%w: a tag cannot be its own parent", ErrCycle)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range []int64{child, parent} {
			var x int64
			if err := tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE id=?`, id).Scan(&x); err != nil {
				return fmt.Errorf("%w: id %d", ErrNotFound, id)
			}
		}
		// parent must not already descend from child.
		var n int
		err := tx.QueryRowContext(ctx, `WITH RECURSIVE d(id) AS (SELECT ? UNION SELECT tp.child_id FROM tag_parents tp JOIN d ON tp.parent_id = d.id)
			SELECT COUNT(*) FROM d WHERE id = ?`, child, parent).Scan(&n)
		if err != nil {
			return err
		}
		if n > 0 {
			var cn, pn string
			tx.QueryRowContext(ctx, `SELECT name FROM tags WHERE id=?`, child).Scan(&cn)
			tx.QueryRowContext(ctx, `SELECT name FROM tags WHERE id=?`, parent).Scan(&pn)
			return fmt.Errorf("%w: %q already descends from %q", ErrCycle, pn, cn)
		}
		_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO tag_parents(child_id, parent_id) VALUES (?, ?)`, child, parent)
		return err
	})
}

// RemoveParent unlinks a parent.
func (s *Service) RemoveParent(ctx context.Context, child, parent int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM tag_parents WHERE child_id=? AND parent_id=?`, child, parent)
	return err
}

// Delete removes a tag and its links. Built-in tags stay.
func (s *Service) Delete(ctx context.Context, id int64) error {
	if id == ArchivedID || id == FavouriteID {
		return ErrBuiltIn
	}
	return s.exec(ctx, id, `DELETE FROM tags WHERE id=?`, id)
}

// Merge folds tag from into tag into: its entries, aliases (and its name,
// as an alias), parents and children move over; from is deleted.
func (s *Service) Merge(ctx context.Context, from, into int64) error {
	if from == into {
		return nil
	}
	if from == ArchivedID || from == FavouriteID {
		return ErrBuiltIn
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var fromName string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM tags WHERE id=?`, from).Scan(&fromName); err != nil {
			return fmt.Errorf("%w: id %d", ErrNotFound, from)
		}
		var x int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE id=?`, into).Scan(&x); err != nil {
			return fmt.Errorf("%w: id %d", ErrNotFound, into)
		}
		stmts := []string{
			`INSERT OR IGNORE INTO entry_tags(entry_id, tag_id) SELECT entry_id, ? FROM entry_tags WHERE tag_id=?`,
			`INSERT OR IGNORE INTO tag_aliases(tag_id, alias) SELECT ?, alias FROM tag_aliases WHERE tag_id=?`,
			`INSERT OR IGNORE INTO tag_parents(child_id, parent_id) SELECT ?, parent_id FROM tag_parents WHERE child_id=?`,
			`INSERT OR IGNORE INTO tag_parents(child_id, parent_id) SELECT child_id, ? FROM tag_parents WHERE parent_id=?`,
			`INSERT OR IGNORE INTO dismissed_suggestions(entry_id, tag_id) SELECT entry_id, ? FROM dismissed_suggestions WHERE tag_id=?`,
		}
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q, into, from); err != nil {
				return fmt.Errorf("merge tags: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO tag_aliases(tag_id, alias) VALUES (?, ?)`, into, fromName); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE id=?`, from); err != nil {
			return err
		}
		// A merge can close a loop (into's child was from's parent): drop self-links.
		if _, err := tx.ExecContext(ctx, `DELETE FROM tag_parents WHERE child_id = parent_id`); err != nil {
			return err
		}
		return store.RecomputeCentroids(ctx, tx, into)
	})
}

// TagIDs resolves a name, shorthand or alias (case-insensitive) to tag ids,
// exact names first. It is the query language's resolver.
func (s *Service) TagIDs(ctx context.Context, name string) ([]int64, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, 0 FROM tags WHERE name = ? COLLATE NOCASE
		UNION SELECT id, 1 FROM tags WHERE shorthand <> '' AND shorthand = ? COLLATE NOCASE
		UNION SELECT tag_id, 2 FROM tag_aliases WHERE alias = ? COLLATE NOCASE`, name, name, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type hit struct {
		id   int64
		rank int
	}
	var hits []hit
	seen := map[int64]bool{}
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.id, &h.rank); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].rank < hits[j].rank })
	var out []int64
	for _, h := range hits {
		if !seen[h.id] {
			seen[h.id] = true
			out = append(out, h.id)
		}
	}
	return out, rows.Err()
}

// TagRelatives returns ids with all their descendants and ancestors; with
// TagIDs it makes Service the query compiler's resolver.
func (s *Service) TagRelatives(ctx context.Context, ids []int64) ([]int64, error) {
	return s.db.TagRelatives(ctx, ids)
}

// Apply adds a tag to entries in one transaction and returns how many
// entries gained it.
func (s *Service) Apply(ctx context.Context, tagID int64, entryIDs []int64) (int, error) {
	return s.change(ctx, tagID, entryIDs, true)
}

// Remove takes a tag off entries in one transaction.
func (s *Service) Remove(ctx context.Context, tagID int64, entryIDs []int64) (int, error) {
	return s.change(ctx, tagID, entryIDs, false)
}

func (s *Service) change(ctx context.Context, tagID int64, entryIDs []int64, add bool) (int, error) {
	var changed []int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var x int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE id=?`, tagID).Scan(&x); err != nil {
			return fmt.Errorf("%w: id %d", ErrNotFound, tagID)
		}
		q := `INSERT OR IGNORE INTO entry_tags(entry_id, tag_id) SELECT id, ? FROM entries WHERE id=?`
		if !add {
			q = `DELETE FROM entry_tags WHERE tag_id=? AND entry_id=?`
		}
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, id := range entryIDs {
			res, err := st.ExecContext(ctx, tagID, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				changed = append(changed, id)
			}
		}
		if add {
			// An applied tag is no longer a dismissed suggestion there.
			if _, err := tx.ExecContext(ctx, `DELETE FROM dismissed_suggestions WHERE tag_id=? AND entry_id IN (SELECT entry_id FROM entry_tags WHERE tag_id=?)`, tagID, tagID); err != nil {
				return err
			}
		}
		sign := 1
		if !add {
			sign = -1
		}
		return store.AdjustCentroids(ctx, tx, tagID, changed, sign)
	})
	if err != nil {
		return 0, fmt.Errorf("tag entries: %w", err)
	}
	return len(changed), nil
}

// EntryTags returns the tags of one entry.
func (s *Service) EntryTags(ctx context.Context, entryID int64) ([]Tag, error) {
	return s.list(ctx, "WHERE t.id IN (SELECT tag_id FROM entry_tags WHERE entry_id = ?)", entryID)
}

// Dismiss remembers that tag should never be suggested for these entries.
func (s *Service) Dismiss(ctx context.Context, tagID int64, entryIDs []int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range entryIDs {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO dismissed_suggestions(entry_id, tag_id) VALUES (?, ?)`, id, tagID); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetField sets a text or date field on an entry ("" value removes it).
func (s *Service) SetField(ctx context.Context, entryID int64, name, kind, value string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return errors.New("field names cannot be empty")
	}
	if kind != "text" && kind != "date" {
		return fmt.Errorf("field kind %q: use text or date", kind)
	}
	if kind == "date" && value != "" {
		if _, err := time.Parse("2006-01-02", value); err != nil {
			if _, err2 := time.Parse("2006-01-02T15:04:05", value); err2 != nil {
				return fmt.Errorf("date field %s: %q is not YYYY-MM-DD[THH:MM:SS]", name, value)
			}
		}
	}
	if value == "" {
		_, err := s.db.ExecContext(ctx, `DELETE FROM entry_fields WHERE entry_id=? AND name=?`, entryID, name)
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO entry_fields(entry_id, name, kind, value) VALUES (?,?,?,?)`, entryID, name, kind, value)
	return err
}

// Field is a named value on an entry.
type Field struct {
	Name  string `json:"name"`
	Kind  string `json:"kind" ts:"'text' | 'date'"`
	Value string `json:"value"`
}

// Fields returns an entry's fields.
func (s *Service) Fields(ctx context.Context, entryID int64) ([]Field, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, kind, value FROM entry_fields WHERE entry_id=? ORDER BY name`, entryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Field{}
	for rows.Next() {
		var f Field
		if err := rows.Scan(&f.Name, &f.Kind, &f.Value); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
