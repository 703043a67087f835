package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/pathenc"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

var bin string

// TestMain builds the real binary once: the kill test needs a process.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tagsight-cli")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "tagsight")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs the CLI with a hang guard and returns stdout, stderr, exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("tagsight %v hung", args)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestCLIHostileFolder(t *testing.T) {
	root := t.TempDir()
	good, bad := testutil.HostileFolder(t, root)
	defer os.Chmod(filepath.Join(root, "unreadable.jpg"), 0o644)
	if os.Geteuid() == 0 { // root reads mode-000 files
		delete(bad, "unreadable.jpg")
		good["unreadable.jpg"] = true
	}
	stdout, stderr, code := run(t, "index", root, "--json")
	if code != 0 {
		t.Fatalf("index exit %d: %s", code, stderr)
	}
	var sum struct {
		Indexed, Skipped int
		Errors           []struct {
			Path    string `json:"path"`
			Escaped bool   `json:"path_escaped"`
			Error   string `json:"error"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("summary is not JSON: %v\n%s", err, stdout)
	}
	if sum.Indexed != len(good) || sum.Skipped != len(bad) || len(sum.Errors) != len(bad) {
		t.Errorf("indexed %d skipped %d errors %d; want %d %d", sum.Indexed, sum.Skipped, len(sum.Errors), len(good), len(bad))
	}
	for _, e := range sum.Errors {
		if _, ok := bad[e.Path]; !ok || e.Error == "" {
			t.Errorf("unexpected error entry %+v", e)
		}
	}

	stdout, _, code = run(t, "ls", root, "--json")
	var ls []struct {
		Path      string `json:"path"`
		Escaped   bool   `json:"path_escaped"`
		MediaType string `json:"media_type"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
	}
	if err := json.Unmarshal([]byte(stdout), &ls); err != nil || code != 0 {
		t.Fatalf("ls: %v %d\n%s", err, code, stdout)
	}
	seen := map[string]bool{}
	for _, e := range ls {
		p, err := pathenc.Decode(e.Path, e.Escaped)
		if err != nil {
			t.Fatalf("undecodable path %q: %v", e.Path, err)
		}
		seen[p] = true
		if p == "caf\xe9-latin1.jpg" && (!e.Escaped || e.Path != `caf\xe9-latin1.jpg`) {
			t.Errorf("non-UTF-8 name shown as %q escaped=%v", e.Path, e.Escaped)
		}
		if p == "plain.jpg" && (e.MediaType != "image" || e.Width != 64 || e.Height != 48) {
			t.Errorf("plain.jpg listed as %+v", e)
		}
	}
	for p := range good {
		if !seen[p] {
			t.Errorf("ls lacks %q", p)
		}
	}

	stdout, _, code = run(t, "info", root, "camera.jpg", "--json")
	var info map[string]any
	if err := json.Unmarshal([]byte(stdout), &info); err != nil || code != 0 {
		t.Fatalf("info: %v %d\n%s", err, code, stdout)
	}
	want := map[string]any{
		"path": "camera.jpg", "media_type": "image", "taken": "2023-06-15T14:30:05", "make": "Canon",
		"model": "Canon EOS R5", "lens": "RF50mm F1.8 STM", "iso": 800.0, "fnumber": 2.8, "exposure": "1/250",
		"focal_length": 50.0, "orientation": 6.0, "width": 48.0, "height": 64.0, // shown turned a quarter
	}
	for k, v := range want {
		if info[k] != v {
			t.Errorf("info[%s] = %v, want %v", k, info[k], v)
		}
	}
	for _, k := range []string{"size", "lat", "lon", "tags"} {
		if _, ok := info[k]; !ok {
			t.Errorf("info lacks %s", k)
		}
	}
	if tags, ok := info["tags"].([]any); !ok || len(tags) != 0 {
		t.Errorf("tags = %v, want []", info["tags"])
	}

	// The odd names work as arguments too.
	for _, p := range []string{"-starts-with-dash.jpg", "caf\xe9-latin1.jpg", `quote'"s.jpg`, "emoji 🙂📷.jpg"} {
		if _, stderr, code := run(t, "info", root, "--json", "--", p); code != 0 {
			t.Errorf("info %q: exit %d %s", p, code, stderr)
		}
	}
	if _, stderr, code := run(t, "info", root, "no-such.jpg"); code == 0 || !strings.Contains(stderr, "not found") {
		t.Errorf("info of an unknown path: exit %d %q", code, stderr)
	}
	if _, stderr, code := run(t, "ls", t.TempDir()); code == 0 || !strings.Contains(stderr, "not a Tagsight library") {
		t.Errorf("ls of a plain folder: exit %d %q", code, stderr)
	}
	// Again: nothing changes.
	stdout, _, _ = run(t, "index", root, "--json")
	var again library.ScanResult
	json.Unmarshal([]byte(stdout), &again)
	if again.Added+again.Updated+again.Moved != 0 {
		t.Errorf("second index did work: %s", stdout)
	}
}

// TestCLIKillMidScan kills the process with SIGKILL while it indexes, then
// checks the library opens and the next run finishes without duplicates.
func TestCLIKillMidScan(t *testing.T) {
	root := t.TempDir()
	const n = 1500
	for i := 0; i < n; i++ {
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("d%02d/img%04d.jpg", i%40, i)),
			testutil.JPEG(t, testutil.Solid(96, 64, color.RGBA{uint8(i), uint8(i >> 8), 9, 255}), nil))
	}
	// Create the library first so the database exists to be polled.
	if _, stderr, code := run(t, "index", t.TempDir()); code != 0 {
		t.Fatal(stderr)
	}
	dbPath := filepath.Join(root, ".tagsight", "library.db")
	killMidway(t, []string{"index", root, "--workers", "1"}, n, func() int { return countEntries(t, dbPath) },
		func() { os.RemoveAll(filepath.Join(root, ".tagsight")) })
	stdout, stderr, code := run(t, "index", root, "--json")
	if code != 0 {
		t.Fatalf("resume: exit %d %s", code, stderr)
	}
	var res library.ScanResult
	json.Unmarshal([]byte(stdout), &res)
	if res.Indexed != n || res.Skipped != 0 {
		t.Fatalf("resume: %s", stdout)
	}
	if c := countEntries(t, filepath.Join(root, ".tagsight", "library.db")); c != n {
		t.Fatalf("%d entries after resume, want %d", c, n)
	}
}

// killMidway starts the CLI with args and sends it SIGKILL once count()
// shows some but not all of n items done; if a run finishes first, reset
// undoes it and it tries again.
func killMidway(t *testing.T, args []string, n int, count func() int, reset func()) {
	t.Helper()
	for attempt := 0; attempt < 3; attempt++ {
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killed := false
		deadline := time.Now().Add(2 * time.Minute)
		for time.Now().Before(deadline) {
			if c := count(); c > 0 {
				if c < n {
					cmd.Process.Signal(syscall.SIGKILL)
					killed = true
				}
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		cmd.Wait()
		if killed && count() < n {
			return
		}
		reset()
	}
	t.Fatalf("could not kill %v midway", args)
}

func countEntries(t *testing.T, dbPath string) int {
	if _, err := os.Stat(dbPath); err != nil {
		return 0
	}
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatalf("library does not open: %v", err)
	}
	defer db.Close()
	p, _, err := db.CountEntries(context.Background())
	if err != nil {
		return 0
	}
	return p
}

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }
