//go:build e2e

// Package e2e drives the real UI in a real headless Chromium against the
// real Go server (`tagsight serve`) on a generated library with the test
// colour model. Needs the frontend built (make frontend; make test does).
package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tagsight/tagsight/backend/testutil"
)

var (
	bin         string
	colourModel string
	shotsDir    = os.Getenv("TAGSIGHT_SCREENSHOTS") // make screenshots sets it
)

func TestMain(m *testing.M) {
	if _, err := os.Stat("../frontend/dist/index.html"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: the UI is not built: run `make frontend` (make test does) before these tests")
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "tagsight-e2e")
	if err != nil {
		panic(err)
	}
	// make test-e2e passes the binary built as `make cli` builds it (with
	// -race), so these tests also prove that the README's `make cli &&
	// tagsight serve` serves the UI.
	if bin = os.Getenv("TAGSIGHT_BIN"); bin == "" {
		bin = filepath.Join(dir, "tagsight")
		// sqlite_fts5: the build tag every Tagsight build needs (store.BuildTags).
		args := []string{"build", "-tags", "sqlite_fts5", "-o", bin, "../cmd/tagsight"}
		if raceBuild { // the server races are what -race is for
			args = []string{"build", "-tags", "sqlite_fts5", "-race", "-o", bin, "../cmd/tagsight"}
		}
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
			os.Exit(1)
		}
	}
	colourModel, _ = filepath.Abs("../models/testmodels/colour")
	// A race-built server stops at its first race, which fails the test
	// that drove it (the variable is read by race-built binaries only).
	os.Setenv("GORACE", "halt_on_error=1 exitcode=66")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var colours = map[string]color.RGBA{
	"red": {230, 20, 20, 255}, "green": {20, 200, 30, 255}, "blue": {20, 30, 220, 255},
	"yellow": {240, 230, 20, 255}, "white": {250, 250, 250, 255}, "black": {5, 5, 5, 255},
}

func flatJPEG(t testing.TB, c color.RGBA, w, h int) []byte {
	img := testutil.Solid(w, h, c)
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2] = c.R, c.G, c.B
	}
	return testutil.JPEG(t, img, nil)
}

// server is a running `tagsight serve`.
type server struct {
	URL   string
	Root  string
	Token string // the full token the server printed, if it has one
	cmd   *exec.Cmd
}

func startServer(t *testing.T, perColour int, flags ...string) *server {
	t.Helper()
	root := t.TempDir()
	for name, c := range colours {
		for i := 0; i < perColour; i++ {
			cc := color.RGBA{c.R, uint8(int(c.G) + i%3), c.B, 255}
			testutil.WriteFile(t, filepath.Join(root, name, fmt.Sprintf("%s-%02d.jpg", name, i)), flatJPEG(t, cc, 160, 120))
		}
	}
	cmd := exec.Command(bin, append([]string{"serve", root, "--addr", "127.0.0.1:0", "--model", colourModel}, flags...)...)
	cmd.Env = append(os.Environ(), "TAGSIGHT_MODELS_DIR="+t.TempDir())
	cmd.Stderr = os.Stderr
	s := &server{URL: testutil.Serve(t, cmd), Root: root, cmd: cmd}
	// With tokens the printed address is the page's: /?token=…
	if base, tok, ok := strings.Cut(s.URL, "/?token="); ok {
		s.URL, s.Token = base, tok
	}
	s.waitIdle(t)
	return s
}

// call invokes the API like the UI does.
func (s *server) call(t *testing.T, method string, out any, args ...any) {
	t.Helper()
	b, _ := json.Marshal(args)
	req, _ := http.NewRequest("POST", s.URL+"/api/"+method, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", method, resp.StatusCode, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s: %v: %s", method, err, body)
		}
	}
}

func (s *server) waitIdle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var jobs []struct{ State, Error string }
		s.call(t, "Jobs", &jobs)
		busy := false
		for _, j := range jobs {
			if j.State == "running" {
				busy = true
			}
			if j.State == "failed" {
				t.Fatalf("job failed: %s", j.Error)
			}
		}
		if !busy {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("jobs did not finish")
}

