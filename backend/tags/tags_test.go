package tags

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/query"
	"github.com/tagsight/tagsight/backend/store"
)

func setup(t *testing.T, n int) (*Service, *store.DB, []int64) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var ids []int64
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			e := store.Entry{Path: fmt.Sprintf("p%05d.jpg", i), Size: 1, Fingerprint: fmt.Sprint(i), MediaType: "image"}
			if err := store.InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			ids = append(ids, e.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return New(db), db, ids
}

func mustCreate(t *testing.T, s *Service, name string) Tag {
	t.Helper()
	tg, err := s.Create(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestCreateRenameAliasResolve(t *testing.T) {
	ctx := context.Background()
	s, _, ids := setup(t, 3)
	dog := mustCreate(t, s, "  Dog  ")
	if dog.Name != "Dog" {
		t.Errorf("name %q", dog.Name)
	}
	if _, err := s.Create(ctx, "dog"); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate (case-insensitive): %v", err)
	}
	if _, err := s.Create(ctx, "  "); !errors.Is(err, ErrBadName) {
		t.Errorf("empty name: %v", err)
	}
	s.Apply(ctx, dog.ID, ids[:2])
	s.AddAlias(ctx, dog.ID, "hound")
	s.SetShorthand(ctx, dog.ID, "dg")
	if err := s.Rename(ctx, dog.ID, "Dogs"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"dogs", "DOGS", "hound", "dg"} {
		got, err := s.TagIDs(ctx, q)
		if err != nil || len(got) != 1 || got[0] != dog.ID {
			t.Errorf("TagIDs(%q) = %v %v", q, got, err)
		}
	}
	tg, _ := s.Get(ctx, dog.ID)
	if tg.Count != 2 || tg.Name != "Dogs" || len(tg.Aliases) != 1 {
		t.Errorf("after rename: %+v", tg)
	}
	if got, _ := s.TagIDs(ctx, "favorite"); len(got) != 1 || got[0] != FavouriteID {
		t.Errorf("built-in alias: %v", got)
	}
	if err := s.SetColor(ctx, dog.ID, "teal"); err != nil {
		t.Error(err)
	}
	if err := s.SetColor(ctx, dog.ID, "#12ab3F"); err != nil {
		t.Error(err)
	}
	if err := s.SetColor(ctx, dog.ID, "octarine"); !errors.Is(err, ErrBadColor) {
		t.Errorf("bad colour: %v", err)
	}
	if err := s.Rename(ctx, 9999, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("rename missing: %v", err)
	}
	if err := s.Delete(ctx, ArchivedID); !errors.Is(err, ErrBuiltIn) {
		t.Errorf("delete built-in: %v", err)
	}
}

func TestParentsDiamondAndCycles(t *testing.T) {
	ctx := context.Background()
	s, _, _ := setup(t, 0)
	a, b, c, d := mustCreate(t, s, "A"), mustCreate(t, s, "B"), mustCreate(t, s, "C"), mustCreate(t, s, "D")
	for _, l := range [][2]Tag{{b, a}, {c, a}, {d, b}, {d, c}} {
		if err := s.AddParent(ctx, l[0].ID, l[1].ID); err != nil {
			t.Fatalf("%s -> %s: %v", l[0].Name, l[1].Name, err)
		}
	}
	for _, l := range [][2]Tag{{a, d}, {a, b}, {b, d}, {a, a}} {
		if err := s.AddParent(ctx, l[0].ID, l[1].ID); !errors.Is(err, ErrCycle) {
			t.Errorf("parent %s of %s: %v, want ErrCycle", l[1].Name, l[0].Name, err)
		}
	}
	got, _ := s.Get(ctx, d.ID)
	if len(got.Parents) != 2 {
		t.Errorf("D's parents: %v", got.Parents)
	}
}

func TestApplyManyAndMerge(t *testing.T) {
	ctx := context.Background()
	s, db, ids := setup(t, 5000)
	x, y := mustCreate(t, s, "x"), mustCreate(t, s, "y")
	n, err := s.Apply(ctx, x.ID, ids)
	if err != nil || n != 5000 {
		t.Fatalf("apply: %d %v", n, err)
	}
	if n, _ := s.Apply(ctx, x.ID, ids[:10]); n != 0 {
		t.Errorf("re-apply changed %d", n)
	}
	s.Apply(ctx, y.ID, ids[4000:])
	s.AddAlias(ctx, x.ID, "ex")
	if n, _ := s.Remove(ctx, x.ID, ids[:1000]); n != 1000 {
		t.Errorf("remove: %d", n)
	}
	if err := s.Merge(ctx, x.ID, y.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, y.ID)
	if got.Count != 4000 {
		t.Errorf("merged count %d, want 4000", got.Count)
	}
	for _, q := range []string{"x", "ex"} {
		if r, _ := s.TagIDs(ctx, q); len(r) != 1 || r[0] != y.ID {
			t.Errorf("after merge %q -> %v", q, r)
		}
	}
	members, err := db.TagMembers(ctx, x.ID)
	if links := len(members); err != nil || links != 0 {
		t.Errorf("%d links left on the merged tag", links)
	}
}

func TestCentroidsFollowTagsAndVectors(t *testing.T) {
	ctx := context.Background()
	s, db, ids := setup(t, 4)
	m, err := db.EnsureModel(ctx, "k", "m", 2)
	if err != nil {
		t.Fatal(err)
	}
	vecs := [][]float32{{1, 0}, {0, 1}, {1, 1}, {3, 3}}
	db.Tx(ctx, func(tx *store.Tx) error {
		for i := 0; i < 3; i++ {
			store.PutVector(ctx, tx, m, ids[i], vecs[i])
		}
		return nil
	})
	tg := mustCreate(t, s, "t")
	s.Apply(ctx, tg.ID, ids) // ids[3] has no vector yet
	check := func(want []float32, count int) {
		t.Helper()
		cs, err := db.Centroids(ctx, m)
		if err != nil || len(cs) != 1 || cs[0].Count != count {
			t.Fatalf("centroids %+v %v, want count %d", cs, err, count)
		}
		for i := range want {
			if math.Abs(float64(cs[0].Mean[i]-want[i])) > 1e-5 {
				t.Fatalf("mean %v, want %v", cs[0].Mean, want)
			}
		}
	}
	check([]float32{2.0 / 3, 2.0 / 3}, 3)
	db.Tx(ctx, func(tx *store.Tx) error { return store.PutVector(ctx, tx, m, ids[3], vecs[3]) })
	check([]float32{5.0 / 4, 5.0 / 4}, 4)
	db.Tx(ctx, func(tx *store.Tx) error { return store.PutVector(ctx, tx, m, ids[3], []float32{1, 1}) }) // replaced
	check([]float32{3.0 / 4, 3.0 / 4}, 4)
	s.Remove(ctx, tg.ID, ids[:2])
	check([]float32{1, 1}, 2)
	db.Tx(ctx, func(tx *store.Tx) error { return store.RecomputeCentroids(ctx, tx, tg.ID) })
	check([]float32{1, 1}, 2)
}

// TestTagByTagStudioID: no tagstudio_ids table is no match (not an error);
// with one, a TagStudio id resolves to its tag and tag_id:N finds that tag's
// entries through the query compiler.
func TestTagByTagStudioID(t *testing.T) {
	s, db, ids := setup(t, 2)
	ctx := context.Background()
	dog := mustCreate(t, s, "Dog")
	if _, err := s.Apply(ctx, dog.ID, ids[:1]); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.TagByTagStudioID(ctx, 1011); ok || err != nil {
		t.Fatalf("before any import: %v %v", ok, err)
	}
	if err := db.SetTagStudioID(ctx, 1011, dog.ID); err != nil {
		t.Fatal(err)
	}
	if id, ok, err := s.TagByTagStudioID(ctx, 1011); !ok || err != nil || id != dog.ID {
		t.Fatalf("1011: %d %v %v, want %d", id, ok, err, dog.ID)
	}
	if _, ok, err := s.TagByTagStudioID(ctx, 1012); ok || err != nil {
		t.Fatalf("1012: %v %v", ok, err)
	}
	c, err := query.Compile(ctx, "tag_id:1011", s)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.FilterIDs(ctx, c.Filter); err != nil || len(got) != 1 || got[0] != ids[0] {
		t.Fatalf("tag_id:1011 matched %v, %v; want [%d]", got, err, ids[0])
	}
}
