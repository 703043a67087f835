package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

var colourModel, _ = filepath.Abs("../../models/testmodels/colour")

// newServer opens a small library (with a picture, a symlink out of the
// library and a secret outside it) behind the HTTP face.
func newServer(t *testing.T, o HTTPOptions) (*httptest.Server, *API, string) {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "lib")
	testutil.WriteFile(t, filepath.Join(root, "red.jpg"), testutil.JPEG(t, testutil.Solid(64, 48, color.RGBA{220, 10, 10, 255}), nil))
	testutil.WriteFile(t, filepath.Join(base, "secret.txt"), []byte("top secret"))
	testutil.WriteFile(t, filepath.Join(root, "escape.txt"), []byte("plain"))
	a := New(Options{Version: "test", ConfigDir: t.TempDir(), Model: workspace.ModelOptions{Model: colourModel}})
	t.Cleanup(func() { Shutdown(a) })
	if _, err := a.OpenLibrary(root, true); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	// Since the scan, escape.txt became a symlink out of the library (the
	// scan would not have followed it).
	os.Remove(filepath.Join(root, "escape.txt"))
	if err := os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(root, "escape.txt")); err != nil {
		t.Fatal(err)
	}
	if o.Assets == nil {
		o.Assets = fstest.MapFS{"index.html": {Data: []byte("<html>ui</html>")}}
	}
	srv := httptest.NewServer(Handler(a, o))
	t.Cleanup(srv.Close)
	return srv, a, root
}

func waitJobs(t *testing.T, a *API) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		busy := false
		for _, j := range a.jobs.List() {
			if j.State == jobs.Running {
				busy = true
			} else if j.State == jobs.Failed {
				t.Fatalf("job failed: %+v", j)
			}
		}
		if !busy {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("jobs did not finish")
}