type item struct {
	ID   int64  `json:"id"`
	Path string `json:"path"`
}

func (s *server) find(t *testing.T, q string) []item {
	t.Helper()
	var res struct{ Items []item }
	s.call(t, "Search", &res, map[string]any{"query": q, "limit": 500, "offset": 0})
	return res.Items
}

func (s *server) entryTags(t *testing.T, id int64) []string {
	var d struct{ Tags []struct{ Name string } }
	s.call(t, "Entry", &d, id)
	var out []string
	for _, tg := range d.Tags {
		out = append(out, tg.Name)
	}
	return out
}

// browser starts a headless Chromium tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		fail(t, ctx, err)
	}
}

func fail(t *testing.T, ctx context.Context, err error) {
	t.Helper()
	html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
	if len(html) > 3000 {
		html = html[:3000]
	}
	t.Fatalf("%v\npage: %s", err, html)
}

// eval runs JavaScript and returns its value.
func eval[T any](t *testing.T, ctx context.Context, js string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		fail(t, ctx, err)
	}
	return v
}

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

func shot(t *testing.T, ctx context.Context, name string) {
	if shotsDir == "" {
		return
	}
	chromedp.Do(ctx, chromedp.Sleep(400*time.Millisecond))
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	os.MkdirAll(shotsDir, 0o755)
	if err := os.WriteFile(filepath.Join(shotsDir, name+".png"), buf, 0o644); err != nil {
		t.Error(err)
	}
}

// gridPaths reads the data-path of the rendered grid cells, in order.
func gridPaths(t *testing.T, ctx context.Context) []string {
	return eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="grid-item"]')].map(e => e.dataset.path)`)
}

// settle waits until the search bar's results stop changing: n grid cells
// (or any, n < 0), no search in flight, the same for two looks in a row.
func settle(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	last := ""
	waitFor(t, ctx, fmt.Sprintf("%d results to settle", n), func() bool {
		state := eval[string](t, ctx, `(document.querySelector('[aria-label="Searching"]') ? 'busy:' : '') +
			[...document.querySelectorAll('[data-testid="grid-item"]')].map(e => e.dataset.path).join(',')`)
		count := 0
		if state != "" && !strings.HasPrefix(state, "busy:") {
			count = strings.Count(state, ",") + 1
		}
		stable := state == last && !strings.HasPrefix(state, "busy:") && (n < 0 && count > 0 || count == n)
		last = state
		if !stable {
			time.Sleep(250 * time.Millisecond)
		}
		return stable
	})
}

func typeQuery(t *testing.T, ctx context.Context, q string) {
	in := css(`input[aria-label="Search"]`)
	run(t, ctx, chromedp.WaitVisible(in))
	eval[bool](t, ctx, `(() => { const i = document.querySelector('input[aria-label="Search"]'); i.value = ''; i.dispatchEvent(new Event('input', {bubbles: true})); return true })()`)
	run(t, ctx, chromedp.Click(in), chromedp.SendKeys(in, q))
}

func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestColourQueryRanksRightFirst(t *testing.T) {
	s := startServer(t, 4)
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	typeQuery(t, ctx, "red")
	waitFor(t, ctx, "red pictures first", func() bool {
		p := gridPaths(t, ctx)
		if len(p) < 4 {
			return false
		}
		for _, x := range p[:4] {
			if !strings.HasPrefix(x, "red/") {
				return false
			}
		}
		return true
	})
	// One relevance cutoff divider, in its place: every red above it,
	// every other picture below it.
	dividers := eval[int](t, ctx, `document.querySelectorAll('[data-testid="cutoff-divider"]').length`)
	if dividers != 1 {
		t.Errorf("%d cutoff dividers", dividers)
	}
	place := eval[map[string]int](t, ctx, `(() => {
		const d = document.querySelector('[data-testid="cutoff-divider"]').getBoundingClientRect();
		const out = {above: 0, redsBelow: 0, othersAbove: 0, below: 0};
		for (const c of document.querySelectorAll('[data-testid="grid-item"]')) {
			const r = c.getBoundingClientRect(), red = c.dataset.path.startsWith('red/');
			if (r.bottom <= d.top + 1) { out.above++; if (!red) out.othersAbove++; }
			else if (r.top >= d.bottom - 1) { out.below++; if (red) out.redsBelow++; }
		}
		return out;
	})()`)
	if place["above"] != 4 || place["othersAbove"] != 0 || place["redsBelow"] != 0 || place["below"] == 0 {
		t.Errorf("the cutoff divider is not between the reds and the rest: %v", place)
	}
	shot(t, ctx, "grid-semantic-search")
}

