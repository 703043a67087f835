package search

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/tags"
)

// hiddenLibrary: Secret is a user-made hidden tag with a parent Top and a
// child Sub; Archived is the built-in hidden tag. The model is a fake 2-d
// one whose every text points at [1 0].
func hiddenLibrary(t *testing.T) *Service {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := db.EnsureModel(ctx, "fake", "fake", 2)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for i, p := range []string{"plain.jpg", "secret.jpg", "both.jpg", "archived/old.jpg", "other.jpg"} {
			e := store.Entry{Path: p, Size: 1, Fingerprint: p, MediaType: "image", Thumb: "t"}
			if err := store.InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			ids[p] = e.ID
			if err := store.PutVector(ctx, tx, m, e.ID, []float32{1, float32(i) / 10}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := tags.New(db)
	tag := func(name string) int64 {
		tg, err := ts.Create(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return tg.ID
	}
	secret, top, sub, other := tag("Secret"), tag("Top"), tag("Sub"), tag("Other")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(ts.SetHidden(ctx, secret, true))
	must(ts.AddParent(ctx, secret, top))
	must(ts.AddParent(ctx, sub, secret))
	apply := func(tag int64, paths ...string) {
		var es []int64
		for _, p := range paths {
			es = append(es, ids[p])
		}
		_, err := ts.Apply(ctx, tag, es)
		must(err)
	}
	apply(secret, "secret.jpg", "both.jpg")
	apply(other, "both.jpg", "other.jpg")
	apply(tags.ArchivedID, "archived/old.jpg")
	return New(db, ts, nil, m, Encoders{
		Text: func(context.Context, string) ([]float32, error) { return []float32{1, 0}, nil },
	})
}

func TestHiddenTags(t *testing.T) {
	s := hiddenLibrary(t)
	all := "archived/old.jpg both.jpg other.jpg plain.jpg secret.jpg"
	tests := []struct {
		q    string
		opt  Options
		want string // paths, sorted
	}{
		{q: "", want: "other.jpg plain.jpg"},
		{q: "", opt: Options{IncludeHidden: true}, want: all},
		{q: "special:hidden", want: all},
		{q: "is:hidden path:old", want: "archived/old.jpg"},
		// A user-made hidden tag named by the query is shown.
		{q: "tag:Secret", want: "both.jpg secret.jpg"},
		{q: "secret", want: "both.jpg secret.jpg"},
		{q: `"Secret"`, want: "both.jpg secret.jpg"},
		{q: "NOT tag:Secret", want: "other.jpg plain.jpg"},
		// ... and so is one related to a named tag: Top is Secret's
		// parent (and matches Secret's entries), Sub its child.
		{q: "tag:Top", want: "both.jpg secret.jpg"},
		{q: "tag:Sub OR tag:Other", want: "both.jpg other.jpg"},
		// Naming an unrelated tag shows no hidden entry.
		{q: "tag:Other", want: "other.jpg"},
		{q: "archived", want: "archived/old.jpg"},
		{q: "tag:Archived OR tag:Secret", want: "archived/old.jpg both.jpg secret.jpg"},
		// The word as text unhides nothing.
		{q: "path:archived", want: ""},
		{q: `"archived/old"`, want: ""},
		{q: `~"archived"`, want: "other.jpg plain.jpg"},
		{q: `archived photo`, want: "archived/old.jpg"},
		{q: `~archived path:old`, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			res, err := s.Search(context.Background(), tt.q, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.Path)
			}
			sort.Strings(got)
			if strings.Join(got, " ") != tt.want {
				t.Errorf("got %q, want %q", strings.Join(got, " "), tt.want)
			}
		})
	}
	// More like this follows the same rule.
	res, err := s.Similar(context.Background(), 1, "path:archived", Options{})
	if err != nil || len(res.Hits) != 0 {
		t.Errorf("similar with path:archived: %v %+v", err, res.Hits)
	}
}
