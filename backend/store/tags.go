package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// TagRelatives returns ids with every descendant and every ancestor
// through tag_parents (several parents and cycles allowed), sorted, no
// repeats. Siblings and cousins are not relatives.
func (db *DB) TagRelatives(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, 2*len(ids))
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, args...)
	seed := "VALUES (?)" + strings.Repeat(", (?)", len(ids)-1)
	// UNION (not UNION ALL) stops the recursion on cycles.
	return int64s(ctx, db, `WITH RECURSIVE
		down(id) AS (`+seed+` UNION SELECT tp.child_id FROM tag_parents tp JOIN down ON tp.parent_id = down.id),
		up(id) AS (`+seed+` UNION SELECT tp.parent_id FROM tag_parents tp JOIN up ON tp.child_id = up.id)
		SELECT id FROM down UNION SELECT id FROM up ORDER BY 1`, args...)
}

// NotHidden is a condition over entries aliased e: the entry carries no
// hidden tag, except those in shown (the tags a query names).
func NotHidden(shown []int64) (string, []any) {
	var b strings.Builder
	// A list subquery, evaluated once, not a correlated one per row.
	b.WriteString(`e.id NOT IN (SELECT ht.entry_id FROM entry_tags ht WHERE ht.tag_id IN (SELECT id FROM tags WHERE is_hidden = 1`)
	var args []any
	if len(shown) > 0 {
		var in string
		in, args = inList(shown)
		b.WriteString(` AND id NOT IN ` + in)
	}
	b.WriteString(`))`)
	return b.String(), args
}

// Tag is a row of tags with its aliases, parents and how many present
// entries carry it.
type Tag struct {
	ID         int64
	Name       string
	Shorthand  string
	Color      string
	IsCategory bool
	IsHidden   bool
	Aliases    []string
	Parents    []int64
	Count      int
}

// ListTags returns every tag, sorted by name.
func (db *DB) ListTags(ctx context.Context) ([]Tag, error) { return db.listTags(ctx, "") }

// TagByID returns one tag, or a *MissingTagError.
func (db *DB) TagByID(ctx context.Context, id int64) (Tag, error) {
	ts, err := db.listTags(ctx, "WHERE t.id = ?", id)
	if err != nil {
		return Tag{}, err
	}
	if len(ts) == 0 {
		return Tag{}, &MissingTagError{ID: id}
	}
	return ts[0], nil
}

// TagsOfEntry returns the tags an entry carries, sorted by name.
func (db *DB) TagsOfEntry(ctx context.Context, entryID int64) ([]Tag, error) {
	return db.listTags(ctx, "WHERE t.id IN (SELECT tag_id FROM entry_tags WHERE entry_id = ?)", entryID)
}

