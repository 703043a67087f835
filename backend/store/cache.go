package store

import (
	"context"
	"fmt"
	"sync"
)

// byChange remembers answers that depend only on rows the change log
// records (entries, tags and their links and fields, vectors, faces,
// people), under the log's newest seq: a count over the whole library is
// then taken once per change of the library, not once per call, whichever
// process wrote the change. The seq is read before the answer is computed,
// so a write landing between the two only makes the answer newer than its
// seq, and the next call, seeing a newer seq, computes it again.
type byChange struct {
	mu  sync.Mutex
	seq int64
	m   map[string]any
}

// byChangeMax bounds the answers kept for one seq (queries typed one after
// another each leave a count): past it, they are all dropped.
const byChangeMax = 512

// cachedByChange returns the answer kept under key for the log's newest
// seq, or computes and keeps it.
func cachedByChange[T any](ctx context.Context, db *DB, key string, compute func() (T, error)) (T, error) {
	seq, err := db.ChangeSeq(ctx)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("read change seq: %w", err)
	}
	c := &db.cache
	c.mu.Lock()
	if c.seq == seq {
		if v, ok := c.m[key]; ok {
			c.mu.Unlock()
			return v.(T), nil
		}
	}
	c.mu.Unlock()
	v, err := compute()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if seq > c.seq || c.m == nil {
		c.seq, c.m = seq, map[string]any{}
	}
	if seq == c.seq {
		if len(c.m) >= byChangeMax {
			clear(c.m)
		}
		c.m[key] = v
	}
	c.mu.Unlock()
	return v, nil
}

// cacheKey joins a query and its arguments into a key.
func cacheKey(kind, q string, args []any) string {
	return fmt.Sprintf("%s\x00%s\x00%#v", kind, q, args)
}
