package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Entry is one file of a library.
type Entry struct {
	ID          int64
	Path        string // relative, '/'-separated, raw bytes of the name
	Size        int64
	MtimeNs     int64
	Fingerprint string
	MediaType   string
	Format      string
	Mime        string
	Width       int
	Height      int
	Orientation int
	Taken       string
	Make        string
	Model       string
	Lens        string
	ISO         int
	FNumber     float64
	Exposure    string
	FocalLength float64
	Lat, Lon    *float64
	Thumb       string // thumbnail file relative to .tagsight/thumbs, "" when none
	AddedAt     int64  // unix seconds
	UpdatedAt   int64
	Missing     bool
}

// DisplaySize is the size as shown: EXIF orientations 5–8 turn the picture
// a quarter, swapping width and height.
func (e Entry) DisplaySize() (w, h int) {
	if e.Orientation >= 5 && e.Orientation <= 8 {
		return e.Height, e.Width
	}
	return e.Width, e.Height
}

const entryCols = `id, path, size, mtime_ns, fingerprint, media_type, format, mime, width, height,
	orientation, taken, make, model, lens, iso, fnumber, exposure, focal_length, lat, lon, thumb,
	added_at, updated_at, missing`

type scanner interface{ Scan(dest ...any) error }

func scanEntry(r scanner) (Entry, error) {
	var e Entry
	var lat, lon sql.NullFloat64
	err := r.Scan(&e.ID, &e.Path, &e.Size, &e.MtimeNs, &e.Fingerprint, &e.MediaType, &e.Format, &e.Mime,
		&e.Width, &e.Height, &e.Orientation, &e.Taken, &e.Make, &e.Model, &e.Lens, &e.ISO, &e.FNumber,
		&e.Exposure, &e.FocalLength, &lat, &lon, &e.Thumb, &e.AddedAt, &e.UpdatedAt, &e.Missing)
	if lat.Valid {
		e.Lat = &lat.Float64
	}
	if lon.Valid {
		e.Lon = &lon.Float64
	}
	return e, err
}

func nullF(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// InsertEntry adds e and sets e.ID.
func InsertEntry(ctx context.Context, tx *Tx, e *Entry) error {
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO entries (path, size, mtime_ns, fingerprint, media_type, format, mime,
		width, height, orientation, taken, make, model, lens, iso, fnumber, exposure, focal_length, lat, lon, thumb,
		added_at, updated_at, missing) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0)`,
		e.Path, e.Size, e.MtimeNs, e.Fingerprint, e.MediaType, e.Format, e.Mime, e.Width, e.Height, e.Orientation,
		e.Taken, e.Make, e.Model, e.Lens, e.ISO, e.FNumber, e.Exposure, e.FocalLength, nullF(e.Lat), nullF(e.Lon),
		e.Thumb, e.AddedAt, e.UpdatedAt)
	if err != nil {
		return fmt.Errorf("insert entry: %w", err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

// clearPath deletes any entry other than id that holds path (a file that
// took another's name), with everything that hangs off it.
func clearPath(ctx context.Context, tx *Tx, path string, id int64) error {
	clash, err := int64s(ctx, tx, `SELECT id FROM entries WHERE path = ? AND id <> ?`, path, id)
	if err == nil {
		_, err = deleteEntries(ctx, tx, clash)
	}
	return err
}

// UpdateEntry rewrites every column of the entry with e.ID (path included,
// which is how a moved file keeps its id, tags and vectors) and clears
// missing. A different entry that held e.Path is removed first (see
// DeleteEntries): its file is gone, and the path now belongs to e. When the
// fingerprint changes, the content is another picture: its vectors, their
// share of its tags' centroids, its embedding failures and its analysis rows
// go, so every analyzer runs for it again.
func UpdateEntry(ctx context.Context, tx *Tx, e *Entry) error {
	if err := clearPath(ctx, tx, e.Path, e.ID); err != nil {
		return fmt.Errorf("update entry: %w", err)
	}
	var oldFP string
	err := tx.tx.QueryRowContext(ctx, `SELECT fingerprint FROM entries WHERE id = ?`, e.ID).Scan(&oldFP)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("update entry: %w", err)
	}
	if err == nil && oldFP != e.Fingerprint {
		if err := dropVectors(ctx, tx, []int64{e.ID}); err != nil {
			return fmt.Errorf("update entry: %w", err)
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM analysis WHERE entry_id = ?`, e.ID); err != nil {
			return fmt.Errorf("update entry: %w", err)
		}
	}
	_, err = tx.tx.ExecContext(ctx, `UPDATE entries SET path=?, size=?, mtime_ns=?, fingerprint=?, media_type=?, format=?,
		mime=?, width=?, height=?, orientation=?, taken=?, make=?, model=?, lens=?, iso=?, fnumber=?, exposure=?,
		focal_length=?, lat=?, lon=?, thumb=?, updated_at=?, missing=0 WHERE id=?`,
		e.Path, e.Size, e.MtimeNs, e.Fingerprint, e.MediaType, e.Format, e.Mime, e.Width, e.Height, e.Orientation,
		e.Taken, e.Make, e.Model, e.Lens, e.ISO, e.FNumber, e.Exposure, e.FocalLength, nullF(e.Lat), nullF(e.Lon),
		e.Thumb, e.UpdatedAt, e.ID)
	if err != nil {
		return fmt.Errorf("update entry: %w", err)
	}
	return nil
}

