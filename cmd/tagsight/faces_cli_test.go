package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/color"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

// faceState reads the library without writing: analysed pictures, faces,
// face vectors, and per analysed picture how many faces it has and the
// colour group of each person's faces.
type faceState struct {
	analysed, faces, vectors, people int
	perEntry                         map[string]int
	mixed                            int // people holding faces of two colours
}

func readFaces(t *testing.T, dbPath string) faceState {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenReadOnly(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := faceState{perEntry: map[string]int{}}
	tally, err := db.Tally(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.analysed, s.faces, s.people, s.vectors = tally.FacesAnalysed, tally.Faces, tally.People, tally.FaceVectors
	done, err := db.AnalysisIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for id, byAnalyzer := range done {
		if _, ok := byAnalyzer["faces"]; ok {
			ids = append(ids, id)
		}
	}
	paths, err := db.EntryPaths(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		fs, err := db.EntryFaces(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		s.perEntry[paths[id]] = len(fs)
	}
	// The colour is the folder; a person must hold one colour only.
	people, err := db.People(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		fs, err := db.PersonFaces(ctx, p.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		colours := map[string]bool{}
		for _, f := range fs {
			colour, _, _ := strings.Cut(f.Path, "/")
			colours[colour] = true
		}
		if len(colours) > 1 {
			s.mixed++
		}
	}
	return s
}

// kill -9 during the faces job loses nothing: after every kill each
// analysed picture has exactly its one face (none twice, none lost), every
// face has its vector, no person mixes two colours; the next run does only
// the rest and ends where a run that was never killed ends.
func TestCLIFacesKillResume(t *testing.T) {
	root := t.TempDir()
	const n = 120
	cols := map[string]color.RGBA{"red": {230, 30, 30, 255}, "green": {30, 210, 40, 255}, "blue": {40, 60, 235, 255}}
	names := []string{"red", "green", "blue"}
	for i := 0; i < n; i++ {
		name := names[i%3]
		d := testutil.Disc{X: 120 + float64(i*37%400), Y: 100 + float64(i*53%280), R: 30 + float64(i%25), C: cols[name]}
		testutil.WriteFile(t, filepath.Join(root, name, fmt.Sprintf("p%03d.jpg", i)), testutil.JPEG(t, testutil.DiscsImage(640, 480, d), nil))
	}
	models := testutil.FaceModels(t, false)
	if _, stderr, code := run(t, "index", root, "--no-embed"); code != 0 {
		t.Fatal(stderr)
	}
	dbPath := filepath.Join(root, ".tagsight", "library.db")
	args := []string{"faces", root, "--faces-model", models, "--workers", "1", "--provider", "cpu"}
	check := func(what string) faceState {
		s := readFaces(t, dbPath)
		for p, k := range s.perEntry {
			if k != 1 {
				t.Errorf("%s: %s has %d faces, want 1", what, p, k)
			}
		}
		if s.faces != s.analysed || s.vectors != s.faces || s.mixed != 0 {
			t.Errorf("%s: %d analysed, %d faces, %d vectors, %d mixed people", what, s.analysed, s.faces, s.vectors, s.mixed)
		}
		return s
	}
	midway := 0
	prev := 0
	for round, at := range []int{1, n / 5, n / 2, n * 4 / 5} {
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		deadline := time.Now().Add(2 * time.Minute)
		for readFaces(t, dbPath).analysed < at && !isClosed(exited) && time.Now().Before(deadline) {
			time.Sleep(3 * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		s := check(fmt.Sprintf("kill %d", round+1))
		t.Logf("kill %d at ≥%d: %d pictures analysed, %d faces, %d people", round+1, at, s.analysed, s.faces, s.people)
		if s.analysed < prev {
			t.Fatalf("kill %d: %d analysed, fewer than the %d before", round+1, s.analysed, prev)
		}
		if s.analysed > prev && s.analysed < n {
			midway++
		}
		prev = s.analysed
	}
	if midway < 2 {
		t.Fatalf("only %d kills left a partly analysed library", midway)
	}
	out, stderr, code := run(t, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("resume: %d %s", code, stderr)
	}
	var res struct{ Faces, People, Analysed int }
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err, out)
	}
	if res.Faces != n || res.People != 3 || res.Analysed != n-prev {
		t.Fatalf("resume after %d: %s (want %d faces, 3 people, %d analysed)", prev, out, n, n-prev)
	}
	check("resumed")

	// people list / name / person: through the CLI.
	out, _, code = run(t, "people", root, "list", "--json")
	var list struct {
		People []struct {
			ID    int64
			Faces int
		}
		Unassigned int
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list.People) != 3 || list.Unassigned != 0 {
		t.Fatalf("people list: %s", out)
	}
	var redPerson int64
	for _, p := range list.People {
		if p.Faces != n/3 {
			t.Errorf("person %d has %d faces, want %d", p.ID, p.Faces, n/3)
		}
	}
	if db, err := store.OpenReadOnly(context.Background(), dbPath); err == nil {
		if e, err := db.EntryByPath(context.Background(), "red/p000.jpg"); err == nil {
			if fs, err := db.EntryFaces(context.Background(), e.ID); err == nil && len(fs) > 0 {
				redPerson = fs[0].PersonID
			}
		}
		db.Close()
	}
	if out, stderr, code = run(t, "people", root, "name", fmt.Sprint(redPerson), "Alice Smith", "--json"); code != 0 {
		t.Fatal(stderr)
	}
	out, _, _ = run(t, "search", root, `person:"Alice Smith"`, "--json")
	var sr struct{ Total int }
	if json.Unmarshal([]byte(out), &sr); sr.Total != n/3 {
		t.Fatalf("person:\"Alice Smith\": %s", out)
	}
}

// tagsight index finds faces in the same pass, with no CLIP model at all
// (and --no-embed scans only).
func TestCLIIndexFindsFacesWithoutCLIP(t *testing.T) {
	root := t.TempDir()
	for i := 0; i < 4; i++ {
		d := testutil.Disc{X: 200 + 40*float64(i), Y: 240, R: 50, C: color.RGBA{230, 30, 30, 255}}
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("p%d.jpg", i)), testutil.JPEG(t, testutil.DiscsImage(640, 480, d), nil))
	}
	models := testutil.FaceModels(t, true)
	out, stderr, code := run(t, "index", root, "--faces-model", models, "--no-embed", "--json")
	if code != 0 || !strings.Contains(out, `"indexed": 4`) || strings.Contains(out, `"faces"`) {
		t.Fatalf("--no-embed: %d %s %s", code, out, stderr)
	}
	out, stderr, code = run(t, "index", root, "--faces-model", models, "--json")
	var res struct {
		Faces *struct{ Analysed, Faces, People int }
	}
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Faces == nil || res.Faces.Analysed != 4 || res.Faces.Faces != 4 || res.Faces.People != 1 {
		t.Fatalf("index: %d %s %s", code, out, stderr)
	}
	if !strings.Contains(stderr, "finding faces with "+models) {
		t.Errorf("stderr does not say faces are found: %s", stderr)
	}

	// Turned off, indexing a new picture finds no faces; turned on again,
	// the faces run picks up just that picture.
	if out, stderr, code := run(t, "faces", root, "--faces-model", models, "--off"); code != 0 || !strings.Contains(out, "off") {
		t.Fatalf("faces --off: %d %s %s", code, out, stderr)
	}
	d := testutil.Disc{X: 320, Y: 240, R: 50, C: color.RGBA{230, 30, 30, 255}}
	testutil.WriteFile(t, filepath.Join(root, "p9.jpg"), testutil.JPEG(t, testutil.DiscsImage(640, 480, d), nil))
	out, stderr, code = run(t, "index", root, "--faces-model", models, "--json")
	if code != 0 || !strings.Contains(out, `"added": 1`) || strings.Contains(out, `"faces"`) {
		t.Fatalf("index with faces off: %d %s %s", code, out, stderr)
	}
	out, stderr, code = run(t, "faces", root, "--faces-model", models, "--on", "--json")
	var fr struct{ Analysed, Faces, People int }
	if code != 0 || json.Unmarshal([]byte(out), &fr) != nil || fr.Analysed != 1 || fr.Faces != 5 || fr.People != 1 {
		t.Fatalf("faces --on: %d %s %s", code, out, stderr)
	}
}

// TestCLIModelsPullFaces installs the face models through a catalog entry
// of kind "faces" from a local HTTP server: before, faces stay off and say
// how to get them; a file that does not match its sha256 installs nothing;
// after a good pull, `tagsight faces` uses them with no flag.
func TestCLIModelsPullFaces(t *testing.T) {
	models := testutil.FaceModels(t, false)
	files := []string{"face_detection_yunet/face_detection_yunet_2023mar.onnx", "face_recognition_sface/face_recognition_sface_2021dec.onnx"}
	var bad atomic.Bool
	srv := httptest.NewServer(http.StripPrefix("/zoo/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if bad.Load() && strings.Contains(r.URL.Path, "sface") {
			b, _ := os.ReadFile(filepath.Join(models, filepath.FromSlash(r.URL.Path)))
			b[len(b)/2] ^= 0xff // same size, other bytes
			w.Write(b)
			return
		}
		http.FileServer(http.Dir(models)).ServeHTTP(w, r)
	})))
	defer srv.Close()
	var entries []string
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(models, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		entries = append(entries, fmt.Sprintf(`{"path": %q, "size": %d, "sha256": %q}`, f, len(b), hex.EncodeToString(sum[:])))
	}
	catalog := filepath.Join(t.TempDir(), "catalog.json")
	os.WriteFile(catalog, []byte(fmt.Sprintf(`{"models": [{"name": "faces", "kind": "faces", "title": "Faces", "license": "MIT; Apache-2.0", "base_url": %q, "files": [%s]}]}`,
		srv.URL+"/zoo/", strings.Join(entries, ","))), 0o644)
	modelsDir := t.TempDir()
	t.Setenv("TAGSIGHT_MODELS_DIR", modelsDir)

	root := t.TempDir()
	for i := 0; i < 3; i++ {
		d := testutil.Disc{X: 320, Y: 200 + 10*float64(i), R: 60, C: color.RGBA{30, 200, 40, 255}}
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("g%d.jpg", i)), testutil.JPEG(t, testutil.DiscsImage(640, 480, d), nil))
	}
	if _, stderr, code := run(t, "index", root, "--no-embed"); code != 0 {
		t.Fatalf("index: %s", stderr)
	}
	if _, stderr, code := run(t, "faces", root); code == 0 || !strings.Contains(stderr, "models pull faces") {
		t.Fatalf("faces without the models: %d %s", code, stderr)
	}

	bad.Store(true)
	if _, stderr, code := run(t, "models", "pull", "faces", "--catalog", catalog); code == 0 || !strings.Contains(stderr, "sha256") {
		t.Fatalf("pull of a damaged file: %d %s", code, stderr)
	}
	if _, stderr, code := run(t, "faces", root); code == 0 || !strings.Contains(stderr, "models pull faces") {
		t.Fatalf("a failed pull left something that loads: %d %s", code, stderr)
	}

	bad.Store(false)
	stdout, stderr, code := run(t, "models", "pull", "faces", "--catalog", catalog)
	if code != 0 || !strings.Contains(stdout, "installed faces") || !strings.Contains(stdout, "catalog sha256 2") {
		t.Fatalf("pull: %d %s %s", code, stdout, stderr)
	}
	stdout, stderr, code = run(t, "faces", root, "--json")
	var res struct{ Analysed, Faces, People int }
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || res.Analysed != 3 || res.Faces != 3 || res.People != 1 {
		t.Fatalf("faces with the pulled models: %d %s %s", code, stdout, stderr)
	}
}
