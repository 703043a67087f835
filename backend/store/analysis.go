package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Analysis states.
const (
	AnalysisDone   = "done"
	AnalysisFailed = "failed"
)

// AnalysisRow is what one analyzer did for one entry.
type AnalysisRow struct {
	EntryID     int64
	Analyzer    string
	Fingerprint string // the content it was done for
	Version     string
	State       string // AnalysisDone or AnalysisFailed
	Error       string
	UpdatedAt   int64
}

// PutAnalysis records (replaces) what an analyzer did for an entry.
func PutAnalysis(ctx context.Context, tx *Tx, r AnalysisRow) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT OR REPLACE INTO analysis(entry_id, analyzer, fingerprint, version, state, error, updated_at)
		VALUES (?,?,?,?,?,?,?)`, r.EntryID, r.Analyzer, r.Fingerprint, r.Version, r.State, r.Error, r.UpdatedAt)
	if err != nil {
		return fmt.Errorf("record analysis: %w", err)
	}
	return nil
}

// EntryExists says whether an entry is (still) in the library.
func EntryExists(ctx context.Context, tx *Tx, id int64) (bool, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE id=?`, id).Scan(&n)
	return n > 0, err
}

// AnalysisIndex returns every entry's analysis rows, by entry id and
// analyzer name.
func (db *DB) AnalysisIndex(ctx context.Context) (map[int64]map[string]AnalysisRow, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT entry_id, analyzer, fingerprint, version, state, error, updated_at FROM analysis`)
	if err != nil {
		return nil, fmt.Errorf("read analysis: %w", err)
	}
	out := map[int64]map[string]AnalysisRow{}
	if err := scanAnalysisRows(rows, out); err != nil {
		return nil, fmt.Errorf("read analysis: %w", err)
	}
	return out, nil
}

// AnalysisFor returns the analysis rows of some entries, by entry id and
// analyzer name, through the table's key: what a scan of a few paths needs,
// without reading the rows of the rest of the library.
func (db *DB) AnalysisFor(ctx context.Context, ids []int64) (map[int64]map[string]AnalysisRow, error) {
	out := map[int64]map[string]AnalysisRow{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		in, args := inList(ids[:n])
		ids = ids[n:]
		rows, err := db.pool.QueryContext(ctx, `SELECT entry_id, analyzer, fingerprint, version, state, error, updated_at FROM analysis WHERE entry_id IN `+in, args...)
		if err != nil {
			return nil, fmt.Errorf("read analysis: %w", err)
		}
		if err := scanAnalysisRows(rows, out); err != nil {
			return nil, fmt.Errorf("read analysis: %w", err)
		}
	}
	return out, nil
}

func scanAnalysisRows(rows *sql.Rows, out map[int64]map[string]AnalysisRow) error {
	defer rows.Close()
	for rows.Next() {
		var r AnalysisRow
		if err := rows.Scan(&r.EntryID, &r.Analyzer, &r.Fingerprint, &r.Version, &r.State, &r.Error, &r.UpdatedAt); err != nil {
			return err
		}
		m := out[r.EntryID]
		if m == nil {
			m = map[string]AnalysisRow{}
			out[r.EntryID] = m
		}
		m[r.Analyzer] = r
	}
	return rows.Err()
}

// EntryWarnings lists what the analyses of an entry's current content
// warned about (a damaged picture analysed from the part that decodes).
func (db *DB) EntryWarnings(ctx context.Context, entryID int64) ([]string, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT DISTINCT a.error FROM analysis a JOIN entries e ON e.id = a.entry_id
		WHERE a.entry_id=? AND a.state=? AND a.error<>'' AND a.fingerprint=e.fingerprint ORDER BY a.error`, entryID, AnalysisDone)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// EntryAnalysis returns one entry's analysis rows by analyzer name.
func (db *DB) EntryAnalysis(ctx context.Context, entryID int64) (map[string]AnalysisRow, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT entry_id, analyzer, fingerprint, version, state, error, updated_at FROM analysis WHERE entry_id=?`, entryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]AnalysisRow{}
	for rows.Next() {
		var r AnalysisRow
		if err := rows.Scan(&r.EntryID, &r.Analyzer, &r.Fingerprint, &r.Version, &r.State, &r.Error, &r.UpdatedAt); err != nil {
			return nil, err
		}
		out[r.Analyzer] = r
	}
	return out, rows.Err()
}

// AnalysisCandidate is a present entry an analysis run may work on.
type AnalysisCandidate struct {
	ID          int64
	Path        string
	Fingerprint string
	MediaType   string
}

// AnalysisCandidates lists present entries of the given media types in
// path order.
func (db *DB) AnalysisCandidates(ctx context.Context, mediaTypes ...string) ([]AnalysisCandidate, error) {
	q := `SELECT id, path, fingerprint, media_type FROM entries WHERE missing=0`
	var args []any
	if len(mediaTypes) > 0 {
		q += ` AND media_type IN (?` + repeat(",?", len(mediaTypes)-1) + `)`
		for _, m := range mediaTypes {
			args = append(args, m)
		}
	}
	rows, err := db.pool.QueryContext(ctx, q+` ORDER BY path`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AnalysisCandidate
	for rows.Next() {
		var c AnalysisCandidate
		if err := rows.Scan(&c.ID, &c.Path, &c.Fingerprint, &c.MediaType); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}

// TouchEntry records that an entry's file, same content, now has this
// path, size and mtime (touched or moved): everything analysed from the
// content is kept. Another entry that held the path is removed first, as in
// UpdateEntry.
func TouchEntry(ctx context.Context, tx *Tx, id int64, path string, size, mtimeNs, updatedAt int64) error {
	if err := clearPath(ctx, tx, path, id); err != nil {
		return fmt.Errorf("touch entry: %w", err)
	}
	_, err := tx.tx.ExecContext(ctx, `UPDATE entries SET path=?, size=?, mtime_ns=?, updated_at=?, missing=0 WHERE id=?`,
		path, size, mtimeNs, updatedAt, id)
	if err != nil {
		return fmt.Errorf("touch entry: %w", err)
	}
	return nil
}

// SetEntryInfo writes what a picture's headers say (type, size,
// orientation, EXIF) into the entry with e.ID.
func SetEntryInfo(ctx context.Context, tx *Tx, e *Entry) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE entries SET media_type=?, format=?, mime=?, width=?, height=?, orientation=?,
		taken=?, make=?, model=?, lens=?, iso=?, fnumber=?, exposure=?, focal_length=?, lat=?, lon=? WHERE id=?`,
		e.MediaType, e.Format, e.Mime, e.Width, e.Height, e.Orientation, e.Taken, e.Make, e.Model, e.Lens,
		e.ISO, e.FNumber, e.Exposure, e.FocalLength, nullF(e.Lat), nullF(e.Lon), e.ID)
	if err != nil {
		return fmt.Errorf("set entry info: %w", err)
	}
	return nil
}

// SetThumb sets an entry's thumbnail file ("" for none).
func SetThumb(ctx context.Context, tx *Tx, id int64, thumb string) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE entries SET thumb=? WHERE id=?`, thumb, id); err != nil {
		return fmt.Errorf("set thumbnail: %w", err)
	}
	return nil
}
