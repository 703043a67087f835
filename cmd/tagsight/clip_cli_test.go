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
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/vectors"
)

// colourModel is the tiny test model whose answers are known exactly.
var colourModel, _ = filepath.Abs("../../models/testmodels/colour")

var colours = map[string]color.RGBA{
	"red": {230, 20, 20, 255}, "green": {20, 200, 30, 255}, "blue": {20, 30, 220, 255},
	"yellow": {240, 230, 20, 255}, "white": {250, 250, 250, 255}, "black": {5, 5, 5, 255},
}

// flat is a picture in one colour (testutil.Solid adds a gradient).
func flat(t *testing.T, c color.RGBA) []byte {
	img := testutil.Solid(90, 60, c)
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2] = c.R, c.G, c.B
	}
	return testutil.JPEG(t, img, nil)
}

type searchOut struct {
	Results []struct {
		Path  string  `json:"path"`
		Score float64 `json:"score"`
	} `json:"results"`
}

func TestCLIColourSearch(t *testing.T) {
	root := t.TempDir()
	for name, c := range colours {
		for i := 0; i < 3; i++ {
			testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("%s/%s-%d.jpg", name[:1], name, i)), flat(t, c))
		}
	}
	testutil.WriteFile(t, filepath.Join(root, "readme.txt"), []byte("not a picture"))
	stdout, stderr, code := run(t, "index", root, "--model", colourModel, "--json")
	if code != 0 {
		t.Fatalf("index: %d %s", code, stderr)
	}
	var sum struct {
		Embedding struct{ Embedded, Failed, Total int }
	}
	json.Unmarshal([]byte(stdout), &sum)
	// 18 pictures and readme.txt, whose poster is its text drawn.
	if sum.Embedding.Embedded != 19 || sum.Embedding.Total != 19 {
		t.Fatalf("embedding summary: %s", stdout)
	}
	for name := range colours {
		stdout, stderr, code := run(t, "search", root, name, "--limit", "5", "--json")
		if code != 0 {
			t.Fatalf("search %s: %s", name, stderr)
		}
		var res searchOut
		if err := json.Unmarshal([]byte(stdout), &res); err != nil || len(res.Results) != 5 {
			t.Fatalf("search %s: %v %s", name, err, stdout)
		}
		for i := 0; i < 3; i++ {
			if !strings.Contains(res.Results[i].Path, name) {
				t.Errorf("search %q: result %d is %s", name, i, res.Results[i].Path)
			}
		}
		if res.Results[0].Score < res.Results[4].Score {
			t.Errorf("search %q: not best first", name)
		}
	}
	// The library remembers its model: no --model needed now.
	stdout, _, code = run(t, "search", root, "a yellow thing", "--limit", "1", "--json")
	if code != 0 || !strings.Contains(stdout, "yellow") {
		t.Errorf("search with the remembered model: %d %s", code, stdout)
	}
	// Indexing again embeds nothing new.
	stdout, _, _ = run(t, "index", root, "--json")
	json.Unmarshal([]byte(stdout), &sum)
	if sum.Embedding.Embedded != 0 || sum.Embedding.Total != 19 {
		t.Errorf("re-index embedded again: %s", stdout)
	}
}

// TestCLIDamagedPhotoIsSearchable: a red photo whose scan data is damaged
// in its lower half is indexed from what decodes — a thumbnail, a vector
// that still finds it as red — and `index --json` warns about it.
func TestCLIDamagedPhotoIsSearchable(t *testing.T) {
	root := t.TempDir()
	for name, c := range colours {
		testutil.WriteFile(t, filepath.Join(root, name+".jpg"), flat(t, c))
	}
	red := testutil.JPEG(t, testutil.Solid(400, 300, colours["red"]), nil)
	cut := red[:len(red)*6/10] // the copy was interrupted
	testutil.WriteFile(t, filepath.Join(root, "damaged.jpg"), cut)
	stdout, stderr, code := run(t, "index", root, "--model", colourModel, "--json")
	if code != 0 {
		t.Fatalf("index: %d %s", code, stderr)
	}
	var sum struct {
		Added     int
		Warnings  []struct{ Path, Error string }
		Embedding struct{ Embedded int }
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Added != len(colours)+1 || sum.Embedding.Embedded != len(colours)+1 {
		t.Fatalf("added %d, embedded %d, want %d each: %s", sum.Added, sum.Embedding.Embedded, len(colours)+1, stdout)
	}
	if len(sum.Warnings) != 1 || sum.Warnings[0].Path != "damaged.jpg" {
		t.Fatalf("warnings %+v", sum.Warnings)
	}
	stdout, _, _ = run(t, "search", root, "red", "--limit", "2", "--json")
	var res searchOut
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || len(res.Results) != 2 {
		t.Fatalf("search: %v %s", err, stdout)
	}
	if p := []string{res.Results[0].Path, res.Results[1].Path}; !slices.Contains(p, "damaged.jpg") {
		t.Errorf("red finds %v first, not the damaged red photo", p)
	}
}

func TestCLIEmbed(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "red.jpg")
	testutil.WriteFile(t, img, flat(t, colours["red"]))
	var a, b struct{ Embedding []float64 }
	stdout, stderr, code := run(t, "embed", "--model", colourModel, "--image", img, "--json")
	if code != 0 || json.Unmarshal([]byte(stdout), &a) != nil || len(a.Embedding) != 8 {
		t.Fatalf("embed image: %d %s %s", code, stderr, stdout)
	}
	stdout, stderr, code = run(t, "embed", "--model", colourModel, "--text", "red", "--json")
	if code != 0 || json.Unmarshal([]byte(stdout), &b) != nil || len(b.Embedding) != 8 {
		t.Fatalf("embed text: %d %s %s", code, stderr, stdout)
	}
	var dot, na float64
	for i := range a.Embedding {
		dot += a.Embedding[i] * b.Embedding[i]
		na += a.Embedding[i] * a.Embedding[i]
	}
	if na < 0.999 || na > 1.001 || dot < 0.95 {
		t.Errorf("image·text = %.3f, |image|² = %.3f", dot, na)
	}
	if _, stderr, code := run(t, "embed", "--model", colourModel); code == 0 || !strings.Contains(stderr, "--image") {
		t.Errorf("embed without input: %d %s", code, stderr)
	}
}