// DeleteEntries forgets entries in one transaction: their tag links,
// fields, dismissed suggestions, vectors in every model's tables (and their
// share of tag centroids), embedding failures and analysis rows go with them. It returns
// how many entries existed. Files on disk are not touched.
func (db *DB) DeleteEntries(ctx context.Context, ids []int64) (int, error) {
	var n int
	err := db.Tx(ctx, func(tx *Tx) error {
		var err error
		n, err = deleteEntries(ctx, tx, ids)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete entries: %w", err)
	}
	return n, nil
}

func deleteEntries(ctx context.Context, tx *Tx, ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	// Vectors first: taking them out of the centroids needs the tag links.
	if err := dropVectors(ctx, tx, ids); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		// The foreign keys cascade too; explicit deletes keep this right
		// on a connection that has them off.
		for _, q := range []string{
			`DELETE FROM entry_tags WHERE entry_id = ?`,
			`DELETE FROM entry_fields WHERE entry_id = ?`,
			`DELETE FROM dismissed_suggestions WHERE entry_id = ?`,
			`DELETE FROM analysis WHERE entry_id = ?`,
		} {
			if _, err := tx.tx.ExecContext(ctx, q, id); err != nil {
				return n, err
			}
		}
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM entries WHERE id = ?`, id)
		if err != nil {
			return n, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}

// dropVectors removes the entries' vectors for every model, in the vec0
// tables and the plain copy, takes them out of their tags' centroids,
// forgets the entries' embedding failures, and drops their faces.
func dropVectors(ctx context.Context, tx *Tx, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	models, err := Models(ctx, tx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		var tagIDs []int64
		tagsRead := false
		for _, m := range models {
			var b []byte
			err := tx.tx.QueryRowContext(ctx, `SELECT embedding FROM vectors WHERE model_id = ? AND entry_id = ?`, m.ID, id).Scan(&b)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return err
			default:
				if !tagsRead {
					if tagIDs, err = entryTagIDs(ctx, tx, id); err != nil {
						return err
					}
					tagsRead = true
				}
				v := BlobVector(b)
				for _, tid := range tagIDs {
					if err := addToCentroid(ctx, tx, m, tid, v, -1); err != nil {
						return err
					}
				}
				if _, err := tx.tx.ExecContext(ctx, `DELETE FROM vectors WHERE model_id = ? AND entry_id = ?`, m.ID, id); err != nil {
					return err
				}
			}
			if _, err := tx.tx.ExecContext(ctx, `DELETE FROM `+vecTable(m.ID)+` WHERE rowid = ?`, id); err != nil {
				return err
			}
		}
		if err := dropFrames(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM embed_errors WHERE entry_id = ?`, id); err != nil {
			return err
		}
	}
	return dropFaces(ctx, tx, ids)
}

