package workspace

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

var (
	discRed   = color.RGBA{230, 30, 30, 255}
	discBlue  = color.RGBA{40, 60, 235, 255}
	discGreen = color.RGBA{30, 210, 40, 255}
)

func writeDiscs(t *testing.T, root, name string, exif []byte, w, h int, ds ...testutil.Disc) {
	t.Helper()
	testutil.WriteFile(t, filepath.Join(root, name), testutil.JPEG(t, testutil.DiscsImage(w, h, ds...), exif))
}

func openFaces(t *testing.T, root string) *Workspace {
	t.Helper()
	t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
	ws, err := Open(context.Background(), root, true, ModelOptions{FacesModel: testutil.FaceModels(t, false), ModelsDir: t.TempDir(), Provider: "cpu"}, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	if f := ws.Faces(); f.Engine == nil {
		t.Fatalf("no face models: %v", f.Err)
	}
	return ws
}

func index(t *testing.T, ws *Workspace) library.ScanResult {
	t.Helper()
	res, _, err := ws.Index(context.Background(), library.ScanOptions{}, true)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// personOf maps picture names to the people of their faces.
func peopleByPath(t *testing.T, db *store.DB) map[string][]int64 {
	t.Helper()
	fs, err := db.AllFaces(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]int64{}
	for _, f := range fs {
		out[f.Path] = append(out[f.Path], f.PersonID)
	}
	return out
}

func tagged(t *testing.T, db *store.DB, name string) []string {
	t.Helper()
	ctx := context.Background()
	ids, err := db.TagIDsByName(ctx, name)
	if err != nil || len(ids) == 0 {
		return nil
	}
	es, err := db.ListEntries(ctx, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		ts, _ := db.TagsOfEntry(ctx, e.ID)
		for _, tg := range ts {
			if tg.ID == ids[0] {
				out = append(out, e.Path)
			}
		}
	}
	sort.Strings(out)
	return out
}

func faceOf(t *testing.T, db *store.DB, path string) store.Face {
	t.Helper()
	e, err := db.EntryByPath(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := db.EntryFaces(context.Background(), e.ID)
	if err != nil || len(fs) != 1 {
		t.Fatalf("%s: %d faces, %v", path, len(fs), err)
	}
	return fs[0]
}

// The whole life of people on a real library: faces found while indexing
// (orientation honoured), one person per colour, naming tags the right
// pictures, a new picture joins its person without a re-cluster,
// split/"not this person"/merge behave and survive a full re-cluster,
// and a picture's faces go with its content.
func TestPeopleLifecycle(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	for i, p := range [][3]float64{{150, 140, 50}, {420, 300, 60}, {300, 200, 40}, {500, 120, 45}} {
		writeDiscs(t, root, fmt.Sprintf("red/r%d.jpg", i), nil, 640, 480, testutil.Disc{X: p[0], Y: p[1], R: p[2], C: discRed})
	}
	for i, p := range [][3]float64{{200, 200, 55}, {450, 260, 40}, {320, 240, 50}} {
		writeDiscs(t, root, fmt.Sprintf("blue/b%d.jpg", i), nil, 640, 480, testutil.Disc{X: p[0], Y: p[1], R: p[2], C: discBlue})
	}
	writeDiscs(t, root, "both.jpg", nil, 640, 480, testutil.Disc{X: 150, Y: 240, R: 50, C: discRed}, testutil.Disc{X: 470, Y: 240, R: 50, C: discBlue})
	writeDiscs(t, root, "green.jpg", nil, 640, 480, testutil.Disc{X: 320, Y: 240, R: 50, C: discGreen})
	writeDiscs(t, root, "empty.jpg", nil, 640, 480)
	// Stored 800×600, shown 600×800 (EXIF orientation 6: rotate 90° clockwise).
	writeDiscs(t, root, "rotated.jpg", testutil.CameraExif(6), 800, 600, testutil.Disc{X: 200, Y: 150, R: 60, C: discRed})

	ws := openFaces(t, root)
	db := ws.Lib.DB
	index(t, ws)

	nf, np, err := db.CountFaces(ctx)
	if err != nil || nf != 11 || np != 2 {
		t.Fatalf("%d faces in %d people (%v), want 11 in 2", nf, np, err)
	}
	by := peopleByPath(t, db)
	red, blue := by["red/r0.jpg"][0], by["blue/b0.jpg"][0]
	if red == 0 || blue == 0 || red == blue {
		t.Fatalf("red %d blue %d", red, blue)
	}
	for path, ps := range by {
		want := map[string][]int64{"both.jpg": {red, blue}, "green.jpg": {0}, "rotated.jpg": {red}}[path]
		if want == nil {
			want = []int64{map[byte]int64{'r': red, 'b': blue}[path[0]]}
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		if fmt.Sprint(ps) != fmt.Sprint(want) {
			t.Errorf("%s: people %v, want %v", path, ps, want)
		}
	}
	if _, ok := by["empty.jpg"]; ok {
		t.Error("a face on the empty picture")
	}

	// Orientation: the box is on the picture as shown. The stored centre
	// (200,150) of an 800×600 picture is shown at (600-150, 200) of 600×800.
	rf := faceOf(t, db, "rotated.jpg")
	wantBox := [4]float64{(450 - 60) / 600.0, (200 - 60) / 800.0, 120 / 600.0, 120 / 800.0}
	got := [4]float64{rf.X, rf.Y, rf.W, rf.H}
	for i := range got {
		px := 600.0
		if i%2 == 1 {
			px = 800
		}
		if math.Abs(got[i]-wantBox[i])*px > 2 {
			t.Errorf("rotated box %v, want %v (component %d off by %.1f px)", got, wantBox, i, math.Abs(got[i]-wantBox[i])*px)
		}
	}
	if rf.Crop == "" {
		t.Error("no crop written")
	} else if _, err := os.Stat(ws.FaceCropPath(rf.Crop)); err != nil {
		t.Error(err)
	}

	// Naming tags exactly the pictures with a red face.
	if _, err := db.NamePerson(ctx, red, "Alice"); err != nil {
		t.Fatal(err)
	}
	wantAlice := []string{"both.jpg", "red/r0.jpg", "red/r1.jpg", "red/r2.jpg", "red/r3.jpg", "rotated.jpg"}
	if got := tagged(t, db, "Alice"); fmt.Sprint(got) != fmt.Sprint(wantAlice) {
		t.Fatalf("Alice on %v, want %v", got, wantAlice)
	}
	// The tag sits under the People category.
	if ids, _ := db.TagIDsByName(ctx, "Alice"); len(ids) == 1 {
		tg, _ := db.TagByID(ctx, ids[0])
		pid, _ := db.TagIDsByName(ctx, store.PeopleCategory)
		pt, _ := db.TagByID(ctx, pid[0])
		if len(tg.Parents) != 1 || tg.Parents[0] != pt.ID || !pt.IsCategory {
			t.Errorf("Alice's parents %v, People %+v", tg.Parents, pt)
		}
	}
	// A name on the query language finds them: person:Alice.
	res, err := ws.Now().Search.Search(ctx, "person:Alice", search.Options{Limit: 100})
	if err != nil || res.Total != 6 {
		t.Fatalf("person:Alice: %d results, %v", res.Total, err)
	}

	// A new picture joins Alice incrementally and gets her tag.
	writeDiscs(t, root, "new-red.jpg", nil, 640, 480, testutil.Disc{X: 330, Y: 260, R: 48, C: discRed})
	index(t, ws)
	if p := faceOf(t, db, "new-red.jpg").PersonID; p != red {
		t.Fatalf("new red face in person %d, want %d", p, red)
	}
	if got := tagged(t, db, "Alice"); len(got) != 7 {
		t.Fatalf("Alice on %v after the new picture", got)
	}

	// Split one red face off: its picture loses Alice, the face gets a
	// person of its own; "not this person" on another: it leaves Alice.
	split := faceOf(t, db, "red/r0.jpg")
	solo, err := db.SplitFace(ctx, split.ID)
	if err != nil || solo == red {
		t.Fatal(solo, err)
	}
	rej := faceOf(t, db, "red/r1.jpg")
	if err := db.RejectFace(ctx, rej.ID); err != nil {
		t.Fatal(err)
	}
	if got := tagged(t, db, "Alice"); fmt.Sprint(got) != "[both.jpg new-red.jpg red/r2.jpg red/r3.jpg rotated.jpg]" {
		t.Fatalf("Alice on %v after split and reject", got)
	}
	// A full re-cluster keeps all of that.
	if _, err := ws.Recluster(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if p := faceOf(t, db, "red/r0.jpg").PersonID; p != solo {
		t.Errorf("split face in %d after re-cluster, want %d", p, solo)
	}
	if p := faceOf(t, db, "red/r1.jpg").PersonID; p == red {
		t.Errorf("rejected face went back to Alice")
	}
	if p := faceOf(t, db, "red/r2.jpg").PersonID; p != red {
		t.Errorf("r2 left Alice on re-cluster: %d", p)
	}
	// Re-analysing (a new picture of the same content) keeps answers: the
	// rejected face stays out of Alice when the picture is analysed again.
	if err := db.ResetAnalyzer(ctx, "faces"); err != nil {
		t.Fatal(err)
	}
	index(t, ws)
	if p := faceOf(t, db, "red/r1.jpg").PersonID; p == red {
		t.Errorf("rejected face back in Alice after re-analysis")
	}
	if p := faceOf(t, db, "red/r0.jpg").PersonID; p != solo {
		t.Errorf("split face in %d after re-analysis, want %d", p, solo)
	}

	// Merge: name blue Bob, merge Bob into Alice: Alice is on every
	// picture with a red or blue face (but r0 and r1, which left her).
	if _, err := db.NamePerson(ctx, blue, "Bob"); err != nil {
		t.Fatal(err)
	}
	if got := tagged(t, db, "Bob"); len(got) != 4 {
		t.Fatalf("Bob on %v", got)
	}
	if err := db.MergePeople(ctx, red, blue); err != nil {
		t.Fatal(err)
	}
	if got := tagged(t, db, "Alice"); len(got) != 8 {
		t.Fatalf("Alice on %v after merging Bob in", got)
	}
	if _, err := db.PersonByID(ctx, blue); err == nil {
		t.Error("Bob is still a person")
	}

	// A face in nobody is offered the names of the people it looks like
	// (not those it was told it is not), and naming one face makes a
	// person new faces join.
	writeDiscs(t, root, "green2.jpg", nil, 640, 480, testutil.Disc{X: 200, Y: 200, R: 44, C: discGreen})
	index(t, ws)
	g1, g2 := faceOf(t, db, "green.jpg"), faceOf(t, db, "green2.jpg")
	if g1.PersonID != 0 || g2.PersonID != 0 {
		t.Fatalf("two green faces already a person: %d %d", g1.PersonID, g2.PersonID)
	}
	gina, err := db.NameFace(ctx, g1.ID, "Gina")
	if err != nil {
		t.Fatal(err)
	}
	sug, err := ws.FaceSuggestions(ctx, g2.ID)
	if err != nil || len(sug) != 1 || sug[0].Name != "Gina" || sug[0].PersonID != gina {
		t.Fatalf("suggestions for the other green face: %+v %v", sug, err)
	}
	if sug, _ := ws.FaceSuggestions(ctx, faceOf(t, db, "red/r1.jpg").ID); len(sug) != 0 {
		t.Errorf("the face rejected from Alice is offered %+v", sug)
	}
	writeDiscs(t, root, "green3.jpg", nil, 640, 480, testutil.Disc{X: 420, Y: 260, R: 52, C: discGreen})
	index(t, ws)
	if p := faceOf(t, db, "green3.jpg").PersonID; p != gina {
		t.Errorf("a new green face joined %d, want Gina (%d)", p, gina)
	}

	// A picture's faces go with its content, and with the picture (here
	// moved to the library's trash: the entry goes).
	writeDiscs(t, root, "red/r2.jpg", nil, 640, 480) // no disc any more
	index(t, ws)
	r3, _ := db.EntryByPath(ctx, "red/r3.jpg")
	if n, err := ws.Trash(ctx, []int64{r3.ID}); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	e, _ := db.EntryByPath(ctx, "red/r2.jpg")
	if fs, _ := db.EntryFaces(ctx, e.ID); len(fs) != 0 {
		t.Errorf("r2 still has %d faces after its content changed", len(fs))
	}
	all, _ := db.AllFaces(ctx)
	for _, f := range all {
		if f.Path == "red/r3.jpg" {
			t.Error("the deleted picture's face is still there")
		}
	}
	// The vector index holds exactly the faces left.
	tally, err := db.Tally(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vecRows, faceRows := tally.FaceVectors, tally.Faces
	if vecRows != faceRows || faceRows != 12 {
		t.Errorf("%d vectors for %d faces", vecRows, faceRows)
	}
}

// A full re-cluster on demand groups what the incremental assignment
// could not: with "minimum faces" at 5 four alike faces wait in nobody;
// at 3, Regroup makes one person per colour, none mixed.
func TestReclusterOnDemand(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	for i := 0; i < 4; i++ {
		writeDiscs(t, root, fmt.Sprintf("red/%d.jpg", i), nil, 640, 480, testutil.Disc{X: 150 + 90*float64(i), Y: 240, R: 40 + 5*float64(i), C: discRed})
		writeDiscs(t, root, fmt.Sprintf("blue/%d.jpg", i), nil, 640, 480, testutil.Disc{X: 320, Y: 120 + 70*float64(i), R: 50, C: discBlue})
	}
	ws := openFaces(t, root)
	set := ws.FaceSettings(ctx)
	set.MinFaces = 5
	if _, err := ws.SetFaceSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	index(t, ws)
	if nf, np, _ := ws.Lib.DB.CountFaces(ctx); nf != 8 || np != 0 {
		t.Fatalf("%d faces in %d people, want 8 in nobody", nf, np)
	}
	set.MinFaces = 3
	ws.SetFaceSettings(ctx, set)
	n, err := ws.Recluster(ctx, nil)
	if err != nil || n != 2 {
		t.Fatalf("re-cluster: %d people, %v", n, err)
	}
	by := peopleByPath(t, ws.Lib.DB)
	for i := 0; i < 4; i++ {
		r, b := by[fmt.Sprintf("red/%d.jpg", i)][0], by[fmt.Sprintf("blue/%d.jpg", i)][0]
		if r == 0 || b == 0 || r != by["red/0.jpg"][0] || b != by["blue/0.jpg"][0] || r == b {
			t.Errorf("picture %d: red in %d, blue in %d", i, r, b)
		}
	}
}
