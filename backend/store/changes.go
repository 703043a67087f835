package store

import (
	"context"
	"database/sql"
	"sort"
)

// Changes is what the change log (migration 0006) says happened since a
// reader last looked: whoever made the change, this process or another.
type Changes struct {
	// Entries were added, changed or deleted (row or content).
	Entries []int64
	// Vectors of these entries were stored or dropped (any model).
	Vectors []int64
	// Tagged: these entries' tags or fields changed.
	Tagged []int64
	// TagDefs: a tag, alias or parent link changed.
	TagDefs bool
	// Faces: these entries' faces were stored, dropped or moved between
	// people.
	Faces []int64
	// Frames: these entries' video frames were stored or dropped (any
	// model).
	Frames []int64
	// People: a person was made, named, hidden or removed.
	People bool
	// Lost: the log was pruned past the reader's cursor, so the list is
	// incomplete; reload everything.
	Lost bool
	// Seq is the last change read (the cursor to pass next time).
	Seq int64
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool {
	return len(c.Entries) == 0 && len(c.Vectors) == 0 && len(c.Tagged) == 0 && !c.TagDefs && !c.Lost &&
		len(c.Faces) == 0 && !c.People && len(c.Frames) == 0
}

// Merge is c and d together (d read after c).
func (c Changes) Merge(d Changes) Changes {
	union := func(a, b []int64) []int64 {
		set := map[int64]bool{}
		for _, l := range [][]int64{a, b} {
			for _, id := range l {
				set[id] = true
			}
		}
		return sortedIDs(set)
	}
	return Changes{
		Entries: union(c.Entries, d.Entries), Vectors: union(c.Vectors, d.Vectors), Tagged: union(c.Tagged, d.Tagged),
		TagDefs: c.TagDefs || d.TagDefs, Lost: c.Lost || d.Lost, Seq: max(c.Seq, d.Seq),
		Faces: union(c.Faces, d.Faces), People: c.People || d.People, Frames: union(c.Frames, d.Frames),
	}
}

// ChangeLogKeep is how many rows of the change log are kept: a reader more
// than this many changes behind reloads everything instead.
var ChangeLogKeep int64 = 200_000

// maxChangesRead caps one read: more than this and reloading everything is
// cheaper than following the list.
const maxChangesRead = 100_000

// ChangeSeq is the newest change's number (0 for none): one indexed
// lookup, cheap enough to poll a few times a second.
func (db *DB) ChangeSeq(ctx context.Context) (int64, error) {
	var seq sql.NullInt64
	err := db.pool.QueryRowContext(ctx, `SELECT max(seq) FROM changes`).Scan(&seq)
	return seq.Int64, err
}

// ChangesSince reads the changes after seq, in one read transaction.
func (db *DB) ChangesSince(ctx context.Context, seq int64) (Changes, error) {
	c := Changes{Seq: seq}
	stx, err := db.pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return c, err
	}
	defer stx.Rollback()
	tx := &Tx{stx}
	var first sql.NullInt64
	if err := tx.tx.QueryRowContext(ctx, `SELECT min(seq) FROM changes`).Scan(&first); err != nil {
		return c, err
	}
	if first.Valid && first.Int64 > seq+1 {
		c.Lost = true // rows after the cursor were pruned
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT seq, coalesce(entry_id, 0), what FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`, seq, maxChangesRead+1)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	sets := map[string]map[int64]bool{"entry": {}, "vector": {}, "tags": {}, "faces": {}, "frames": {}}
	n := 0
	for rows.Next() {
		var s, id int64
		var what string
		if err := rows.Scan(&s, &id, &what); err != nil {
			return c, err
		}
		n++
		if n > maxChangesRead {
			c.Lost = true
			break
		}
		c.Seq = s
		if what == "tagdefs" {
			c.TagDefs = true
		} else if what == "people" {
			c.People = true
		} else if set, ok := sets[what]; ok {
			set[id] = true
		}
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	if c.Lost {
		// Everything must be reloaded anyway: jump to the end.
		if err := tx.tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&c.Seq); err != nil {
			return c, err
		}
	}
	c.Entries, c.Vectors, c.Tagged = sortedIDs(sets["entry"]), sortedIDs(sets["vector"]), sortedIDs(sets["tags"])
	c.Faces = sortedIDs(sets["faces"])
	c.Frames = sortedIDs(sets["frames"])
	return c, nil
}

func sortedIDs(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// PruneChanges drops the change log's rows older than the newest
// ChangeLogKeep; it costs one range delete and runs after a scan.
func (db *DB) PruneChanges(ctx context.Context) error {
	top, err := db.ChangeSeq(ctx)
	if err != nil || top <= ChangeLogKeep {
		return err
	}
	_, err = db.pool.ExecContext(ctx, `DELETE FROM changes WHERE seq <= ?`, top-ChangeLogKeep)
	return err
}

// Vectors returns the stored vectors of some entries for a model; entries
// without one are absent from the map.
func (db *DB) Vectors(ctx context.Context, m Model, ids []int64) (map[int64][]float32, error) {
	out := make(map[int64][]float32, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		in, args := inList(ids[:n])
		ids = ids[n:]
		rows, err := db.pool.QueryContext(ctx, `SELECT entry_id, embedding FROM vectors WHERE model_id=? AND entry_id IN `+in, append([]any{m.ID}, args...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var b []byte
			if err := rows.Scan(&id, &b); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = BlobVector(b)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
