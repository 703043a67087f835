package api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/watch"
	"github.com/tagsight/tagsight/backend/workspace"
)

// writtenRoles is the README's table of roles (section "Sharing in a
// browser"): the written list of what each face may call. The role tests
// hold the server to it, never to methodRoles, which they would only
// agree with.
func writtenRoles(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(testutil.RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ident := regexp.MustCompile(`^[A-Z][A-Za-z]+$`)
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "|")
		if len(cols) < 4 || strings.TrimSpace(cols[0]) != "" {
			continue
		}
		role := strings.Fields(strings.TrimSpace(cols[1]) + " ")[0]
		if role != "web-read" && role != "web-write" && role != "desktop-only" {
			continue
		}
		methods, _, _ := strings.Cut(cols[2], ";") // routes follow the methods
		for _, m := range strings.Split(methods, ",") {
			m = strings.Trim(strings.TrimSpace(m), "`")
			if !ident.MatchString(m) {
				continue
			}
			if prev, ok := out[m]; ok {
				t.Errorf("README names %s twice (%s and %s)", m, prev, role)
			}
			out[m] = role
		}
	}
	if len(out) == 0 {
		t.Fatal("README.md has no table of roles (| web-read | … |)")
	}
	return out
}

// TestREADMENamesEveryMethod: the README's table names every method of
// API, and nothing else.
func TestREADMENamesEveryMethod(t *testing.T) {
	written := writtenRoles(t)
	typ := reflect.TypeOf(&API{})
	for i := 0; i < typ.NumMethod(); i++ {
		if name := typ.Method(i).Name; written[name] == "" {
			t.Errorf("README's table of roles does not name API.%s", name)
		}
	}
	for name := range written {
		if _, ok := typ.MethodByName(name); !ok {
			t.Errorf("README's table names %s, which API does not have", name)
		}
	}
}

// rolesLibrary is a served library with faces (red and blue discs, the
// test face models' faces), a TagStudio library to bring in, and servers
// for each kind of client.
type rolesLibrary struct {
	a    *API
	root string
	ids  map[string]int64 // entries by file name
	// full and read reach one server with their tokens; anyone reaches a
	// --read-only server over the same library with no token.
	full, read, anyone func(method string, args ...any) (int, []byte)
	upload             func(srv, token string) int
	srv, ro            *httptest.Server
}

