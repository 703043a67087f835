package library

import (
	"context"
	"fmt"
	"image/color"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// Files moved while a scan walks, from a folder it has passed into one it
// has not reached, are seen at both paths. They keep their entries and
// tags (issue 19: the new path became a new untagged entry and the next
// scan marked the tagged one missing). A copy made the same way is a new
// entry. The moments and the files are drawn from fixed seeds.
func TestScanMoveDuringWalk(t *testing.T) {
	for _, tc := range []struct {
		name    string
		seed    uint64
		trigger string // the walked file at which the disk changes
		copy    bool
	}{
		{"after its folder", 1, "m/0.jpg", false},
		{"mid-folder", 2, "a/12.jpg", false},
		{"at the end of its folder", 3, "a/19.jpg", false},
		{"late in the walk", 4, "m/2.jpg", false},
		{"copies", 5, "m/1.jpg", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for i := range 20 {
				testutil.WriteFile(t, filepath.Join(root, "a", fmt.Sprintf("%02d.jpg", i)), testutil.JPEG(t, testutil.Solid(16, 16, color.RGBA{uint8(10 * i), 40, 200, 255}), nil))
			}
			for i := range 3 {
				testutil.WriteFile(t, filepath.Join(root, "m", fmt.Sprintf("%d.jpg", i)), testutil.JPEG(t, testutil.Solid(16, 16, color.RGBA{250, uint8(60 * i), 0, 255}), nil))
			}
			if err := os.MkdirAll(filepath.Join(root, "z"), 0o755); err != nil {
				t.Fatal(err)
			}
			l := openLib(t, root)
			ctx := context.Background()
			scan(t, l, ScanOptions{})
			tag, err := l.DB.CreateTag(ctx, "Holiday", 1)
			if err != nil {
				t.Fatal(err)
			}
			// Which files move: those the walk has passed at the trigger,
			// drawn from the seed.
			rng := rand.New(rand.NewPCG(tc.seed, 42))
			var moving []string
			for i := range 20 {
				name := fmt.Sprintf("a/%02d.jpg", i)
				if name <= tc.trigger || tc.trigger[0] != 'a' {
					if rng.IntN(3) > 0 {
						moving = append(moving, name)
					}
				}
			}
			if len(moving) == 0 {
				t.Fatal("the seed moved nothing")
			}
			ids := map[string]int64{}
			for _, p := range moving {
				e, err := l.DB.EntryByPath(ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				ids[p] = e.ID
				if _, err := l.DB.ApplyTag(ctx, tag, []int64{e.ID}); err != nil {
					t.Fatal(err)
				}
			}
			dest := func(p string) string { return "z/" + filepath.Base(p) }
			walkHook = func(rel string) {
				if rel != tc.trigger {
					return
				}
				for _, p := range moving {
					if tc.copy {
						b, err := os.ReadFile(l.Abs(p))
						if err != nil {
							t.Error(err)
						}
						testutil.WriteFile(t, l.Abs(dest(p)), b)
					} else if err := os.Rename(l.Abs(p), l.Abs(dest(p))); err != nil {
						t.Error(err)
					}
				}
			}
			t.Cleanup(func() { walkHook = nil })
			res := scan(t, l, ScanOptions{})
			walkHook = nil
			want := len(moving)
			if tc.copy {
				if res.Added != want || res.Moved != 0 {
					t.Errorf("copies: added %d moved %d, want %d new entries", res.Added, res.Moved, want)
				}
			} else if res.Moved != want || res.Added != 0 {
				t.Errorf("moved during the walk: moved %d added %d, want %d moved and none added", res.Moved, res.Added, want)
			}
			for _, p := range moving {
				e, err := l.DB.EntryByPath(ctx, dest(p))
				if err != nil {
					t.Fatalf("%s: %v", dest(p), err)
				}
				names, _ := l.DB.TagNames(ctx, e.ID)
				hasTag := slices.Contains(names, "Holiday")
				switch {
				case !tc.copy && (e.ID != ids[p] || !hasTag):
					t.Errorf("%s is entry %d with tags %v, want the moved entry %d with Holiday", dest(p), e.ID, names, ids[p])
				case tc.copy && (e.ID == ids[p] || hasTag):
					t.Errorf("the copy %s took the original's entry %d (tags %v)", dest(p), e.ID, names)
				}
			}
			// The next scan finds nothing to fix: nothing missing, nothing moved.
			res = scan(t, l, ScanOptions{})
			if res.Missing != 0 || res.Moved != 0 || res.Added != 0 {
				t.Errorf("the scan after: %+v", res)
			}
			n, missing, err := l.DB.CountEntries(ctx)
			if err != nil {
				t.Fatal(err)
			}
			total := 23
			if tc.copy {
				total += want
			}
			if n != total || missing != 0 {
				t.Errorf("%d entries (%d missing), want every file exactly once: %d", n, missing, total)
			}
		})
	}
}

// A move seen in two halves, the new path's batch first (a watcher's batch
// of one folder, or a tag given by the new path), made a new untagged entry
// there; the batch that finds the old path gone hands the file back its
// own entry and tags. A twin that holds something of the user's is left
// alone (the original is then missing, as any gone file).
func TestScanMoveSeenInTwoHalves(t *testing.T) {
	for _, twinTagged := range []bool{false, true} {
		t.Run(fmt.Sprintf("twin tagged %v", twinTagged), func(t *testing.T) {
			root := t.TempDir()
			testutil.WriteFile(t, filepath.Join(root, "x", "a.jpg"), testutil.JPEG(t, testutil.Solid(16, 16, color.RGBA{200, 30, 90, 255}), nil))
			testutil.WriteFile(t, filepath.Join(root, "x", "b.jpg"), testutil.JPEG(t, testutil.Solid(16, 16, color.RGBA{20, 30, 90, 255}), nil))
			if err := os.MkdirAll(filepath.Join(root, "y"), 0o755); err != nil {
				t.Fatal(err)
			}
			l := openLib(t, root)
			ctx := context.Background()
			scan(t, l, ScanOptions{})
			orig, err := l.DB.EntryByPath(ctx, "x/a.jpg")
			if err != nil {
				t.Fatal(err)
			}
			tag, err := l.DB.CreateTag(ctx, "Holiday", 1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := l.DB.ApplyTag(ctx, tag, []int64{orig.ID}); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(l.Abs("x/a.jpg"), l.Abs("y/a.jpg")); err != nil {
				t.Fatal(err)
			}
			first := scan(t, l, ScanOptions{Only: []string{"y"}})
			twin, err := l.DB.EntryByPath(ctx, "y/a.jpg")
			if err != nil || first.Added != 1 || twin.ID == orig.ID {
				t.Fatalf("the new half alone: %+v, entry %d (%v); want a new entry", first, twin.ID, err)
			}
			if twinTagged {
				other, _ := l.DB.CreateTag(ctx, "Mine", 1)
				if _, err := l.DB.ApplyTag(ctx, other, []int64{twin.ID}); err != nil {
					t.Fatal(err)
				}
			}
			second := scan(t, l, ScanOptions{Only: []string{"x"}})
			e, err := l.DB.EntryByPath(ctx, "y/a.jpg")
			if err != nil {
				t.Fatal(err)
			}
			names, _ := l.DB.TagNames(ctx, e.ID)
			n, missing, _ := l.DB.CountEntries(ctx)
			if !twinTagged {
				if e.ID != orig.ID || !slices.Contains(names, "Holiday") || second.Moved != 1 || missing != 0 || n != 2 {
					t.Errorf("the old half: %+v; y/a.jpg is entry %d with %v (want %d with Holiday); %d entries, %d missing", second, e.ID, names, orig.ID, n, missing)
				}
				return
			}
			if e.ID != twin.ID || !slices.Contains(names, "Mine") || missing != 1 {
				t.Errorf("a twin with the user's tag was taken over: y/a.jpg is entry %d with %v; %d missing", e.ID, names, missing)
			}
		})
	}
}

// Two missing entries with one content (a file tagged by its new path
// before the move was seen made a second, tagged entry; both then went
// missing as the file moved on): the file that turns up takes the one that
// went missing last, with its tags — not the older one, first by id.
func TestScanMoveTakesTheLastGone(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "c", "f02.jpg"), testutil.JPEG(t, testutil.Solid(16, 16, color.RGBA{90, 200, 30, 255}), nil))
	if err := os.MkdirAll(filepath.Join(root, "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	l := openLib(t, root)
	ctx := context.Background()
	scan(t, l, ScanOptions{})
	old, err := l.DB.EntryByPath(ctx, "c/f02.jpg")
	if err != nil {
		t.Fatal(err)
	}
	mv := func(from, to string) {
		if err := os.Rename(l.Abs(from), l.Abs(to)); err != nil {
			t.Fatal(err)
		}
	}
	// Renamed; tagged by its new name before anything saw the rename.
	mv("c/f02.jpg", "c/r039.jpg")
	scan(t, l, ScanOptions{Only: []string{"c/r039.jpg"}})
	tagged, err := l.DB.EntryByPath(ctx, "c/r039.jpg")
	if err != nil || tagged.ID == old.ID {
		t.Fatalf("the new name alone: entry %d (%v), want a new one", tagged.ID, err)
	}
	keep, _ := l.DB.CreateTag(ctx, "Keep", 1)
	if _, err := l.DB.ApplyTag(ctx, keep, []int64{tagged.ID}); err != nil {
		t.Fatal(err)
	}
	scan(t, l, ScanOptions{Only: []string{"c/f02.jpg"}}) // the old name goes missing
	// Renamed and moved again, each half seen in its own batch.
	mv("c/r039.jpg", "c/r065.jpg")
	mv("c/r065.jpg", "b/r065.jpg")
	scan(t, l, ScanOptions{Only: []string{"c/r039.jpg", "c/r065.jpg"}})
	res := scan(t, l, ScanOptions{Only: []string{"b/r065.jpg"}})
	e, err := l.DB.EntryByPath(ctx, "b/r065.jpg")
	if err != nil {
		t.Fatal(err)
	}
	names, _ := l.DB.TagNames(ctx, e.ID)
	if e.ID != tagged.ID || !slices.Contains(names, "Keep") || res.Moved != 1 {
		t.Errorf("b/r065.jpg is entry %d with %v (%+v); want the tagged entry %d that went missing last", e.ID, names, res, tagged.ID)
	}
}
