package api

import (
	"fmt"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/workspace"
)

// TestSearchPageCostsBoundedStatements: a page of results costs the same
// few statements whether it holds 10 results or 100, for a filter and for
// a search by meaning, counted at the database driver (so no path around
// the count exists). A page used to read each result's entry on its own.
func TestSearchPageCostsBoundedStatements(t *testing.T) {
	a, ws := quietAPI(t)
	db, m := ws.Lib.DB, ws.Now().StoreModel
	ctx := t.Context()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for i := range 200 {
			e := store.Entry{Path: fmt.Sprintf("gen/%03d.jpg", i), Size: 1, Fingerprint: fmt.Sprint(i), MediaType: "image",
				Thumb: "t.jpg", Taken: fmt.Sprintf("2020-01-%02d", 1+i%28)}
			if err := store.InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			v := make([]float32, m.Dim)
			v[i%m.Dim] = 1
			if err := store.PutVector(ctx, tx, m, e.ID, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	const bound = 8
	for _, q := range []string{"", "NOT tag:favourite", "red"} {
		cost := map[int]int64{}
		for _, limit := range []int{10, 100} {
			if _, err := a.Search(SearchRequest{Query: q, Limit: limit}); err != nil { // loads what a first search loads
				t.Fatal(err)
			}
			before := db.Statements()
			res, err := a.Search(SearchRequest{Query: q, Limit: limit, Offset: 50, Sort: "-taken"})
			if err != nil || res.Error != nil {
				t.Fatalf("%q: %v %v", q, err, res.Error)
			}
			if len(res.Items) != limit {
				t.Fatalf("%q: %d items, want %d", q, len(res.Items), limit)
			}
			cost[limit] = db.Statements() - before
		}
		if cost[100] > bound || cost[100] != cost[10] {
			t.Errorf("%q: a page of 10 costs %d statements, of 100 %d; want the same, at most %d", q, cost[10], cost[100], bound)
		}
		t.Logf("%q: %d statements a page", q, cost[100])
	}
}

// quietAPI is a desktop API over a library whose live follower is stopped:
// it reads the change log on a timer, so with it gone every statement a
// test counts is the call's own.
func quietAPI(t *testing.T) (*API, *workspace.Workspace) {
	t.Helper()
	a, _, _ := desktopAPI(t)
	a.mu.Lock()
	live := a.live
	a.live = nil
	a.mu.Unlock()
	live.Close()
	ws, err := a.workspace()
	if err != nil {
		t.Fatal(err)
	}
	return a, ws
}
