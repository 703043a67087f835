package library

import (
	"context"
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

func openLib(t *testing.T, root string) *Library {
	t.Helper()
	l, err := Open(context.Background(), root, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// scan runs a scan with a hang guard: a scan that does not finish within
// the guard fails the test instead of stalling CI.
func scan(t *testing.T, l *Library, opts ScanOptions) ScanResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := l.Scan(ctx, opts)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return res
}

func entryMap(t *testing.T, l *Library) map[string]store.Entry {
	t.Helper()
	es, err := l.DB.ListEntries(context.Background(), store.ListOptions{IncludeMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]store.Entry{}
	for _, e := range es {
		m[e.Path] = e
	}
	return m
}

func errMap(res ScanResult) map[string]string {
	m := map[string]string{}
	for _, e := range res.Errors {
		m[e.Path] = e.Error
	}
	return m
}

func TestScanHostileFolder(t *testing.T) {
	root := t.TempDir()
	good, bad := testutil.HostileFolder(t, root)
	defer os.Chmod(filepath.Join(root, "unreadable.jpg"), 0o644)
	l := openLib(t, root)
	var opts ScanOptions
	if os.Geteuid() == 0 {
		// Root reads a mode-000 file: play the refusal it would get.
		// (make test also runs this package as an unprivileged user,
		// where the refusal is the system's own.)
		opts.open = func(p string) (*os.File, os.FileInfo, error) {
			if strings.HasSuffix(p, "unreadable.jpg") {
				return nil, nil, &os.PathError{Op: "open", Path: p, Err: syscall.EACCES}
			}
			return openRegular(p)
		}
	} else {
		t.Log("not root: unreadable.jpg is refused by the system")
	}
	res := scan(t, l, opts)

	entries := entryMap(t, l)
	errs := errMap(res)
	for p := range good {
		if _, ok := entries[p]; !ok {
			t.Errorf("good file %q not indexed (error: %q)", p, errs[p])
		}
	}
	for p, want := range bad {
		msg, ok := errs[p]
		if !ok {
			t.Errorf("bad file %q not reported", p)
			continue
		}
		if !strings.Contains(strings.ToLower(msg), want) {
			t.Errorf("bad file %q: error %q does not mention %q", p, msg, want)
		}
		if _, ok := entries[p]; ok {
			t.Errorf("bad file %q was indexed", p)
		}
	}
	if len(entries) != len(good) {
		t.Errorf("%d entries, want %d", len(entries), len(good))
	}
	if res.Indexed != len(good) || res.Skipped != len(bad) {
		t.Errorf("indexed %d skipped %d, want %d %d", res.Indexed, res.Skipped, len(good), len(bad))
	}

	// The JPEG cut short is indexed from what decodes: a thumbnail, and a
	// warning in the result and on the entry.
	warned := map[string]string{}
	for _, w := range res.Warnings {
		warned[w.Path] = w.Error
	}
	if !strings.Contains(warned["truncated.jpg"], "damaged JPEG") || len(warned) != 1 {
		t.Errorf("warnings %v, want one for truncated.jpg", warned)
	}
	if tr := entries["truncated.jpg"]; tr.Thumb == "" {
		t.Error("the damaged JPEG got no thumbnail")
	} else if ws, err := l.DB.EntryWarnings(context.Background(), tr.ID); err != nil || len(ws) != 1 {
		t.Errorf("entry warnings %v %v", ws, err)
	}
	if ws, _ := l.DB.EntryWarnings(context.Background(), entries["plain.jpg"].ID); len(ws) != 0 {
		t.Errorf("an intact picture has warnings: %v", ws)
	}

	// EXIF made it through, and orientation 6 turns the size.
	cam := entries["camera.jpg"]
	if cam.Make != "Canon" || cam.Model != "Canon EOS R5" || cam.Lens != "RF50mm F1.8 STM" || cam.ISO != 800 ||
		cam.FNumber != 2.8 || cam.FocalLength != 50 || cam.Exposure != "1/250" || cam.Taken != "2023-06-15T14:30:05" ||
		cam.Orientation != 6 || cam.Width != 64 || cam.Height != 48 {
		t.Errorf("camera.jpg metadata: %+v", cam)
	}
	if cam.Lat == nil || cam.Lon == nil || abs(*cam.Lat-48.858233) > 1e-5 || abs(*cam.Lon-2.294467) > 1e-5 {
		t.Errorf("camera.jpg GPS: %v %v", cam.Lat, cam.Lon)
	}
	if cam.Thumb == "" || !l.thumbOK(cam.Thumb) {
		t.Errorf("camera.jpg has no thumbnail")
	}

	// A second scan changes nothing.
	res2 := scan(t, l, opts)
	if res2.Added+res2.Updated+res2.Moved != 0 || res2.Unchanged != len(good) {
		t.Errorf("rescan did work: %+v", res2)
	}
	if !reflect.DeepEqual(entries, entryMap(t, l)) {
		t.Errorf("rescan changed entries")
	}
	if !reflect.DeepEqual(errMap(res2), errs) {
		t.Errorf("rescan reported different errors:\n%v\n%v", errMap(res2), errs)
	}
	stored, _ := l.DB.ScanErrors(context.Background())
	if len(stored) != len(bad) {
		t.Errorf("stored %d scan errors, want %d", len(stored), len(bad))
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestScanMoveKeepsEntryAndMissingIsKept(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "a/one.jpg"), testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{255, 0, 0, 255}), nil))
	testutil.WriteFile(t, filepath.Join(root, "two.jpg"), testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{0, 255, 0, 255}), nil))
	l := openLib(t, root)
	scan(t, l, ScanOptions{})
	ctx := context.Background()
	one, err := l.DB.EntryByPath(ctx, "a/one.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.DB.ApplyTag(ctx, 2, []int64{one.ID}); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(root, "a/one.jpg"), filepath.Join(root, "b/renamed.jpg")); err != nil {
		os.MkdirAll(filepath.Join(root, "b"), 0o755)
		if err := os.Rename(filepath.Join(root, "a/one.jpg"), filepath.Join(root, "b/renamed.jpg")); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(root, "two.jpg"))
	res := scan(t, l, ScanOptions{})
	if res.Moved != 1 || res.Added != 0 || res.Missing != 1 {
		t.Fatalf("after move: %+v", res)
	}
	moved, err := l.DB.EntryByPath(ctx, "b/renamed.jpg")
	if err != nil || moved.ID != one.ID {
		t.Fatalf("moved entry %v id %d, want id %d", err, moved.ID, one.ID)
	}
	tags, _ := l.DB.TagNames(ctx, moved.ID)
	if !reflect.DeepEqual(tags, []string{"Favourite"}) {
		t.Errorf("tags after move: %v", tags)
	}
	two, err := l.DB.EntryByPath(ctx, "two.jpg")
	if err != nil || !two.Missing {
		t.Errorf("vanished file: %v missing=%v, want kept and missing", err, two.Missing)
	}
	// It comes back: no longer missing, same entry.
	testutil.WriteFile(t, filepath.Join(root, "two.jpg"), testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{0, 255, 0, 255}), nil))
	res = scan(t, l, ScanOptions{})
	back, _ := l.DB.EntryByPath(ctx, "two.jpg")
	if back.Missing || back.ID != two.ID || res.Missing != 0 {
		t.Errorf("returned file: %+v, %+v", back, res)
	}
}