func TestSyntaxErrorIsUnderlined(t *testing.T) {
	s := startServer(t, 1)
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	typeQuery(t, ctx, "red AND (blue")
	run(t, ctx, chromedp.WaitVisible(css(`[data-testid="query-error"]`)))
	underlined, err := chromedp.Run(ctx, chromedp.TextContent(css(`[data-testid="query-error"]`)))
	if err != nil {
		fail(t, ctx, err)
	}
	if strings.TrimSpace(underlined) == "" {
		t.Error("nothing underlined")
	}
}

func TestAcceptSuggestedChip(t *testing.T) {
	s := startServer(t, 4)
	var tag struct{ ID int64 }
	s.call(t, "CreateTag", &tag, "Warm")
	reds := s.find(t, "path:red/")
	if len(reds) != 4 {
		t.Fatalf("reds: %+v", reds)
	}
	s.call(t, "ApplyTag", nil, tag.ID, []int64{reds[0].ID, reds[1].ID, reds[2].ID})
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	typeQuery(t, ctx, "path:red/red-03")
	settle(t, ctx, 1)
	sel := `[data-testid="grid-item"][data-path="red/red-03.jpg"]`
	run(t, ctx, chromedp.WaitVisible(css(sel)), chromedp.Click(css(sel)))
	run(t, ctx, chromedp.WaitVisible(css(`[data-testid="suggestion"]`)))
	title := eval[string](t, ctx, `document.querySelector('[data-testid="suggestion"]').textContent + ' ' + (document.querySelector('[data-testid="suggestion"] [title], [data-testid="suggestion"][title]')?.getAttribute('title') ?? '')`)
	if !strings.Contains(title, "Warm") || !strings.Contains(title, "red/") {
		t.Errorf("suggestion chip and its reason: %q", title)
	}
	shot(t, ctx, "inspector-suggested-chips")
	run(t, ctx, chromedp.Click(css(`[data-testid="suggestion"]`)))
	waitFor(t, ctx, "the tag to be applied", func() bool {
		tags := s.entryTags(t, reds[3].ID)
		return len(tags) == 1 && tags[0] == "Warm"
	})
	run(t, ctx, chromedp.WaitVisible(css(`[data-testid="tag-chip"]`)))
}

func TestCreateTagOnMultiSelection(t *testing.T) {
	s := startServer(t, 2)
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	typeQuery(t, ctx, "path:blue/")
	settle(t, ctx, 2)
	a, b := `[data-testid="grid-item"][data-path="blue/blue-00.jpg"]`, `[data-testid="grid-item"][data-path="blue/blue-01.jpg"]`
	run(t, ctx, chromedp.WaitVisible(css(b)), chromedp.Click(css(a)))
	// Ctrl-click adds the second picture to the selection.
	eval[bool](t, ctx, `document.querySelector('`+b+`').dispatchEvent(new MouseEvent('click', {bubbles: true, ctrlKey: true, metaKey: true}))`)
	input := css(`aside[aria-label="Inspector"] input[role="combobox"]`)
	run(t, ctx, chromedp.WaitVisible(input), chromedp.Click(input), chromedp.SendKeys(input, "Holiday"), chromedp.SendKeys(input, "\r"))
	items := s.find(t, "path:blue/")
	waitFor(t, ctx, "both to carry the new tag", func() bool {
		for _, it := range items {
			tags := s.entryTags(t, it.ID)
			if len(tags) != 1 || tags[0] != "Holiday" {
				return false
			}
		}
		return true
	})
}

// A tiny blue PNG, base64.
func bluePNG(t *testing.T) string {
	return base64.StdEncoding.EncodeToString(testutil.PNG(t, testutil.Solid(48, 48, color.RGBA{20, 30, 220, 255})))
}

