package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tagsight/tagsight/backend/facts"
)

const factCols = `duration, codec, audio_codec, width, height, fps, bitrate, rotation, sample_rate, channels,
	created, lat, lon, make, model, pages, title, artist, album, author, genre, year, track,
	entries, unpacked, triangles, size_x, size_y, size_z, lines, encoding, family, style, glyphs, subject, keywords`

// SetFacts keeps an entry's facts, replacing those it had; zero facts
// remove its row (a file whose kind has none, or no longer has them).
func SetFacts(ctx context.Context, tx *Tx, id int64, f facts.Facts) error {
	if f.IsZero() {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM entry_facts WHERE entry_id=?`, id); err != nil {
			return fmt.Errorf("clear facts: %w", err)
		}
		return nil
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT OR REPLACE INTO entry_facts (entry_id, `+factCols+`)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		id, f.Duration, f.Codec, f.AudioCodec, f.Width, f.Height, f.FPS, f.Bitrate, f.Rotation, f.SampleRate,
		f.Channels, f.Created, nullF(f.Lat), nullF(f.Lon), f.Make, f.Model, f.Pages, f.Title, f.Artist,
		f.Album, f.Author, f.Genre, f.Year, f.Track, f.Entries, f.Unpacked, f.Triangles, f.SizeX, f.SizeY, f.SizeZ,
		f.Lines, f.Encoding, f.Family, f.Style, f.Glyphs, f.Subject, f.Keywords)
	if err != nil {
		return fmt.Errorf("set facts: %w", err)
	}
	return nil
}

// factDests are where a row of factCols is scanned to, in their order:
// the one list both readers use, so a new column cannot be read by one and
// not the other.
func factDests(f *facts.Facts, lat, lon *sql.NullFloat64) []any {
	return []any{&f.Duration, &f.Codec, &f.AudioCodec, &f.Width, &f.Height, &f.FPS, &f.Bitrate, &f.Rotation,
		&f.SampleRate, &f.Channels, &f.Created, lat, lon, &f.Make, &f.Model, &f.Pages, &f.Title,
		&f.Artist, &f.Album, &f.Author, &f.Genre, &f.Year, &f.Track, &f.Entries, &f.Unpacked, &f.Triangles,
		&f.SizeX, &f.SizeY, &f.SizeZ, &f.Lines, &f.Encoding, &f.Family, &f.Style, &f.Glyphs, &f.Subject, &f.Keywords}
}

// Facts returns an entry's facts; the zero Facts when it has none.
func (db *DB) Facts(ctx context.Context, id int64) (facts.Facts, error) {
	var f facts.Facts
	var lat, lon sql.NullFloat64
	err := db.pool.QueryRowContext(ctx, `SELECT `+factCols+` FROM entry_facts WHERE entry_id=?`, id).Scan(factDests(&f, &lat, &lon)...)
	if errors.Is(err, sql.ErrNoRows) {
		return facts.Facts{}, nil
	}
	if err != nil {
		return f, fmt.Errorf("read facts: %w", err)
	}
	if lat.Valid && lon.Valid {
		f.Lat, f.Lon = &lat.Float64, &lon.Float64
	}
	return f, nil
}

// FactsByID returns the facts of those of ids that have any, in one query
// per 500 ids, so a page of the grid costs one statement for its labels.
func (db *DB) FactsByID(ctx context.Context, ids []int64) (map[int64]facts.Facts, error) {
	out := make(map[int64]facts.Facts)
	for lo := 0; lo < len(ids); lo += 500 {
		in, args := inList(ids[lo:min(lo+500, len(ids))])
		rows, err := db.pool.QueryContext(ctx, `SELECT entry_id, `+factCols+` FROM entry_facts WHERE entry_id IN `+in, args...)
		if err != nil {
			return nil, fmt.Errorf("read facts: %w", err)
		}
		for rows.Next() {
			var id int64
			var f facts.Facts
			var lat, lon sql.NullFloat64
			if err := rows.Scan(append([]any{&id}, factDests(&f, &lat, &lon)...)...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read facts: %w", err)
			}
			if lat.Valid && lon.Valid {
				f.Lat, f.Lon = &lat.Float64, &lon.Float64
			}
			out[id] = f
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read facts: %w", err)
		}
	}
	return out, nil
}
