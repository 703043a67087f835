package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tagsight/tagsight/backend/facts"
)

const factCols = `duration, codec, audio_codec, width, height, fps, bitrate, rotation, sample_rate, channels,
	created, lat, lon, make, model, pages, title, artist, album, author, genre, year, track`

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
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		id, f.Duration, f.Codec, f.AudioCodec, f.Width, f.Height, f.FPS, f.Bitrate, f.Rotation, f.SampleRate,
		f.Channels, f.Created, nullF(f.Lat), nullF(f.Lon), f.Make, f.Model, f.Pages, f.Title, f.Artist,
		f.Album, f.Author, f.Genre, f.Year, f.Track)
	if err != nil {
		return fmt.Errorf("set facts: %w", err)
	}
	return nil
}

// Facts returns an entry's facts; the zero Facts when it has none.
func (db *DB) Facts(ctx context.Context, id int64) (facts.Facts, error) {
	var f facts.Facts
	var lat, lon sql.NullFloat64
	err := db.pool.QueryRowContext(ctx, `SELECT `+factCols+` FROM entry_facts WHERE entry_id=?`, id).Scan(
		&f.Duration, &f.Codec, &f.AudioCodec, &f.Width, &f.Height, &f.FPS, &f.Bitrate, &f.Rotation,
		&f.SampleRate, &f.Channels, &f.Created, &lat, &lon, &f.Make, &f.Model, &f.Pages, &f.Title,
		&f.Artist, &f.Album, &f.Author, &f.Genre, &f.Year, &f.Track)
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