// Identical files in a renamed folder each keep their own entry (their
// tags may differ), and a watcher's scan limited to the two names does
// the same.
func TestScanRenamedFolderOfIdenticalFiles(t *testing.T) {
	for _, only := range [][]string{nil, {"burst", "renamed"}} {
		root := t.TempDir()
		same := testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{9, 9, 9, 255}), nil)
		names := []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg", "f.jpg"}
		for _, n := range names {
			testutil.WriteFile(t, filepath.Join(root, "burst", n), same)
		}
		l := openLib(t, root)
		scan(t, l, ScanOptions{})
		ctx := context.Background()
		ids := map[string]int64{}
		for _, n := range names {
			e, err := l.DB.EntryByPath(ctx, "burst/"+n)
			if err != nil {
				t.Fatal(err)
			}
			ids[n] = e.ID
		}
		if err := os.Rename(filepath.Join(root, "burst"), filepath.Join(root, "renamed")); err != nil {
			t.Fatal(err)
		}
		res := scan(t, l, ScanOptions{Only: only})
		if res.Moved != len(names) || res.Added != 0 {
			t.Fatalf("only %v: %+v", only, res)
		}
		for _, n := range names {
			e, err := l.DB.EntryByPath(ctx, "renamed/"+n)
			if err != nil || e.ID != ids[n] {
				t.Errorf("only %v: renamed/%s is entry %d (%v), want its own %d", only, n, e.ID, err, ids[n])
			}
		}
	}
}

