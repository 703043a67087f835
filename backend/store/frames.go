package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// FramesAnalyzer is the name the frames analyzer (package vectors)
// records its work under: ForgetModel forgets it with the frames.
const FramesAnalyzer = "frames"

// Frame is one kept keyframe of a video (migration 16): its time, small
// JPEG (relative to the frames' derived folder) and vector for a model.
type Frame struct {
	ID      int64
	EntryID int64
	AtMS    int64
	Thumb   string
	Vec     []float32
}

// ReplaceFrames stores an entry's frames for m in place of those it had
// (none: the entry has no frames for m any more). m's frame index
// (framevec.go) follows by trigger.
func ReplaceFrames(ctx context.Context, tx *Tx, m Model, entryID int64, fs []Frame) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM frames WHERE entry_id=? AND model_id=?`, entryID, m.ID); err != nil {
		return fmt.Errorf("replace frames: %w", err)
	}
	for _, f := range fs {
		if len(f.Vec) != m.Dim {
			return fmt.Errorf("replace frames: vector of %d values for a %d-d model", len(f.Vec), m.Dim)
		}
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO frames(entry_id, model_id, at_ms, thumb, embedding) VALUES (?,?,?,?,?)`,
			entryID, m.ID, f.AtMS, f.Thumb, VectorBlob(f.Vec)); err != nil {
			return fmt.Errorf("replace frames: %w", err)
		}
	}
	return nil
}

// dropFrames removes the entries' frames of every model (their content
// changed or they are deleted).
func dropFrames(ctx context.Context, tx *Tx, id int64) error {
	_, err := tx.tx.ExecContext(ctx, `DELETE FROM frames WHERE entry_id=?`, id)
	return err
}

// FrameChunk is a run of frames ForEachFrame hands over.
type FrameChunk struct {
	IDs, EntryIDs []int64
	Vecs          []float32 // len(IDs)×dim, row-major
}

// ForEachFrame calls fn with every frame stored for m (of present
// entries), in runs of at most 1024; the slices are reused once fn
// returns. Frames are few beside entry vectors (at most 200 a video, most
// libraries' videos a small share), so the plain table is read.
func (db *DB) ForEachFrame(ctx context.Context, m Model, fn func(FrameChunk) error) error {
	rows, err := db.pool.QueryContext(ctx, `SELECT f.id, f.entry_id, f.embedding FROM frames f
		JOIN entries e ON e.id = f.entry_id WHERE f.model_id=? AND e.missing=0`, m.ID)
	if err != nil {
		return fmt.Errorf("load frames: %w", err)
	}
	defer rows.Close()
	var c FrameChunk
	var blob sql.RawBytes
	for rows.Next() {
		var id, eid int64
		if err := rows.Scan(&id, &eid, &blob); err != nil {
			return fmt.Errorf("load frames: %w", err)
		}
		if len(blob) != 4*m.Dim {
			return fmt.Errorf("load frames: frame %d holds %d bytes, want %d", id, len(blob), 4*m.Dim)
		}
		c.IDs, c.EntryIDs = append(c.IDs, id), append(c.EntryIDs, eid)
		c.Vecs = slices.Grow(c.Vecs, m.Dim)[:len(c.Vecs)+m.Dim]
		decode(c.Vecs[len(c.Vecs)-m.Dim:], blob)
		if len(c.IDs) == 1024 {
			if err := fn(c); err != nil {
				return err
			}
			c.IDs, c.EntryIDs, c.Vecs = c.IDs[:0], c.EntryIDs[:0], c.Vecs[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load frames: %w", err)
	}
	if len(c.IDs) > 0 {
		return fn(c)
	}
	return nil
}

// FramesOf returns the frames of some entries for m, each entry's in time
// order, with their vectors; entries without frames (or missing ones) are
// absent from the map.
func (db *DB) FramesOf(ctx context.Context, m Model, ids []int64) (map[int64][]Frame, error) {
	out := map[int64][]Frame{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		in, args := inList(ids[:n])
		ids = ids[n:]
		rows, err := db.pool.QueryContext(ctx, `SELECT f.id, f.entry_id, f.at_ms, f.thumb, f.embedding FROM frames f
			JOIN entries e ON e.id = f.entry_id
			WHERE f.model_id=? AND e.missing=0 AND f.entry_id IN `+in+` ORDER BY f.entry_id, f.at_ms`, append([]any{m.ID}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("read frames: %w", err)
		}
		for rows.Next() {
			var f Frame
			var b []byte
			if err := rows.Scan(&f.ID, &f.EntryID, &f.AtMS, &f.Thumb, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read frames: %w", err)
			}
			f.Vec = BlobVector(b)
			out[f.EntryID] = append(out[f.EntryID], f)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read frames: %w", err)
		}
	}
	return out, nil
}

// FrameByID returns one frame with its vector.
func (db *DB) FrameByID(ctx context.Context, id int64) (Frame, error) {
	f := Frame{ID: id}
	var b []byte
	err := db.pool.QueryRowContext(ctx, `SELECT entry_id, at_ms, thumb, embedding FROM frames WHERE id=?`, id).Scan(&f.EntryID, &f.AtMS, &f.Thumb, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("%w: frame %d", ErrNotFound, id)
	}
	if err != nil {
		return f, fmt.Errorf("read frame: %w", err)
	}
	f.Vec = BlobVector(b)
	return f, nil
}

// CountFrames counts the frames stored for m.
func (db *DB) CountFrames(ctx context.Context, m Model) (int, error) {
	var n int
	err := db.pool.QueryRowContext(ctx, `SELECT count(*) FROM frames WHERE model_id=?`, m.ID).Scan(&n)
	return n, err
}

// FramesByID returns frames without their vectors (their times and
// tiles, for a page of results).
func (db *DB) FramesByID(ctx context.Context, ids []int64) (map[int64]Frame, error) {
	out := make(map[int64]Frame, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		in, args := inList(ids[:n])
		ids = ids[n:]
		rows, err := db.pool.QueryContext(ctx, `SELECT id, entry_id, at_ms, thumb FROM frames WHERE id IN `+in, args...)
		if err != nil {
			return nil, fmt.Errorf("read frames: %w", err)
		}
		for rows.Next() {
			var f Frame
			if err := rows.Scan(&f.ID, &f.EntryID, &f.AtMS, &f.Thumb); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read frames: %w", err)
			}
			out[f.ID] = f
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read frames: %w", err)
		}
	}
	return out, nil
}