func newRolesLibrary(t *testing.T) *rolesLibrary {
	t.Helper()
	t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
	l := &rolesLibrary{root: t.TempDir(), ids: map[string]int64{}}
	red, blue := color.RGBA{230, 30, 30, 255}, color.RGBA{40, 60, 235, 255}
	for i := 0; i < 3; i++ {
		testutil.WriteFile(t, filepath.Join(l.root, fmt.Sprintf("red%d.jpg", i)), testutil.JPEG(t, testutil.DiscsImage(640, 480, testutil.Disc{X: 200 + 60*float64(i), Y: 200, R: 50, C: red}), nil))
		testutil.WriteFile(t, filepath.Join(l.root, fmt.Sprintf("blue%d.jpg", i)), testutil.JPEG(t, testutil.DiscsImage(640, 480, testutil.Disc{X: 300, Y: 150 + 50*float64(i), R: 45, C: blue}), nil))
	}
	testutil.WriteFile(t, filepath.Join(l.root, "trash-me.jpg"), testutil.JPEG(t, testutil.Solid(64, 48, color.RGBA{200, 200, 10, 255}), nil))
	testutil.WriteFile(t, filepath.Join(l.root, "notes.zip"), zipOf(t, "notes/a.txt", "notes/b.txt"))
	// No watcher: the only changes are the calls'.
	l.a = New(Options{Version: "test", Web: true, Watch: watch.Options{Mode: "off"},
		Model: workspace.ModelOptions{Model: colourModel, FacesModel: testutil.FaceModels(t, false), ModelsDir: t.TempDir()}})
	t.Cleanup(func() { Shutdown(l.a) })
	if err := Open(l.a, l.root, true); err != nil {
		t.Fatal(err)
	}
	if _, err := l.a.StartIndex(); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, l.a)
	ws, _ := l.a.workspace()
	es, err := ws.Lib.DB.ListEntries(t.Context(), store.ListOptions{})
	if err != nil || len(es) != 8 {
		t.Fatalf("indexed %d entries (%v), want 8", len(es), err)
	}
	for _, e := range es {
		l.ids[e.Path] = e.ID
	}
	if ps, err := l.a.People(false); err != nil || len(ps) != 2 {
		t.Fatalf("the fixture has %d people, want 2 (red and blue) (%v)", len(ps), err)
	}
	// A TagStudio library in the folder: its tags are on offer.
	testutil.WriteFile(t, filepath.Join(l.root, ".TagStudio", "ts_library.json"), []byte(`{"ts-version":"9.4.2","tags":[
 {"id":1000,"name":"Colour","aliases":[""],"color":"green"},
 {"id":1001,"name":"Crimson","aliases":["Scarlet"],"subtag_ids":[1000],"color":"red"}],"entries":[]}`))

	assets := fstest.MapFS{"index.html": {Data: []byte("<html>ui</html>")}}
	l.srv = httptest.NewServer(Handler(l.a, HTTPOptions{Token: "full-secret", ReadToken: "read-secret", RateLimit: -1, Assets: assets}))
	t.Cleanup(l.srv.Close)
	l.ro = httptest.NewServer(Handler(l.a, HTTPOptions{ReadOnly: true, RateLimit: -1, Assets: assets}))
	t.Cleanup(l.ro.Close)
	caller := func(base, token string) func(string, ...any) (int, []byte) {
		c := &http.Client{Transport: bearer{token}}
		return func(m string, args ...any) (int, []byte) { return callAPI(t, c, base, m, args...) }
	}
	l.full, l.read, l.anyone = caller(l.srv.URL, "full-secret"), caller(l.srv.URL, "read-secret"), caller(l.ro.URL, "")
	l.upload = func(base, token string) int {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "uploaded.jpg")
		fw.Write(testutil.JPEG(t, testutil.Solid(8, 8, color.RGBA{1, 2, 3, 255}), nil))
		mw.Close()
		req, _ := http.NewRequest("POST", base+"/api/upload", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := (&http.Client{Transport: bearer{token}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	return l
}

// state is everything a call could change, read back through the API
// and from disk: tags, each entry's tags, fields and faces, people and
// their faces, settings, the TagStudio offer, jobs, the database's row
// counts and the library's files.
func (l *rolesLibrary) state(t *testing.T) string {
	t.Helper()
	ws, _ := l.a.workspace()
	var b strings.Builder
	put := func(what string, v any, err error) {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		j, _ := json.Marshal(v)
		fmt.Fprintf(&b, "%s %s\n", what, j)
	}
	ts, err := l.a.Tags()
	put("tags", ts, err)
	es, err := ws.Lib.DB.ListEntries(t.Context(), store.ListOptions{IncludeMissing: true})
	put("entries", len(es), err)
	for _, e := range es {
		d, err := l.a.Entry(e.ID)
		put("entry "+e.Path, []any{d.Tags, d.Fields, d.Faces}, err)
	}
	ps, err := l.a.People(true)
	put("people", ps, err)
	for _, p := range append(ps, Person{}) {
		fs, err := l.a.PersonFaces(p.ID, 0)
		put(fmt.Sprint("faces of ", p.ID), fs, err)
	}
	fset, err := l.a.FaceSettings()
	put("face settings", fset, err)
	set, err := l.a.Settings()
	put("settings", set, err)
	info, err := l.a.LibraryInfo()
	put("info", []any{info.TagStudio, info.Faces, info.Entries}, err)
	var js []string
	for _, j := range l.a.jobs.List() {
		js = append(js, j.ID+" "+j.Kind+" "+j.State)
	}
	sort.Strings(js)
	put("jobs", js, nil)
	counts, err := ws.Lib.DB.TableCounts(t.Context())
	put("rows", counts, err)
	settings, _ := os.ReadFile(filepath.Join(l.root, ".tagsight", "settings.json"))
	fmt.Fprintf(&b, "files %s %x\n", treeDigest(t, l.root), sha256.Sum256(settings))
	return b.String()
}

// block holds a job lock with a job that runs until cancelled, so a job
// started behind it stays queued (and one can be cancelled).
func (l *rolesLibrary) block(t *testing.T, lock string) jobs.Job {
	t.Helper()
	j, err := l.a.jobs.Start("index", "held by the test", lock, func(ctx context.Context, _ func(jobs.Progress)) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// person is a person of the library with at least n faces, and its faces.
func (l *rolesLibrary) person(t *testing.T, n int, skip ...int64) (Person, []Face) {
	t.Helper()
	ps, err := l.a.People(false)
	if err != nil {
		t.Fatalf("People: %v", err)
	}
	for _, p := range ps {
		if p.Faces >= n && !containsID(skip, p.ID) {
			fs, err := l.a.PersonFaces(p.ID, 0)
			if err != nil {
				t.Fatalf("PersonFaces: %v", err)
			}
			return p, fs
		}
	}
	t.Fatalf("no person with %d faces left: %+v", n, ps)
	return Person{}, nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// writeCase gives a web-write method arguments that really change
// something, after setting up what they need (with full access, directly).
// settle, if set, waits for what the full call set going to be done (a
// cancelled job ends on its own goroutine) before the change is looked for.
// after, if set, lets go of what setup holds once the change is seen.
type writeCase struct {
	setup  func(t *testing.T, l *rolesLibrary) []any
	settle func(t *testing.T, l *rolesLibrary, args []any)
	after  func(t *testing.T, l *rolesLibrary)
}

// writeCases are in the order they run: each one's setup finds the
// library as the earlier cases left it.
var writeCases = []struct {
	name string
	writeCase
}{
	{"CreateTag", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any { return []any{"Family"} }}},
	{"UpdateTag", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		name := "Relatives"
		return []any{l.tag(t, "Family"), TagPatch{Name: &name}}
	}}},
	{"ApplyTag", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		return []any{l.tag(t, "Relatives"), []int64{l.ids["red0.jpg"]}}
	}}},
	{"RemoveTag", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		id := l.tag(t, "Relatives")
		if _, err := l.a.ApplyTag(id, []int64{l.ids["red1.jpg"]}); err != nil {
			t.Fatal(err)
		}
		return []any{id, []int64{l.ids["red1.jpg"]}}
	}}},
	{"AcceptSuggestion", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		return []any{l.tag(t, "Relatives"), []int64{l.ids["blue0.jpg"]}}
	}}},
	{"DismissSuggestion", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		return []any{l.tag(t, "Relatives"), []int64{l.ids["blue1.jpg"]}}
	}}},
	{"SetField", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		return []any{l.ids["red2.jpg"], "Notes", "text", "taken on the balcony"}
	}}},
	{"MergeTags", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		from, err := l.a.CreateTag("Kin")
		if err != nil {
			t.Fatal(err)
		}
		return []any{from.ID, l.tag(t, "Relatives")}
	}}},
	{"DeleteTag", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		tg, err := l.a.CreateTag("Doomed")
		if err != nil {
			t.Fatal(err)
		}
		return []any{tg.ID}
	}}},
	{"WriteXMP", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		return []any{[]int64{l.ids["red0.jpg"]}} // it carries Relatives since ApplyTag
	}}},
	{"SplitFace", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		_, fs := l.person(t, 2)
		return []any{fs[len(fs)-1].ID}
	}}},
	{"RejectFace", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		_, fs := l.person(t, 2)
		return []any{fs[len(fs)-1].ID}
	}}},
	{"NameFace", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		_, fs := l.person(t, 1)
		return []any{fs[0].ID, "Carol"}
	}}},
	{"NamePerson", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		p, _ := l.person(t, 1)
		return []any{p.ID, "Alice"}
	}}},
	{"HidePerson", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		p, _ := l.person(t, 1)
		return []any{p.ID, true}
	}}},
	{"MergePeople", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		into, _ := l.person(t, 1)
		from, _ := l.person(t, 1, into.ID)
		return []any{into.ID, from.ID}
	}}},
	{"SaveFaceSettings", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		s, err := l.a.FaceSettings()
		if err != nil {
			t.Fatal(err)
		}
		s.MinFaces++
		return []any{s, true}
	}}},
	{"StartFaces", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any { return []any{} }}},
	{"Recluster", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any { return []any{} }}},
	{"StartIndex", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any { return []any{} }}},
	{"SaveSettings", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		s, err := l.a.Settings()
		if err != nil {
			t.Fatal(err)
		}
		s.Theme = map[string]string{"dark": "light"}[s.Theme]
		if s.Theme == "" {
			s.Theme = "dark"
		}
		return []any{s}
	}}},
	{"DismissTagStudio", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any { return []any{} }}},
	{"ImportTagStudio", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any { return []any{} }}},
	{"Trash", writeCase{setup: func(t *testing.T, l *rolesLibrary) []any {
		return []any{[]int64{l.ids["trash-me.jpg"]}}
	}}},
	{"CancelJob", writeCase{
		setup: func(t *testing.T, l *rolesLibrary) []any {
			return []any{l.block(t, "test-cancel").ID}
		},
		settle: func(t *testing.T, l *rolesLibrary, args []any) {
			if _, err := l.a.jobs.Wait(t.Context(), args[0].(string)); err != nil {
				t.Fatal(err)
			}
		},
	}},
	{"PullModel", writeCase{
		// The download waits behind a job the test holds: it is started
		// (the change) and never reaches the network.
		setup: func(t *testing.T, l *rolesLibrary) []any {
			name := workspace.Catalog().Default
			l.block(t, "download:"+name)
			return []any{name}
		},
		after: func(t *testing.T, l *rolesLibrary) {
			running := l.a.jobs.List()
			for _, j := range running {
				l.a.jobs.Cancel(j.ID)
			}
			for _, j := range running {
				l.a.jobs.Wait(t.Context(), j.ID)
			}
		},
	}},
}

