package faces

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// Faces group at SFace's published cosine threshold (0.363), both as they
// arrive (Assign) and when regrouped (Recluster): two people whose faces
// are alike within (cosine ≈ 0.98) and unlike across (≈ 0.3, under the
// threshold but over half of it) stay two people. Halving the threshold
// merged them and no test noticed (issue 19).
func TestGroupingThreshold(t *testing.T) {
	ctx := context.Background()
	const dim = 128
	db := faceDB(t, dim)
	rng := rand.New(rand.NewPCG(7, 11))
	unit := func(v []float64) []float64 {
		var n float64
		for _, x := range v {
			n += x * x
		}
		n = math.Sqrt(n)
		for i := range v {
			v[i] /= n
		}
		return v
	}
	random := func() []float64 {
		v := make([]float64, dim)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return unit(v)
	}
	// Two people's base vectors at cosine 0.3: b = 0.3·a + √(1−0.3²)·(a
	// unit vector orthogonal to a).
	a, o := random(), random()
	var ao float64
	for i := range a {
		ao += a[i] * o[i]
	}
	for i := range o {
		o[i] -= ao * a[i]
	}
	unit(o)
	b := make([]float64, dim)
	for i := range b {
		b[i] = 0.3*a[i] + math.Sqrt(1-0.3*0.3)*o[i]
	}
	// Each face is its person's base plus noise: cosine ≈ 0.99 to the base.
	face := func(base []float64) []float32 {
		n := random()
		v := make([]float64, dim)
		for i := range v {
			v[i] = base[i] + 0.15*n[i]
		}
		unit(v)
		out := make([]float32, dim)
		for i := range v {
			out[i] = float32(v[i])
		}
		return out
	}
	cos := func(x, y []float32) float64 {
		var s float64
		for i := range x {
			s += float64(x[i]) * float64(y[i])
		}
		return s
	}
	var vecs [][]float32
	var who []string
	for i := range 8 {
		if i%2 == 0 {
			vecs, who = append(vecs, face(a)), append(who, "a")
		} else {
			vecs, who = append(vecs, face(b)), append(who, "b")
		}
	}
	// The data is what the test says it is: alike within, unlike across,
	// and "unlike" above half the threshold.
	for i := range vecs {
		for j := i + 1; j < len(vecs); j++ {
			c := cos(vecs[i], vecs[j])
			if who[i] == who[j] && c < 0.75 || who[i] != who[j] && (c > 0.34 || c < float64(SFaceCosineThreshold)/2+0.02) {
				t.Fatalf("faces %d and %d (%s, %s): cosine %.3f is not what the test needs", i, j, who[i], who[j], c)
			}
		}
	}
	set := DefaultTuning()
	for i, v := range vecs {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			e := store.Entry{Path: fmt.Sprintf("p%d.jpg", i), Size: 1, Fingerprint: fmt.Sprintf("fp%d", i), MediaType: "image", Thumb: "t"}
			if err := store.InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			ids, _, err := store.ReplaceFaces(ctx, tx, e.ID, []store.Face{{X: 10, Y: 10, W: 50, H: 50, Score: 0.9, Quality: 1, Vec: v}}, 1)
			if err != nil {
				return err
			}
			return Assign(ctx, tx, ids[0], v, set)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		t.Helper()
		people, err := db.People(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(people) != 2 {
			t.Fatalf("%s: %d people, want 2 (faces at cosine 0.3 are not one person)", when, len(people))
		}
		for _, p := range people {
			fs, err := db.PersonFaces(ctx, p.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, f := range fs {
				var i int
				fmt.Sscanf(f.Path, "p%d.jpg", &i)
				seen[who[i]] = true
			}
			if len(fs) != 4 || len(seen) != 1 {
				t.Errorf("%s: person %d has %d faces of %v, want the 4 of one person", when, p.ID, len(fs), seen)
			}
		}
	}
	check("as the faces arrived")
	if _, err := Recluster(ctx, db, set, nil); err != nil {
		t.Fatal(err)
	}
	check("after regrouping")
}

// Faces in the same picture are never one another's evidence: three alike
// faces on one picture (a mirror, a poster of the same face) make no person
// on their own, as they arrive or when regrouped.
func TestSamePictureIsNoEvidence(t *testing.T) {
	ctx := context.Background()
	const dim = 128
	db := faceDB(t, dim)
	rng := rand.New(rand.NewPCG(3, 5))
	base := make([]float64, dim)
	for i := range base {
		base[i] = rng.NormFloat64()
	}
	var faces []store.Face
	for k := range 3 {
		v := make([]float32, dim)
		var n float64
		for i := range v {
			x := base[i] + 0.05*rng.NormFloat64()
			v[i] = float32(x)
			n += x * x
		}
		for i := range v {
			v[i] /= float32(math.Sqrt(n))
		}
		faces = append(faces, store.Face{X: float64(10 + 100*k), Y: 10, W: 50, H: 50, Score: 0.9, Quality: 1, Vec: v})
	}
	set := DefaultTuning()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		e := store.Entry{Path: "mirror.jpg", Size: 1, Fingerprint: "fp", MediaType: "image", Thumb: "t"}
		if err := store.InsertEntry(ctx, tx, &e); err != nil {
			return err
		}
		ids, _, err := store.ReplaceFaces(ctx, tx, e.ID, faces, 1)
		if err != nil {
			return err
		}
		for i, id := range ids {
			if err := Assign(ctx, tx, id, faces[i].Vec, set); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, when := range []string{"as the faces arrived", "after regrouping"} {
		if when == "after regrouping" {
			if _, err := Recluster(ctx, db, set, nil); err != nil {
				t.Fatal(err)
			}
		}
		people, err := db.People(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(people) != 0 {
			t.Errorf("%s: %d people from three faces of one picture, want none", when, len(people))
		}
	}
}

// faceDB is an empty library database with a face index of dim.
func faceDB(t *testing.T, dim int) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.EnsureFaceIndex(context.Background(), dim); err != nil {
		t.Fatal(err)
	}
	return db
}