func TestUploadByDrop(t *testing.T) {
	s := startServer(t, 1)
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(css(`[data-testid="drop-zone"]`)))
	js := fmt.Sprintf(`(() => {
		const bytes = Uint8Array.from(atob(%q), c => c.charCodeAt(0));
		const file = new File([bytes], 'dropped-blue.png', {type: 'image/png'});
		const dt = new DataTransfer();
		dt.items.add(file);
		const zone = document.querySelector('[data-testid="drop-zone"]');
		for (const type of ['dragenter', 'dragover', 'drop']) {
			zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
		}
		return true;
	})()`, bluePNG(t))
	eval[bool](t, ctx, js)
	run(t, ctx, chromedp.WaitVisible(css(`input[aria-label="Target folder"]`)),
		chromedp.SendKeys(css(`input[aria-label="Target folder"]`), "dropped"),
		chromedp.Click(css(`button[type="submit"][form="import-form"]`)))
	waitFor(t, ctx, "the upload to be indexed", func() bool {
		items := s.find(t, "path:dropped/")
		return len(items) == 1 && items[0].Path == "dropped/dropped-blue.png"
	})
	// The bytes on disk are the dropped file's.
	want, _ := base64.StdEncoding.DecodeString(bluePNG(t))
	if got, err := os.ReadFile(filepath.Join(s.Root, "dropped", "dropped-blue.png")); err != nil || !bytes.Equal(got, want) {
		t.Errorf("the uploaded file on disk: %v (%d bytes, want %d)", err, len(got), len(want))
	}
	s.waitIdle(t)
	// Searchable by meaning: the upload itself, not the library's own blue
	// picture, must be among the two blues at the top.
	items := s.find(t, "blue")
	found := false
	for _, it := range items[:min(2, len(items))] {
		found = found || it.Path == "dropped/dropped-blue.png"
	}
	if !found {
		t.Errorf("the uploaded picture is not among the top blues: %+v", items[:min(3, len(items))])
	}
}

