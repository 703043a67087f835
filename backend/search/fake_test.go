package search

import (
	"context"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/tags"
)

// fakeEncoder stands in for CLIP: fixed vectors per text and per file,
// and def for any text it was not told about. No ONNX runs.
type fakeEncoder struct {
	texts map[string][]float32
	files map[string][]float32
	def   []float32
}

func (f fakeEncoder) encoders() Encoders {
	return Encoders{
		Text: func(_ context.Context, text string) ([]float32, error) {
			if v, ok := f.texts[text]; ok {
				return v, nil
			}
			return f.def, nil
		},
		File: func(_ context.Context, path string) ([]float32, error) {
			if v, ok := f.files[path]; ok {
				return v, nil
			}
			return nil, fmt.Errorf("fake encoder: no file %s", path)
		},
	}
}

// fakeEntry is a library entry with its (unnormalised) vector, if any.
type fakeEntry struct {
	path          string
	vec           []float32
	fingerprint   string // default: the path
	size          int64  // default 1
	width, height int
}

type fakeLibrary struct {
	*Service
	tags *tags.Service
	ids  map[string]int64
}

func unit(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) / math.Sqrt(n))
	}
	return out
}

// newFakeLibrary makes a library of entries with normalised vectors for
// a dim-d fake model searched through enc.
func newFakeLibrary(t *testing.T, dim int, enc fakeEncoder, entries []fakeEntry) fakeLibrary {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := db.EnsureModel(ctx, "fake", "fake", dim)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, fe := range entries {
			e := store.Entry{Path: fe.path, Size: max(fe.size, 1), Fingerprint: fe.fingerprint, MediaType: "image", Thumb: "t",
				Width: fe.width, Height: fe.height}
			if e.Fingerprint == "" {
				e.Fingerprint = fe.path
			}
			if err := store.InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			ids[fe.path] = e.ID
			if fe.vec != nil {
				if err := store.PutVector(ctx, tx, m, e.ID, unit(fe.vec)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := tags.New(db)
	return fakeLibrary{New(db, ts, dbFiles{db}, m, enc.encoders()), ts, ids}
}

func (l fakeLibrary) tag(t *testing.T, name string, paths ...string) int64 {
	t.Helper()
	ctx := context.Background()
	tg, err := l.tags.Find(ctx, name)
	if err != nil {
		if tg, err = l.tags.Create(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	var es []int64
	for _, p := range paths {
		es = append(es, l.ids[p])
	}
	if _, err := l.tags.Apply(ctx, tg.ID, es); err != nil {
		t.Fatal(err)
	}
	return tg.ID
}

func hitPaths(hs []Hit) string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Path)
	}
	return strings.Join(out, " ")
}

func TestSearchFilterBeforeRanking(t *testing.T) {
	ctx := context.Background()
	enc := fakeEncoder{texts: map[string][]float32{"red": {1, 0, 0}}, def: []float32{0, 0, 1}}
	l := newFakeLibrary(t, 3, enc, []fakeEntry{
		// The nearest to "red" overall lie outside the filter.
		{path: "other/r1.jpg", vec: []float32{1, 0.01, 0}},
		{path: "other/r2.jpg", vec: []float32{1, 0.02, 0}},
		{path: "other/r3.jpg", vec: []float32{1, 0.03, 0}},
		{path: "keep/a.jpg", vec: []float32{0.6, 0.8, 0}},
		{path: "keep/b.jpg", vec: []float32{0.8, 0.6, 0}},
		{path: "keep/c.jpg", vec: []float32{0, 0.6, 0.8}},
		{path: "keep/novector.jpg"},
	})
	res, err := l.Search(ctx, "~red path:keep/", Options{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Semantic || hitPaths(res.Hits) != "keep/b.jpg keep/a.jpg" {
		t.Fatalf("hits %q (semantic %v), want the filter's best two ranked: keep/b.jpg keep/a.jpg", hitPaths(res.Hits), res.Semantic)
	}
	if math.Abs(res.Hits[0].Score-0.8) > 1e-5 || math.Abs(res.Hits[1].Score-0.6) > 1e-5 {
		t.Errorf("scores %v %v, want 0.8 0.6", res.Hits[0].Score, res.Hits[1].Score)
	}
	if res.Total != 3 {
		t.Errorf("total %d, want the 3 filtered entries that have a vector", res.Total)
	}
	// Unfiltered, the same words rank the others first.
	res, err = l.Search(ctx, "~red", Options{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := hitPaths(res.Hits); got != "other/r1.jpg other/r2.jpg other/r3.jpg" {
		t.Errorf("unfiltered: %q", got)
	}
	// A filter with no semantic part is not ranked.
	res, err = l.Search(ctx, "path:keep/", Options{Sort: "-name"})
	if err != nil {
		t.Fatal(err)
	}
	if got := hitPaths(res.Hits); res.Semantic || got != "keep/novector.jpg keep/c.jpg keep/b.jpg keep/a.jpg" || res.Total != 4 {
		t.Errorf("filter only: %q, total %d, semantic %v", got, res.Total, res.Semantic)
	}
}

func TestSearchNegativeWeight(t *testing.T) {
	ctx := context.Background()
	enc := fakeEncoder{texts: map[string][]float32{"dog": {1, 0, 0}, "grass": {0, 1, 0}}, def: []float32{0, 0, 1}}
	l := newFakeLibrary(t, 3, enc, []fakeEntry{
		{path: "dog-on-grass.jpg", vec: []float32{0.9, 0.44, 0}},
		{path: "dog-indoors.jpg", vec: []float32{0.8, 0, 0.6}},
	})
	for _, tt := range []struct{ q, want string }{
		{"~dog", "dog-on-grass.jpg dog-indoors.jpg"},
		{"~dog -grass", "dog-indoors.jpg dog-on-grass.jpg"},
		{"~dog +grass", "dog-on-grass.jpg dog-indoors.jpg"},
	} {
		res, err := l.Search(ctx, tt.q, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := hitPaths(res.Hits); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.q, got, tt.want)
		}
	}
}

// suggestLibrary: q.jpg is the picture to tag, at [1 0 0 0 0].
//   - Sunset's two pictures lie far from q (0.6 each, behind fourteen
//     nearer ones) but their centroid points straight at it: "centroid".
//   - Dog's four near pictures are among q's ten nearest, but six more lie
//     elsewhere, pulling its centroid away: "neighbours".
//   - Kite has no pictures, and its name as a prompt matches q alone:
//     "zero-shot".
func suggestLibrary(t *testing.T) (fakeLibrary, map[string]int64) {
	t.Helper()
	enc := fakeEncoder{texts: map[string][]float32{"a photo of Kite": {1, 0, 0, 0, 0}}, def: []float32{0, 0, 0, -1, 0}}
	es := []fakeEntry{{path: "q.jpg", vec: []float32{1, 0, 0, 0, 0}}}
	for i := range 10 {
		es = append(es, fakeEntry{path: fmt.Sprintf("filler%d.jpg", i), vec: []float32{0.9, 0, 0.436, 0, float32(i) / 100}})
	}
	for i := range 4 {
		es = append(es, fakeEntry{path: fmt.Sprintf("dog%d.jpg", i), vec: []float32{0.95, 0.312, 0, 0, float32(i) / 100}})
	}
	for i := range 6 {
		es = append(es, fakeEntry{path: fmt.Sprintf("dogfar%d.jpg", i), vec: []float32{0, 0, 0, 1, float32(i) / 100}})
	}
	es = append(es, fakeEntry{path: "sunset0.jpg", vec: []float32{0.6, 0, 0, 0, 0.8}}, fakeEntry{path: "sunset1.jpg", vec: []float32{0.6, 0, 0, 0, -0.8}})
	l := newFakeLibrary(t, 5, enc, es)
	ids := map[string]int64{
		"Sunset": l.tag(t, "Sunset", "sunset0.jpg", "sunset1.jpg"),
		"Dog":    l.tag(t, "Dog", "dog0.jpg", "dog1.jpg", "dog2.jpg", "dog3.jpg", "dogfar0.jpg", "dogfar1.jpg", "dogfar2.jpg", "dogfar3.jpg", "dogfar4.jpg", "dogfar5.jpg"),
		"Kite":   l.tag(t, "Kite"),
	}
	return l, ids
}

func sources(sg []Suggestion) map[string]string {
	out := map[string]string{}
	for _, s := range sg {
		out[s.Tag.Name] = strings.Join(s.Sources, ",")
	}
	return out
}

func TestSuggestNamesEachSource(t *testing.T) {
	ctx := context.Background()
	l, _ := suggestLibrary(t)
	sg, err := l.Suggest(ctx, l.ids["q.jpg"], 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Sunset": "centroid", "Dog": "neighbours", "Kite": "zero-shot"}
	if got := sources(sg); !maps.Equal(got, want) {
		t.Fatalf("sources %v, want %v", got, want)
	}
	for _, s := range sg {
		if s.Score <= 0 || s.Score > 1 || s.Reason == "" {
			t.Errorf("%s: score %v, reason %q", s.Tag.Name, s.Score, s.Reason)
		}
		switch s.Tag.Name {
		case "Sunset":
			if !strings.Contains(s.Reason, `2 pictures tagged "Sunset"`) || len(s.Examples) != 2 {
				t.Errorf("Sunset: %q, %d examples", s.Reason, len(s.Examples))
			}
		case "Dog":
			if !strings.Contains(s.Reason, `4 of its 10 nearest pictures are tagged "Dog"`) || len(s.Examples) != 3 || !strings.HasPrefix(s.Examples[0].Path, "dog") {
				t.Errorf("Dog: %q, examples %+v", s.Reason, s.Examples)
			}
		case "Kite":
			if !strings.Contains(s.Reason, `"a photo of Kite"`) || len(s.Examples) != 0 {
				t.Errorf("Kite: %q, %d examples", s.Reason, len(s.Examples))
			}
		}
	}
	// Tags q carries are not suggested.
	l.tag(t, "Kite", "q.jpg")
	sg, err = l.Suggest(ctx, l.ids["q.jpg"], 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sources(sg)["Kite"]; ok {
		t.Errorf("a tag q carries is suggested: %v", sources(sg))
	}
	if sg, _ := l.Suggest(ctx, l.ids["q.jpg"], 1); len(sg) != 1 {
		t.Errorf("limit 1: %d suggestions", len(sg))
	}
}

func TestDismissedSuggestionsStayDismissed(t *testing.T) {
	ctx := context.Background()
	l, tg := suggestLibrary(t)
	q := l.ids["q.jpg"]
	batch := func() []int64 {
		t.Helper()
		hs, err := l.BatchSuggest(ctx, tg["Sunset"], 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, h := range hs {
			ids = append(ids, h.EntryID)
		}
		return ids
	}
	if !slices.Contains(batch(), q) {
		t.Fatal("q is not among the pictures that look like Sunset")
	}
	if err := l.tags.Dismiss(ctx, tg["Sunset"], []int64{q}); err != nil {
		t.Fatal(err)
	}
	if err := l.tags.Dismiss(ctx, tg["Dog"], []int64{q}); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		sg, err := l.Suggest(ctx, q, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := sources(sg); !maps.Equal(got, map[string]string{"Kite": "zero-shot"}) {
			t.Errorf("%s: suggestions %v, want Kite only", when, got)
		}
		if slices.Contains(batch(), q) {
			t.Errorf("%s: q is batch-suggested for Sunset after dismissal", when)
		}
	}
	check("after dismissing")
	// Other edits, a fresh index and a merge into Sunset keep them dismissed.
	other := l.tag(t, "Other", "q.jpg")
	if _, err := l.tags.Remove(ctx, other, []int64{q}); err != nil {
		t.Fatal(err)
	}
	l.Invalidate()
	check("after other edits and a reload")
	tmp := l.tag(t, "Tmp")
	if err := l.tags.Merge(ctx, tmp, tg["Sunset"]); err != nil {
		t.Fatal(err)
	}
	check("after a merge into Sunset")
}

func TestDuplicatesKeeperFirst(t *testing.T) {
	ctx := context.Background()
	l := newFakeLibrary(t, 3, fakeEncoder{}, []fakeEntry{
		// Exact: same content hash and size; the larger picture is kept.
		{path: "copy/small.jpg", fingerprint: "x1:aaa", size: 10, width: 10, height: 10, vec: []float32{1, 0, 0}},
		{path: "big.jpg", fingerprint: "x1:aaa", size: 10, width: 20, height: 20, vec: []float32{1, 0, 0}},
		// Near: vectors 0.99+ alike, same pixels; the tagged one is kept.
		{path: "a/near-plain.jpg", size: 5, width: 8, height: 8, vec: []float32{0, 1, 0.05}},
		{path: "b/near-tagged.jpg", size: 5, width: 8, height: 8, vec: []float32{0, 1, 0.1}},
		// Alike in size and hash but an older fingerprint kind: not exact.
		{path: "x0a.jpg", fingerprint: "x0:zzz", size: 3, vec: []float32{0, 0, 1}},
		{path: "x0b.jpg", fingerprint: "x0:zzz", size: 3, vec: []float32{0.7, 0.7, 0}},
		{path: "alone.jpg", vec: []float32{-1, 0, 0}},
	})
	l.tag(t, "Keep", "b/near-tagged.jpg")
	groups, err := l.Duplicates(ctx, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range groups {
		got = append(got, fmt.Sprintf("%s:%s", g.Kind, strings.Join(g.Paths, ",")))
		for i, p := range g.Paths {
			if g.EntryIDs[i] != l.ids[p] {
				t.Errorf("%s: id %d at %d, want %d", p, g.EntryIDs[i], i, l.ids[p])
			}
		}
	}
	want := []string{"exact:big.jpg,copy/small.jpg", "near:b/near-tagged.jpg,a/near-plain.jpg"}
	if !slices.Equal(got, want) {
		t.Fatalf("groups %q, want %q", got, want)
	}
	if groups[0].Similarity != 1 || groups[1].Similarity < 0.98 || groups[1].Similarity >= 1 {
		t.Errorf("similarities %v %v", groups[0].Similarity, groups[1].Similarity)
	}
	// A stricter threshold splits the near pair; the exact one stays.
	groups, err = l.Duplicates(ctx, 0.9999, nil)
	if err != nil || len(groups) != 1 || groups[0].Kind != "exact" {
		t.Errorf("threshold 0.9999: %+v %v", groups, err)
	}
}

// dbFiles names the fake library's pictures by their entries' paths (the
// fake has no folder on disk for library.Library.Resolve to look at).
type dbFiles struct{ db *store.DB }

func (f dbFiles) Resolve(ctx context.Context, name string, _ library.Naming) (library.Named, error) {
	e, err := f.db.EntryByPath(ctx, name)
	if err != nil {
		return library.Named{}, err
	}
	return library.Named{Rel: name, Entry: e}, nil
}

func (dbFiles) Abs(rel string) string { return rel }