// SetMissing flags entries whose files have vanished; they keep their tags
// and vectors until the file comes back or the user removes them.
func SetMissing(ctx context.Context, tx *Tx, ids []int64, missing bool) error {
	// updated_at says when the file was found gone: of several missing
	// entries with one content, the one gone last is the likeliest to be
	// a file that just moved (MoveCandidateBefore).
	st, err := tx.tx.PrepareContext(ctx, `UPDATE entries SET missing=?, updated_at=CASE WHEN ? THEN unixepoch() ELSE updated_at END WHERE id=? AND missing<>?`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, id := range ids {
		if _, err := st.ExecContext(ctx, missing, missing, id, missing); err != nil {
			return fmt.Errorf("mark missing: %w", err)
		}
	}
	return nil
}

// IndexRow is what an incremental scan needs to know about an entry.
type IndexRow struct {
	ID          int64
	Path        string
	Size        int64
	MtimeNs     int64
	Fingerprint string
	Thumb       string
	MediaType   string
	Missing     bool
	// UpdatedAt is when the row last changed: for a missing entry, when
	// its file was found gone.
	UpdatedAt int64
}

const indexCols = `id, path, size, mtime_ns, fingerprint, thumb, media_type, missing, updated_at`

// ScanIndex returns every entry's scan-relevant columns.
func (db *DB) ScanIndex(ctx context.Context) ([]IndexRow, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT `+indexCols+` FROM entries`)
	if err != nil {
		return nil, err
	}
	return scanIndexRows(rows)
}

func scanIndexRows(rows *sql.Rows) ([]IndexRow, error) {
	defer rows.Close()
	var out []IndexRow
	for rows.Next() {
		var r IndexRow
		if err := rows.Scan(&r.ID, &r.Path, &r.Size, &r.MtimeNs, &r.Fingerprint, &r.Thumb, &r.MediaType, &r.Missing, &r.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ScanIndexUnder returns the scan-relevant columns of the entries at or
// under the given library-relative paths (a file, or a folder and all it
// holds; "" is the whole library), each once, through the path index: what
// a scan limited to those paths reads, whatever the library's size.
func (db *DB) ScanIndexUnder(ctx context.Context, scope []string) ([]IndexRow, error) {
	if slices.Contains(scope, "") {
		return db.ScanIndex(ctx)
	}
	var out []IndexRow
	seen := map[int64]bool{}
	for _, s := range scope {
		rows, err := db.pool.QueryContext(ctx, `SELECT `+indexCols+` FROM entries WHERE `+underPath, underArgs(s)...)
		if err != nil {
			return nil, fmt.Errorf("read index under %q: %w", s, err)
		}
		got, err := scanIndexRows(rows)
		if err != nil {
			return nil, fmt.Errorf("read index under %q: %w", s, err)
		}
		for _, r := range got {
			if !seen[r.ID] { // scopes may nest when a caller did not clean them
				seen[r.ID] = true
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// MissingByContent returns the missing entries with this content (their
// file vanished, maybe to reappear under another path): the candidates a
// new file may be the moved copy of, found through entries_fingerprint
// rather than by reading every missing entry.
func (db *DB) MissingByContent(ctx context.Context, fingerprint string, size int64) ([]IndexRow, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT `+indexCols+` FROM entries WHERE fingerprint=? AND size=? AND missing<>0 ORDER BY id`, fingerprint, size)
	if err != nil {
		return nil, fmt.Errorf("find moved entry: %w", err)
	}
	out, err := scanIndexRows(rows)
	if err != nil {
		return nil, fmt.Errorf("find moved entry: %w", err)
	}
	return out, nil
}

// CountMissing counts the entries whose file is gone, through the partial
// index entries_missing (migration 10): its cost is the number of missing
// entries, not of entries.
func (db *DB) CountMissing(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE missing<>0`).Scan(&n)
	return n, err
}

// underPath matches a path equal to a scope or inside it as a folder, as
// two ranges of the path index (underArgs gives their bounds): '0' is the
// byte after '/', so [s/, s0) is everything under s/ and nothing else.
const underPath = `(path = ? OR (path >= ? AND path < ?))`

func underArgs(s string) []any { return []any{s, s + "/", s + "0"} }

// EntryByPath returns the entry at a library-relative path.
func (db *DB) EntryByPath(ctx context.Context, rel string) (Entry, error) {
	e, err := scanEntry(db.pool.QueryRowContext(ctx, `SELECT `+entryCols+` FROM entries WHERE path=?`, rel))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("%w: %s", ErrNotFound, rel)
	}
	return e, err
}

// EntryByID returns one entry.
func (db *DB) EntryByID(ctx context.Context, id int64) (Entry, error) {
	e, err := scanEntry(db.pool.QueryRowContext(ctx, `SELECT `+entryCols+` FROM entries WHERE id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("%w: entry %d", ErrNotFound, id)
	}
	return e, err
}

