// Package store owns a library's SQLite database: opening it with the right
// pragmas and the sqlite-vec extension, applying the embedded migrations, and
// every query over entries, tags, vectors, suggestions and duplicates. It is
// the only package that speaks SQL: DB and Tx are opaque, and owner_test.go
// checks by type that nothing it exports hands out database/sql. Others call
// its methods, and a transaction that must be atomic (a tag merge, a bulk
// apply) is one method here. It knows nothing about files on disk, scanning
// or models; callers hand it rows.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	sqlite_vec "github.com/asg017/sqlite-vec-go-bindings/cgo"
)

// FormatMajor is the library format's major version. Migrations within one
// major only add tables, columns and indexes, so a library written by a newer
// minor (more migrations than this binary knows) still opens; a newer major
// is refused.
const FormatMajor = 1

//go:embed migrations/*.sql
var migrationFS embed.FS

func init() {
	// Registers sqlite-vec on every new connection of every database.
	sqlite_vec.Auto()
}

// DB is an open library database. The connection pool is unexported so
// that SQL is reachable only through this package's methods.
type DB struct {
	pool *sql.DB
	Path string
	// Version is the schema version found (or created) on disk.
	Version int
	// VecVersion is what vec_version() answered at open.
	VecVersion string

	cache byChange
	stmts atomic.Int64 // see Statements
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, f := range files {
		base := path.Base(f)
		num, _, ok := strings.Cut(base, "_")
		if !ok {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", base)
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", base, err)
		}
		b, err := migrationFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return out, nil
}

// Open opens (creating if needed) the database at dbPath, checks sqlite-vec
// and brings the schema up to date inside one transaction.
func Open(ctx context.Context, dbPath string) (*DB, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	dsn := "file:" + escapeDSNPath(dbPath) + "?" + q.Encode()
	db := &DB{Path: dbPath}
	sdb := sql.OpenDB(connector{dsn: dsn, n: &db.stmts})
	sdb.SetMaxOpenConns(4)
	sdb.SetMaxIdleConns(4)
	db.pool = sdb
	if err := db.init(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

// escapeDSNPath keeps '?' and '#' in a file name from being read as the
// start of the DSN's query.
func escapeDSNPath(p string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return r.Replace(p)
}

func (db *DB) init(ctx context.Context) error {
	if err := db.pool.QueryRowContext(ctx, "SELECT vec_version()").Scan(&db.VecVersion); err != nil {
		return fmt.Errorf("sqlite-vec extension not available: %w", err)
	}
	var jm string
	if err := db.pool.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&jm); err != nil {
		return fmt.Errorf("read journal mode: %w", err)
	}
	if !strings.EqualFold(jm, "wal") {
		return fmt.Errorf("database is not in WAL mode (%s)", jm)
	}
	return db.migrate(ctx)
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	// Most opens find the schema current: check without taking the write
	// lock, so opening never waits behind a running scan.
	var cur int
	if err := db.pool.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if cur == len(ms) {
		db.Version = cur
		return nil
	}
	// SQLite's procedure for changing a table's schema (create the new
	// table, copy, drop the old, rename) needs foreign keys off, or the
	// drop cascades into every table that references it; the pragma is a
	// no-op inside a transaction, so it is set on one connection first and
	// restored before the connection goes back to the pool.
	conn, err := db.pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); err != nil {
			// Never hand the pool a connection without foreign keys.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	stx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer stx.Rollback()
	tx := &Tx{stx}
	var v int
	if err := tx.tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > len(ms) {
		var major string
		err := tx.tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE key='format_major'").Scan(&major)
		if err != nil || major != strconv.Itoa(FormatMajor) {
			return fmt.Errorf("%w: schema version %d, format %q (this Tagsight knows %d, format %d)",
				ErrNewerFormat, v, major, len(ms), FormatMajor)
		}
		db.Version = v
		return nil // newer minor: open as is
	}
	for _, m := range ms[v:] {
		if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if step := afterMigration[m.version]; step != nil {
			if err := step(ctx, tx); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
		}
	}
	if err := foreignKeyCheck(ctx, tx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := tx.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(ms))); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	if _, err := tx.tx.ExecContext(ctx, "INSERT INTO settings(key,value) VALUES('format_major',?) ON CONFLICT(key) DO UPDATE SET value=excluded.value", strconv.Itoa(FormatMajor)); err != nil {
		return fmt.Errorf("set format: %w", err)
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	db.Version = len(ms)
	return nil
}

// foreignKeyCheck fails when a row points at a row that does not exist:
// with foreign keys off, nothing else would notice a migration breaking them.
func foreignKeyCheck(ctx context.Context, tx *Tx) error {
	rows, err := tx.tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		return fmt.Errorf("foreign key check: row %d of %s points at a missing %s", rowid.Int64, table, parent)
	}
	return rows.Err()
}

// querier is what int64s runs a query on: the database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// int64s runs a query whose rows are one integer each (ids, mostly).
func int64s(ctx context.Context, r Reader, q string, args ...any) ([]int64, error) {
	rows, err := r.reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Tx is a write transaction, as DB.Tx and Batcher hand it out. It is
// opaque: outside this package it can only be passed back to store's
// functions (InsertEntry, PutVector, ...), so every write inside it is one
// of theirs.
type Tx struct{ tx *sql.Tx }

// Tx runs fn in one write transaction, rolling back when fn fails.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&Tx{tx}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Reader is the database or a transaction, for reads that must run inside
// a caller's transaction when there is one (a face's neighbours while its
// grouping is written) and on the database otherwise.
type Reader interface{ reader() querier }

func (db *DB) reader() querier { return db.pool }
func (t *Tx) reader() querier  { return t.tx }

// Close closes the database.
func (db *DB) Close() error { return db.pool.Close() }

// Setting returns a library setting, or def when it is unset.
func (db *DB) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := db.pool.QueryRowContext(ctx, "SELECT value FROM settings WHERE key=?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	return v, err
}

// SetSetting stores a library setting.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.pool.ExecContext(ctx, "INSERT INTO settings(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value", key, value)
	return err
}

// inList is "(?,?,…)" for ids (at least one) and the ids as arguments.
func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(?" + strings.Repeat(",?", len(ids)-1) + ")", args
}

// IntegrityCheck runs SQLite's own check of the whole database and returns
// its verdict: "ok", or what is broken.
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	var verdict string
	err := db.pool.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&verdict)
	return verdict, err
}