func (db *DB) listTags(ctx context.Context, where string, args ...any) ([]Tag, error) {
	// tag_counts is kept by triggers (migration 11): counting here would
	// cost what the library holds, not what the tags number.
	rows, err := db.pool.QueryContext(ctx, `SELECT t.id, t.name, t.shorthand, t.color, t.is_category, t.is_hidden,
		coalesce((SELECT c.n FROM tag_counts c WHERE c.tag_id = t.id), 0)
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
	ar, err := db.pool.QueryContext(ctx, `SELECT tag_id, alias FROM tag_aliases ORDER BY alias COLLATE NOCASE`)
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
	pr, err := db.pool.QueryContext(ctx, `SELECT child_id, parent_id FROM tag_parents ORDER BY parent_id`)
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

func isUnique(err error) bool { return err != nil && strings.Contains(err.Error(), "UNIQUE") }

// CreateTag inserts a tag named name (already cleaned) and returns its id;
// ErrExists when the name is taken (names are unique, case-insensitively).
func (db *DB) CreateTag(ctx context.Context, name string, createdAt int64) (int64, error) {
	res, err := db.pool.ExecContext(ctx, `INSERT INTO tags(name, created_at) VALUES (?, ?)`, name, createdAt)
	if isUnique(err) {
		return 0, ErrExists
	}
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	return id, nil
}

// updateTag runs one statement over tag id: ErrExists on a unique clash, a
// *MissingTagError when it touched nothing.
func (db *DB) updateTag(ctx context.Context, id int64, q string, args ...any) error {
	res, err := db.pool.ExecContext(ctx, q, args...)
	if isUnique(err) {
		return ErrExists
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := db.TagByID(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// RenameTag changes a tag's name; every link stays.
func (db *DB) RenameTag(ctx context.Context, id int64, name string) error {
	return db.updateTag(ctx, id, `UPDATE tags SET name=? WHERE id=?`, name, id)
}

// SetTagShorthand sets (or, with "", clears) a tag's shorthand.
func (db *DB) SetTagShorthand(ctx context.Context, id int64, sh string) error {
	return db.updateTag(ctx, id, `UPDATE tags SET shorthand=? WHERE id=?`, sh, id)
}

// SetTagColor sets (or, with "", clears) a tag's colour.
func (db *DB) SetTagColor(ctx context.Context, id int64, c string) error {
	return db.updateTag(ctx, id, `UPDATE tags SET color=? WHERE id=?`, c, id)
}

// SetTagCategory sets a tag's category flag.
func (db *DB) SetTagCategory(ctx context.Context, id int64, on bool) error {
	return db.updateTag(ctx, id, `UPDATE tags SET is_category=? WHERE id=?`, on, id)
}

// SetTagHidden sets a tag's hidden flag.
func (db *DB) SetTagHidden(ctx context.Context, id int64, on bool) error {
	return db.updateTag(ctx, id, `UPDATE tags SET is_hidden=? WHERE id=?`, on, id)
}

// DeleteTag removes a tag and (by cascade) its links.
func (db *DB) DeleteTag(ctx context.Context, id int64) error {
	return db.updateTag(ctx, id, `DELETE FROM tags WHERE id=?`, id)
}

// AddTagAlias adds another name for a tag (a repeat is ignored).
func (db *DB) AddTagAlias(ctx context.Context, id int64, alias string) error {
	_, err := db.pool.ExecContext(ctx, `INSERT OR IGNORE INTO tag_aliases(tag_id, alias) VALUES (?, ?)`, id, alias)
	return err
}

// RemoveTagAlias removes an alias (case-insensitively).
func (db *DB) RemoveTagAlias(ctx context.Context, id int64, alias string) error {
	_, err := db.pool.ExecContext(ctx, `DELETE FROM tag_aliases WHERE tag_id=? AND alias=? COLLATE NOCASE`, id, alias)
	return err
}

// AddTagParent links parent above child in one transaction: both must
// exist (else a *MissingTagError) and parent must not already descend
// from child (else a *TagCycleError).
func (db *DB) AddTagParent(ctx context.Context, child, parent int64) error {
	return db.Tx(ctx, func(tx *Tx) error {
		for _, id := range []int64{child, parent} {
			var x int64
			if err := tx.tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE id=?`, id).Scan(&x); err != nil {
				return &MissingTagError{ID: id}
			}
		}
		var n int
		err := tx.tx.QueryRowContext(ctx, `WITH RECURSIVE d(id) AS (SELECT ? UNION SELECT tp.child_id FROM tag_parents tp JOIN d ON tp.parent_id = d.id)
			SELECT COUNT(*) FROM d WHERE id = ?`, child, parent).Scan(&n)
		if err != nil {
			return err
		}
		if n > 0 {
			var cn, pn string
			tx.tx.QueryRowContext(ctx, `SELECT name FROM tags WHERE id=?`, child).Scan(&cn)
			tx.tx.QueryRowContext(ctx, `SELECT name FROM tags WHERE id=?`, parent).Scan(&pn)
			return &TagCycleError{Child: cn, Parent: pn}
		}
		_, err = tx.tx.ExecContext(ctx, `INSERT OR IGNORE INTO tag_parents(child_id, parent_id) VALUES (?, ?)`, child, parent)
		return err
	})
}

