package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image/color"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/testutil"
)

// server is a `tagsight serve` process under test.
type server struct {
	url    string
	cmd    *exec.Cmd
	mu     sync.Mutex
	events []string // server-sent event names, in order
}

// startServe runs `tagsight serve ROOT` on a free port and waits for its
// address.
func startServe(t *testing.T, root string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", root, "--addr", "127.0.0.1:0", "--model", colourModel}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve stderr:\n%s", stderr.String())
		}
	})
	s := &server{cmd: cmd, url: testutil.Serve(t, cmd) + "/"}
	go s.listen()
	return s
}

// listen records the names of the server's events.
func (s *server) listen() {
	resp, err := http.Get(s.url + "api/events")
	if err != nil {
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			s.mu.Lock()
			s.events = append(s.events, name)
			s.mu.Unlock()
		}
	}
}

func (s *server) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.events {
		if e == name {
			n++
		}
	}
	return n
}

type liveItem struct {
	ID   int64  `json:"id"`
	Path string `json:"path"`
}

type liveResult struct {
	Items    []liveItem `json:"items"`
	Total    int        `json:"total"`
	Semantic bool       `json:"semantic"`
}

func (s *server) call(t *testing.T, method string, out any, args ...any) {
	t.Helper()
	if args == nil {
		args = []any{}
	}
	body, _ := json.Marshal(args)
	resp, err := http.Post(s.url+"api/"+method, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		var e bytes.Buffer
		e.ReadFrom(resp.Body)
		t.Fatalf("%s: %d %s", method, resp.StatusCode, e.String())
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

func (s *server) search(t *testing.T, q string) liveResult {
	t.Helper()
	var r liveResult
	s.call(t, "Search", &r, map[string]any{"query": q, "limit": 1000})
	return r
}

// eventually waits until cond holds, and returns how long that took. The
// deadline only stops a hung test: how fast is the benchmark's business.
func eventually(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 90*time.Second {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}

// distinct is a picture in colour c whose content differs from every
// other index i (a few pixels encode it), so each file is its own entry.
func distinct(t *testing.T, c color.RGBA, i int) []byte {
	img := testutil.Solid(90, 60, c)
	for j := 0; j < len(img.Pix); j += 4 {
		img.Pix[j], img.Pix[j+1], img.Pix[j+2] = c.R, c.G, c.B
	}
	for b := 0; b < 12; b++ {
		if i>>b&1 == 1 {
			o := img.PixOffset(b*2, 0)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2] = 128, 128, 128
		}
	}
	return testutil.JPEG(t, img, nil)
}

// withPrefix counts the paths among the first n items starting with p.
func withPrefix(r liveResult, n int, p string) int {
	k := 0
	for i, it := range r.Items {
		if i < n && strings.HasPrefix(it.Path, p) {
			k++
		}
	}
	return k
}

// TestCLIServeFollowsTheDisk: with `tagsight serve` open on a library,
// changes made on disk with ordinary tools show up in its answers (the
// grid's query and search by meaning) without a rescan being asked for:
// 200 photos copied in with cp -r, a folder renamed (its entries keep
// their ids and tags), 10 files deleted, one photo overwritten with
// another picture.
func TestCLIServeFollowsTheDisk(t *testing.T) {
	root, src := t.TempDir(), t.TempDir()
	for i := range 20 {
		testutil.WriteFile(t, filepath.Join(root, "album", fmt.Sprintf("r-%02d.jpg", i)), distinct(t, colours["red"], i))
	}
	for i := range 10 {
		testutil.WriteFile(t, filepath.Join(root, "keep", fmt.Sprintf("y-%02d.jpg", i)), distinct(t, colours["yellow"], 100+i))
	}
	for i := range 200 {
		testutil.WriteFile(t, filepath.Join(src, "card", "DCIM", fmt.Sprintf("%03d", i/50), fmt.Sprintf("b-%03d.jpg", i)), distinct(t, colours["blue"], 1000+i))
	}
	if _, stderr, code := run(t, "index", root, "--model", colourModel); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := run(t, "tags", root, "create", "Keeper"); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := run(t, "tag", root, "add", "Keeper", "album/r-03.jpg"); code != 0 {
		t.Fatal(stderr)
	}
	s := startServe(t, root)
	kept := s.search(t, `tag:Keeper`)
	if kept.Total != 1 {
		t.Fatalf("tag:Keeper before: %+v", kept)
	}
	if r := s.search(t, ""); r.Total != 30 {
		t.Fatalf("start: %d entries, want 30", r.Total)
	}

	// 200 photos copied in.
	if out, err := exec.Command("cp", "-r", filepath.Join(src, "card"), filepath.Join(root, "card")).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	took := eventually(t, "the 200 copied photos, found by meaning", func() bool {
		r := s.search(t, "blue")
		return r.Semantic && r.Total >= 200 && withPrefix(r, 200, "card/") == 200 && s.search(t, "").Total == 230
	})
	t.Logf("cp -r of 200 photos: searchable by meaning %.1fs after cp returned", took.Seconds())

	// A folder renamed: same entries (ids, tags), new paths.
	if err := os.Rename(filepath.Join(root, "album"), filepath.Join(root, "renamed")); err != nil {
		t.Fatal(err)
	}
	took = eventually(t, "the renamed folder", func() bool {
		r := s.search(t, "red")
		return withPrefix(r, 20, "renamed/") == 20 && s.search(t, "").Total == 230
	})
	t.Logf("folder rename: %.1fs", took.Seconds())
	if r := s.search(t, `tag:Keeper`); r.Total != 1 || r.Items[0].ID != kept.Items[0].ID || r.Items[0].Path != "renamed/r-03.jpg" {
		t.Fatalf("after the rename, tag:Keeper = %+v; want entry %d at renamed/r-03.jpg", r, kept.Items[0].ID)
	}
	if r := s.search(t, "path:album/*"); r.Total != 0 {
		t.Errorf("old paths still listed: %+v", r.Items)
	}

	// 10 files deleted.
	for i := range 10 {
		if err := os.Remove(filepath.Join(root, "card", "DCIM", "000", fmt.Sprintf("b-%03d.jpg", i))); err != nil {
			t.Fatal(err)
		}
	}
	took = eventually(t, "the 10 deletions", func() bool {
		r := s.search(t, "blue")
		return s.search(t, "").Total == 220 && withPrefix(r, 200, "card/") == 190
	})
	t.Logf("10 deletions: %.1fs", took.Seconds())

	// One red photo overwritten with a yellow picture.
	if err := os.WriteFile(filepath.Join(root, "renamed", "r-07.jpg"), distinct(t, colours["yellow"], 4000), 0o644); err != nil {
		t.Fatal(err)
	}
	took = eventually(t, "the overwritten photo found by its new content", func() bool {
		y := s.search(t, "yellow")
		found := false
		for _, it := range y.Items[:11] {
			found = found || it.Path == "renamed/r-07.jpg"
		}
		red := s.search(t, "red")
		for _, it := range red.Items[:19] {
			if it.Path == "renamed/r-07.jpg" {
				return false
			}
		}
		return found
	})
	t.Logf("overwrite: %.1fs", took.Seconds())
	if s.count("library:changed") == 0 {
		t.Error("the server sent no library:changed event")
	}
}

// TestCLIServeFollowsOtherProcesses: with the server's watcher off, what
// another process writes (`tagsight index` of new photos, `tagsight tag`)
// still reaches the server's answers — search by meaning included, so the
// new vectors reached its in-memory index — and its clients are told.
func TestCLIServeFollowsOtherProcesses(t *testing.T) {
	root := t.TempDir()
	for i := range 10 {
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("r-%02d.jpg", i)), distinct(t, colours["red"], i))
	}
	s := startServe(t, root, "--watch", "off")
	eventually(t, "the first index", func() bool {
		r := s.search(t, "red")
		return r.Semantic && withPrefix(r, 10, "r-") == 10
	})
	// Warm the in-memory index: a stale copy is what must not be served.
	if r := s.search(t, "green"); r.Semantic == false {
		t.Fatal("no search by meaning")
	}
	var info struct {
		Watch *struct{ Mode string } `json:"watch"`
	}
	s.call(t, "LibraryInfo", &info)
	if info.Watch == nil || info.Watch.Mode != "off" {
		t.Errorf("watch status %+v, want off", info.Watch)
	}
	for i := range 5 {
		testutil.WriteFile(t, filepath.Join(root, "new", fmt.Sprintf("g-%02d.jpg", i)), distinct(t, colours["green"], 50+i))
	}
	before := s.count("library:changed")
	if _, stderr, code := run(t, "index", root, "--model", colourModel); code != 0 {
		t.Fatal(stderr)
	}
	eventually(t, "another process's new photos, by meaning", func() bool {
		return withPrefix(s.search(t, "green"), 5, "new/") == 5
	})
	eventually(t, "a library:changed event for them", func() bool { return s.count("library:changed") > before })
	before = s.count("library:changed")
	if _, stderr, code := run(t, "tags", root, "create", "Sunset"); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := run(t, "tag", root, "add", "Sunset", "new/g-01.jpg", "r-02.jpg"); code != 0 {
		t.Fatal(stderr)
	}
	eventually(t, "another process's tags", func() bool { return s.search(t, "tag:Sunset").Total == 2 })
	eventually(t, "a library:changed event for them", func() bool { return s.count("library:changed") > before })
}

