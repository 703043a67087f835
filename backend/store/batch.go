package store

import (
	"context"
)

// Batcher writes items in short transactions of up to size items each, so
// the write lock is held for milliseconds while a long job runs and other
// writers (the user tagging) get their turn. It writes with a context that
// survives cancellation, so finished work is never thrown away. After the
// first failed batch it keeps the error and writes nothing more.
type Batcher[T any] struct {
	db      *DB
	ctx     context.Context
	size    int
	write   func(ctx context.Context, tx *Tx, item T) error
	pending []T
	err     error
	// bytes is what the pending items hold (as AddSized was told), limit
	// the most it may reach before they are written.
	bytes, limit int
}

// NewBatcher returns a batcher that writes each item with write.
func NewBatcher[T any](ctx context.Context, db *DB, size int, write func(ctx context.Context, tx *Tx, item T) error) *Batcher[T] {
	return &Batcher[T]{db: db, ctx: context.WithoutCancel(ctx), size: max(size, 1), write: write}
}

// Add queues an item, writing the batch once it is full.
func (b *Batcher[T]) Add(item T) { b.AddSized(item, 0) }

// LimitBytes makes the batcher write its items once they hold n bytes
// (AddSized's count), however few they are: a batch of files' text must
// not hold 256 times the largest text at once. 0: no limit.
func (b *Batcher[T]) LimitBytes(n int) { b.limit = n }

// AddSized queues an item holding n bytes until it is written.
func (b *Batcher[T]) AddSized(item T, n int) {
	b.pending = append(b.pending, item)
	b.bytes += n
	if len(b.pending) >= b.size || (b.limit > 0 && b.bytes >= b.limit) {
		b.Flush()
	}
}

// Flush writes what is queued (call it on a timer and at the end) and
// returns the first error of any batch.
func (b *Batcher[T]) Flush() error {
	b.bytes = 0
	if b.err != nil || len(b.pending) == 0 {
		b.pending = b.pending[:0]
		return b.err
	}
	b.err = b.db.Tx(b.ctx, func(tx *Tx) error {
		for _, item := range b.pending {
			if err := b.write(b.ctx, tx, item); err != nil {
				return err
			}
		}
		return nil
	})
	b.pending = b.pending[:0]
	return b.err
}