func TestCLIBadModelFolders(t *testing.T) {
	cases := map[string]func(dir string){
		"missing textual model": func(dir string) { os.Remove(filepath.Join(dir, "textual", "model.onnx")) },
		"config not JSON":       func(dir string) { os.WriteFile(filepath.Join(dir, "config.json"), []byte("{"), 0o644) },
		"onnx is garbage":       func(dir string) { os.WriteFile(filepath.Join(dir, "textual", "model.onnx"), []byte("garbage"), 0o644) },
	}
	want := map[string]string{
		"missing textual model": "textual/model.onnx", "config not JSON": "config.json", "onnx is garbage": "textual/model.onnx",
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "m")
			testutil.CopyDir(t, colourModel, dir)
			breakIt(dir)
			_, stderr, code := run(t, "embed", "--model", dir, "--text", "red")
			if code == 0 || !strings.Contains(stderr, want[name]) || strings.Contains(stderr, "panic") {
				t.Errorf("exit %d, stderr %q: want an error naming %s", code, stderr, want[name])
			}
		})
	}
	if _, stderr, code := run(t, "embed", "--model", colourModel, "--text", "x", "--ort-lib", "/nonexistent/libonnxruntime.so"); code == 0 || !strings.Contains(stderr, "not found") {
		t.Errorf("missing runtime: %d %q", code, stderr)
	}
	if _, stderr, code := run(t, "embed", "--model", colourModel, "--text", "x", "--provider", "tpu"); code == 0 || !strings.Contains(stderr, "unknown execution provider") {
		t.Errorf("bad provider: %d %q", code, stderr)
	}
}