func (l *rolesLibrary) tag(t *testing.T, name string) int64 {
	t.Helper()
	ts, err := l.a.Tags()
	if err != nil {
		t.Fatalf("Tags: %v", err)
	}
	for _, tg := range ts {
		if tg.Name == name {
			return tg.ID
		}
	}
	t.Fatalf("no tag %q", name)
	return 0
}

// readArgs are arguments a web-read method answers 200 to.
func readArgs(l *rolesLibrary, name string) ([]any, bool) {
	p, _ := l.a.People(true)
	pid := int64(0)
	if len(p) > 0 {
		pid = p[0].ID
	}
	ts, _ := l.a.Tags()
	args, ok := map[string][]any{
		"Version":        {},
		"LibraryInfo":    {},
		"Search":         {SearchRequest{Query: "ext:jpg", Limit: 10}},
		"Similar":        {l.ids["red0.jpg"], 5},
		"Entry":          {l.ids["red0.jpg"]},
		"ArchiveEntries": {l.ids["notes.zip"], 10},
		"TextMatches":    {l.ids["red0.jpg"], "text:red"},
		"MediaBase":      {},
		"SelectionTags":  {[]int64{l.ids["red0.jpg"], l.ids["blue0.jpg"]}},
		"Suggestions":    {l.ids["red0.jpg"]},
		"BatchSuggest":   {ts[0].ID},
		"Tags":           {},
		"Duplicates":     {},
		"Jobs":           {},
		"Settings":       {},
		"Models":         {},
		"Autocomplete":   {"ta", 2},
		"People":         {true},
		"PersonFaces":    {pid, 0},
		"FaceSettings":   {},
		"Moments":        {l.ids["red0.jpg"], "red", 3},
		"SimilarFrame":   {rolesFrame(l), 5},
	}[name]
	return args, ok
}