func callAPI(t *testing.T, c *http.Client, base, method string, args ...any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(args)
	req, _ := http.NewRequest("POST", base+"/api/"+method, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCallsSearchAndFiles(t *testing.T) {
	srv, _, _ := newServer(t, HTTPOptions{})
	code, body := callAPI(t, http.DefaultClient, srv.URL, "Search", SearchRequest{Query: "red", Limit: 10})
	var res SearchResult
	if err := json.Unmarshal(body, &res); err != nil || code != 200 || len(res.Items) == 0 || res.Items[0].Name != "red.jpg" || !res.Semantic {
		t.Fatalf("search: %d %s", code, body)
	}
	it := res.Items[0]
	if it.Thumb == nil {
		t.Fatal("no thumbnail URL")
	}
	if code, _ := get(t, srv.URL+*it.Thumb); code != 200 {
		t.Errorf("thumbnail: %d", code)
	}
	if code, b := get(t, fmt.Sprintf("%s/file/%d", srv.URL, it.ID)); code != 200 || len(b) < 100 {
		t.Errorf("file: %d", code)
	}
	if code, _ := get(t, fmt.Sprintf("%s/preview/%d", srv.URL, it.ID)); code != 200 {
		t.Errorf("preview: %d", code)
	}
	// A syntax error is a result, with its column.
	_, body = callAPI(t, http.DefaultClient, srv.URL, "Search", SearchRequest{Query: "red AND (", Limit: 10})
	json.Unmarshal(body, &res)
	if res.Error == nil || res.Error.Column < 1 {
		t.Errorf("syntax error: %s", body)
	}
	// Errors are {error: {code, message}}.
	code, body = callAPI(t, http.DefaultClient, srv.URL, "Entry", 99999)
	if code != 404 || !strings.Contains(string(body), `"not_found"`) {
		t.Errorf("missing entry: %d %s", code, body)
	}
	code, _ = callAPI(t, http.DefaultClient, srv.URL, "NoSuchMethod")
	if code != 404 {
		t.Errorf("unknown method: %d", code)
	}
	code, _ = callAPI(t, http.DefaultClient, srv.URL, "Entry", "not a number")
	if code != 400 {
		t.Errorf("bad argument: %d", code)
	}
	if code, b := get(t, srv.URL+"/some/spa/route"); code != 200 || !strings.Contains(b, "ui") {
		t.Errorf("SPA fallback: %d %s", code, b)
	}
}

func TestFilesStayInsideTheLibrary(t *testing.T) {
	srv, a, root := newServer(t, HTTPOptions{})
	ctx := t.Context()
	ws, _ := a.workspace()
	esc, err := ws.Lib.DB.EntryByPath(ctx, "escape.txt")
	if err != nil {
		t.Fatalf("escape.txt should be indexed: %v", err)
	}
	cases := map[string]int{
		fmt.Sprintf("/file/%d", esc.ID): 403, // symlink out of the library
		"/file/..%2f..%2fsecret.txt":    400,
		"/file/../../secret.txt":        200, // cleaned to /secret.txt: the SPA page
		"/file/%2e%2e/secret.txt":       200,
		"/file/-1":                      400,
		"/file/1e3":                     400,
		"/thumb/..%2fsecret.txt":        400,
		"/preview/abc":                  400,
		"/..%2f..%2fsecret.txt":         200, // the SPA answers with index.html, never the file
		"/" + root + "/red.jpg":         200,
	}
	for p, want := range cases {
		code, body := get(t, srv.URL+p)
		if strings.Contains(body, "top secret") {
			t.Errorf("%s leaked the secret", p)
		}
		if code != want {
			t.Errorf("%s: %d, want %d (%s)", p, code, want, body)
		}
	}
	if _, err := ws.Lib.Contain("../secret.txt"); err == nil {
		t.Error("Contain accepted ..")
	}
	if _, err := ws.Lib.Contain("/etc/passwd"); err == nil {
		t.Error("Contain accepted an absolute path")
	}
	if _, err := ws.Lib.Contain(".tagsight/library.db"); err == nil {
		t.Error("Contain allowed Tagsight's own folder")
	}
}

func TestTokenAndOrigin(t *testing.T) {
	srv, _, _ := newServer(t, HTTPOptions{Token: "s3cret"})
	// The app shell is public: the page reads ?token= itself.
	if code, _ := get(t, srv.URL+"/"); code != 200 {
		t.Errorf("the page without a token: %d", code)
	}
	code, _ := callAPI(t, http.DefaultClient, srv.URL, "Version")
	if code != 401 {
		t.Errorf("API without token: %d", code)
	}
	if code, _ := callAPI(t, &http.Client{Transport: bearer{"wrong"}}, srv.URL, "Version"); code != 401 {
		t.Errorf("wrong token: %d", code)
	}
	if code, body := callAPI(t, &http.Client{Transport: bearer{"s3cret"}}, srv.URL, "Version"); code != 200 || string(bytes.TrimSpace(body)) != `"test"` {
		t.Errorf("with the bearer token: %d %s", code, body)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/api/Version", strings.NewReader("[]"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer s3cret")
	req.Header.Set("Origin", "http://evil.example")
	resp, _ := http.DefaultClient.Do(req)
	if resp.StatusCode != 403 {
		t.Errorf("cross-origin: %d", resp.StatusCode)
	}
	// Loopback-only servers refuse other Host names (DNS rebinding).
	srv2, _, _ := newServer(t, HTTPOptions{LoopbackOnly: true})
	req, _ = http.NewRequest("GET", srv2.URL+"/", nil)
	req.Host = "attacker.example:80"
	resp, _ = http.DefaultClient.Do(req)
	if resp.StatusCode != 403 {
		t.Errorf("foreign Host: %d", resp.StatusCode)
	}
	if code, _ := get(t, srv2.URL+"/"); code != 200 {
		t.Errorf("loopback Host: %d", code)
	}
}

func TestUploadAndTags(t *testing.T) {
	srv, a, root := newServer(t, HTTPOptions{})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("target", "uploads")
	mw.WriteField("conflict", "keep-both")
	fw, _ := mw.CreateFormFile("file", "trip/blue.jpg")
	fw.Write(testutil.JPEG(t, testutil.Solid(40, 40, color.RGBA{10, 10, 230, 255}), nil))
	fw, _ = mw.CreateFormFile("file", "../../evil.jpg")
	fw.Write(testutil.JPEG(t, testutil.Solid(8, 8, color.RGBA{1, 2, 3, 255}), nil))
	fw, _ = mw.CreateFormFile("file", "page.jpg") // HTML named .jpg: refused by content
	fw.Write([]byte("<html><script>alert(1)</script></html>"))
	mw.Close()
	// A file that appeared on disk meanwhile is not the upload's: the
	// upload indexes exactly what it brought, not the whole library.
	testutil.WriteFile(t, filepath.Join(root, "meanwhile.jpg"), testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{5, 200, 5, 255}), nil))
	resp, err := http.Post(srv.URL+"/api/upload", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	waitJobs(t, a)
	ws, _ := a.workspace()
	if _, err := ws.Lib.DB.EntryByPath(t.Context(), "meanwhile.jpg"); err == nil {
		t.Error("the upload rescanned the whole library (meanwhile.jpg got indexed)")
	}
	if _, err := ws.Lib.DB.EntryByPath(t.Context(), "uploads/trip/blue.jpg"); err != nil {
		t.Errorf("the uploaded file was not indexed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "uploads/trip/blue.jpg")); err != nil {
		t.Errorf("uploaded file not in place: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "uploads/evil.jpg")); err != nil {
		t.Errorf("a ../ name must land inside the target: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(root), "evil.jpg")); err == nil {
		t.Error("upload escaped the library")
	}
	if _, err := os.Stat(filepath.Join(root, "uploads/page.jpg")); err == nil {
		t.Error("a file that is not a picture was accepted")
	}
	res, err := a.Search(SearchRequest{Query: "blue", Limit: 5})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if len(res.Items) == 0 || res.Items[0].Path != "uploads/trip/blue.jpg" {
		t.Errorf("uploaded picture not searchable: %+v", res.Items)
	}
	tg, err := a.CreateTag("Sea")
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{res.Items[0].ID}
	if n, err := a.ApplyTag(tg.ID, ids); err != nil || n != 1 {
		t.Error("apply", n, err)
	}
	sel, err := a.SelectionTags(ids)
	if err != nil {
		t.Fatalf("SelectionTags: %v", err)
	}
	if len(sel.All) != 1 || sel.All[0].Name != "Sea" {
		t.Errorf("selection tags %+v", sel)
	}
	ac, err := a.Autocomplete("red tag:se", 10)
	if err != nil {
		t.Fatalf("Autocomplete: %v", err)
	}
	if len(ac) == 0 || ac[0].Text != "tag:Sea" {
		t.Errorf("autocomplete %+v", ac)
	}
	name := "Ocean"
	if tg2, err := a.UpdateTag(tg.ID, TagPatch{Name: &name}); err != nil || tg2.Name != "Ocean" {
		t.Errorf("rename: %+v %v", tg2, err)
	}
	self := tg.ID
	if _, err := a.UpdateTag(tg.ID, TagPatch{AddParent: &self}); err == nil || ToError(err).Code != CodeConflict {
		t.Errorf("cycle: %v", err)
	}
}
