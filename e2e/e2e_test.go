//go:build e2e

// Package e2e drives the real UI in a real headless Chromium against the
// real Go server (`tagsight serve`) on a generated library with the test
// colour model. Needs the frontend built (make frontend; make test does).
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
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
	bin = filepath.Join(dir, "tagsight")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/tagsight").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	colourModel, _ = filepath.Abs("../models/testmodels/colour")
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
	URL  string
	Root string
	cmd  *exec.Cmd
}

func startServer(t *testing.T, perColour int) *server {
	t.Helper()
	root := t.TempDir()
	for name, c := range colours {
		for i := 0; i < perColour; i++ {
			cc := color.RGBA{c.R, uint8(int(c.G) + i%3), c.B, 255}
			testutil.WriteFile(t, filepath.Join(root, name, fmt.Sprintf("%s-%02d.jpg", name, i)), flatJPEG(t, cc, 160, 120))
		}
	}
	cmd := exec.Command(bin, "serve", root, "--addr", "127.0.0.1:0", "--model", colourModel)
	cmd.Env = append(os.Environ(), "TAGSIGHT_MODELS_DIR="+t.TempDir())
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed nothing: %v", err)
	}
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("no address in %q", line)
	}
	s := &server{URL: strings.TrimRight(strings.TrimSpace(line[i:]), "/"), Root: root, cmd: cmd}
	s.waitIdle(t)
	return s
}

// call invokes the API like the UI does.
func (s *server) call(t *testing.T, method string, out any, args ...any) {
	t.Helper()
	b, _ := json.Marshal(args)
	resp, err := http.Post(s.URL+"/api/"+method, "application/json", bytes.NewReader(b))
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
	// The relevance cutoff divider sits after the four reds.
	dividers := eval[int](t, ctx, `document.querySelectorAll('[data-testid="cutoff-divider"]').length`)
	if dividers != 1 {
		t.Errorf("%d cutoff dividers", dividers)
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
	if _, err := os.Stat(filepath.Join(s.Root, "dropped", "dropped-blue.png")); err != nil {
		t.Error(err)
	}
	s.waitIdle(t)
	if items := s.find(t, "blue"); len(items) == 0 || !strings.HasSuffix(items[0].Path, "blue.png") && !strings.HasPrefix(items[0].Path, "blue/") {
		t.Errorf("uploaded picture not searchable by meaning: %+v", items)
	}
}

func TestPathTraversalRefused(t *testing.T) {
	s := startServer(t, 1)
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	codes := eval[map[string]int](t, ctx, `(async () => {
		const out = {};
		for (const p of ['/file/..%2f..%2fetc%2fpasswd', '/file/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/thumb/..%2f..%2fetc%2fpasswd', '/file/0']) {
			out[p] = (await fetch(p)).status;
		}
		return out;
	})()`, chromedp.EvalAwaitPromise)
	for p, code := range codes {
		if code < 400 || code >= 500 {
			t.Errorf("%s: %d, want a 4xx refusal", p, code)
		}
	}
	if len(codes) != 4 {
		t.Errorf("codes %v", codes)
	}
}

// TestImportShowsProgress imports a folder as a desktop drop does (paths,
// through the API) and follows the job in the UI's progress panel.
func TestImportShowsProgress(t *testing.T) {
	s := startServer(t, 1)
	src := filepath.Join(t.TempDir(), "Holiday 2024")
	for i := 0; i < 120; i++ {
		c := color.RGBA{uint8(i * 2), 90, uint8(255 - i*2), 255}
		testutil.WriteFile(t, filepath.Join(src, fmt.Sprintf("IMG_%04d.jpg", i)), flatJPEG(t, c, 1024, 768))
	}
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(css(`[data-testid="grid-item"]`)))
	var job struct{ ID string }
	s.call(t, "Import", &job, []string{src}, "", "keep-both")
	// The panel shows the job while it runs (if it is quick, it shows it done).
	run(t, ctx, chromedp.WaitVisible(css(`[data-testid="job"]`)))
	for i := 0; i < 40; i++ {
		running := eval[bool](t, ctx, `!!document.querySelector('[data-testid="job"].running [role="progressbar"]')`)
		if running {
			shot(t, ctx, "import-progress")
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitFor(t, ctx, "the import to finish in the panel", func() bool {
		return eval[bool](t, ctx, `!!document.querySelector('[data-testid="job"].done')`)
	})
	s.waitIdle(t)
	if items := s.find(t, `path:"Holiday 2024/"`); len(items) != 120 {
		t.Errorf("%d imported pictures indexed, want 120", len(items))
	}
}
