package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// TestEveryMethodHasARole fails when a method of API is neither marked for
// the web nor desktop-only, so the line between the faces cannot drift.
func TestEveryMethodHasARole(t *testing.T) {
	typ := reflect.TypeOf(&API{})
	seen := map[string]bool{}
	for i := 0; i < typ.NumMethod(); i++ {
		name := typ.Method(i).Name
		seen[name] = true
		if _, ok := methodRoles[name]; !ok {
			t.Errorf("API.%s has no role: add it to methodRoles (roles.go) as WebRead, WebWrite or DesktopOnly", name)
		}
	}
	for name := range methodRoles {
		if !seen[name] {
			t.Errorf("methodRoles names %s, which API does not have", name)
		}
	}
	// A path-taking method must never be marked for the web: each takes a
	// string that is a path on the server's disk.
	for _, name := range []string{"OpenLibrary", "Import", "PlanImport", "SearchByImage", "PickFolder", "RecentLibraries"} {
		if methodRoles[name] != DesktopOnly {
			t.Errorf("%s takes or reveals paths on the server's disk: it must be DesktopOnly", name)
		}
	}
}

// webLibrary is a served library beside a folder it must never reach.
type webLibrary struct {
	srv     *httptest.Server
	a       *API
	root    string // the served library
	outside string // a folder outside it, with a secret picture and a subfolder
	parent  string // outside's parent: nothing may be created there either
	secret  string // outside/secret.jpg
	// ids of entries, and of a tag, that the calls may use
	ids   []int64
	tagID int64
}

func newWebLibrary(t *testing.T, o HTTPOptions) *webLibrary {
	t.Helper()
	w := &webLibrary{root: filepath.Join(t.TempDir(), "lib"), parent: t.TempDir()}
	w.outside = filepath.Join(w.parent, "outside")
	w.secret = filepath.Join(w.outside, "secret.jpg")
	testutil.WriteFile(t, filepath.Join(w.root, "red.jpg"), testutil.JPEG(t, testutil.Solid(64, 48, color.RGBA{220, 10, 10, 255}), nil))
	testutil.WriteFile(t, filepath.Join(w.root, "blue.jpg"), testutil.JPEG(t, testutil.Solid(64, 48, color.RGBA{10, 10, 220, 255}), nil))
	testutil.WriteFile(t, w.secret, testutil.JPEG(t, testutil.Solid(64, 48, color.RGBA{10, 220, 10, 255}), nil))
	testutil.WriteFile(t, filepath.Join(w.outside, "sub", "notes.txt"), []byte("private"))
	testutil.WriteFile(t, filepath.Join(w.root, "escape.jpg"), testutil.JPEG(t, testutil.Solid(64, 48, color.RGBA{200, 200, 10, 255}), nil))
	w.a = New(Options{Version: "test", Web: true, Model: workspace.ModelOptions{Model: colourModel, ModelsDir: t.TempDir()}})
	t.Cleanup(func() { Shutdown(w.a) })
	if err := Open(w.a, w.root, true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.StartIndex(); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, w.a)
	ws, _ := w.a.workspace()
	for _, p := range []string{"red.jpg", "blue.jpg", "escape.jpg"} {
		e, err := ws.Lib.DB.EntryByPath(t.Context(), p)
		if err != nil {
			t.Fatalf("%s not indexed: %v", p, err)
		}
		w.ids = append(w.ids, e.ID)
	}
	// Since the scan, escape.jpg became a symlink that leads out of the
	// library (a scan would not follow it; the entry is still there).
	os.Remove(filepath.Join(w.root, "escape.jpg"))
	if err := os.Symlink(w.secret, filepath.Join(w.root, "escape.jpg")); err != nil {
		t.Fatal(err)
	}
	tg, err := w.a.CreateTag("Holiday")
	if err != nil {
		t.Fatal(err)
	}
	w.tagID = tg.ID
	if o.Assets == nil {
		o.Assets = fstest.MapFS{"index.html": {Data: []byte("<html>ui</html>")}}
	}
	w.srv = httptest.NewServer(Handler(w.a, o))
	t.Cleanup(w.srv.Close)
	return w
}

