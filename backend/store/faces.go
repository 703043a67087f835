package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PeopleCategory is the category tag named people's tags sit under.
const PeopleCategory = "People"

// faceVecTable is the sqlite-vec index of face vectors (rowid = face id).
const faceVecTable = "vec_faces"

// Face is one detected face. Box and landmarks are fractions of the
// picture as shown (orientation applied).
type Face struct {
	ID         int64
	EntryID    int64
	X, Y, W, H float64
	Landmarks  [10]float32
	Score      float64
	Quality    float64
	Vec        []float32 // nil unless asked for
	Crop       string
	// AtMS is the time into a video of the frame the face was found on;
	// Timed says it has one (a video's face, not a still picture's).
	AtMS     int64
	Timed    bool
	PersonID int64 // 0: nobody
	Pinned   bool
	// PersonName is the person's tag name ("" unnamed), when read with it.
	PersonName string
	Path       string // the entry's path, when read with it
}

// Person is a group of faces; Name and TagID are empty until named.
type Person struct {
	ID      int64
	TagID   int64
	Name    string
	Hidden  bool
	Faces   int
	Entries int
	Cover   Face // the face shown for the person: pinned first, then the best quality
}

// ErrNoFace: no face or person with that id.
var ErrNoFace = fmt.Errorf("face or person %w", ErrNotFound)

func landmarksBlob(l [10]float32) []byte {
	b := make([]byte, 40)
	for i, f := range l {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func blobLandmarks(b []byte) (l [10]float32) {
	for i := 0; i < 10 && 4*i+4 <= len(b); i++ {
		l[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return l
}

// EnsureFaceIndex creates the face vector index for a recogniser of dim
// values. A recogniser of another dimension replaces it: the faces of the
// old one are dropped (its analysis version differs, so every picture is
// analysed again).
func (db *DB) EnsureFaceIndex(ctx context.Context, dim int) error {
	if dim <= 0 || dim > 8192 {
		return fmt.Errorf("face recogniser: unsupported vector dimension %d", dim)
	}
	return db.Tx(ctx, func(tx *Tx) error {
		var have string
		err := tx.tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key='faces.dim'`).Scan(&have)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if have != "" && have != strconv.Itoa(dim) {
			for _, q := range []string{`DROP TABLE IF EXISTS ` + faceVecTable, `DELETE FROM faces`} {
				if _, err := tx.tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
		}
		if err := createVec0(ctx, tx, faceVecTable, dim); err != nil {
			return err
		}
		_, err = tx.tx.ExecContext(ctx, `INSERT OR REPLACE INTO settings(key, value) VALUES ('faces.dim', ?)`, strconv.Itoa(dim))
		return err
	})
}

func hasFaceIndex(ctx context.Context, r Reader) bool {
	rows, err := r.reader().QueryContext(ctx, `SELECT 1 FROM sqlite_master WHERE name=?`, faceVecTable)
	if err != nil {
		return false
	}
	defer rows.Close()
	return rows.Next()
}

// boxIoU is the intersection over union of two faces' boxes.
func boxIoU(a, b Face) float64 {
	iw := math.Min(a.X+a.W, b.X+b.W) - math.Max(a.X, b.X)
	ih := math.Min(a.Y+a.H, b.Y+b.H) - math.Max(a.Y, b.Y)
	if iw <= 0 || ih <= 0 {
		return 0
	}
	in := iw * ih
	return in / (a.W*a.H + b.W*b.H - in)
}

// ReplaceFaces stores an entry's faces in tx, replacing those it had. A
// new face where an old one was (boxes overlapping by IoU ≥ 0.5, in a
// video on the frame of the same time) keeps
// the old one's person, pin and "not this person" answers, so analysing a
// picture again loses none of the user's work. It returns the new faces'
// ids, in order, and which of them kept a person.
func ReplaceFaces(ctx context.Context, tx *Tx, entryID int64, faces []Face, now int64) (ids []int64, kept []bool, err error) {
	old, err := facesWhere(ctx, tx, false, `f.entry_id = ?`, entryID)
	if err != nil {
		return nil, nil, err
	}
	type carry struct {
		person int64
		pinned bool
		reject []int64
	}
	carries := make([]*carry, len(faces))
	used := map[int]bool{}
	for i, f := range faces {
		best, bi := 0.5, -1
		for j, o := range old {
			if o.Timed != f.Timed || o.AtMS != f.AtMS {
				continue
			}
			if u := boxIoU(f, o); !used[j] && u >= best {
				best, bi = u, j
			}
		}
		if bi < 0 {
			continue
		}
		used[bi] = true
		o := old[bi]
		rej, err := int64s(ctx, tx, `SELECT person_id FROM face_rejections WHERE face_id=?`, o.ID)
		if err != nil {
			return nil, nil, err
		}
		carries[i] = &carry{person: o.PersonID, pinned: o.Pinned, reject: rej}
	}
	if err := deleteFaces(ctx, tx, `entry_id = ?`, entryID); err != nil {
		return nil, nil, err
	}
	vec := hasFaceIndex(ctx, tx)
	for i, f := range faces {
		var person, at any
		pinned := false
		if f.Timed {
			at = f.AtMS
		}
		if c := carries[i]; c != nil && c.person != 0 {
			person, pinned = c.person, c.pinned
		}
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO faces(entry_id, x, y, w, h, landmarks, score, quality, embedding, crop, person_id, pinned, created_at, at_ms)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, entryID, f.X, f.Y, f.W, f.H, landmarksBlob(f.Landmarks), f.Score, f.Quality,
			VectorBlob(f.Vec), f.Crop, person, pinned, now, at)
		if err != nil {
			return nil, nil, fmt.Errorf("store face: %w", err)
		}
		id, _ := res.LastInsertId()
		if vec {
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO `+faceVecTable+`(rowid, embedding) VALUES (?, ?)`, id, VectorBlob(f.Vec)); err != nil {
				return nil, nil, fmt.Errorf("store face vector: %w", err)
			}
		}
		if c := carries[i]; c != nil {
			for _, p := range c.reject {
				if _, err := tx.tx.ExecContext(ctx, `INSERT OR IGNORE INTO face_rejections(face_id, person_id) VALUES (?, ?)`, id, p); err != nil {
					return nil, nil, err
				}
			}
		}
		ids = append(ids, id)
		kept = append(kept, carries[i] != nil && carries[i].person != 0)
	}
	// People who lost their last face go (unnamed ones only: a named
	// person is a tag the user made).
	return ids, kept, dropEmptyPeople(ctx, tx)
}

// deleteFaces removes faces (rows and index entries) matching where.
func deleteFaces(ctx context.Context, tx *Tx, where string, args ...any) error {
	if hasFaceIndex(ctx, tx) {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM `+faceVecTable+` WHERE rowid IN (SELECT id FROM faces WHERE `+where+`)`, args...); err != nil {
			return err
		}
	}
	_, err := tx.tx.ExecContext(ctx, `DELETE FROM faces WHERE `+where, args...)
	return err
}

// dropFaces forgets the entries' faces (their content changed or they
// went); called with dropVectors.
func dropFaces(ctx context.Context, tx *Tx, ids []int64) error {
	for _, id := range ids {
		if err := deleteFaces(ctx, tx, `entry_id = ?`, id); err != nil {
			return fmt.Errorf("drop faces: %w", err)
		}
	}
	return dropEmptyPeople(ctx, tx)
}

func dropEmptyPeople(ctx context.Context, tx *Tx) error {
	_, err := tx.tx.ExecContext(ctx, `DELETE FROM people WHERE tag_id IS NULL AND NOT EXISTS (SELECT 1 FROM faces WHERE person_id = people.id)`)
	return err
}

const faceCols = `f.id, f.entry_id, f.x, f.y, f.w, f.h, f.landmarks, f.score, f.quality, f.crop, coalesce(f.person_id, 0), f.pinned, f.at_ms,
	coalesce((SELECT t.name FROM people p JOIN tags t ON t.id = p.tag_id WHERE p.id = f.person_id), ''), e.path`

// facesWhere reads faces (f) with their entries (e): where may end with
// its own ORDER BY / LIMIT, else they come by id.
func facesWhere(ctx context.Context, r Reader, withVec bool, where string, args ...any) ([]Face, error) {
	cols := faceCols
	if withVec {
		cols += `, f.embedding`
	}
	if !strings.Contains(where, "ORDER BY") {
		where += ` ORDER BY f.id`
	}
	rows, err := r.reader().QueryContext(ctx, `SELECT `+cols+` FROM faces f JOIN entries e ON e.id = f.entry_id WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Face
	for rows.Next() {
		var f Face
		var lm, emb []byte
		var at sql.NullInt64
		dst := []any{&f.ID, &f.EntryID, &f.X, &f.Y, &f.W, &f.H, &lm, &f.Score, &f.Quality, &f.Crop, &f.PersonID, &f.Pinned, &at, &f.PersonName, &f.Path}
		if withVec {
			dst = append(dst, &emb)
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		f.Landmarks = blobLandmarks(lm)
		f.AtMS, f.Timed = at.Int64, at.Valid
		if withVec {
			f.Vec = BlobVector(emb)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// EntryFaces returns an entry's faces, left to right.
func (db *DB) EntryFaces(ctx context.Context, entryID int64) ([]Face, error) {
	fs, err := facesWhere(ctx, db, false, `f.entry_id = ?`, entryID)
	sortFacesLeftToRight(fs)
	return fs, err
}

func sortFacesLeftToRight(fs []Face) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].X < fs[j-1].X; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// FaceByID returns one face (with its vector).
func (db *DB) FaceByID(ctx context.Context, id int64) (Face, error) {
	fs, err := facesWhere(ctx, db, true, `f.id = ?`, id)
	if err != nil {
		return Face{}, err
	}
	if len(fs) == 0 {
		return Face{}, ErrNoFace
	}
	return fs[0], nil
}

// PersonFaces returns a person's faces, best quality first (limit 0: all).
func (db *DB) PersonFaces(ctx context.Context, personID int64, limit int) ([]Face, error) {
	q := `f.person_id = ? AND e.missing = 0 ORDER BY f.pinned DESC, f.quality DESC`
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	return facesWhere(ctx, db, false, q, personID)
}

// UnassignedFaces returns faces in no person, best quality first.
func (db *DB) UnassignedFaces(ctx context.Context, limit int) ([]Face, error) {
	q := `f.person_id IS NULL AND e.missing = 0 ORDER BY f.quality DESC`
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	return facesWhere(ctx, db, false, q)
}

// AllFaces returns every face of a present entry, with vectors and
// paths (a regroup reads ForEachFaceVector instead).
func (db *DB) AllFaces(ctx context.Context) ([]Face, error) {
	return facesWhere(ctx, db, true, `e.missing = 0`)
}

// FaceRejections maps face ids to the people they are "not".
func (db *DB) FaceRejections(ctx context.Context) (map[int64][]int64, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT face_id, person_id FROM face_rejections`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var f, p int64
		if err := rows.Scan(&f, &p); err != nil {
			return nil, err
		}
		out[f] = append(out[f], p)
	}
	return out, rows.Err()
}

// CountFaces counts faces and people (hidden ones included).
func (db *DB) CountFaces(ctx context.Context) (faces, people int, err error) {
	err = db.pool.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM faces), (SELECT COUNT(*) FROM people)`).Scan(&faces, &people)
	return
}

// personSelect reads a Person (its cover aside), for a WHERE on p.
const personSelect = `SELECT p.id, coalesce(p.tag_id, 0), coalesce(t.name, ''), p.hidden,
		(SELECT COUNT(*) FROM faces f JOIN entries e ON e.id = f.entry_id WHERE f.person_id = p.id AND e.missing = 0),
		(SELECT COUNT(DISTINCT f.entry_id) FROM faces f JOIN entries e ON e.id = f.entry_id WHERE f.person_id = p.id AND e.missing = 0)
		FROM people p LEFT JOIN tags t ON t.id = p.tag_id `

// People lists people with their counts and cover face (pinned first,
// then the best quality): named first (by name), then the largest groups.
// It is one pass over the faces, taken once per change of the library
// (the people page and every naming ask again) and kept until the next.
func (db *DB) People(ctx context.Context, withHidden bool) ([]Person, error) {
	ps, err := cachedByChange(ctx, db, fmt.Sprintf("people %v", withHidden), func() ([]Person, error) {
		return db.people(ctx, withHidden)
	})
	return slices.Clone(ps), err
}

func (db *DB) people(ctx context.Context, withHidden bool) ([]Person, error) {
	where := ``
	if !withHidden {
		where = `WHERE p.hidden = 0`
	}
	// CROSS JOIN keeps faces outside: the planner would otherwise walk
	// every present entry (an index on missing) to find the few with faces.
	rows, err := db.pool.QueryContext(ctx, `WITH present AS (
			SELECT f.id, f.entry_id, f.person_id, row_number() OVER (PARTITION BY f.person_id ORDER BY f.pinned DESC, f.quality DESC, f.id) AS rank
			FROM faces f CROSS JOIN entries e ON e.id = f.entry_id WHERE f.person_id IS NOT NULL AND e.missing = 0),
		counts AS (SELECT person_id, COUNT(*) AS faces, COUNT(DISTINCT entry_id) AS entries,
			max(CASE WHEN rank = 1 THEN id END) AS cover FROM present GROUP BY person_id)
		SELECT p.id, coalesce(p.tag_id, 0), coalesce(t.name, ''), p.hidden, coalesce(c.faces, 0), coalesce(c.entries, 0), coalesce(c.cover, 0)
		FROM people p LEFT JOIN tags t ON t.id = p.tag_id LEFT JOIN counts c ON c.person_id = p.id `+where)
	if err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}
	var out []Person
	var covers []int64
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.TagID, &p.Name, &p.Hidden, &p.Faces, &p.Entries, &p.Cover.ID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("people: %w", err)
		}
		if p.Cover.ID != 0 {
			covers = append(covers, p.Cover.ID)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}
	byID := map[int64]Face{}
	for lo := 0; lo < len(covers); lo += 500 {
		in, args := inList(covers[lo:min(lo+500, len(covers))])
		fs, err := facesWhere(ctx, db, false, `f.id IN `+in, args...)
		if err != nil {
			return nil, fmt.Errorf("people: %w", err)
		}
		for _, f := range fs {
			byID[f.ID] = f
		}
	}
	for i := range out {
		out[i].Cover = byID[out[i].Cover.ID]
	}
	sortPeople(out)
	return out, nil
}

func sortPeople(ps []Person) {
	less := func(a, b Person) bool {
		if (a.Name != "") != (b.Name != "") {
			return a.Name != ""
		}
		if a.Name != "" && !strings.EqualFold(a.Name, b.Name) {
			return strings.ToLower(a.Name) < strings.ToLower(b.Name)
		}
		if a.Faces != b.Faces {
			return a.Faces > b.Faces
		}
		return a.ID < b.ID
	}
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && less(ps[j], ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// PersonByID returns one person.
func (db *DB) PersonByID(ctx context.Context, id int64) (Person, error) {
	var p Person
	err := db.pool.QueryRowContext(ctx, personSelect+`WHERE p.id = ?`, id).Scan(&p.ID, &p.TagID, &p.Name, &p.Hidden, &p.Faces, &p.Entries)
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, ErrNoFace
	}
	if err != nil {
		return Person{}, err
	}
	c, err := db.PersonFaces(ctx, id, 1)
	if err != nil {
		return Person{}, err
	}
	if len(c) > 0 {
		p.Cover = c[0]
	}
	return p, nil
}

// Neighbour is a face near a vector.
type Neighbour struct {
	FaceID, EntryID, PersonID int64
	Sim                       float64 // cosine similarity
}

// FaceNeighbours returns the k faces nearest to v (cosine), from the
// sqlite-vec index, in r (a *Tx, so faces stored earlier in it count, or
// the *DB).
func FaceNeighbours(ctx context.Context, r Reader, v []float32, k int) ([]Neighbour, error) {
	if !hasFaceIndex(ctx, r) {
		return nil, nil
	}
	out, err := knnRows(ctx, r.reader(), `SELECT n.rowid, n.distance, f.entry_id, coalesce(f.person_id, 0)
		FROM (SELECT rowid, distance FROM `+faceVecTable+` WHERE embedding MATCH ? AND k = ?) n
		JOIN faces f ON f.id = n.rowid JOIN entries e ON e.id = f.entry_id WHERE e.missing = 0 ORDER BY n.distance`, v, k, func(rows *sql.Rows) (Neighbour, error) {
		var n Neighbour
		var d float64
		err := rows.Scan(&n.FaceID, &d, &n.EntryID, &n.PersonID)
		n.Sim = 1 - d
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("face neighbours: %w", err)
	}
	return out, nil
}

// RejectedPeople lists the people a face is "not", in tx (or the *DB).
func RejectedPeople(ctx context.Context, r Reader, faceID int64) (map[int64]bool, error) {
	ids, err := int64s(ctx, r, `SELECT person_id FROM face_rejections WHERE face_id=?`, faceID)
	out := map[int64]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// PersonNames maps named people to their names.
func (db *DB) PersonNames(ctx context.Context) (map[int64]string, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT p.id, t.name FROM people p JOIN tags t ON t.id = p.tag_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// NewPerson makes an unnamed person in tx.
func NewPerson(ctx context.Context, tx *Tx) (int64, error) {
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO people(created_at) VALUES (?)`, time.Now().Unix())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// personTag is a person's tag id (0 unnamed).
func personTag(ctx context.Context, tx *Tx, personID int64) (int64, error) {
	var t sql.NullInt64
	err := tx.tx.QueryRowContext(ctx, `SELECT tag_id FROM people WHERE id=?`, personID).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNoFace
	}
	return t.Int64, err
}

// AssignFaces puts faces in a person (0: in nobody) in tx, pinned or not.
// The entries of a named person's faces get its tag; an entry left with no
// face of the person it lost them from loses that person's tag.
func AssignFaces(ctx context.Context, tx *Tx, personID int64, faceIDs []int64, pinned bool) error {
	if len(faceIDs) == 0 {
		return nil
	}
	tag := int64(0)
	if personID != 0 {
		var err error
		if tag, err = personTag(ctx, tx, personID); err != nil {
			return err
		}
	}
	type from struct{ entry, person int64 }
	var left []from
	var entries []int64
	for _, id := range faceIDs {
		var entry, prev int64
		if err := tx.tx.QueryRowContext(ctx, `SELECT entry_id, coalesce(person_id, 0) FROM faces WHERE id=?`, id).Scan(&entry, &prev); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNoFace
			}
			return err
		}
		var person any
		if personID != 0 {
			person = personID
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE faces SET person_id=?, pinned=? WHERE id=?`, person, pinned, id); err != nil {
			return err
		}
		if prev != 0 && prev != personID {
			left = append(left, from{entry, prev})
		}
		entries = append(entries, entry)
	}
	for _, l := range left {
		if err := untagIfNoFace(ctx, tx, l.entry, l.person); err != nil {
			return err
		}
	}
	if tag != 0 {
		if _, err := changeTagTx(ctx, tx, tag, entries, true); err != nil {
			return err
		}
	}
	return dropEmptyPeople(ctx, tx)
}

// untagIfNoFace takes a person's tag off an entry that has no face of
// that person any more.
func untagIfNoFace(ctx context.Context, tx *Tx, entryID, personID int64) error {
	tag, err := personTag(ctx, tx, personID)
	if err != nil || tag == 0 {
		if errors.Is(err, ErrNoFace) {
			return nil
		}
		return err
	}
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM faces WHERE entry_id=? AND person_id=?`, entryID, personID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	_, err = changeTagTx(ctx, tx, tag, []int64{entryID}, false)
	return err
}

func personFaceIDs(ctx context.Context, tx *Tx, personID int64) ([]int64, error) {
	return int64s(ctx, tx, `SELECT id FROM faces WHERE person_id=?`, personID)
}

// NamePerson names a person, in one transaction: the name's tag (found by
// name or alias, else made under the People category) becomes the
// person's, every entry with one of its faces gets it, and its faces are
// pinned (the user vouched for the group). A name another person already
// has merges that person in. Renaming a named person renames its tag
// unless another tag has the new name. It returns the person that has the
// name now: the other one when the two merged.
func (db *DB) NamePerson(ctx context.Context, personID int64, name string) (int64, error) {
	if err := personName(name); err != nil {
		return 0, err
	}
	now := time.Now().Unix()
	err := db.Tx(ctx, func(tx *Tx) error {
		old, err := personTag(ctx, tx, personID)
		if err != nil {
			return err
		}
		var existing int64
		err = tx.tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE name = ? COLLATE NOCASE
			UNION ALL SELECT tag_id FROM tag_aliases WHERE alias = ? COLLATE NOCASE LIMIT 1`, name, name).Scan(&existing)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if old != 0 && existing == 0 {
			// A new name for the person: its tag is renamed, every use kept.
			_, err := tx.tx.ExecContext(ctx, `UPDATE tags SET name=? WHERE id=?`, name, old)
			return err
		}
		if old != 0 && existing == old {
			return nil
		}
		tag, err := TagPathID(ctx, tx, []string{PeopleCategory, name}, now)
		if err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE tags SET is_category=1 WHERE name=? COLLATE NOCASE AND id <> ?`, PeopleCategory, tag); err != nil {
			return err
		}
		var other int64
		err = tx.tx.QueryRowContext(ctx, `SELECT id FROM people WHERE tag_id=? AND id<>?`, tag, personID).Scan(&other)
		switch {
		case err == nil:
			if err := mergePeopleTx(ctx, tx, other, personID); err != nil {
				return err
			}
			personID = other
		case !errors.Is(err, sql.ErrNoRows):
			return err
		default:
			if old != 0 {
				// Switching to another tag: entries lose the old one.
				ents, err := int64s(ctx, tx, `SELECT DISTINCT entry_id FROM faces WHERE person_id=?`, personID)
				if err != nil {
					return err
				}
				if _, err := changeTagTx(ctx, tx, old, ents, false); err != nil {
					return err
				}
			}
			if _, err := tx.tx.ExecContext(ctx, `UPDATE people SET tag_id=? WHERE id=?`, tag, personID); err != nil {
				return err
			}
		}
		ids, err := personFaceIDs(ctx, tx, personID)
		if err != nil {
			return err
		}
		return AssignFaces(ctx, tx, personID, ids, true)
	})
	return personID, err
}

// ErrPersonName: a name a person cannot have.
var ErrPersonName = errors.New("not a name for a person")

func personName(name string) error {
	if strings.TrimSpace(name) == "" || strings.EqualFold(strings.TrimSpace(name), PeopleCategory) {
		return fmt.Errorf("%w: %q (%q is the category that holds people)", ErrPersonName, name, PeopleCategory)
	}
	return nil
}

// NameFace puts one face in the person of that name (made when none has
// it), in one transaction, pinned.
func (db *DB) NameFace(ctx context.Context, faceID int64, name string) (personID int64, err error) {
	if err := personName(name); err != nil {
		return 0, err
	}
	now := time.Now().Unix()
	err = db.Tx(ctx, func(tx *Tx) error {
		tag, err := TagPathID(ctx, tx, []string{PeopleCategory, name}, now)
		if err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE tags SET is_category=1 WHERE name=? COLLATE NOCASE AND id <> ?`, PeopleCategory, tag); err != nil {
			return err
		}
		err = tx.tx.QueryRowContext(ctx, `SELECT id FROM people WHERE tag_id=?`, tag).Scan(&personID)
		if errors.Is(err, sql.ErrNoRows) {
			if personID, err = NewPerson(ctx, tx); err != nil {
				return err
			}
			_, err = tx.tx.ExecContext(ctx, `UPDATE people SET tag_id=? WHERE id=?`, tag, personID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM face_rejections WHERE face_id=? AND person_id=?`, faceID, personID); err != nil {
			return err
		}
		return AssignFaces(ctx, tx, personID, []int64{faceID}, true)
	})
	return personID, err
}

// MergePeople folds person from into person into, in one transaction:
// from's faces move over (pinned); when both are named, from's tag is
// merged into into's (its entries, aliases and name as an alias); when
// only from is, into takes its name.
func (db *DB) MergePeople(ctx context.Context, into, from int64) error {
	if into == from {
		return nil
	}
	return db.Tx(ctx, func(tx *Tx) error { return mergePeopleTx(ctx, tx, into, from) })
}

func mergePeopleTx(ctx context.Context, tx *Tx, into, from int64) error {
	ti, err := personTag(ctx, tx, into)
	if err != nil {
		return err
	}
	tf, err := personTag(ctx, tx, from)
	if err != nil {
		return err
	}
	ids, err := personFaceIDs(ctx, tx, from)
	if err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE faces SET person_id=?, pinned=1 WHERE person_id=?`, into, from); err != nil {
		return err
	}
	// A face that was "not into" is moved by the user's word now.
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM face_rejections WHERE person_id=? AND face_id IN (SELECT id FROM faces WHERE person_id=?)`, into, into); err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM people WHERE id=?`, from); err != nil {
		return err
	}
	switch {
	case tf != 0 && ti == 0:
		if _, err := tx.tx.ExecContext(ctx, `UPDATE people SET tag_id=? WHERE id=?`, tf, into); err != nil {
			return err
		}
	case tf != 0 && ti != 0 && tf != ti:
		if err := mergeTagsTx(ctx, tx, tf, ti); err != nil {
			return err
		}
	}
	all, err := personFaceIDs(ctx, tx, into)
	if err != nil {
		return err
	}
	_ = ids
	return AssignFaces(ctx, tx, into, all, true)
}

// SplitFace takes a face out of its person into a new person of its own
// (pinned), and remembers it is not the person it left.
func (db *DB) SplitFace(ctx context.Context, faceID int64) (personID int64, err error) {
	err = db.Tx(ctx, func(tx *Tx) error {
		var prev sql.NullInt64
		if err := tx.tx.QueryRowContext(ctx, `SELECT person_id FROM faces WHERE id=?`, faceID).Scan(&prev); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNoFace
			}
			return err
		}
		if personID, err = NewPerson(ctx, tx); err != nil {
			return err
		}
		if prev.Valid {
			if _, err := tx.tx.ExecContext(ctx, `INSERT OR IGNORE INTO face_rejections(face_id, person_id) VALUES (?, ?)`, faceID, prev.Int64); err != nil {
				return err
			}
		}
		return AssignFaces(ctx, tx, personID, []int64{faceID}, true)
	})
	return personID, err
}

// RejectFace says a face is not the person it is in: it leaves that
// person (and the entry the person's tag, when no other face of theirs is
// there) and never joins them again.
func (db *DB) RejectFace(ctx context.Context, faceID int64) error {
	return db.Tx(ctx, func(tx *Tx) error {
		var prev sql.NullInt64
		if err := tx.tx.QueryRowContext(ctx, `SELECT person_id FROM faces WHERE id=?`, faceID).Scan(&prev); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNoFace
			}
			return err
		}
		if !prev.Valid {
			return nil
		}
		if _, err := tx.tx.ExecContext(ctx, `INSERT OR IGNORE INTO face_rejections(face_id, person_id) VALUES (?, ?)`, faceID, prev.Int64); err != nil {
			return err
		}
		return AssignFaces(ctx, tx, 0, []int64{faceID}, false)
	})
}