// TestCLIModelsPull installs the colour model from a local HTTP server
// through a catalog file under a name of its own, then uses it by that name.
func TestCLIModelsPull(t *testing.T) {
	const name = "colour-by-name" // neither a folder here nor the source folder's name
	files := []string{"config.json", "visual/model.onnx", "visual/preprocess_cfg.json", "textual/model.onnx", "textual/tokenizer.json", "textual/tokenizer_config.json"}
	srv := httptest.NewServer(http.StripPrefix("/colour/", http.FileServer(http.Dir(colourModel))))
	defer srv.Close()
	var entries []string
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(colourModel, f))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		entries = append(entries, fmt.Sprintf(`{"path": %q, "size": %d, "sha256": %q}`, f, len(b), hex.EncodeToString(sum[:])))
	}
	catalog := filepath.Join(t.TempDir(), "catalog.json")
	os.WriteFile(catalog, []byte(fmt.Sprintf(`{"default": %q, "models": [{"name": %q, "title": "test", "base_url": %q, "files": [%s]}]}`,
		name, name, srv.URL+"/colour/", strings.Join(entries, ","))), 0o644)
	modelsDir := t.TempDir()
	t.Setenv("TAGSIGHT_MODELS_DIR", modelsDir)
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Fatalf("%s exists in the working folder: the name would resolve as a path", name)
	}
	stdout, stderr, code := run(t, "models", "pull", name, "--catalog", catalog)
	if code != 0 || !strings.Contains(stdout, "installed "+name) || !strings.Contains(stdout, "catalog sha256 6") {
		t.Fatalf("pull: %d %s %s", code, stdout, stderr)
	}
	if _, stderr, code := run(t, "models", "verify", name, "--catalog", catalog); code != 0 {
		t.Fatalf("verify: %s", stderr)
	}
	stdout, _, _ = run(t, "models", "list", "--catalog", catalog)
	if !strings.Contains(stdout, name) || !strings.Contains(stdout, "installed") {
		t.Errorf("list: %s", stdout)
	}

	// Use it by name: the library registers the installed folder's model
	// and searches with it.
	root := t.TempDir()
	for _, c := range []string{"red", "green", "blue"} {
		testutil.WriteFile(t, filepath.Join(root, c+".jpg"), flat(t, colours[c]))
	}
	if _, stderr, code := run(t, "index", root, "--model", "colour-not-installed"); code == 0 || !strings.Contains(stderr, "colour-not-installed") {
		t.Errorf("index with an unknown model name: %d %s", code, stderr)
	}
	stdout, stderr, code = run(t, "index", root, "--model", name, "--json")
	if code != 0 || !strings.Contains(stdout, `"embedded": 3`) {
		t.Fatalf("index --model %s: %d %s %s", name, code, stdout, stderr)
	}
	db, err := store.Open(context.Background(), filepath.Join(root, ".tagsight", "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := store.Models(context.Background(), db)
	setting, _ := db.Setting(context.Background(), "model", "")
	db.Close()
	if err != nil || len(ms) != 1 || ms[0].Name != name || setting != name {
		t.Fatalf("library's model: %+v (setting %q) %v; want the one installed as %s", ms, setting, err, name)
	}
	if want, err := vectors.ModelKey(filepath.Join(modelsDir, name)); err != nil || ms[0].Key != want {
		t.Errorf("model key %s, want %s (%v)", ms[0].Key, want, err)
	}
	var res searchOut
	stdout, _, _ = run(t, "search", root, "red", "--limit", "1", "--json")
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || len(res.Results) != 1 || res.Results[0].Path != "red.jpg" {
		t.Errorf("search with the model by name: %v %s", err, stdout)
	}

	os.WriteFile(filepath.Join(modelsDir, name, "config.json"), []byte(`{"embed_dim": 9}`), 0o644)
	if _, stderr, code := run(t, "models", "verify", name, "--catalog", catalog); code == 0 || !strings.Contains(stderr, "config.json") {
		t.Errorf("verify of a damaged model: %d %s", code, stderr)
	}
}

// TestCLIModelsVerifyReportsChecks pulls a model whose catalog entry has
// no checksums, as the shipped catalog's do, from a server that announces
// a sha256 for its large files only, and checks verify tells them apart.
func TestCLIModelsVerifyReportsChecks(t *testing.T) {
	files := []string{"config.json", "visual/model.onnx", "visual/preprocess_cfg.json", "textual/model.onnx", "textual/tokenizer.json", "textual/tokenizer_config.json"}
	fs := http.StripPrefix("/cdn/", http.FileServer(http.Dir(colourModel)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/m/")
		if !ok {
			fs.ServeHTTP(w, r)
			return
		}
		if strings.HasSuffix(name, ".onnx") {
			// Like Hugging Face for an LFS file: a redirect carrying its sha256.
			b, _ := os.ReadFile(filepath.Join(colourModel, name))
			sum := sha256.Sum256(b)
			w.Header().Set("X-Linked-Etag", `"`+hex.EncodeToString(sum[:])+`"`)
			http.Redirect(w, r, "/cdn/"+name, http.StatusFound)
			return
		}
		// A small file: its ETag is a git blob id, not a sha256.
		w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef01234567"`)
		r.URL.Path = "/cdn/" + name
		fs.ServeHTTP(w, r)
	}))
	defer srv.Close()
	var entries []string
	for _, f := range files {
		entries = append(entries, fmt.Sprintf(`{"path": %q}`, f))
	}
	catalog := filepath.Join(t.TempDir(), "catalog.json")
	os.WriteFile(catalog, []byte(fmt.Sprintf(`{"default": "colour", "models": [{"name": "colour", "title": "test", "base_url": %q, "files": [%s]}]}`,
		srv.URL+"/m/", strings.Join(entries, ","))), 0o644)
	modelsDir := t.TempDir()
	t.Setenv("TAGSIGHT_MODELS_DIR", modelsDir)
	if stdout, stderr, code := run(t, "models", "pull", "colour", "--catalog", catalog); code != 0 || !strings.Contains(stdout, "checked against: server sha256 2, nothing 4") {
		t.Fatalf("pull: %d %s %s", code, stdout, stderr)
	}
	stdout, stderr, code := run(t, "models", "verify", "colour", "--catalog", catalog)
	if code != 0 {
		t.Fatalf("verify: %d %s", code, stderr)
	}
	for _, want := range []string{"visual/model.onnx", "server sha256", "textual/tokenizer.json", "nothing", "unchecked", "ok, but 4 of 6 files were checked against nothing"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("verify output lacks %q:\n%s", want, stdout)
		}
	}
	stdout, _, code = run(t, "models", "verify", "colour", "--catalog", catalog, "--json")
	var rep struct {
		OK    bool
		Files []struct{ Path, Check, Result string }
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 || !rep.OK || len(rep.Files) != len(files) {
		t.Fatalf("verify --json: %d %v %s", code, err, stdout)
	}
	for _, f := range rep.Files {
		want := "none/unchecked"
		if strings.HasSuffix(f.Path, ".onnx") {
			want = "server-sha256/ok"
		}
		if got := f.Check + "/" + f.Result; got != want {
			t.Errorf("%s: %s, want %s", f.Path, got, want)
		}
	}
	// Damage a file checked by the server's sha256: verify fails and says which.
	os.WriteFile(filepath.Join(modelsDir, "colour", "visual", "model.onnx"), []byte("not the weights"), 0o644)
	stdout, stderr, code = run(t, "models", "verify", "colour", "--catalog", catalog, "--json")
	if code == 0 || !strings.Contains(stderr, "visual/model.onnx") || !strings.Contains(stdout, `"mismatch"`) {
		t.Errorf("verify of a damaged model: %d %s %s", code, stdout, stderr)
	}
}