func TestScanIncrementalAndIgnore(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "pic.jpg")
	testutil.WriteFile(t, p, testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{255, 0, 0, 255}), nil))
	testutil.WriteFile(t, filepath.Join(root, "skipme/hidden.jpg"), testutil.JPEG(t, testutil.Solid(20, 20, color.RGBA{1, 0, 0, 255}), nil))
	testutil.WriteFile(t, filepath.Join(root, ".DS_Store"), []byte("junk"))
	l := openLib(t, root)
	f, _ := os.OpenFile(filepath.Join(l.DataDir(), "ignore"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("skipme/\n")
	f.Close()
	res := scan(t, l, ScanOptions{})
	if res.Indexed != 1 {
		t.Fatalf("indexed %d, want 1 (ignore not honoured): %+v", res.Indexed, entryMap(t, l))
	}
	before, _ := l.DB.EntryByPath(context.Background(), "pic.jpg")
	// Touch: same content, new mtime -> updated, same thumbnail.
	later := time.Now().Add(time.Hour)
	os.Chtimes(p, later, later)
	res = scan(t, l, ScanOptions{})
	after, _ := l.DB.EntryByPath(context.Background(), "pic.jpg")
	if res.Updated != 1 || after.Thumb != before.Thumb || after.ID != before.ID {
		t.Errorf("touch: %+v before %q after %q", res, before.Thumb, after.Thumb)
	}
	// Changed content -> new thumbnail key.
	testutil.WriteFile(t, p, testutil.JPEG(t, testutil.Solid(30, 20, color.RGBA{0, 0, 255, 255}), nil))
	os.Chtimes(p, later.Add(time.Hour), later.Add(time.Hour))
	scan(t, l, ScanOptions{})
	changed, _ := l.DB.EntryByPath(context.Background(), "pic.jpg")
	if changed.Thumb == before.Thumb || changed.Width != 30 {
		t.Errorf("changed file kept its thumbnail %q / width %d", changed.Thumb, changed.Width)
	}
	// Deleting thumbnails regenerates them.
	os.RemoveAll(l.ThumbDir())
	res = scan(t, l, ScanOptions{})
	if res.Updated != 1 || !l.thumbOK(changed.Thumb) {
		t.Errorf("lost thumbnail not regenerated: %+v", res)
	}
}

func TestScanCancelThenResume(t *testing.T) {
	root := t.TempDir()
	const n = 300
	for i := 0; i < n; i++ {
		testutil.WriteFile(t, filepath.Join(root, "p", string(rune('a'+i%26)), "img"+strconv.Itoa(i)+".jpg"),
			testutil.JPEG(t, testutil.Solid(64, 64, color.RGBA{uint8(i), 0, 0, 255}), nil))
	}
	l := openLib(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	var once bool
	res, err := l.Scan(ctx, ScanOptions{Workers: 1, BatchSize: 10, ReportEvery: time.Nanosecond, Report: func(p Progress) {
		if p.Phase == "index" && p.Done >= 50 && !once {
			once = true
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || !res.Cancelled {
		t.Fatalf("cancel: %v %+v", err, res)
	}
	partial := len(entryMap(t, l))
	if partial == 0 || partial >= n {
		t.Fatalf("after cancel %d entries, want a part of %d", partial, n)
	}
	res = scan(t, l, ScanOptions{})
	if got := len(entryMap(t, l)); got != n || res.Added != n-partial || res.Unchanged != partial {
		t.Fatalf("resume: %d entries, %+v (partial %d)", got, res, partial)
	}
}

// TagStudio's data folder (its database, thumbnails and backups) is not
// photos: scans and watchers leave it alone, like Tagsight's own.
func TestScanSkipsTagStudioData(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, ".TagStudio", "ts_library.sqlite"), []byte("SQLite format 3\x00..."))
	testutil.WriteFile(t, filepath.Join(root, ".TagStudio", "thumbs", "1.webp"), testutil.PNG(t, testutil.Solid(8, 8, color.RGBA{1, 2, 3, 255})))
	testutil.WriteFile(t, filepath.Join(root, "photo.png"), testutil.PNG(t, testutil.Solid(8, 8, color.RGBA{200, 2, 3, 255})))
	l := openLib(t, root)
	res := scan(t, l, ScanOptions{})
	if e := entryMap(t, l); len(e) != 1 || res.Indexed != 1 {
		t.Fatalf("indexed %v, want photo.png only", e)
	}
	skip, err := l.Skipper()
	if err != nil {
		t.Fatal(err)
	}
	if !skip(".TagStudio", true) || !skip(".TagStudio/thumbs/1.webp", false) || skip("photo.png", false) {
		t.Error("the watcher's Skipper does not leave .TagStudio alone")
	}
}