// TestCLIWatch: `tagsight watch` catches up, says how it watches, prints
// one JSON line per batch as pictures arrive, and stops cleanly on Ctrl+C.
func TestCLIWatch(t *testing.T) {
	if _, _, code := run(t, "watch", t.TempDir(), "--watch", "sometimes"); code != 2 {
		t.Errorf("--watch sometimes: exit %d, want 2", code)
	}
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "first.jpg"), distinct(t, colours["red"], 1))
	cmd := exec.Command(bin, "watch", root, "--json", "--model", colourModel)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	type line struct {
		Event  string
		Status *struct{ Mode string }
		Rescan bool
		Result *struct{ Added, Moved, Indexed int }
	}
	lines := make(chan line, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var l line
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Errorf("not a JSON line: %q", sc.Text())
				continue
			}
			lines <- l
		}
		close(lines)
	}()
	next := func(what string, ok func(l line) bool) {
		t.Helper()
		timeout := time.After(90 * time.Second)
		for {
			select {
			case l, open := <-lines:
				if !open {
					t.Fatalf("watch ended before %s: %s", what, stderr.String())
				}
				if ok(l) {
					return
				}
			case <-timeout:
				t.Fatalf("no line for %s", what)
			}
		}
	}
	// It watches first and catches up after, so a picture written during
	// the catch-up scan is either scanned or seen as a change (it used to
	// scan first: a picture written then was never indexed).
	next("the watch status", func(l line) bool { return l.Event == "status" && l.Status != nil && l.Status.Mode == "events" })
	testutil.WriteFile(t, filepath.Join(root, "during.jpg"), distinct(t, colours["green"], 2))
	next("catching up", func(l line) bool { return l.Event == "batch" && l.Rescan && l.Result != nil && l.Result.Added >= 1 })
	for i := range 3 {
		testutil.WriteFile(t, filepath.Join(root, "new", fmt.Sprintf("p%d.jpg", i)), distinct(t, colours["blue"], 10+i))
	}
	next("the new pictures", func(l line) bool { return l.Event == "batch" && !l.Rescan && l.Result != nil && l.Result.Indexed >= 3 })
	if err := os.Rename(filepath.Join(root, "new"), filepath.Join(root, "moved")); err != nil {
		t.Fatal(err)
	}
	next("the move", func(l line) bool { return l.Event == "batch" && l.Result != nil && l.Result.Moved == 3 })
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("watch did not stop cleanly on Ctrl+C: %v %s", err, stderr.String())
	}
	n := countVectors(t, filepath.Join(root, ".tagsight", "library.db"))
	if n != 5 {
		t.Errorf("%d vectors, want 5 (the watcher embeds what it indexes, during.jpg too)", n)
	}
}
