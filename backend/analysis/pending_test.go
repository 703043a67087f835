package analysis

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// bigText is an analyzer whose outputs say they hold 40 MB each until
// saved (a file's words), and count their saves.
type bigText struct {
	*fakeAnalyzer
	saved *atomic.Int32
}

type bigOut struct{ saved *atomic.Int32 }

func (o bigOut) Save(ctx context.Context, tx *store.Tx, id int64) error { o.saved.Add(1); return nil }
func (o bigOut) PendingBytes() int                                      { return 40 << 20 }

func (b bigText) Analyze(ctx context.Context, it *Item, p *Picture) (any, error) {
	return bigOut{b.saved}, nil
}

// TestPipelineSavesBeforeOutputsPileUp: finished outputs holding more than
// MaxPendingBytes (64 MB) are saved then, not when the 256-item batch or
// the flush timer comes: when the writer has handed on its second item of
// 40 MB, both are saved.
func TestPipelineSavesBeforeOutputsPileUp(t *testing.T) {
	f := newFixture(t, 6)
	var saved atomic.Int32
	a := bigText{newFake("words", "w1", Need{}), &saved}
	done := 0
	var seen []int32
	_, _, err := f.run(context.Background(), []Analyzer{a}, Options{
		BatchSize: 256, Flush: 1 << 40, Workers: 1,
		Done: func(it *Item, err error) {
			done++
			seen = append(seen, saved.Load())
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// After items 2, 4 and 6 the 80 MB held passes the limit: saved then.
	want := []int32{0, 2, 2, 4, 4, 6}
	if len(seen) != len(want) {
		t.Fatalf("done %d items, want %d", len(seen), len(want))
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("saves seen as items were handed on: %v, want %v", seen, want)
		}
	}
}
