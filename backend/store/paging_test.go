package store

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"testing"
)

// TestFilterPagesFollowTheSort pages through a filter in every sort, one
// page after another, with jumps and with the library changing between
// pages, and compares every page and count with the order computed here
// from the rows written (ties in every key, so the id tie-break counts).
func TestFilterPagesFollowTheSort(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := rand.New(rand.NewSource(5))
	type row struct {
		id          int64
		path, taken string
		added, size int64
		missing     bool
	}
	var rows []row
	add := func(n int) {
		t.Helper()
		err := db.Tx(ctx, func(tx *Tx) error {
			for range n {
				e := Entry{Path: fmt.Sprintf("d%d/p%04d.jpg", r.Intn(5), r.Intn(10000)), Size: int64(r.Intn(20)), MediaType: "image",
					Fingerprint: "f", Taken: []string{"", "2001-01-01", "2010-05-05T10:00:00", "1999-12-31"}[r.Intn(4)], AddedAt: int64(r.Intn(30))}
				if slices.ContainsFunc(rows, func(x row) bool { return x.path == e.Path }) {
					continue
				}
				if err := InsertEntry(ctx, tx, &e); err != nil {
					return err
				}
				x := row{id: e.ID, path: e.Path, taken: e.Taken, added: e.AddedAt, size: e.Size, missing: r.Intn(8) == 0}
				if x.missing {
					if err := SetMissing(ctx, tx, []int64{e.ID}, true); err != nil {
						return err
					}
				}
				rows = append(rows, x)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add(250)
	less := map[string]func(a, b row) int{
		"name":  func(a, b row) int { return cmpThen(cmpStr(a.path, b.path), a.id, b.id) },
		"taken": func(a, b row) int { return cmpThen(cmpStr(a.taken, b.taken), a.id, b.id) },
		"added": func(a, b row) int { return cmpThen(cmpInt(a.added, b.added), a.id, b.id) },
		"size":  func(a, b row) int { return cmpThen(cmpInt(a.size, b.size), a.id, b.id) },
	}
	want := func(key string) []int64 {
		cmp := less[key[len(key)-len(trimDash(key)):]]
		var live []row
		for _, x := range rows {
			if !x.missing {
				live = append(live, x)
			}
		}
		sort.Slice(live, func(i, j int) bool {
			c := cmp(live[i], live[j])
			if key[0] == '-' {
				c = -c
			}
			return c < 0
		})
		ids := make([]int64, len(live))
		for i, x := range live {
			ids[i] = x.id
		}
		return ids
	}
	page := func(key string, limit, offset int) []int64 {
		t.Helper()
		refs, total, err := db.FilterEntries(ctx, Filter{"e.missing = 0", nil}, key, limit, offset)
		if err != nil {
			t.Fatal(err)
		}
		if w := len(want(key)); total != w {
			t.Fatalf("%s: total %d, want %d", key, total, w)
		}
		var ids []int64
		for _, r := range refs {
			ids = append(ids, r.ID)
		}
		return ids
	}
	for _, key := range []string{"name", "-name", "taken", "-taken", "added", "-added", "size", "-size"} {
		for round := range 2 {
			w := want(key)
			for off := 0; off < len(w)+10; off += 9 {
				got, exp := page(key, 9, off), w[min(off, len(w)):min(off+9, len(w))]
				if !slices.Equal(got, exp) && !(len(got) == 0 && len(exp) == 0) {
					t.Fatalf("%s round %d offset %d: %v, want %v", key, round, off, got, exp)
				}
				if off == 90 {
					// A jump back, then a change of the library mid-paging:
					// the positions seen so far no longer hold.
					if got, exp := page(key, 5, 40), w[40:45]; !slices.Equal(got, exp) {
						t.Fatalf("%s jump: %v, want %v", key, got, exp)
					}
					add(3)
					w = want(key)
				}
			}
		}
	}
}

func trimDash(s string) string {
	if s != "" && s[0] == '-' {
		return s[1:]
	}
	return s
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt(a, b int64) int { return cmpStr(fmt.Sprintf("%020d", a), fmt.Sprintf("%020d", b)) }

func cmpThen(c int, a, b int64) int {
	if c != 0 {
		return c
	}
	return cmpInt(a, b)
}
