package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

// TestCLIChurn: while `tagsight watch` follows a library, the disk churns
// (copies, renames, moves across folders, deletions, overwrites, files
// written in two halves), a second process tags files by path (some just
// moved, not recorded yet), and the watcher is killed with SIGKILL four
// times and started again. At the end every file on disk is exactly one
// entry, every file keeps exactly the tags it was given wherever it moved,
// no entry sits at a path that does not exist, and SQLite's integrity
// check is clean (issue 19). The churn is drawn from a fixed seed.
func TestCLIChurn(t *testing.T) {
	root := t.TempDir()
	rng := rand.New(rand.NewPCG(19, 2026))
	type file struct {
		content int  // files with equal content are copies
		tagged  bool // was given the Keep tag
	}
	disk := map[string]*file{}
	next := 0 // the next unused content
	write := func(rel string, content int) {
		testutil.WriteFile(t, filepath.Join(root, rel), distinct(t, colours["blue"], content))
	}
	folders := []string{"a", "b", "c/deep"}
	for i := range 30 {
		rel := fmt.Sprintf("%s/f%02d.jpg", folders[i%3], i)
		write(rel, next)
		disk[rel] = &file{content: next}
		next++
	}
	if _, stderr, code := run(t, "index", root, "--no-embed"); code != 0 {
		t.Fatalf("index: %s", stderr)
	}
	var first []string
	for rel := range disk {
		first = append(first, rel)
	}
	sort.Strings(first)
	first = first[:12]
	if _, stderr, code := run(t, append([]string{"tag", root, "add", "Keep", "--create"}, first...)...); code != 0 {
		t.Fatalf("tag: %s", stderr)
	}
	for _, rel := range first {
		disk[rel].tagged = true
	}

	// The watcher, started again after each kill; each start waits until
	// it watches (its status line), and its output is kept for failures.
	var watcher *exec.Cmd
	var logs bytes.Buffer
	start := func() {
		t.Helper()
		cmd := exec.Command(bin, "watch", root, "--json")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		watching := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(out)
			told := false
			for sc.Scan() {
				var l struct {
					Event  string
					Status *struct{ Mode string }
				}
				if json.Unmarshal(sc.Bytes(), &l) == nil && l.Event == "status" && l.Status != nil && l.Status.Mode == "events" && !told {
					close(watching)
					told = true
				}
			}
			if !told {
				close(watching)
			}
		}()
		select {
		case <-watching:
		case <-time.After(2 * time.Minute):
			t.Fatalf("the watcher never said it watches: %s", logs.String())
		}
		watcher = cmd
	}
	start()
	defer func() { watcher.Process.Kill(); watcher.Wait() }()

	unique := func() []string { // files whose content has no copy
		count := map[int]int{}
		for _, f := range disk {
			count[f.content]++
		}
		var out []string
		for rel, f := range disk {
			if count[f.content] == 1 {
				out = append(out, rel)
			}
		}
		sort.Strings(out)
		return out
	}
	pick := func(from []string) string { return from[rng.IntN(len(from))] }
	all := func() []string {
		var out []string
		for rel := range disk {
			out = append(out, rel)
		}
		sort.Strings(out)
		return out
	}
	var journal []string // what happened, for a failure's log
	say := func(format string, a ...any) { journal = append(journal, fmt.Sprintf(format, a...)) }
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(root, ".tagsight", "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// recorded waits until the library holds rel as the test knows it (an
	// entry there, tagged or not as given). Content is the only identity a
	// file has, so a file is changed in place only once the move that
	// brought it there has been seen, as a person edits a photo some time
	// after filing it: a move and an overwrite inside one batch are a new
	// file, by any measure the library has.
	recorded := func(rel string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Minute)
		for {
			e, err := db.EntryByPath(ctx, rel)
			if err == nil && !e.Missing {
				names, err := db.TagNames(ctx, e.ID)
				if err == nil && slices.Contains(names, "Keep") == disk[rel].tagged {
					return
				}
			}
			if time.Now().After(deadline) {
				e, err := db.EntryByPath(ctx, rel)
				names, _ := db.TagNames(ctx, e.ID)
				var same []string // every entry with this content: where did the tags go?
				if es, lerr := db.ListEntries(ctx, store.ListOptions{IncludeMissing: true}); lerr == nil {
					for _, o := range es {
						if o.Fingerprint == e.Fingerprint {
							tn, _ := db.TagNames(ctx, o.ID)
							same = append(same, fmt.Sprintf("%d %s missing=%v added=%d updated=%d tags=%v", o.ID, o.Path, o.Missing, o.AddedAt, o.UpdatedAt, tn))
						}
					}
				}
				t.Fatalf("%s never recorded as it is (tagged %v): entry %+v %v, tags %v\nentries with its content:\n%s\nwhat happened:\n%s\nwatcher:\n%s",
					rel, disk[rel].tagged, e, err, names, strings.Join(same, "\n"), strings.Join(journal, "\n"), logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	halves := map[string]int{} // files written halfway: their content
	ops := map[string]int{}
	for step := range 120 {
		if step > 0 && step%30 == 0 {
			// kill -9, mid-whatever it is doing, and start again
			watcher.Process.Signal(syscall.SIGKILL)
			watcher.Wait()
			ops["kill"]++
			say("%d: kill -9 and start again", step)
			start()
		}
		switch op := rng.IntN(8); {
		case op == 0: // copy
			src := pick(all())
			dst := fmt.Sprintf("%s/copy%03d.jpg", pick(folders), step)
			b, err := os.ReadFile(filepath.Join(root, src))
			if err != nil {
				t.Fatal(err)
			}
			testutil.WriteFile(t, filepath.Join(root, dst), b)
			disk[dst] = &file{content: disk[src].content}
			ops["copy"]++
			say("%d: copy %s %s", step, src, dst)
		case op == 1: // rename in its folder
			src := pick(unique())
			dst := filepath.ToSlash(filepath.Join(filepath.Dir(src), fmt.Sprintf("r%03d.jpg", step)))
			if err := os.Rename(filepath.Join(root, src), filepath.Join(root, dst)); err != nil {
				t.Fatal(err)
			}
			disk[dst] = disk[src]
			delete(disk, src)
			ops["rename"]++
			say("%d: rename %s %s", step, src, dst)
		case op == 2 || op == 3: // move to another folder
			src := pick(unique())
			dst := pick(folders) + "/" + filepath.Base(src)
			if _, taken := disk[dst]; taken || dst == src {
				continue
			}
			if err := os.Rename(filepath.Join(root, src), filepath.Join(root, dst)); err != nil {
				t.Fatal(err)
			}
			disk[dst] = disk[src]
			delete(disk, src)
			ops["move"]++
			say("%d: move %s %s", step, src, dst)
		case op == 4: // delete
			src := pick(unique())
			if err := os.Remove(filepath.Join(root, src)); err != nil {
				t.Fatal(err)
			}
			delete(disk, src)
			ops["delete"]++
			say("%d: delete %s", step, src)
		case op == 5: // overwrite with other content: same entry, same tags
			src := pick(unique())
			recorded(src)
			write(src, next)
			disk[src].content = next
			next++
			ops["overwrite"]++
			say("%d: overwrite %s", step, src)
		case op == 6: // a file written in two halves, finished a few steps later
			rel := fmt.Sprintf("%s/half%03d.jpg", pick(folders), step)
			b := distinct(t, colours["blue"], next)
			testutil.WriteFile(t, filepath.Join(root, rel), b[:len(b)/2])
			halves[rel] = next
			next++
			ops["half"]++
			say("%d: half of %s", step, rel)
		default: // another process tags a file by its path, recorded or not
			rel := pick(all())
			if _, stderr, code := run(t, "tag", root, "add", "Keep", rel); code != 0 {
				t.Fatalf("step %d: tag add Keep %s: %s", step, rel, stderr)
			}
			disk[rel].tagged = true
			ops["tag"]++
			say("%d: tag %s", step, rel)
		}
		for rel, content := range halves {
			if rng.IntN(4) == 0 {
				write(rel, content)
				disk[rel] = &file{content: content}
				delete(halves, rel)
				say("%d: the rest of %s", step, rel)
			}
		}
	}
	for rel, content := range halves {
		write(rel, content)
		disk[rel] = &file{content: content}
	}
	t.Logf("churn: %v; %d files at the end", ops, len(disk))
	watcher.Process.Signal(os.Interrupt)
	if err := watcher.Wait(); err != nil {
		t.Errorf("the watcher did not stop cleanly: %v\n%s", err, logs.String())
	}
	// A last catch-up, as the next start of any face does.
	if _, stderr, code := run(t, "index", root, "--no-embed"); code != 0 {
		t.Fatalf("index: %s", stderr)
	}

	// What is on disk, listed by the file system itself.
	onDisk := map[string]bool{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if d.IsDir() && d.Name() == ".tagsight" {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			onDisk[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if len(onDisk) != len(disk) {
		t.Fatalf("the test's own record has %d files, the disk %d", len(disk), len(onDisk))
	}
	if v, err := db.IntegrityCheck(ctx); err != nil || v != "ok" {
		t.Errorf("integrity_check: %q %v", v, err)
	}
	es, err := db.ListEntries(ctx, store.ListOptions{IncludeMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	present := map[string]int{}
	for _, e := range es {
		if e.Missing {
			if onDisk[e.Path] {
				t.Errorf("%s is on disk but its entry %d is missing", e.Path, e.ID)
			}
			continue
		}
		present[e.Path]++
		if !onDisk[e.Path] {
			t.Errorf("entry %d is at %s, which is not on disk", e.ID, e.Path)
			continue
		}
		names, err := db.TagNames(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if has := slices.Contains(names, "Keep"); has != disk[e.Path].tagged {
			t.Errorf("%s: tagged Keep %v, want %v (tags %v)", e.Path, has, disk[e.Path].tagged, names)
		}
	}
	for rel := range onDisk {
		if present[rel] != 1 {
			t.Errorf("%s is %d entries, want exactly 1", rel, present[rel])
		}
	}
	if t.Failed() {
		t.Logf("what happened:\n%s", strings.Join(journal, "\n"))
		t.Logf("watcher output:\n%s", strings.TrimSpace(logs.String()))
	}
}
