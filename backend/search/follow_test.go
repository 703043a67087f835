package search

import (
	"context"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// TestIndexFollowsChanges: trashing and re-embedding update the loaded
// in-memory index in place; nothing is reloaded.
func TestIndexFollowsChanges(t *testing.T) {
	ctx := context.Background()
	s := hiddenLibrary(t)
	idx, err := s.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := s.db.EntryByPath(ctx, "plain.jpg")
	other, _ := s.db.EntryByPath(ctx, "other.jpg")
	n := idx.Len()

	if _, err := s.db.DeleteEntries(ctx, []int64{plain.ID}); err != nil {
		t.Fatal(err)
	}
	s.Forget([]int64{plain.ID})
	if again, _ := s.Index(ctx); again != idx {
		t.Fatal("the index was reloaded")
	}
	if idx.Has(plain.ID) || idx.Len() != n-1 {
		t.Errorf("trashed entry still in the index (%d of %d vectors)", idx.Len(), n)
	}
	for _, h := range idx.Search([]float32{1, 0}, 10, nil) {
		if h.ID == plain.ID {
			t.Error("the index returns the trashed entry")
		}
	}
	if hits := idx.Search([]float32{1, 0}, 10, nil); len(hits) != n-1 {
		t.Errorf("the others: %d hits, want %d", len(hits), n-1)
	}
	res, err := s.Search(ctx, "something", Options{})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Path != "other.jpg" {
		t.Errorf("search after trash: %v %+v", err, res.Hits)
	}

	// Re-embedded: the new vector replaces the old one in place.
	v := []float32{0, 1}
	err = s.db.Tx(ctx, func(tx *store.Tx) error { return store.PutVector(ctx, tx, s.model, other.ID, v) })
	if err != nil {
		t.Fatal(err)
	}
	s.Put(map[int64][]float32{other.ID: v})
	if again, _ := s.Index(ctx); again != idx {
		t.Fatal("the index was reloaded")
	}
	if got, ok := idx.Vector(other.ID); !ok || got[0] != 0 || got[1] != 1 || idx.Len() != n-1 {
		t.Errorf("re-embedded vector %v %v (%d vectors)", got, ok, idx.Len())
	}
	// A vector of another dimension cannot go in: the next search reloads.
	s.Put(map[int64][]float32{other.ID: {1, 2, 3}})
	if again, _ := s.Index(ctx); again == idx {
		t.Error("a wrong-size vector was not turned into a reload")
	}
}