// HidePerson hides (or shows again) a person in the People view.
func (db *DB) HidePerson(ctx context.Context, personID int64, hidden bool) error {
	res, err := db.pool.ExecContext(ctx, `UPDATE people SET hidden=? WHERE id=?`, hidden, personID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoFace
	}
	return nil
}

// Cluster is one group of a full re-cluster: the faces of an existing
// person (Person != 0) or of a new one.
type Cluster struct {
	Person int64
	Faces  []int64
}

// ApplyClusters replaces the unpinned faces' people with a re-cluster's
// answer, in one transaction: every unpinned face not listed goes to
// nobody, unnamed people left without faces go, named people keep their
// tag on exactly the entries of their faces that were not pinned before.
func (db *DB) ApplyClusters(ctx context.Context, clusters []Cluster) error {
	return db.Tx(ctx, func(tx *Tx) error {
		unpinned, err := int64s(ctx, tx, `SELECT id FROM faces WHERE pinned=0 AND person_id IS NOT NULL`)
		if err != nil {
			return err
		}
		listed := map[int64]bool{}
		for _, c := range clusters {
			for _, f := range c.Faces {
				listed[f] = true
			}
		}
		var loose []int64
		for _, f := range unpinned {
			if !listed[f] {
				loose = append(loose, f)
			}
		}
		if err := AssignFaces(ctx, tx, 0, loose, false); err != nil {
			return err
		}
		for _, c := range clusters {
			p := c.Person
			if p == 0 {
				if p, err = NewPerson(ctx, tx); err != nil {
					return err
				}
			}
			if err := AssignFaces(ctx, tx, p, c.Faces, false); err != nil {
				return err
			}
		}
		return dropEmptyPeople(ctx, tx)
	})
}

// FaceVector is what a full regroup needs of a face: no crop, path or name.
type FaceVector struct {
	ID, EntryID, PersonID int64
	Pinned                bool
	Vec                   []float32
}

// ForEachFaceVector calls fn for every face of a present entry, by id,
// reading one row at a time, so a regroup holds the vectors once (fn
// copies what it keeps: Vec is reused).
func (db *DB) ForEachFaceVector(ctx context.Context, fn func(FaceVector) error) error {
	rows, err := db.pool.QueryContext(ctx, `SELECT f.id, f.entry_id, coalesce(f.person_id, 0), f.pinned, f.embedding
		FROM faces f JOIN entries e ON e.id = f.entry_id WHERE e.missing = 0 AND f.embedding IS NOT NULL ORDER BY f.id`)
	if err != nil {
		return fmt.Errorf("read face vectors: %w", err)
	}
	defer rows.Close()
	var f FaceVector
	var emb []byte
	for rows.Next() {
		if err := rows.Scan(&f.ID, &f.EntryID, &f.PersonID, &f.Pinned, &emb); err != nil {
			return fmt.Errorf("read face vectors: %w", err)
		}
		f.Vec = decodeInto(f.Vec[:0], emb)
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

func decodeInto(dst []float32, b []byte) []float32 {
	for i := 0; i+4 <= len(b); i += 4 {
		dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
	}
	return dst
}
