package store

import (
	"context"
	"database/sql/driver"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
)

// connector opens SQLite connections whose statements are counted in n:
// a test can then hold a call to a bound number of statements (a page of
// results must not cost one query per result), however the call is
// written. Counting is one atomic add per statement.
type connector struct {
	dsn string
	n   *atomic.Int64
}

func (c connector) Connect(context.Context) (driver.Conn, error) {
	conn, err := (&sqlite3.SQLiteDriver{}).Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return countingConn{conn.(*sqlite3.SQLiteConn), c.n}, nil
}

func (c connector) Driver() driver.Driver { return &sqlite3.SQLiteDriver{} }

// countingConn is mattn's connection (every method of it kept, so
// database/sql still takes the fast paths) counting what it starts.
type countingConn struct {
	*sqlite3.SQLiteConn
	n *atomic.Int64
}

func (c countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.n.Add(1)
	return c.SQLiteConn.QueryContext(ctx, q, args)
}

func (c countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.n.Add(1)
	return c.SQLiteConn.ExecContext(ctx, q, args)
}

func (c countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	c.n.Add(1)
	return c.SQLiteConn.PrepareContext(ctx, q)
}

// Statements is how many statements the database has started (queries,
// executions and preparations, in transactions too) since it was opened.
func (db *DB) Statements() int64 { return db.stmts.Load() }