// TestServeKeepsToTheLibrary drives the server from the page as a hostile
// web client with full access would: every way of naming a file or folder
// outside the library, through every method that takes a path and through
// like:. Then it checks the disk: no copy of the secret in the library, no
// library created outside, the outside folder as it was.
func TestServeKeepsToTheLibrary(t *testing.T) {
	// Unwatched, so the entry below stays indexed as a picture after its
	// file becomes a symlink out (a watcher would drop it at once; the
	// window before it does is what this checks).
	s := startServer(t, 1, "--watch", "off")
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.jpg")
	secretBytes := flatJPEG(t, color.RGBA{200, 0, 200, 255}, 64, 48)
	testutil.WriteFile(t, secret, secretBytes)
	// red/red-00.jpg was indexed as a picture; now it is a symlink out of
	// the library (as if changed on disk since the scan).
	redLink := filepath.Join(s.Root, "red", "red-00.jpg")
	os.Remove(redLink)
	if err := os.Symlink(secret, redLink); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(s.Root, secret)
	forms := []string{secret, outside, rel, strings.ReplaceAll(rel, "..", "%2e%2e"), strings.ReplaceAll(rel, "/", `\`), "red/red-00.jpg"}
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(css(`[data-testid="grid-item"]`)))
	formsJSON, _ := json.Marshal(forms)
	got := eval[map[string]any](t, ctx, fmt.Sprintf(`(async () => {
		const forms = %s, out = {};
		const call = async (m, ...args) => {
			const r = await fetch('/api/' + m, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(args)});
			return [r.status, await r.json().catch(() => null)];
		};
		for (const f of forms) {
			out['Import ' + f] = (await call('Import', [f], '', 'keep-both'))[0];
			out['PlanImport ' + f] = (await call('PlanImport', [f], ''))[0];
			out['OpenLibrary ' + f] = (await call('OpenLibrary', f, true))[0];
			out['SearchByImage ' + f] = (await call('SearchByImage', f, 10))[0];
			const [st, res] = await call('Search', {query: 'ext:jpg like:"' + f + '"', limit: 10, offset: 0, sort: ''});
			out['like ' + f] = st === 200 && res.error ? res.error.column : -st;
		}
		const link = (await call('Search', {query: 'path:red/red-00.jpg', limit: 1, offset: 0, sort: ''}))[1].items[0].id;
		for (const r of ['thumb', 'preview', 'file']) out[r + ' of link'] = (await fetch('/' + r + '/' + link)).status;
		return out;
	})()`, formsJSON), chromedp.EvalAwaitPromise)
	for k, v := range got {
		code := int(v.(float64))
		switch {
		case strings.HasPrefix(k, "like "):
			if code != len("ext:jpg ")+1 {
				t.Errorf("%s: %v, want an error at the like: term's column %d", k, v, len("ext:jpg ")+1)
			}
		case strings.HasSuffix(k, " of link"):
			if code != 403 {
				t.Errorf("%s (a symlink out of the library): %d, want 403", k, code)
			}
		default:
			if code != 404 {
				t.Errorf("%s: %d, want 404 (desktop-only)", k, code)
			}
		}
	}
	if len(got) != 5*len(forms)+3 {
		t.Errorf("%d answers, want %d: %v", len(got), 5*len(forms)+3, got)
	}
	s.waitIdle(t)
	filepath.WalkDir(s.Root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, _ := os.ReadFile(p); bytes.Equal(b, secretBytes) {
				t.Errorf("the secret was copied into the library: %s", p)
			}
		}
		return nil
	})
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("the folder outside the library changed: %v", entries)
	}
}

// TestReadOnlyServer serves a library --read-only: the page offers no edits
// (tag input, trash, tag manager, drop import are not there), and the
// server refuses what the page does not offer, leaving the library as it was.
func TestReadOnlyServer(t *testing.T) {
	s := startServer(t, 2, "--read-only")
	before := treeOf(t, s.Root)
	var tagsBefore []struct{ Name string }
	s.call(t, "Tags", &tagsBefore)
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(css(`[data-testid="grid-item"]`)),
		chromedp.WaitVisible(css(`[data-testid="read-only"]`)))
	// Browsing and searching work.
	typeQuery(t, ctx, "red")
	settle(t, ctx, -1)
	if p := gridPaths(t, ctx); len(p) == 0 || !strings.HasPrefix(p[0], "red/") {
		t.Errorf("search in a read-only library: %v", p)
	}
	run(t, ctx, chromedp.Click(css(`[data-testid="grid-item"]`)), chromedp.WaitVisible(css(`.inspector h2.name`)))
	shot(t, ctx, "read-only")
	visible := eval[map[string]bool](t, ctx, `(() => {
		const shown = (sel) => [...document.querySelectorAll(sel)].some(e => e.offsetParent !== null);
		return {
			tagInput: shown('.inspector input[placeholder*="tag" i]'),
			manage: [...document.querySelectorAll('button')].some(b => b.textContent.trim() === 'Manage…' && b.offsetParent !== null),
			settings: [...document.querySelectorAll('button')].some(b => b.textContent.trim() === 'Settings' && b.offsetParent !== null),
			moreLikeThis: [...document.querySelectorAll('button')].some(b => b.textContent.trim() === 'More like this' && b.offsetParent !== null),
		};
	})()`)
	if visible["tagInput"] || visible["manage"] || visible["settings"] {
		t.Errorf("mutating controls shown to a read-only client: %v", visible)
	}
	if !visible["moreLikeThis"] {
		t.Errorf("reading controls hidden: %v", visible)
	}
	// Delete on the grid asks nothing and trashes nothing.
	run(t, ctx, chromedp.KeyEvent("\x7f"))
	if eval[bool](t, ctx, `!!document.querySelector('[role="dialog"]')`) {
		t.Error("Delete offered to trash in a read-only library")
	}
	// The server refuses what the page hides.
	codes := eval[map[string]float64](t, ctx, `(async () => {
		const out = {};
		const call = async (m, ...args) => (await fetch('/api/' + m, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(args)})).status;
		out.CreateTag = await call('CreateTag', 'Family');
		out.Trash = await call('Trash', [1, 2]);
		out.ApplyTag = await call('ApplyTag', 2, [1]);
		out.StartIndex = await call('StartIndex');
		const form = new FormData();
		form.append('file', new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], 'x.jpg', {type: 'image/jpeg'}));
		out.upload = (await fetch('/api/upload', {method: 'POST', body: form})).status;
		return out;
	})()`, chromedp.EvalAwaitPromise)
	for k, v := range codes {
		if v != 403 {
			t.Errorf("%s from a read-only client: %v, want 403", k, v)
		}
	}
	if len(codes) != 5 {
		t.Errorf("codes %v", codes)
	}
	var tagsAfter []struct{ Name string }
	s.call(t, "Tags", &tagsAfter)
	if len(tagsAfter) != len(tagsBefore) {
		t.Errorf("tags changed: %v -> %v", tagsBefore, tagsAfter)
	}
	if after := treeOf(t, s.Root); after != before {
		t.Errorf("the library's files changed:\n%s\n->\n%s", before, after)
	}
}

// treeOf lists a library's files (not .tagsight) with their sizes.
func treeOf(t *testing.T, root string) string {
	var b strings.Builder
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == ".tagsight" {
			return fs.SkipDir
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			r, _ := filepath.Rel(root, p)
			fmt.Fprintf(&b, "%s %d\n", r, info.Size())
		}
		return nil
	})
	return b.String()
}

// TestImportShowsProgress uploads a folder of pictures as a browser drop
// does (multipart POST /api/upload, the web's import) and follows the
// indexing job in the UI's progress panel: the panel must show it running
// with a part done, then done.
func TestImportShowsProgress(t *testing.T) {
	s := startServer(t, 1)
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(css(`[data-testid="grid-item"]`)))
	const n = 200
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("target", "Holiday 2024")
	for i := 0; i < n; i++ {
		c := color.RGBA{uint8(i), 90, uint8(255 - i), 255}
		fw, _ := mw.CreateFormFile("file", fmt.Sprintf("IMG_%04d.jpg", i))
		fw.Write(flatJPEG(t, c, 1024, 768))
	}
	mw.Close()
	// Every state the progress bar takes is recorded in the page as it
	// happens (a MutationObserver), so nothing depends on a poll landing
	// mid-import.
	eval[bool](t, ctx, `(() => {
		window.__progress = [];
		const note = (bar) => window.__progress.push((bar.closest('[data-testid="job"]')?.className ?? '') + ' ' +
			(bar.getAttribute('aria-valuenow') ?? '') + '/' + (bar.getAttribute('aria-valuemax') ?? ''));
		new MutationObserver((muts) => {
			for (const m of muts) {
				const els = m.type === 'attributes' ? [m.target] : [...m.addedNodes].flatMap((n) => n.querySelectorAll ? [n, ...n.querySelectorAll('[role="progressbar"]')] : []);
				for (const el of els) if (el.getAttribute && el.getAttribute('role') === 'progressbar') note(el);
			}
		}).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow', 'aria-valuemax'] });
		return true;
	})()`)
	resp, err := http.Post(s.URL+"/api/upload", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	// The panel shows the job running, with some but not all done.
	shotTaken := false
	waitFor(t, ctx, "the import to finish in the panel", func() bool {
		st := eval[string](t, ctx, `(() => {
			const j = document.querySelector('[data-testid="job"]');
			return j ? j.className : '';
		})()`)
		if strings.Contains(st, "running") && !shotTaken {
			shot(t, ctx, "import-progress") // the README's picture (make screenshots)
			shotTaken = true
		}
		return strings.Contains(st, "done")
	})
	seen := eval[[]string](t, ctx, `window.__progress`)
	partial := false
	for _, st := range seen {
		var done, total int
		if !strings.Contains(st, "running") {
			continue
		}
		if _, err := fmt.Sscanf(st[strings.LastIndex(st, " ")+1:], "%d/%d", &done, &total); err == nil && done > 0 && done < total {
			partial = true
		}
	}
	if !partial {
		t.Errorf("the panel never showed the job part-way through (states seen: %q)", seen)
	}
	s.waitIdle(t)
	if items := s.find(t, `path:"Holiday 2024/"`); len(items) != n {
		t.Errorf("%d imported pictures indexed, want %d", len(items), n)
	}
}