// RemoveTagParent unlinks a parent.
func (db *DB) RemoveTagParent(ctx context.Context, child, parent int64) error {
	_, err := db.pool.ExecContext(ctx, `DELETE FROM tag_parents WHERE child_id=? AND parent_id=?`, child, parent)
	return err
}

// MergeTags folds tag from into tag into, in one transaction: from's
// entries, aliases (and its name, as an alias), parents, children and
// dismissed suggestions move over, from is deleted, self-links the merge
// made are dropped and into's centroids are rebuilt. Either tag missing is
// a *MissingTagError; on any failure nothing changes.
func (db *DB) MergeTags(ctx context.Context, from, into int64) error {
	return db.Tx(ctx, func(tx *Tx) error { return mergeTagsTx(ctx, tx, from, into) })
}

func mergeTagsTx(ctx context.Context, tx *Tx, from, into int64) error {
	var fromName string
	if err := tx.tx.QueryRowContext(ctx, `SELECT name FROM tags WHERE id=?`, from).Scan(&fromName); err != nil {
		return &MissingTagError{ID: from}
	}
	var x int64
	if err := tx.tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE id=?`, into).Scan(&x); err != nil {
		return &MissingTagError{ID: into}
	}
	stmts := []string{
		`INSERT OR IGNORE INTO entry_tags(entry_id, tag_id) SELECT entry_id, ? FROM entry_tags WHERE tag_id=?`,
		`INSERT OR IGNORE INTO tag_aliases(tag_id, alias) SELECT ?, alias FROM tag_aliases WHERE tag_id=?`,
		`INSERT OR IGNORE INTO tag_parents(child_id, parent_id) SELECT ?, parent_id FROM tag_parents WHERE child_id=?`,
		`INSERT OR IGNORE INTO tag_parents(child_id, parent_id) SELECT child_id, ? FROM tag_parents WHERE parent_id=?`,
		`INSERT OR IGNORE INTO dismissed_suggestions(entry_id, tag_id) SELECT entry_id, ? FROM dismissed_suggestions WHERE tag_id=?`,
	}
	for _, q := range stmts {
		if _, err := tx.tx.ExecContext(ctx, q, into, from); err != nil {
			return fmt.Errorf("merge tags: %w", err)
		}
	}
	if _, err := tx.tx.ExecContext(ctx, `INSERT OR IGNORE INTO tag_aliases(tag_id, alias) VALUES (?, ?)`, into, fromName); err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM tags WHERE id=?`, from); err != nil {
		return err
	}
	// A merge can close a loop (into's child was from's parent): drop self-links.
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM tag_parents WHERE child_id = parent_id`); err != nil {
		return err
	}
	return RecomputeCentroids(ctx, tx, into)
}

// TagIDsByName resolves a name, shorthand or alias (case-insensitive,
// already cleaned) to tag ids: exact names first, then shorthands, then
// aliases, no repeats.
func (db *DB) TagIDsByName(ctx context.Context, name string) ([]int64, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT id, 0 FROM tags WHERE name = ? COLLATE NOCASE
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

// ApplyTag adds a tag to entries in one transaction (ids that are not
// entries are skipped), clears the dismissed suggestions it now answers,
// folds the entries into the tag's centroids, and returns the entries that
// gained it. A missing tag is a *MissingTagError.
func (db *DB) ApplyTag(ctx context.Context, tagID int64, entryIDs []int64) ([]int64, error) {
	return db.changeTag(ctx, tagID, entryIDs, true)
}

// RemoveTag takes a tag off entries in one transaction, takes them out of
// its centroids, and returns the entries that lost it.
func (db *DB) RemoveTag(ctx context.Context, tagID int64, entryIDs []int64) ([]int64, error) {
	return db.changeTag(ctx, tagID, entryIDs, false)
}

func (db *DB) changeTag(ctx context.Context, tagID int64, entryIDs []int64, add bool) ([]int64, error) {
	var changed []int64
	err := db.Tx(ctx, func(tx *Tx) error {
		var err error
		changed, err = changeTagTx(ctx, tx, tagID, entryIDs, add)
		return err
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// changeTagTx is ApplyTag (add) or RemoveTag in tx.
func changeTagTx(ctx context.Context, tx *Tx, tagID int64, entryIDs []int64, add bool) ([]int64, error) {
	var changed []int64
	var x int64
	if err := tx.tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE id=?`, tagID).Scan(&x); err != nil {
		return nil, &MissingTagError{ID: tagID}
	}
	q := `INSERT OR IGNORE INTO entry_tags(entry_id, tag_id) SELECT id, ? FROM entries WHERE id=?`
	if !add {
		q = `DELETE FROM entry_tags WHERE tag_id=? AND entry_id=?`
	}
	st, err := tx.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	for _, id := range entryIDs {
		res, err := st.ExecContext(ctx, tagID, id)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			changed = append(changed, id)
		}
	}
	if add && len(changed) > 0 {
		// An applied tag is no longer a dismissed suggestion there.
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM dismissed_suggestions WHERE tag_id=? AND entry_id IN (SELECT entry_id FROM entry_tags WHERE tag_id=?)`, tagID, tagID); err != nil {
			return nil, err
		}
	}
	sign := 1
	if !add {
		sign = -1
	}
	return changed, AdjustCentroids(ctx, tx, tagID, changed, sign)
}

// DismissSuggestions remembers, in one transaction, that a tag should
// never be suggested for these entries.
func (db *DB) DismissSuggestions(ctx context.Context, tagID int64, entryIDs []int64) error {
	return db.Tx(ctx, func(tx *Tx) error {
		for _, id := range entryIDs {
			if _, err := tx.tx.ExecContext(ctx, `INSERT OR IGNORE INTO dismissed_suggestions(entry_id, tag_id) VALUES (?, ?)`, id, tagID); err != nil {
				return err
			}
		}
		return nil
	})
}

// Field is a named text or date value on an entry.
type Field struct {
	Name  string
	Kind  string
	Value string
}

// SetEntryField sets (replacing) a field on an entry.
func (db *DB) SetEntryField(ctx context.Context, entryID int64, f Field) error {
	_, err := db.pool.ExecContext(ctx, `INSERT OR REPLACE INTO entry_fields(entry_id, name, kind, value) VALUES (?,?,?,?)`, entryID, f.Name, f.Kind, f.Value)
	return err
}

// DeleteEntryField removes a field from an entry.
func (db *DB) DeleteEntryField(ctx context.Context, entryID int64, name string) error {
	_, err := db.pool.ExecContext(ctx, `DELETE FROM entry_fields WHERE entry_id=? AND name=?`, entryID, name)
	return err
}

// EntryFields returns an entry's fields, sorted by name (never nil).
func (db *DB) EntryFields(ctx context.Context, entryID int64) ([]Field, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT name, kind, value FROM entry_fields WHERE entry_id=? ORDER BY name`, entryID)
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

// AddTagParentsAsFound links each child under its parent as an older
// library or an import holds them, without AddTagParent's cycle check:
// libraries written before that check hold cycles, and every query over
// the hierarchy must still end on them. Links are {child, parent}.
func (db *DB) AddTagParentsAsFound(ctx context.Context, links [][2]int64) error {
	return db.Tx(ctx, func(tx *Tx) error {
		for _, l := range links {
			if _, err := tx.tx.ExecContext(ctx, `INSERT OR IGNORE INTO tag_parents(child_id, parent_id) VALUES (?, ?)`, l[0], l[1]); err != nil {
				return fmt.Errorf("add tag parent: %w", err)
			}
		}
		return nil
	})
}
