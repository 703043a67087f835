package store

import (
	"context"
	"reflect"
	"slices"
	"testing"
)

// scopePaths are neighbours in byte order of the folder "dir": only the
// folder's own files, and a file named exactly "dir", are under it.
var scopePaths = []string{"dir", "dir/a.jpg", "dir/sub/b.jpg", "dir-2/c.jpg", "dir.jpg", "dir0/d.jpg", "dirx/e.jpg", "di/f.jpg", "other/dir/g.jpg"}

func TestScanIndexUnder(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *Tx) error {
		for i, p := range scopePaths {
			e := Entry{Path: p, Size: int64(i + 1), Fingerprint: "fp", MediaType: "image"}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		scope []string
		want  []string
	}{
		{[]string{"dir"}, []string{"dir", "dir/a.jpg", "dir/sub/b.jpg"}},
		{[]string{"dir/sub", "dir.jpg", "gone"}, []string{"dir.jpg", "dir/sub/b.jpg"}},
		{[]string{"dir", "dir/sub"}, []string{"dir", "dir/a.jpg", "dir/sub/b.jpg"}},
		{[]string{"other", ""}, scopePaths},
	} {
		rows, err := db.ScanIndexUnder(ctx, c.scope)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.Path)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(c.want))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("under %q: %q, want %q", c.scope, got, want)
		}
	}
}

// TestReplaceScanErrorsInScope: a scan of "dir" replaces the errors
// under it and leaves its neighbours' alone.
func TestReplaceScanErrorsInScope(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	var old []ScanError
	for _, p := range scopePaths {
		old = append(old, ScanError{Path: p, Error: "old"})
	}
	replace := func(errs []ScanError, scope []string) {
		t.Helper()
		if err := db.Tx(ctx, func(tx *Tx) error { return ReplaceScanErrors(ctx, tx, errs, 1, scope) }); err != nil {
			t.Fatal(err)
		}
	}
	replace(old, nil)
	replace([]ScanError{{Path: "dir/a.jpg", Error: "new"}}, []string{"dir"})
	got, err := db.ScanErrors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []ScanError{{"di/f.jpg", "old"}, {"dir-2/c.jpg", "old"}, {"dir.jpg", "old"}, {"dir/a.jpg", "new"},
		{"dir0/d.jpg", "old"}, {"dirx/e.jpg", "old"}, {"other/dir/g.jpg", "old"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors after a scan of dir:\n got %v\nwant %v", got, want)
	}
}
