package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Model is a CLIP model registered in a library.
type Model struct {
	ID   int64
	Key  string
	Name string
	Dim  int
}

func vecTable(modelID int64) string { return fmt.Sprintf("vec_%d", modelID) }

// EnsureModel registers a model (by key) and creates its vector tables
// (entries' and frames').
func (db *DB) EnsureModel(ctx context.Context, key, name string, dim int) (Model, error) {
	if dim <= 0 || dim > 8192 {
		return Model{}, fmt.Errorf("model %s: unsupported embedding dimension %d", name, dim)
	}
	m := Model{Key: key, Name: name, Dim: dim}
	err := db.Tx(ctx, func(tx *Tx) error {
		err := tx.tx.QueryRowContext(ctx, `SELECT id, dim FROM models WHERE key=?`, key).Scan(&m.ID, &m.Dim)
		if errors.Is(err, sql.ErrNoRows) {
			res, err := tx.tx.ExecContext(ctx, `INSERT INTO models(key, name, dim, created_at) VALUES (?,?,?,?)`, key, name, dim, time.Now().Unix())
			if err != nil {
				return err
			}
			if m.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if m.Dim != dim {
			return fmt.Errorf("model %s: stored dimension %d, model says %d", name, m.Dim, dim)
		}
		if err := createVec0(ctx, tx, vecTable(m.ID), dim); err != nil {
			return err
		}
		return ensureFrameIndex(ctx, tx, m)
	})
	if err != nil {
		return Model{}, fmt.Errorf("register model: %w", err)
	}
	return m, nil
}

// VectorBlob encodes a vector the way sqlite-vec stores float32 vectors.
func VectorBlob(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// BlobVector decodes VectorBlob.
func BlobVector(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

// PutVector stores (replaces) an entry's vector for a model.
func PutVector(ctx context.Context, tx *Tx, m Model, entryID int64, v []float32) error {
	if len(v) != m.Dim {
		return fmt.Errorf("vector of %d values for a %d-d model", len(v), m.Dim)
	}
	t := vecTable(m.ID)
	blob := VectorBlob(v)
	var old []byte
	err := tx.tx.QueryRowContext(ctx, `SELECT embedding FROM vectors WHERE model_id=? AND entry_id=?`, m.ID, entryID).Scan(&old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	// vec0 has no working INSERT OR REPLACE: delete, then insert.
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE rowid=?`, entryID); err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO `+t+`(rowid, embedding) VALUES (?, ?)`, entryID, blob); err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, `INSERT OR REPLACE INTO vectors(model_id, entry_id, embedding) VALUES (?,?,?)`, m.ID, entryID, blob); err != nil {
		return err
	}
	// The entry's tags' centroids follow its vector.
	tagIDs, err := entryTagIDs(ctx, tx, entryID)
	if err != nil {
		return err
	}
	for _, tid := range tagIDs {
		if old != nil {
			if err := addToCentroid(ctx, tx, m, tid, BlobVector(old), -1); err != nil {
				return err
			}
		}
		if err := addToCentroid(ctx, tx, m, tid, v, 1); err != nil {
			return err
		}
	}
	_, err = tx.tx.ExecContext(ctx, `DELETE FROM embed_errors WHERE entry_id=? AND model_id=?`, entryID, m.ID)
	return err
}

// PutEmbedError remembers that an entry's content could not be embedded.
func PutEmbedError(ctx context.Context, tx *Tx, m Model, entryID int64, fingerprint, msg string) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT OR REPLACE INTO embed_errors(entry_id, model_id, fingerprint, error) VALUES (?,?,?,?)`,
		entryID, m.ID, fingerprint, msg)
	return err
}

// Vector returns an entry's vector for a model.
func (db *DB) Vector(ctx context.Context, m Model, entryID int64) ([]float32, error) {
	var b []byte
	err := db.pool.QueryRowContext(ctx, `SELECT embedding FROM vectors WHERE model_id=? AND entry_id=?`, m.ID, entryID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no vector for entry %d", ErrNotFound, entryID)
	}
	return BlobVector(b), err
}

// ToEmbed is an entry that lacks a vector for a model.
type ToEmbed struct {
	ID          int64
	Path        string
	Fingerprint string
}

// EntriesToEmbed lists present pictures without a vector for m (and
// without a remembered error for their current content), in path order.
func (db *DB) EntriesToEmbed(ctx context.Context, m Model) ([]ToEmbed, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT e.id, e.path, e.fingerprint FROM entries e WHERE `+toEmbed(m)+`
		ORDER BY e.path`, m.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ToEmbed
	for rows.Next() {
		var t ToEmbed
		if err := rows.Scan(&t.ID, &t.Path, &t.Fingerprint); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// embeddable is the condition over entries e of the pictures a model
// embeds; migration 11's triggers count them with the same condition.
const embeddable = `e.missing=0 AND e.media_type IN ('image','raw') AND e.thumb<>''`

// toEmbed is the condition over entries e of EntriesToEmbed (one
// argument: the model's id).
func toEmbed(m Model) string {
	return embeddable + `
		AND NOT EXISTS (SELECT 1 FROM ` + vecTable(m.ID) + ` v WHERE v.rowid=e.id)
		AND NOT EXISTS (SELECT 1 FROM embed_errors x WHERE x.entry_id=e.id AND x.model_id=? AND x.fingerprint=e.fingerprint)`
}

// CountVectors counts the vectors stored for m. It counts the plain copy
// through its key, which only walks that key's index: counting the vec0
// table walks its chunks, 17 ms at 100k vectors after every watcher batch.
func (db *DB) CountVectors(ctx context.Context, m Model) (int, error) {
	var n int
	err := db.pool.QueryRowContext(ctx, `SELECT COUNT(*) FROM vectors WHERE model_id=?`, m.ID).Scan(&n)
	return n, err
}

// Hit is one search result.
type Hit struct {
	EntryID  int64
	Path     string
	Distance float64 // cosine distance, 0 = same direction
}

// Score is cosine similarity.
func (h Hit) Score() float64 { return 1 - h.Distance }

// KNN returns the k entries nearest to q for model m, best first, skipping
// missing entries.
func (db *DB) KNN(ctx context.Context, m Model, q []float32, k int) ([]Hit, error) {
	if len(q) != m.Dim {
		return nil, fmt.Errorf("query of %d values for a %d-d model", len(q), m.Dim)
	}
	if k <= 0 {
		return nil, nil
	}
	hits, err := knnRows(ctx, db.pool, `SELECT v.rowid, v.distance, e.path FROM `+vecTable(m.ID)+` v
		JOIN entries e ON e.id = v.rowid
		WHERE v.embedding MATCH ? AND k = ? AND e.missing = 0
		ORDER BY v.distance`, q, k, func(rows *sql.Rows) (Hit, error) {
		var h Hit
		err := rows.Scan(&h.EntryID, &h.Distance, &h.Path)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("knn: %w", err)
	}
	return hits, nil
}

// ModelByKey finds a registered model.
func (db *DB) ModelByKey(ctx context.Context, key string) (Model, error) {
	var m Model
	err := db.pool.QueryRowContext(ctx, `SELECT id, key, name, dim FROM models WHERE key=?`, key).Scan(&m.ID, &m.Key, &m.Name, &m.Dim)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("%w: model %s", ErrNotFound, strings.TrimSpace(key))
	}
	return m, err
}