// hostile are the ways a client might name something outside the library.
func (w *webLibrary) hostile(t *testing.T) []string {
	rel, err := filepath.Rel(w.root, w.secret)
	if err != nil {
		t.Fatal(err)
	}
	return []string{
		w.secret,
		w.outside,
		filepath.Join(w.parent, "new-library"),
		rel,
		strings.ReplaceAll(rel, "..", "%2e%2e"),
		strings.ReplaceAll(rel, "/", `\`),
		"escape.jpg",
		"file://" + w.secret,
	}
}

// fill makes a value of type typ whose strings come from text, every id is
// id, every slice one element long: arguments that hand a method the
// hostile string wherever it takes text.
func fill(typ reflect.Type, text func() string, id int64) reflect.Value {
	v := reflect.New(typ).Elem()
	switch typ.Kind() {
	case reflect.String:
		v.SetString(text())
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(id)
	case reflect.Float64, reflect.Float32:
		v.SetFloat(1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		if typ.Elem().Kind() == reflect.Uint8 { // []byte: a picture's bytes
			v.SetBytes([]byte(text()))
			break
		}
		v.Set(reflect.Append(v, fill(typ.Elem(), text, id)))
	case reflect.Pointer:
		v.Set(reflect.New(typ.Elem()))
		v.Elem().Set(fill(typ.Elem(), text, id))
	case reflect.Struct:
		for i := 0; i < typ.NumField(); i++ {
			if typ.Field(i).IsExported() {
				v.Field(i).Set(fill(typ.Field(i).Type, text, id))
			}
		}
	}
	return v
}

// argsFor fills every argument of an API method with s as every string.
func argsFor(name, s string, id int64) []any {
	return argsWith(name, func() string { return s }, id)
}

// argsFirst puts s in the method's first string and rest in the others, so
// a method whose later strings are choices (a conflict policy, a kind, a
// theme) is called with a valid choice and the hostile path.
func argsFirst(name, s, rest string, id int64) []any {
	first := true
	return argsWith(name, func() string {
		if first {
			first = false
			return s
		}
		return rest
	}, id)
}

func argsWith(name string, text func() string, id int64) []any {
	m, _ := reflect.TypeOf(&API{}).MethodByName(name)
	var args []any
	for i := 1; i < m.Type.NumIn(); i++ { // 0 is the receiver
		args = append(args, fill(m.Type.In(i), text, id).Interface())
	}
	return args
}

// choices are the words API methods take as choices, for argsFirst.
var choices = []string{"", "keep-both", "replace", "text", "auto", "system"}

func methodNames() []string {
	var names []string
	for n := range methodRoles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// treeDigest hashes a folder's names and contents (symlinks by their target
// text, never followed), .tagsight's caches left out.
func treeDigest(t *testing.T, root string) string {
	t.Helper()
	h := sha256.New()
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && (rel == ".tagsight") {
			return fs.SkipDir
		}
		fmt.Fprintf(h, "%s %v\n", rel, d.Type())
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			fmt.Fprintln(h, l)
		case d.Type().IsRegular():
			b, _ := os.ReadFile(p)
			h.Write(b)
		}
		return nil
	})
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestWebReachesNothingOutsideTheLibrary calls every method of API over
// HTTP, with full access, with each hostile path in every text argument
// (and as a like: term), and every route with every entry id. It watches
// the outside folder with inotify: nothing there may be opened, read,
// written or created, nothing new may appear beside it, and no copy of the
// secret may land in the library. A method added later is called too.
func TestWebReachesNothingOutsideTheLibrary(t *testing.T) {
	w := newWebLibrary(t, HTTPOptions{RateLimit: -1})
	secretBytes, _ := os.ReadFile(w.secret)
	outsideBefore := treeDigest(t, w.outside)
	watch := watchFolders(t, w.parent, w.outside, filepath.Join(w.outside, "sub"))

	check := func(name, text string, code int, body []byte) {
		t.Helper()
		if methodRoles[name] == DesktopOnly && code != http.StatusNotFound {
			t.Errorf("%s is desktop-only but answered %d over HTTP: %.200s", name, code, body)
		}
		// The client never sends the library's folder: an answer that
		// holds it reveals the server's disk.
		if bytes.Contains(body, []byte(w.root)) {
			t.Fatalf("%s(%q) revealed the library's folder on the server: %.300s", name, text, body)
		}
	}
	for _, name := range methodNames() {
		for _, s := range w.hostile(t) {
			for _, text := range []string{s, `like:"` + s + `"`} {
				for _, id := range w.ids {
					code, body := callAPI(t, http.DefaultClient, w.srv.URL, name, argsFor(name, text, id)...)
					check(name, text, code, body)
				}
			}
			for _, c := range choices {
				code, body := callAPI(t, http.DefaultClient, w.srv.URL, name, argsFirst(name, s, c, w.ids[0])...)
				check(name, s, code, body)
			}
		}
	}
	for _, id := range w.ids {
		for _, route := range []string{"/file/%d", "/thumb/%d", "/preview/%d"} {
			code, body := get(t, w.srv.URL+fmt.Sprintf(route, id))
			if id == w.ids[2] && code == 200 {
				t.Errorf("%s served the symlink that leads out of the library", fmt.Sprintf(route, id))
			}
			if strings.Contains(body, "private") {
				t.Errorf("%s leaked a file from outside", route)
			}
		}
	}
	// Uploads named with every hostile path land inside the library or
	// nowhere.
	for _, s := range w.hostile(t) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("target", s)
		fw, _ := mw.CreateFormFile("file", s)
		fw.Write(testutil.JPEG(t, testutil.Solid(8, 8, color.RGBA{1, 2, 3, 255}), nil))
		mw.Close()
		resp, err := http.Post(w.srv.URL+"/api/upload", mw.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	waitIdle(t, w.a) // jobs given hostile arguments may fail: what they touched is what counts
	Shutdown(w.a)

	for _, ev := range watch() {
		t.Errorf("the server touched something outside the library: %s", ev)
	}
	if after := treeDigest(t, w.outside); after != outsideBefore {
		t.Error("the folder outside the library changed")
	}
	if _, err := os.Stat(filepath.Join(w.parent, "new-library")); err == nil {
		t.Error("a library was created outside the served one")
	}
	filepath.WalkDir(w.root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, _ := os.ReadFile(p); bytes.Equal(b, secretBytes) {
				t.Errorf("the secret was copied into the library as %s", p)
			}
		}
		return nil
	})
}

// TestLikeTakesLibraryPathsOnTheWeb: like: over the web names pictures in
// the library, and refuses every other form at its column.
func TestLikeTakesLibraryPathsOnTheWeb(t *testing.T) {
	w := newWebLibrary(t, HTTPOptions{})
	watch := watchFolders(t, w.outside)
	search := func(q string) SearchResult {
		t.Helper()
		code, body := callAPI(t, http.DefaultClient, w.srv.URL, "Search", SearchRequest{Query: q, Limit: 10})
		var res SearchResult
		if err := json.Unmarshal(body, &res); code != 200 || err != nil {
			t.Fatalf("%q: %d %s", q, code, body)
		}
		return res
	}
	res := search("like:red.jpg")
	if res.Error != nil || len(res.Items) == 0 || res.Items[0].Path != "red.jpg" {
		t.Fatalf("like: with a library path: %+v", res)
	}
	for _, p := range w.hostile(t) {
		q := `ext:jpg like:"` + p + `"`
		res := search(q)
		if res.Error == nil {
			t.Errorf("%q was accepted: %+v", q, res.Items)
			continue
		}
		col := strings.Index(q, "like:") + 1
		if res.Error.Column != col || !strings.Contains(res.Error.Message, "like:") {
			t.Errorf("%q: error %+v, want it at column %d", q, res.Error, col)
		}
	}
	// The desktop face still takes any picture on disk.
	desk := New(Options{Version: "test", ConfigDir: t.TempDir(), Model: workspace.ModelOptions{Model: colourModel, ModelsDir: t.TempDir()}})
	defer Shutdown(desk)
	if err := Open(desk, w.root, false); err != nil {
		t.Fatal(err)
	}
	if res, err := desk.Search(SearchRequest{Query: `like:"` + w.secret + `"`, Limit: 3}); err != nil || res.Error != nil || len(res.Items) == 0 {
		t.Errorf("desktop like: with a path on disk: %+v %v", res, err)
	}
	Shutdown(w.a)
	if evs := watch(); len(evs) == 0 {
		t.Error("the desktop face's like: should have read the picture (the watch sees nothing: is it working?)")
	} else {
		for _, ev := range evs {
			if !strings.Contains(ev, "secret.jpg") {
				t.Errorf("unexpected event %s", ev)
			}
		}
	}
}

// The roles themselves (what a read-only client may and may not do) are
// tested against the README's written table: roles_readme_test.go.

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	if b.token != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+b.token)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestLimits(t *testing.T) {
	w := newWebLibrary(t, HTTPOptions{UploadLimit: 4096, RateLimit: -1})
	// JSON arguments over 1 MiB.
	big := strings.Repeat("a", MaxJSONBody+10)
	if code, body := callAPI(t, http.DefaultClient, w.srv.URL, "CreateTag", big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("1 MiB of JSON: %d %s", code, body)
	}
	// An upload over the limit leaves nothing behind.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "big.jpg")
	noise := testutil.Solid(200, 200, color.RGBA{})
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = byte(rng.UintN(256))
	}
	img := testutil.JPEG(t, noise, nil)
	if len(img) <= 4096 {
		t.Fatalf("test picture too small: %d", len(img))
	}
	fw.Write(img)
	mw.Close()
	resp, err := http.Post(w.srv.URL+"/api/upload", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "larger than") {
		t.Errorf("upload over the limit: %d %s", resp.StatusCode, body)
	}
	entries, _ := os.ReadDir(w.root)
	for _, e := range entries {
		if strings.Contains(e.Name(), "big") || strings.HasPrefix(e.Name(), ".tagsight-import") {
			t.Errorf("left behind: %s", e.Name())
		}
	}

	// The rate limit answers 429 with Retry-After once the burst is spent.
	r := newWebLibrary(t, HTTPOptions{RateLimit: 0.25}) // a burst of 1
	if code, _ := callAPI(t, http.DefaultClient, r.srv.URL, "Version"); code != 200 {
		t.Fatalf("first call: %d", code)
	}
	req, _ := http.NewRequest("POST", r.srv.URL+"/api/Version", strings.NewReader("[]"))
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("over the rate: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Thumbnails are not counted: the grid never hits the limit.
	if code, _ := get(t, fmt.Sprintf("%s/thumb/%d", r.srv.URL, r.ids[0])); code != 200 {
		t.Errorf("thumbnail under the API's rate limit: %d", code)
	}
}

// waitIdle waits for every job to end, failed or not.
func waitIdle(t *testing.T, a *API) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		busy := false
		for _, j := range a.jobs.List() {
			busy = busy || j.State == jobs.Running
		}
		if !busy {
			return
		}
	}
	t.Fatal("jobs did not finish")
}

// TestStalledClientIsDropped: a client that starts a request body and then
// stops sending does not hold the server: past the idle limit the call ends.
func TestStalledClientIsDropped(t *testing.T) {
	old := idleBody
	idleBody = 300 * time.Millisecond
	defer func() { idleBody = old }()
	w := newWebLibrary(t, HTTPOptions{RateLimit: -1})
	for _, path := range []string{"/api/CreateTag", "/api/upload"} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(w.srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		ct := "application/json"
		if path == "/api/upload" {
			ct = "multipart/form-data; boundary=x"
		}
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nContent-Length: 1000\r\n\r\n[\"Sl", path, ct)
		// A guard against a hang, far above the idle limit: not a timing check.
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		b, err := io.ReadAll(conn)
		conn.Close()
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("%s: the server still waited for the stalled body", path)
		}
		if len(b) > 0 && !strings.HasPrefix(string(b), "HTTP/1.1 4") {
			t.Errorf("%s: %q, want a 4xx or a closed connection", path, b)
		}
	}
	ts, err := w.a.Tags()
	if err != nil {
		t.Fatalf("Tags: %v", err)
	}
	for _, tg := range ts {
		if strings.HasPrefix(tg.Name, "Sl") {
			t.Errorf("a tag came from a stalled request: %q", tg.Name)
		}
	}
}
