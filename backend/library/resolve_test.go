package library

import (
	"context"
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
)

// TestResolve: every way a user may name a file, from the library's top,
// from a folder inside it and from outside, for the command line and
// desktop (UserPath) and for the web (LibraryPath); the answers are
// written by hand.
func TestResolve(t *testing.T) {
	parent := t.TempDir()
	root, outside := filepath.Join(parent, "lib"), filepath.Join(parent, "outside")
	pic := func(c uint8) []byte { return testutil.PNG(t, testutil.Solid(8, 8, color.RGBA{c, 40, 40, 255})) }
	testutil.WriteFile(t, filepath.Join(root, "a", "red.png"), pic(200))
	testutil.WriteFile(t, filepath.Join(root, "a", "a", "red.png"), pic(150)) // a/red.png as typed in a/
	testutil.WriteFile(t, filepath.Join(root, "a", "swap.png"), pic(100))
	testutil.WriteFile(t, filepath.Join(outside, "secret.png"), pic(50))
	l := openLib(t, root)
	scan(t, l, ScanOptions{})
	// After the scan: a file not indexed yet, one in the data folder, a
	// link out of the library, and an indexed file swapped for such a link.
	testutil.WriteFile(t, filepath.Join(root, "b", "new.png"), pic(20))
	testutil.WriteFile(t, filepath.Join(root, DataDirName, "stray.png"), pic(10))
	secret := filepath.Join(outside, "secret.png")
	if err := os.Symlink(secret, filepath.Join(root, "out.png")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "a", "swap.png")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(root, "a", "swap.png")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(root, "a")) // the command line's working folder

	for _, tc := range []struct {
		name string
		how  Naming
		rel  string // want: the library path, with an entry unless none follows
		file bool   // rel has no entry (not indexed yet)
		err  error
	}{
		{name: "a/red.png", how: UserPath, rel: "a/red.png"},                         // the library's path wins over a/a/red.png
		{name: "red.png", how: UserPath, rel: "a/red.png"},                           // the working folder's
		{name: "./a//red.png", how: UserPath, rel: "a/red.png"},                      // untidy, cleaned
		{name: filepath.Join(root, "a", "red.png"), how: UserPath, rel: "a/red.png"}, // absolute (a dropped file)
		{name: "a/red.png/", how: UserPath, rel: "a/red.png"},
		{name: "a/a/red.png", how: UserPath, rel: "a/a/red.png"},
		{name: "b/new.png", how: UserPath, rel: "b/new.png", file: true},
		{name: "../b/new.png", how: UserPath, rel: "b/new.png", file: true},
		{name: filepath.Join(root, "b", "new.png"), how: UserPath, rel: "b/new.png", file: true},
		{name: "a/swap.png", how: UserPath, rel: "a/swap.png"}, // an entry, whatever its file is now
		{name: "nothing.png", how: UserPath, err: store.ErrNotFound},
		{name: "b", how: UserPath, err: store.ErrNotFound}, // a folder
		{name: secret, how: UserPath, err: store.ErrNotFound},
		{name: "../../outside/secret.png", how: UserPath, err: store.ErrNotFound},
		{name: "out.png", how: UserPath, err: ErrOutside},
		{name: DataDirName + "/stray.png", how: UserPath, err: ErrDataDir},
		{name: "", how: UserPath, err: store.ErrNotFound},

		{name: "a/red.png", how: LibraryPath, rel: "a/red.png"},
		{name: "a/a/red.png", how: LibraryPath, rel: "a/a/red.png"},
		{name: "red.png", how: LibraryPath, err: store.ErrNotFound}, // never the working folder
		{name: "b/new.png", how: LibraryPath, err: store.ErrNotFound},
		{name: "a/swap.png", how: LibraryPath, err: ErrOutside},
		{name: filepath.Join(root, "a", "red.png"), how: LibraryPath, err: ErrBadPath},
		{name: "./a/red.png", how: LibraryPath, err: ErrBadPath},
		{name: "a//red.png", how: LibraryPath, err: ErrBadPath},
		{name: "../lib/a/red.png", how: LibraryPath, err: ErrBadPath},
		{name: `a\red.png`, how: LibraryPath, err: ErrBadPath},
		{name: "C:red.png", how: LibraryPath, err: ErrBadPath},
		{name: "", how: LibraryPath, err: ErrBadPath},
		{name: ".", how: LibraryPath, err: ErrBadPath},
	} {
		n, err := l.Resolve(context.Background(), tc.name, tc.how)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("Resolve(%q, %d) = %+v, %v; want %v", tc.name, tc.how, n, err, tc.err)
			}
			continue
		}
		if err != nil || n.Rel != tc.rel || n.Found() == tc.file || n.Found() && n.Entry.Path != tc.rel {
			want := "an entry"
			if tc.file {
				want = "no entry"
			}
			t.Errorf("Resolve(%q, %d) = %q (entry %q), %v; want %q with %s", tc.name, tc.how, n.Rel, n.Entry.Path, err, tc.rel, want)
		}
	}
}