// TestCLIKillMidEmbedding kills the embedding phase with SIGKILL and checks
// the next run completes it with exactly one vector per picture.
func TestCLIKillMidEmbedding(t *testing.T) {
	root := t.TempDir()
	const n = 1200
	for i := 0; i < n; i++ {
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("d%02d/img%04d.jpg", i%20, i)),
			testutil.JPEG(t, testutil.Solid(640, 480, color.RGBA{uint8(i), uint8(i >> 8), 9, 255}), nil))
	}
	if _, stderr, code := run(t, "index", root, "--no-embed"); code != 0 {
		t.Fatal(stderr)
	}
	dbPath := filepath.Join(root, ".tagsight", "library.db")
	killMidway(t, []string{"index", root, "--model", colourModel}, n, func() int { return countVectors(t, dbPath) }, func() {
		ctx := context.Background()
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ms, err := store.Models(ctx, db)
		if err != nil || len(ms) != 1 {
			t.Fatalf("models %+v %v, want one", ms, err)
		}
		// What the CLIP analyzer did goes too, so it runs again.
		if err := db.ForgetModel(ctx, ms[0], "clip"); err != nil {
			t.Fatal(err)
		}
	})
	stdout, stderr, code := run(t, "index", root, "--json")
	if code != 0 {
		t.Fatalf("resume: %s", stderr)
	}
	var sum struct{ Embedding struct{ Embedded, Total int } }
	json.Unmarshal([]byte(stdout), &sum)
	if sum.Embedding.Total != n || sum.Embedding.Embedded == 0 || sum.Embedding.Embedded == n {
		t.Fatalf("resume: %s", stdout)
	}
	if c := countVectors(t, dbPath); c != n {
		t.Fatalf("%d vectors, want %d", c, n)
	}
}

func countVectors(t *testing.T, dbPath string) int {
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatalf("library does not open: %v", err)
	}
	defer db.Close()
	ms, err := store.Models(context.Background(), db)
	if err != nil || len(ms) != 1 {
		return 0
	}
	c, err := db.IndexedVectors(context.Background(), ms[0])
	if err != nil {
		return 0
	}
	return c
}

func TestCLIQuantize(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "colour")
	testutil.CopyDir(t, colourModel, dir)
	stdout, stderr, code := run(t, "models", "quantize", dir)
	if code != 0 || !strings.Contains(stdout, "used from now on") {
		t.Fatalf("quantize: %d %s %s", code, stdout, stderr)
	}
	for _, f := range []string{"visual/model.int8.onnx", "textual/model.int8.onnx", "int8.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	img := filepath.Join(t.TempDir(), "red.jpg")
	testutil.WriteFile(t, img, flat(t, colours["red"]))
	var a, b struct{ Embedding []float64 }
	out, _, _ := run(t, "embed", "--model", dir, "--precision", "int8", "--image", img, "--json")
	json.Unmarshal([]byte(out), &a)
	out, _, _ = run(t, "embed", "--model", dir, "--precision", "int8", "--text", "red", "--json")
	json.Unmarshal([]byte(out), &b)
	var dot float64
	for i := range a.Embedding {
		dot += a.Embedding[i] * b.Embedding[i]
	}
	if len(a.Embedding) != 8 || dot < 0.95 {
		t.Errorf("int8 red·red = %.3f", dot)
	}
}