// rolesFrame gives red0.jpg a frame (the fixture has no video; a frame
// is a frame to the roles) and returns its id.
func rolesFrame(l *rolesLibrary) int64 {
	ws, err := l.a.workspace()
	if err != nil {
		return 0
	}
	ctx := context.Background()
	m := ws.Now().StoreModel
	id := l.ids["red0.jpg"]
	v, err := ws.Lib.DB.Vector(ctx, m, id)
	if err != nil {
		return 0
	}
	if err := ws.Lib.DB.Tx(ctx, func(tx *store.Tx) error {
		return store.ReplaceFrames(ctx, tx, m, id, []store.Frame{{AtMS: 0, Vec: v}})
	}); err != nil {
		return 0
	}
	fs, err := ws.Lib.DB.FramesOf(ctx, m, []int64{id})
	if err != nil || len(fs[id]) == 0 {
		return 0
	}
	return fs[id][0].ID
}

// TestRolesAsWritten holds the server to the README's table of roles.
// Every web-write method is called with arguments that really change
// something: by a read token and by anyone on a --read-only server it is
// refused (403) and the library reads back as it was; by the full token
// it answers 2xx and the library reads back changed, which proves the
// arguments were effective. Every web-read method answers 200 to a
// read-only client; every desktop-only method 404 to both. Upload is a
// write, search by picture a read.
func TestRolesAsWritten(t *testing.T) {
	written := writtenRoles(t)
	l := newRolesLibrary(t)
	cases := map[string]bool{}
	for _, c := range writeCases {
		cases[c.name] = true
	}
	for name, role := range written {
		if role == "web-write" && !cases[name] {
			t.Errorf("%s is web-write in README but has no case in writeCases: give it arguments that change something", name)
		}
	}
	for _, c := range writeCases {
		if written[c.name] != "web-write" {
			if written[c.name] == "" {
				t.Errorf("writeCases has %s, which README's table does not name", c.name)
			}
			continue
		}
		args := c.setup(t, l)
		waitIdleExcept(t, l.a)
		before := l.state(t)
		for who, call := range map[string]func(string, ...any) (int, []byte){"read token": l.read, "read-only server": l.anyone} {
			code, body := call(c.name, args...)
			if code != http.StatusForbidden || !bytes.Contains(body, []byte(`"forbidden"`)) {
				t.Errorf("%s by %s: %d %.300s, want 403 forbidden", c.name, who, code, body)
			}
			waitIdleExcept(t, l.a)
			if after := l.state(t); after != before {
				t.Errorf("%s by %s changed the library:\n%s", c.name, who, diffLines(before, after))
			}
		}
		code, body := l.full(c.name, args...)
		if code/100 != 2 {
			t.Errorf("%s by the full token: %d %.300s (the case's arguments must work)", c.name, code, body)
		}
		if c.settle != nil {
			c.settle(t, l, args)
		}
		waitIdleExcept(t, l.a)
		if after := l.state(t); after == before {
			t.Errorf("%s by the full token changed nothing: the case's arguments prove nothing", c.name)
		}
		if c.after != nil {
			c.after(t, l)
			waitIdleExcept(t, l.a)
		}
	}

	// The routes: upload writes, search by picture reads.
	before := l.state(t)
	if code := l.upload(l.srv.URL, "read-secret"); code != http.StatusForbidden {
		t.Errorf("upload by a read token: %d, want 403", code)
	}
	if code := l.upload(l.ro.URL, ""); code != http.StatusForbidden {
		t.Errorf("upload to a --read-only server: %d, want 403", code)
	}
	if after := l.state(t); after != before {
		t.Errorf("a refused upload changed the library:\n%s", diffLines(before, after))
	}
	if code := l.upload(l.srv.URL, "full-secret"); code != 200 {
		t.Errorf("upload by the full token: %d", code)
	}
	waitIdleExcept(t, l.a)
	if _, err := os.Stat(filepath.Join(l.root, "uploaded.jpg")); err != nil {
		t.Errorf("the full token's upload left no file: %v", err)
	}

	for name, role := range written {
		switch role {
		case "web-read":
			args, ok := readArgs(l, name)
			if !ok {
				t.Errorf("%s is web-read in README but readArgs has no arguments for it", name)
				continue
			}
			for who, call := range map[string]func(string, ...any) (int, []byte){"read token": l.read, "read-only server": l.anyone} {
				if code, body := call(name, args...); code != 200 {
					t.Errorf("%s by %s: %d %.300s, want 200", name, who, code, body)
				}
			}
		case "desktop-only":
			args := argsFor(name, "x.jpg", l.ids["red0.jpg"])
			for who, call := range map[string]func(string, ...any) (int, []byte){"full token": l.full, "read token": l.read} {
				if code, body := call(name, args...); code != http.StatusNotFound {
					t.Errorf("%s by %s: %d %.300s, want 404 (desktop-only)", name, who, code, body)
				}
			}
		}
	}
}

// waitIdleExcept waits for the jobs to end, but for those the test holds
// (block), which end when cancelled.
func waitIdleExcept(t *testing.T, a *API) {
	t.Helper()
	for _, j := range a.jobs.List() {
		if j.State != jobs.Running || j.Title == "held by the test" {
			continue
		}
		if done, ok := a.jobs.Get(j.ID); ok && done.Phase == "queued" && queuedBehindHeld(a, j) {
			continue
		}
		if _, err := a.jobs.Wait(t.Context(), j.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// queuedBehindHeld: j waits for a lock a held job has (PullModel's case).
func queuedBehindHeld(a *API, j jobs.Job) bool {
	if j.Kind != "download" {
		return false
	}
	for _, o := range a.jobs.List() {
		if o.Title == "held by the test" && o.State == jobs.Running {
			return true
		}
	}
	return false
}

// diffLines shows the lines of b that differ from a's.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, fmt.Sprintf(" - %.200s\n + %.200s", x, y))
		}
	}
	return strings.Join(out, "\n")
}
