package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// This file reads TagStudio's ts_library.sqlite (every DB_VERSION from 6
// on) into plain structs, read-only and immutable: TagStudio's file is never
// written. It also keeps the map from TagStudio tag ids to Tagsight's.

// ErrTagStudioVersion is a TagStudio database this code does not read.
var ErrTagStudioVersion = errors.New("unsupported TagStudio database version")

// TSLibrary is what a TagStudio database holds that Tagsight can use.
type TSLibrary struct {
	Version int
	// HasHidden: the tags carry TagStudio's hidden flag (DB_VERSION 103 on).
	HasHidden bool
	Tags      []TSTag
	Entries   []TSEntry
	Fields    []TSField
	// Colors maps "namespace/slug" to the colour's primary "#rrggbb".
	Colors map[string]string
}

// TSTag is a TagStudio tag; Parents are the ids of its parent tags (the
// direction already fixed for databases older than version 100).
type TSTag struct {
	ID             int64
	Name           string
	Shorthand      string
	ColorNamespace string
	ColorSlug      string
	IsCategory     bool
	IsHidden       bool
	Disambiguation int64 // 0: none
	Aliases        []string
	Parents        []int64
}

// TSEntry is a TagStudio entry: its path relative to the library, '/'
// separated as TagStudio wrote it, and its tags.
type TSEntry struct {
	ID     int64
	Path   string
	TagIDs []int64
}

// TSField is a text or datetime field on a TagStudio entry.
type TSField struct {
	EntryID int64
	Name    string
	Kind    string // "text" or "date"
	Value   string
	Null    bool // the value was NULL
}

// TSVersionKnown says whether v is a TagStudio DB_VERSION this code reads:
// 6–9 and any minor of majors 1–4 (100–499).
func TSVersionKnown(v int) bool { return v >= 6 && v <= 9 || v >= 100 && v < 500 }

// ReadTagStudio reads the TagStudio database at path without writing it.
func ReadTagStudio(ctx context.Context, path string) (*TSLibrary, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("tagstudio: %w", err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("immutable", "1")
	sdb, err := sql.Open("sqlite3", "file:"+escapeDSNPath(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("tagstudio: open %s: %w", path, err)
	}
	defer sdb.Close()
	sdb.SetMaxOpenConns(1)
	r := &tsReader{db: sdb, ctx: ctx}
	lib, err := r.read()
	if err != nil {
		return nil, fmt.Errorf("tagstudio: %s: %w", path, err)
	}
	return lib, nil
}

type tsReader struct {
	db     *sql.DB
	ctx    context.Context
	tables map[string]map[string]bool // table -> columns
}

func (r *tsReader) has(table, col string) bool {
	cols, ok := r.tables[table]
	if !ok {
		return false
	}
	return col == "" || cols[col]
}

func (r *tsReader) loadSchema() error {
	rows, err := r.db.QueryContext(r.ctx, `SELECT name FROM sqlite_master WHERE type='table'`)
	if err != nil {
		return fmt.Errorf("not a readable SQLite database: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("not a readable SQLite database: %w", err)
	}
	r.tables = map[string]map[string]bool{}
	for _, n := range names {
		cr, err := r.db.QueryContext(r.ctx, `SELECT name FROM pragma_table_info(?)`, n)
		if err != nil {
			return err
		}
		cols := map[string]bool{}
		for cr.Next() {
			var c string
			cr.Scan(&c)
			cols[c] = true
		}
		cr.Close()
		r.tables[n] = cols
	}
	return nil
}

func (r *tsReader) version() (int, error) {
	var raw sql.NullString
	var err error
	switch {
	case r.has("versions", ""):
		err = r.db.QueryRowContext(r.ctx, `SELECT value FROM versions WHERE key='CURRENT'`).Scan(&raw)
	case r.has("preferences", ""):
		err = r.db.QueryRowContext(r.ctx, `SELECT value FROM preferences WHERE key='DB_VERSION'`).Scan(&raw)
	default:
		return 0, errors.New("not a TagStudio library (no versions or preferences table)")
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errors.New("not a TagStudio library (no DB_VERSION recorded)")
	}
	if err != nil {
		return 0, err
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimSpace(raw.String), `"`))
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrTagStudioVersion, raw.String)
	}
	return v, nil
}