// EntriesByID returns the entries among ids that exist, by id: one query
// per 500 ids, however many results a page shows.
func (db *DB) EntriesByID(ctx context.Context, ids []int64) (map[int64]Entry, error) {
	out := make(map[int64]Entry, len(ids))
	for lo := 0; lo < len(ids); lo += 500 {
		in, args := inList(ids[lo:min(lo+500, len(ids))])
		rows, err := db.pool.QueryContext(ctx, `SELECT `+entryCols+` FROM entries WHERE id IN `+in, args...)
		if err != nil {
			return nil, fmt.Errorf("read entries: %w", err)
		}
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("read entries: %w", err)
			}
			out[e.ID] = e
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read entries: %w", err)
		}
	}
	return out, nil
}

// ListOptions pages and filters ListEntries.
type ListOptions struct {
	Limit          int // 0 = all
	Offset         int
	IncludeMissing bool
	OrderBy        string // "path" (default), "taken", "added", "size"
	Desc           bool
}

// ListEntries returns entries in a stable order.
func (db *DB) ListEntries(ctx context.Context, o ListOptions) ([]Entry, error) {
	var b strings.Builder
	b.WriteString(`SELECT ` + entryCols + ` FROM entries`)
	if !o.IncludeMissing {
		b.WriteString(` WHERE missing=0`)
	}
	col := map[string]string{"": "path", "path": "path", "taken": "taken", "added": "added_at", "size": "size"}[o.OrderBy]
	if col == "" {
		return nil, fmt.Errorf("unknown sort %q", o.OrderBy)
	}
	dir := " ASC"
	if o.Desc {
		dir = " DESC"
	}
	b.WriteString(" ORDER BY " + col + dir + ", id" + dir)
	var args []any
	if o.Limit > 0 || o.Offset > 0 {
		lim := o.Limit
		if lim <= 0 {
			lim = -1
		}
		b.WriteString(" LIMIT ? OFFSET ?")
		args = append(args, lim, o.Offset)
	}
	rows, err := db.pool.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountEntries counts present (not missing) and missing entries.
func (db *DB) CountEntries(ctx context.Context) (present, missing int, err error) {
	err = db.pool.QueryRowContext(ctx, `SELECT COUNT(*) FILTER (WHERE missing=0), COUNT(*) FILTER (WHERE missing<>0) FROM entries`).Scan(&present, &missing)
	return
}

// TagNames returns the names of an entry's tags, sorted.
func (db *DB) TagNames(ctx context.Context, entryID int64) ([]string, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT t.name FROM entry_tags et JOIN tags t ON t.id=et.tag_id WHERE et.entry_id=? ORDER BY t.name COLLATE NOCASE`, entryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ScanError is a file a scan could not index.
type ScanError struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// ReplaceScanErrors makes the stored errors within a completed scan's
// scope (library-relative files and folders as in ScanIndexUnder; nil or
// "" the whole library) those it found, touching only rows that changed (a
// repeated scan writes nothing). Errors outside the scope (a watcher's
// batch looked at a few paths) stay, and are not read.
func ReplaceScanErrors(ctx context.Context, tx *Tx, errs []ScanError, now int64, scope []string) error {
	if len(scope) == 0 || slices.Contains(scope, "") {
		scope = []string{""}
	}
	old := map[string]string{}
	for _, s := range scope {
		q, args := `SELECT path, error FROM scan_errors`, []any(nil)
		if s != "" {
			q, args = q+` WHERE `+underPath, underArgs(s)
		}
		rows, err := tx.tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var p, e string
			if err := rows.Scan(&p, &e); err != nil {
				rows.Close()
				return err
			}
			old[p] = e
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	keep := make(map[string]bool, len(errs))
	for _, e := range errs {
		keep[e.Path] = true
		if prev, ok := old[e.Path]; ok && prev == e.Error {
			continue
		}
		if _, err := tx.tx.ExecContext(ctx, `INSERT OR REPLACE INTO scan_errors(path, error, seen_at) VALUES (?,?,?)`, e.Path, e.Error, now); err != nil {
			return err
		}
	}
	for p := range old {
		if !keep[p] {
			if _, err := tx.tx.ExecContext(ctx, `DELETE FROM scan_errors WHERE path=?`, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// ScanErrors lists the errors of the last completed scan.
func (db *DB) ScanErrors(ctx context.Context) ([]ScanError, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT path, error FROM scan_errors ORDER BY path`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ScanError{}
	for rows.Next() {
		var e ScanError
		if err := rows.Scan(&e.Path, &e.Error); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AdoptTwin lets an entry whose file is gone (id) take over the place of a
// present entry with the same content that was made after it and holds
// nothing of the user's (no tag, no field, no face the user placed): the
// file moved while no scan saw the move, and a new entry was made for it
// at its new path first (a watcher's batch of the new path alone, or a
// tag given by path). The twin is removed, so the file keeps the tags of
// the entry it always was. Among several twins the one whose path ends
// most like the old path wins. It returns the path taken ("" for none).
func AdoptTwin(ctx context.Context, tx *Tx, id, updatedAt int64) (string, error) {
	var oldPath, fp string
	var size int64
	err := tx.tx.QueryRowContext(ctx, `SELECT path, fingerprint, size FROM entries WHERE id = ?`, id).Scan(&oldPath, &fp, &size)
	if err != nil {
		return "", fmt.Errorf("adopt twin: %w", err)
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT t.id, t.path, t.mtime_ns FROM entries t
		WHERE t.fingerprint = ? AND t.size = ? AND t.missing = 0 AND t.id > ?
		AND NOT EXISTS (SELECT 1 FROM entry_tags WHERE entry_id = t.id)
		AND NOT EXISTS (SELECT 1 FROM entry_fields WHERE entry_id = t.id)
		AND NOT EXISTS (SELECT 1 FROM faces WHERE entry_id = t.id AND pinned <> 0)
		ORDER BY t.id`, fp, size, id)
	if err != nil {
		return "", fmt.Errorf("adopt twin: %w", err)
	}
	var best struct {
		id, mtime int64
		path      string
		score     int
	}
	best.score = -1
	for rows.Next() {
		var tid, mtime int64
		var p string
		if err := rows.Scan(&tid, &p, &mtime); err != nil {
			rows.Close()
			return "", fmt.Errorf("adopt twin: %w", err)
		}
		if sc := SameTail(oldPath, p); sc > best.score {
			best.id, best.path, best.mtime, best.score = tid, p, mtime, sc
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || best.score < 0 {
		return "", err
	}
	// TouchEntry removes the twin that holds the path.
	return best.path, TouchEntry(ctx, tx, id, best.path, size, best.mtime, updatedAt)
}

// MoveCandidateBefore says whether a is likelier than b to be the entry of
// a file that now appeared at path with their content: the one whose old
// path ends more like path (a renamed folder keeps each file's own entry),
// then one that vanished in this very scan (not yet missing), then the one
// found gone last (an old missing copy is less likely than a file that
// just moved), then the newer entry.
func MoveCandidateBefore(a, b *IndexRow, path string) bool {
	if sa, sb := SameTail(a.Path, path), SameTail(b.Path, path); sa != sb {
		return sa > sb
	}
	if a.Missing != b.Missing {
		return !a.Missing
	}
	if a.UpdatedAt != b.UpdatedAt {
		return a.UpdatedAt > b.UpdatedAt
	}
	return a.ID > b.ID
}

// SameTail is how many trailing path elements a and b share: how much
// two paths of one file look like a move of it.
func SameTail(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	n := 0
	for n < len(as) && n < len(bs) && as[len(as)-1-n] == bs[len(bs)-1-n] {
		n++
	}
	return n
}
