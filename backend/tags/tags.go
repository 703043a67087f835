// Package tags is TagStudio-style tagging: tags with shorthands, aliases,
// parent tags (a graph: several parents, no cycles), colours, category and
// hidden flags; applying and removing tags on many entries at once; and
// resolving the names a query uses. It keeps tag centroids in step (via
// package store) but knows nothing about models or search.
package tags

import (
	"context"
	"errors"
	"fmt"
	"regexp"
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
	id, err := s.db.CreateTag(ctx, name, time.Now().Unix())
	if err != nil {
		if errors.Is(err, store.ErrExists) {
			return Tag{}, fmt.Errorf("%w: %q", ErrExists, name)
		}
		return Tag{}, fmt.Errorf("create tag: %w", err)
	}
	return s.Get(ctx, id)
}

// Get returns one tag.
func (s *Service) Get(ctx context.Context, id int64) (Tag, error) {
	t, err := s.db.TagByID(ctx, id)
	if err != nil {
		return Tag{}, tagErr(err)
	}
	return fromStore(t), nil
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
func (s *Service) List(ctx context.Context) ([]Tag, error) { return fromStoreAll(s.db.ListTags(ctx)) }

func fromStore(t store.Tag) Tag {
	return Tag{ID: t.ID, Name: t.Name, Shorthand: t.Shorthand, Color: t.Color, IsCategory: t.IsCategory,
		IsHidden: t.IsHidden, Aliases: t.Aliases, Parents: t.Parents, Count: t.Count}
}

func fromStoreAll(ts []store.Tag, err error) ([]Tag, error) {
	if err != nil {
		return nil, err
	}
	out := make([]Tag, len(ts))
	for i, t := range ts {
		out[i] = fromStore(t)
	}
	return out, nil
}

// tagErr turns the store's errors into this package's.
func tagErr(err error) error {
	var missing *store.MissingTagError
	var cycle *store.TagCycleError
	switch {
	case errors.As(err, &missing):
		return fmt.Errorf("%w: id %d", ErrNotFound, missing.ID)
	case errors.As(err, &cycle):
		return fmt.Errorf("%w: %q already descends from %q", ErrCycle, cycle.Parent, cycle.Child)
	case errors.Is(err, store.ErrExists):
		return ErrExists
	}
	return err
}

// Rename changes a tag's name; every link stays.
func (s *Service) Rename(ctx context.Context, id int64, name string) error {
	name, err := cleanName(name)
	if err != nil {
		return err
	}
	if err := tagErr(s.db.RenameTag(ctx, id, name)); err != nil {
		return fmt.Errorf("rename tag: %w", err)
	}
	return nil
}

// SetShorthand sets (or clears) a tag's shorthand.
func (s *Service) SetShorthand(ctx context.Context, id int64, sh string) error {
	return tagErr(s.db.SetTagShorthand(ctx, id, strings.TrimSpace(sh)))
}

// SetColor sets a tag's colour ("" clears it).
func (s *Service) SetColor(ctx context.Context, id int64, c string) error {
	c, err := NormColour(c)
	if err != nil {
		return err
	}
	return tagErr(s.db.SetTagColor(ctx, id, c))
}

// SetCategory marks a tag as a category (shown as a group in the inspector).
func (s *Service) SetCategory(ctx context.Context, id int64, on bool) error {
	return tagErr(s.db.SetTagCategory(ctx, id, on))
}

// SetHidden hides a tag's entries from searches that do not ask for it.
func (s *Service) SetHidden(ctx context.Context, id int64, on bool) error {
	return tagErr(s.db.SetTagHidden(ctx, id, on))
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
	return s.db.AddTagAlias(ctx, id, alias)
}

// RemoveAlias removes an alias.
func (s *Service) RemoveAlias(ctx context.Context, id int64, alias string) error {
	return s.db.RemoveTagAlias(ctx, id, alias)
}

// AddParent makes parent a parent of child. A tag may have several
// parents; a link that would make the graph cyclic is refused.
func (s *Service) AddParent(ctx context.Context, child, parent int64) error {
	if child == parent {
		return fmt.Errorf("%w: a tag cannot be its own parent", ErrCycle)
	}
	return tagErr(s.db.AddTagParent(ctx, child, parent))
}

// RemoveParent unlinks a parent.
func (s *Service) RemoveParent(ctx context.Context, child, parent int64) error {
	return s.db.RemoveTagParent(ctx, child, parent)
}

// Delete removes a tag and its links. Built-in tags stay.
func (s *Service) Delete(ctx context.Context, id int64) error {
	if id == ArchivedID || id == FavouriteID {
		return ErrBuiltIn
	}
	return tagErr(s.db.DeleteTag(ctx, id))
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
	return tagErr(s.db.MergeTags(ctx, from, into))
}

// TagIDs resolves a name, shorthand or alias (case-insensitive) to tag ids,
// exact names first. It is the query language's resolver.
func (s *Service) TagIDs(ctx context.Context, name string) ([]int64, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return nil, nil
	}
	return s.db.TagIDsByName(ctx, name)
}

// TagByTagStudioID returns the tag imported with TagStudio tag id id, for
// the query language's tag_id:N; ok is false when there is none.
func (s *Service) TagByTagStudioID(ctx context.Context, id int64) (tagID int64, ok bool, err error) {
	tagID, err = s.db.TagIDForTagStudio(ctx, id)
	var missing *store.MissingTagError
	if errors.As(err, &missing) {
		return 0, false, nil // no tag was imported with that id
	}
	if err != nil {
		return 0, false, err
	}
	return tagID, true, nil
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
	change := s.db.ApplyTag
	if !add {
		change = s.db.RemoveTag
	}
	changed, err := change(ctx, tagID, entryIDs)
	if err != nil {
		return 0, fmt.Errorf("tag entries: %w", tagErr(err))
	}
	return len(changed), nil
}

// EntryTags returns the tags of one entry.
func (s *Service) EntryTags(ctx context.Context, entryID int64) ([]Tag, error) {
	return fromStoreAll(s.db.TagsOfEntry(ctx, entryID))
}

// Dismiss remembers that tag should never be suggested for these entries.
func (s *Service) Dismiss(ctx context.Context, tagID int64, entryIDs []int64) error {
	return s.db.DismissSuggestions(ctx, tagID, entryIDs)
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
		return s.db.DeleteEntryField(ctx, entryID, name)
	}
	return s.db.SetEntryField(ctx, entryID, store.Field{Name: name, Kind: kind, Value: value})
}

// Field is a named value on an entry.
type Field struct {
	Name  string `json:"name"`
	Kind  string `json:"kind" ts:"'text' | 'date'"`
	Value string `json:"value"`
}

// Fields returns an entry's fields.
func (s *Service) Fields(ctx context.Context, entryID int64) ([]Field, error) {
	fs, err := s.db.EntryFields(ctx, entryID)
	if err != nil {
		return nil, err
	}
	out := make([]Field, len(fs))
	for i, f := range fs {
		out[i] = Field{Name: f.Name, Kind: f.Kind, Value: f.Value}
	}
	return out, nil
}