func (r *tsReader) read() (*TSLibrary, error) {
	if err := r.loadSchema(); err != nil {
		return nil, err
	}
	v, err := r.version()
	if err != nil {
		return nil, err
	}
	if !TSVersionKnown(v) {
		return nil, fmt.Errorf("%w %d (this Tagsight reads 6–9 and 100–499)", ErrTagStudioVersion, v)
	}
	for _, t := range []string{"tags", "tag_parents", "tag_aliases", "tag_entries", "entries"} {
		if !r.has(t, "") {
			return nil, fmt.Errorf("not a TagStudio library: version %d without a %s table", v, t)
		}
	}
	lib := &TSLibrary{Version: v, Colors: map[string]string{}}
	if err := r.readTags(lib); err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	if err := r.readEntries(lib); err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	if err := r.readFields(lib); err != nil {
		return nil, fmt.Errorf("read fields: %w", err)
	}
	return lib, nil
}

func (r *tsReader) readTags(lib *TSLibrary) error {
	hidden := "0"
	if r.has("tags", "is_hidden") {
		hidden = "COALESCE(is_hidden, 0)"
		lib.HasHidden = true
	}
	rows, err := r.db.QueryContext(r.ctx, `SELECT id, name, COALESCE(shorthand, ''), COALESCE(color_namespace, ''),
		COALESCE(color_slug, ''), COALESCE(is_category, 0), `+hidden+`, COALESCE(disambiguation_id, 0) FROM tags ORDER BY id`)
	if err != nil {
		return err
	}
	byID := map[int64]int{}
	for rows.Next() {
		var t TSTag
		if err := rows.Scan(&t.ID, &t.Name, &t.Shorthand, &t.ColorNamespace, &t.ColorSlug, &t.IsCategory, &t.IsHidden, &t.Disambiguation); err != nil {
			rows.Close()
			return err
		}
		t.Aliases, t.Parents = []string{}, []int64{}
		byID[t.ID] = len(lib.Tags)
		lib.Tags = append(lib.Tags, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	ar, err := r.db.QueryContext(r.ctx, `SELECT tag_id, name FROM tag_aliases ORDER BY id`)
	if err != nil {
		return err
	}
	for ar.Next() {
		var id int64
		var a string
		if err := ar.Scan(&id, &a); err != nil {
			ar.Close()
			return err
		}
		if i, ok := byID[id]; ok {
			lib.Tags[i].Aliases = append(lib.Tags[i].Aliases, a)
		}
	}
	ar.Close()
	// Before DB_VERSION 100 TagStudio wrote the columns the wrong way round
	// (parent_id held the child); its migration to 100 swapped them.
	q := `SELECT child_id, parent_id FROM tag_parents ORDER BY 1, 2`
	if lib.Version < 100 {
		q = `SELECT parent_id, child_id FROM tag_parents ORDER BY 1, 2`
	}
	pr, err := r.db.QueryContext(r.ctx, q)
	if err != nil {
		return err
	}
	for pr.Next() {
		var c, p int64
		if err := pr.Scan(&c, &p); err != nil {
			pr.Close()
			return err
		}
		if i, ok := byID[c]; ok {
			lib.Tags[i].Parents = append(lib.Tags[i].Parents, p)
		}
	}
	pr.Close()
	if r.has("tag_colors", "") {
		cr, err := r.db.QueryContext(r.ctx, `SELECT namespace, slug, "primary" FROM tag_colors`)
		if err != nil {
			return err
		}
		for cr.Next() {
			var ns, slug, prim string
			if err := cr.Scan(&ns, &slug, &prim); err != nil {
				cr.Close()
				return err
			}
			lib.Colors[ns+"/"+slug] = prim
		}
		cr.Close()
	}
	return nil
}

func (r *tsReader) readEntries(lib *TSLibrary) error {
	rows, err := r.db.QueryContext(r.ctx, `SELECT id, path FROM entries ORDER BY id`)
	if err != nil {
		return err
	}
	byID := map[int64]int{}
	for rows.Next() {
		var e TSEntry
		if err := rows.Scan(&e.ID, &e.Path); err != nil {
			rows.Close()
			return err
		}
		e.TagIDs = []int64{}
		byID[e.ID] = len(lib.Entries)
		lib.Entries = append(lib.Entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	tr, err := r.db.QueryContext(r.ctx, `SELECT entry_id, tag_id FROM tag_entries ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	defer tr.Close()
	for tr.Next() {
		var e, t int64
		if err := tr.Scan(&e, &t); err != nil {
			return err
		}
		if i, ok := byID[e]; ok {
			lib.Entries[i].TagIDs = append(lib.Entries[i].TagIDs, t)
		}
	}
	return tr.Err()
}

func (r *tsReader) readFields(lib *TSLibrary) error {
	for _, ft := range []struct{ table, kind string }{{"text_fields", "text"}, {"datetime_fields", "date"}} {
		if !r.has(ft.table, "") {
			continue
		}
		var q string
		switch {
		case r.has(ft.table, "name"):
			q = `SELECT entry_id, name, value FROM ` + ft.table + ` ORDER BY entry_id, id`
		case r.has(ft.table, "type_key") && r.has("value_type", ""):
			// Before DB_VERSION 200 a field named its kind through value_type.
			q = `SELECT f.entry_id, COALESCE(vt.name, f.type_key), f.value FROM ` + ft.table + ` f
				LEFT JOIN value_type vt ON vt."key" = f.type_key ORDER BY f.entry_id, f.position, f.id`
		default:
			return fmt.Errorf("%s has neither name nor type_key", ft.table)
		}
		rows, err := r.db.QueryContext(r.ctx, q)
		if err != nil {
			return err
		}
		for rows.Next() {
			var f TSField
			var v sql.NullString
			if err := rows.Scan(&f.EntryID, &f.Name, &v); err != nil {
				rows.Close()
				return err
			}
			f.Kind, f.Value, f.Null = ft.kind, v.String, !v.Valid
			lib.Fields = append(lib.Fields, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// SetTagStudioID records that TagStudio's tag tsID is Tagsight's tagID.
func (db *DB) SetTagStudioID(ctx context.Context, tsID, tagID int64) error {
	_, err := db.pool.ExecContext(ctx, `INSERT INTO tagstudio_ids(ts_id, tag_id) VALUES (?, ?)
		ON CONFLICT(ts_id) DO UPDATE SET tag_id=excluded.tag_id`, tsID, tagID)
	return err
}

// TagStudioIDs returns every recorded TagStudio tag id and the Tagsight
// tag it became.
func (db *DB) TagStudioIDs(ctx context.Context) (map[int64]int64, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT ts_id, tag_id FROM tagstudio_ids`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var ts, id int64
		if err := rows.Scan(&ts, &id); err != nil {
			return nil, err
		}
		out[ts] = id
	}
	return out, rows.Err()
}

// TagIDForTagStudio returns the Tagsight tag imported as TagStudio's tag
// tsID (for `tag_id:N`), or a *MissingTagError.
func (db *DB) TagIDForTagStudio(ctx context.Context, tsID int64) (int64, error) {
	var id int64
	err := db.pool.QueryRowContext(ctx, `SELECT tag_id FROM tagstudio_ids WHERE ts_id=?`, tsID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, &MissingTagError{ID: tsID}
	}
	return id, err
}

// AddMissingEntries brings in entries whose file Tagsight has never read
// (a TagStudio entry whose file is not on disk): flagged missing, with no
// fingerprint, size or time, so that their tags and fields have an entry
// to live on. The next scan that finds a file at such a path takes the
// entry over (library.Scan: the row at a file's path is its previous
// entry); an empty fingerprint never matches a file's content. A path that
// already has an entry keeps it. Each e.ID is set to the entry at e.Path.
func (db *DB) AddMissingEntries(ctx context.Context, es []Entry, now int64) error {
	return db.Tx(ctx, func(tx *Tx) error {
		ins, err := tx.tx.PrepareContext(ctx, `INSERT INTO entries (path, size, mtime_ns, fingerprint, media_type, format,
			added_at, updated_at, missing) VALUES (?, 0, 0, '', ?, ?, ?, ?, 1) ON CONFLICT(path) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("add missing entries: %w", err)
		}
		defer ins.Close()
		for i := range es {
			e := &es[i]
			if _, err := ins.ExecContext(ctx, e.Path, e.MediaType, e.Format, now, now); err != nil {
				return fmt.Errorf("add missing entry: %w", err)
			}
			if err := tx.tx.QueryRowContext(ctx, `SELECT id FROM entries WHERE path = ?`, e.Path).Scan(&e.ID); err != nil {
				return fmt.Errorf("add missing entry: %w", err)
			}
		}
		return nil
	})
}
