package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
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
	args := []string{"build", "-tags", store.BuildTags, "-o", bin, "."}
	if raceBuild {
		// Under the race detector the CLI is raced too: serve, watch and
		// two-process indexing run in it, not in the test. It stops at its
		// first race (exit status 66), failing the test that ran it.
		args = []string{"build", "-tags", store.BuildTags, "-race", "-o", bin, "."}
		os.Setenv("GORACE", "halt_on_error=1 exitcode=66")
	}
	out, err := exec.Command("go", args...).CombinedOutput()
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

// info runs `info --json` for the entry at rel, decodes it into v and
// returns the JSON (to print when an expectation fails).
func info(t *testing.T, root, rel string, v any) string {
	t.Helper()
	stdout, stderr, code := run(t, "info", root, rel, "--json")
	if code != 0 {
		t.Fatalf("info %s: %d %s", rel, code, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), v); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	return stdout
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
	type pathMsg struct {
		Path    string `json:"path"`
		Escaped bool   `json:"path_escaped"`
		Error   string `json:"error"`
	}
	var sum struct {
		Indexed, Skipped int
		Errors           []pathMsg
		Warnings         []pathMsg
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("summary is not JSON: %v\n%s", err, stdout)
	}
	if len(sum.Warnings) != 1 || sum.Warnings[0].Path != "truncated.jpg" || !strings.Contains(sum.Warnings[0].Error, "damaged JPEG") {
		t.Errorf("warnings %+v, want the JPEG cut short", sum.Warnings)
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

// TestCLIKillMidScan kills the indexer with SIGKILL at drawn points, eight
// times in a row: very early (opening the library, walking), after random
// numbers of entries are committed (with a random delay after, so some
// kills land mid-batch), and late. After each kill the library must open,
// keep every entry it had, and the killed run must not have re-indexed the
// entries an earlier run finished. A last run completes with exactly one
// entry per file and reports the rest as unchanged. The plan comes from a
// fixed seed; TAGSIGHT_KILL_SEED tries another.
func TestCLIKillMidScan(t *testing.T) {
	root := t.TempDir()
	const n = 1200
	for i := 0; i < n; i++ {
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("d%02d/img%04d.jpg", i%40, i)),
			testutil.JPEG(t, testutil.Solid(96, 64, color.RGBA{uint8(i), uint8(i >> 8), 9, 255}), nil))
	}
	// A fixed seed: the plan is the same on every run and machine; only
	// how far each run got when the kill lands depends on speed.
	seed := int64(20261207)
	if s := os.Getenv("TAGSIGHT_KILL_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	t.Logf("seed %d (TAGSIGHT_KILL_SEED=%d replays it)", seed, seed)
	rng := rand.New(rand.NewSource(seed))
	jitter := func(max time.Duration) time.Duration { return time.Duration(rng.Int63n(int64(max) + 1)) }

	// The plan: when to kill each run, as a delay after it starts or after
	// the library first holds atCount entries.
	type kill struct {
		delay   time.Duration
		atCount int
	}
	plan := []kill{{delay: jitter(5 * time.Millisecond)}, {delay: 5*time.Millisecond + jitter(150*time.Millisecond)}}
	targets := []int{}
	for i := 0; i < 5; i++ {
		targets = append(targets, n/20+rng.Intn(n*8/10))
	}
	sort.Ints(targets)
	for _, c := range targets {
		plan = append(plan, kill{atCount: c, delay: jitter(60 * time.Millisecond)})
	}
	plan = append(plan, kill{atCount: n - 1 - rng.Intn(n/20)}) // late: the last batch in flight, or all done

	dbPath := filepath.Join(root, ".tagsight", "library.db")
	args := []string{"index", root, "--workers", "1", "--no-embed"}
	before := map[string]entryRow{} // the entries finished so far
	midway := 0                     // kills that left some but not all entries
	for round, k := range plan {
		cmd := exec.Command(bin, args...)
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		if k.atCount > 0 {
			for pollCount(dbPath) < k.atCount && !isClosed(exited) {
				if time.Since(start) > 2*time.Minute {
					cmd.Process.Kill()
					t.Fatalf("kill %d: the indexer got stuck before %d entries", round+1, k.atCount)
				}
				time.Sleep(2 * time.Millisecond)
			}
		}
		select {
		case <-time.After(k.delay):
		case <-exited:
		}
		finished := isClosed(exited)
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		after := entriesByPath(t, dbPath)
		t.Logf("kill %d: planned %v after %d entries, came at %v: %d -> %d entries%s", round+1, k.delay.Round(time.Microsecond), k.atCount,
			time.Since(start).Round(time.Millisecond), len(before), len(after), map[bool]string{true: " (the run finished first)"}[finished])
		if !finished && len(after) > 0 && len(after) < n {
			midway++
		}
		checkKept(t, fmt.Sprintf("kill %d", round+1), before, after)
		markDone(t, dbPath)
		before = entriesByPath(t, dbPath)
	}

	// Committing in batches is what makes a kill cost little; a scan that
	// only committed at the end would leave nothing in between.
	if midway < 3 {
		t.Fatalf("only %d of %d kills left a partly indexed library", midway, len(plan))
	}
	stdout, stderr, code := run(t, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("resume: exit %d %s", code, stderr)
	}
	var res library.ScanResult
	json.Unmarshal([]byte(stdout), &res)
	if res.Indexed != n || res.Skipped != 0 || res.Unchanged != len(before) || res.Added != n-len(before) || res.Updated+res.Moved != 0 {
		t.Fatalf("resume after %d entries: %s", len(before), stdout)
	}
	checkKept(t, "last run", before, entriesByPath(t, dbPath))
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tally, err := db.Tally(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rows, paths, prints := tally.Present, tally.PresentPaths, tally.PresentFingerprints
	if rows != n || paths != n || prints != n {
		t.Fatalf("%d entries, %d paths, %d fingerprints after resume, want %d of each", rows, paths, prints, n)
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// pollCount counts entries without writing (store.Open would migrate a
// half-created database under the running indexer); 0 while unreadable.
func pollCount(dbPath string) int {
	db, err := store.OpenReadOnly(context.Background(), dbPath)
	if err != nil {
		return 0
	}
	defer db.Close()
	tally, err := db.Tally(context.Background())
	if err != nil {
		return 0
	}
	return tally.Entries
}

type entryRow struct{ id, updatedAt int64 }

// entriesByPath opens the library as the app does (proving a kill left it
// usable) and reads each entry's id and updated_at by path.
func entriesByPath(t *testing.T, dbPath string) map[string]entryRow {
	t.Helper()
	out := map[string]entryRow{}
	if _, err := os.Stat(dbPath); err != nil {
		return out
	}
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatalf("library does not open after a kill: %v", err)
	}
	defer db.Close()
	es, err := db.ListEntries(context.Background(), store.ListOptions{IncludeMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		out[e.Path] = entryRow{e.ID, e.UpdatedAt}
	}
	return out
}

// doneMark is written into updated_at of finished entries between runs:
// indexing an entry again sets updated_at to the time, so a later run that
// re-indexed finished work shows up however fast it went.
const doneMark = 1

func markDone(t *testing.T, dbPath string) {
	t.Helper()
	if _, err := os.Stat(dbPath); err != nil {
		return
	}
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	es, err := db.ListEntries(ctx, store.ListOptions{}) // present ones: touching un-misses
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, e := range es {
			if err := store.TouchEntry(ctx, tx, e.ID, e.Path, e.Size, e.MtimeNs, doneMark); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkKept fails unless every entry of before is still there, the same
// entry, and was not indexed again.
func checkKept(t *testing.T, what string, before, after map[string]entryRow) {
	t.Helper()
	if len(after) < len(before) {
		t.Fatalf("%s: entries fell from %d to %d", what, len(before), len(after))
	}
	redone := 0
	for p, b := range before {
		a, ok := after[p]
		if !ok || a.id != b.id {
			t.Fatalf("%s: %s was entry %d, now %d (present %v)", what, p, b.id, a.id, ok)
		}
		if a.updatedAt != doneMark {
			redone++
		}
	}
	if redone > 0 {
		t.Fatalf("%s: %d of the %d entries finished by earlier runs were indexed again", what, redone, len(before))
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

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }
