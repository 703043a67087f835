package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

func openTemp(t *testing.T) (*DB, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "library.db")
	db, err := Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, p
}

func TestOpenAppliesMigrationsAndChecksVec(t *testing.T) {
	db, _ := openTemp(t)
	if want := migrationFiles(t); db.Version != want || db.VecVersion == "" {
		t.Fatalf("version %d (want %d), vec %q", db.Version, want, db.VecVersion)
	}
	var fk int
	db.pool.QueryRow("PRAGMA foreign_keys").Scan(&fk)
	if fk != 1 {
		t.Error("foreign keys off")
	}
	var n int
	db.pool.QueryRow("SELECT COUNT(*) FROM tags WHERE id IN (1,2)").Scan(&n)
	if n != 2 {
		t.Error("built-in tags missing")
	}
}

func TestNewerFormat(t *testing.T) {
	ctx := context.Background()
	_, p := openTemp(t)
	// A newer minor: more migrations, same major -> still opens.
	raw, _ := sql.Open("sqlite3", p)
	raw.Exec("PRAGMA user_version = 99")
	raw.Close()
	db, err := Open(ctx, p)
	if err != nil {
		t.Fatalf("newer minor refused: %v", err)
	}
	db.Close()
	// A newer major -> refused with ErrNewerFormat.
	raw, _ = sql.Open("sqlite3", p)
	raw.Exec("UPDATE settings SET value='2' WHERE key='format_major'")
	raw.Close()
	if _, err := Open(ctx, p); !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("newer major: %v", err)
	}
}

func TestVectorsKNNPerModel(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var ids []int64
	err := db.Tx(ctx, func(tx *Tx) error {
		for i, p := range []string{"a.jpg", "b.jpg", "c.jpg"} {
			e := Entry{Path: p, Size: int64(i + 1), Fingerprint: p, MediaType: "image", Thumb: "t"}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			ids = append(ids, e.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m3, err := db.EnsureModel(ctx, "k3", "three", 3)
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := db.EnsureModel(ctx, "k2", "two", 2)
	if _, err := db.EnsureModel(ctx, "k3", "three", 4); err == nil {
		t.Error("same key, other dimension accepted")
	}
	db.Tx(ctx, func(tx *Tx) error {
		PutVector(ctx, tx, m3, ids[0], []float32{1, 0, 0})
		PutVector(ctx, tx, m3, ids[1], []float32{0, 1, 0})
		PutVector(ctx, tx, m3, ids[1], []float32{0.8, 0.6, 0}) // replaces
		PutVector(ctx, tx, m2, ids[2], []float32{1, 0})
		return nil
	})
	if err := db.Tx(ctx, func(tx *Tx) error { return PutVector(ctx, tx, m3, ids[2], []float32{1, 0}) }); err == nil {
		t.Error("wrong-length vector accepted")
	}
	hits, err := db.KNN(ctx, m3, []float32{1, 0, 0}, 10)
	if err != nil || len(hits) != 2 || hits[0].Path != "a.jpg" || hits[1].Path != "b.jpg" {
		t.Fatalf("knn: %v %+v", err, hits)
	}
	if s := hits[1].Score(); s < 0.79 || s > 0.81 {
		t.Errorf("score %v, want 0.8", s)
	}
	todo, _ := db.EntriesToEmbed(ctx, m3)
	if len(todo) != 1 || todo[0].Path != "c.jpg" {
		t.Errorf("to embed: %+v", todo)
	}
	if n, _ := db.CountVectors(ctx, m2); n != 1 {
		t.Errorf("model 2 has %d vectors", n)
	}
}

// migrationFiles is the number of migrations on disk: the schema version a
// fresh library must reach.
func migrationFiles(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	return len(files)
}
