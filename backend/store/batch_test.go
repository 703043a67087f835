package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestBatcher(t *testing.T) {
	db, _ := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	var batches, items int
	var lastTx *Tx
	b := NewBatcher(ctx, db, 3, func(ctx context.Context, tx *Tx, v int) error {
		if tx != lastTx {
			batches, lastTx = batches+1, tx
		}
		items++
		if v == 7 {
			return errors.New("seven")
		}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, 'x')`, v)
		return err
	})
	cancel() // writing survives cancellation
	for i := 1; i <= 5; i++ {
		b.Add(i)
	}
	if batches != 1 || items != 3 {
		t.Fatalf("after 5 adds: %d batches, %d items", batches, items)
	}
	if err := b.Flush(); err != nil || batches != 2 || items != 5 {
		t.Fatalf("flush: %v, %d batches, %d items", err, batches, items)
	}
	for i := 6; i <= 9; i++ {
		b.Add(i) // 6,7,8 fail as one batch; 9 is queued
	}
	if err := b.Flush(); err == nil || err.Error() != "seven" {
		t.Fatalf("error not kept: %v", err)
	}
	if n := items; b.Flush() == nil || items != n {
		t.Error("wrote after an error")
	}
	var rows int
	db.pool.QueryRow(`SELECT COUNT(*) FROM settings WHERE value = 'x'`).Scan(&rows)
	if rows != 5 {
		t.Errorf("%d rows, want the 5 of the good batches (the failed one rolled back)", rows)
	}
}

// A full batch commits at once, Flush commits the rest, and a batch whose
// write fails commits nothing of it.
func TestBatcherCommits(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	fail := false
	b := NewBatcher(ctx, db, 2, func(ctx context.Context, tx *Tx, n int) error {
		if fail && n == 5 {
			return errors.New("boom")
		}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, 'x')`, fmt.Sprintf("batch-%d", n))
		return err
	})
	count := func() int {
		var n int
		if err := db.pool.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key LIKE 'batch-%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	b.Add(1)
	b.Add(2) // full: committed
	if n := count(); n != 2 {
		t.Errorf("after a full batch: %d rows, want 2", n)
	}
	b.Add(3)
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	fail = true
	b.Add(4)
	b.Add(5) // fails: 4 goes too
	b.Flush()
	if n := count(); n != 3 {
		t.Errorf("after a failed batch: %d rows, want 3", n)
	}
}

// Items that hold many bytes are written once they pass the byte limit,
// however few: three files of 30 MB of text, with a 64 MB limit, go as a
// batch of three (90 MB passes it at the third) though the batch holds 256.
func TestBatcherLimitBytes(t *testing.T) {
	db, _ := openTemp(t)
	var written []int
	b := NewBatcher(context.Background(), db, 256, func(ctx context.Context, tx *Tx, v int) error {
		written = append(written, v)
		return nil
	})
	b.LimitBytes(64 << 20)
	b.AddSized(1, 30<<20)
	b.AddSized(2, 30<<20)
	if len(written) != 0 {
		t.Fatalf("written %v at 60 MB, want none", written)
	}
	b.AddSized(3, 30<<20)
	if len(written) != 3 {
		t.Fatalf("written %v at 90 MB, want 1 2 3", written)
	}
	// The count starts again after a write.
	b.AddSized(4, 30<<20)
	b.AddSized(5, 30<<20)
	if len(written) != 3 {
		t.Fatalf("written %v after the first write and 60 MB more, want 3", written)
	}
	b.Add(6)
	if err := b.Flush(); err != nil || len(written) != 6 {
		t.Fatalf("flush: %v, written %v", err, written)
	}
}
