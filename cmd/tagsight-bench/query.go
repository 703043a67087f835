package main

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/tags"
)

// ensureBigLibrary writes a library database with n entries and nTags tags
// (a hierarchy three levels deep, ~3 tags per entry) straight through the
// store, without files: the query and open paths never touch them.
func ensureBigLibrary(ctx context.Context, dir string, n, nTags int) error {
	stamp := filepath.Join(dir, ".complete")
	if _, err := os.Stat(stamp); err == nil {
		return nil
	}
	os.RemoveAll(dir)
	if err := os.MkdirAll(filepath.Join(dir, library.DataDirName), 0o755); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "generating a %d-entry library with %d tags…\n", n, nTags)
	db, err := store.Open(ctx, filepath.Join(dir, library.DataDirName, "library.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	r := rand.New(rand.NewSource(7))
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			e := store.Entry{Path: fmt.Sprintf("%04d/%02d/IMG_%06d.jpg", 2000+i%25, 1+i%12, i), Size: int64(1e6 + r.Intn(9e6)),
				MtimeNs: int64(i), Fingerprint: fmt.Sprintf("x1:%016x", r.Uint64()), MediaType: "image", Format: "jpeg",
				Width: 4000, Height: 3000, Orientation: 1, Taken: fmt.Sprintf("%04d-%02d-%02dT12:00:00", 2000+i%25, 1+i%12, 1+i%28),
				Make: []string{"Canon", "Nikon", "Sony", "Fujifilm"}[i%4], Thumb: "x/t.jpg", AddedAt: int64(i), UpdatedAt: int64(i)}
			if err := store.InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Tags get ids 3.. in order (1 and 2 are the library's own), as the
	// links below expect.
	for t := 1; t <= nTags; t++ {
		id, err := db.CreateTag(ctx, fmt.Sprintf("tag%04d", t), 0)
		if err != nil {
			return err
		}
		if id != int64(t+2) {
			return fmt.Errorf("tag %d got id %d, want %d", t, id, t+2)
		}
		// Level 1: tags 1..20; level 2: children of those; level 3: the rest.
		if t > 20 {
			parent := 1 + r.Intn(min(t-1, 200))
			if err := db.AddTagParent(ctx, id, int64(parent+2)); err != nil {
				return err
			}
		}
	}
	members := map[int64][]int64{}
	for i := 1; i <= n; i++ {
		for k := 0; k < 3; k++ {
			tag := int64(3 + r.Intn(nTags))
			members[tag] = append(members[tag], int64(i))
		}
	}
	for tag, ids := range members {
		if _, err := db.ApplyTag(ctx, tag, ids); err != nil {
			return err
		}
	}
	if err := db.Analyze(ctx); err != nil {
		return err
	}
	return os.WriteFile(stamp, nil, 0o644)
}

func percentiles(ms []float64) (float64, float64) {
	sort.Float64s(ms)
	return ms[len(ms)/2], ms[min(len(ms)-1, len(ms)*95/100)]
}

func benchQueries(ctx context.Context, rep *report, data string) error {
	const n, nTags = 100000, 2000
	dir := filepath.Join(data, "lib100k")
	if err := ensureBigLibrary(ctx, dir, n, nTags); err != nil {
		return err
	}
	rep.line("## Tags and the query language: %d entries, %d tags (3 levels), 3 tags per entry", n, nTags)
	rep.line("")
	// Open + first page, cold process state each time (new connection pool).
	var opens []float64
	for i := 0; i < 15; i++ {
		t := time.Now()
		lib, err := library.Open(ctx, dir, library.Options{})
		if err != nil {
			return err
		}
		svc := search.New(lib.DB, tags.New(lib.DB), lib, store.Model{}, search.Encoders{})
		res, err := svc.Search(ctx, "", search.Options{Limit: 200, Sort: "-taken"})
		if err != nil || len(res.Hits) != 200 {
			return fmt.Errorf("first page: %v (%d hits)", err, len(res.Hits))
		}
		opens = append(opens, float64(time.Since(t).Microseconds())/1000)
		lib.Close()
	}
	o50, o95 := percentiles(opens)
	lib, err := library.Open(ctx, dir, library.Options{})
	if err != nil {
		return err
	}
	defer lib.Close()
	svc := search.New(lib.DB, tags.New(lib.DB), lib, store.Model{}, search.Encoders{})
	rep.line("| query | results | p50 ms | p95 ms |")
	rep.line("|---|---|---|---|")
	rep.line("| open the library + first page of 200 (newest first) | 200 | %.1f | %.1f |", o50, o95)
	queries := []string{"tag:tag0007", "tag:tag0150", "tag:tag1500", "tag:tag0003 AND NOT tag:tag0010",
		"(tag:tag0001 OR tag:tag0002) camera:canon", "taken:2010..2012 tag:tag0005", "special:untagged", "ext:jpg size:>5mb"}
	for _, q := range queries {
		var ms []float64
		var total int
		for i := 0; i < 25; i++ {
			t := time.Now()
			res, err := svc.Search(ctx, q, search.Options{Limit: 200})
			if err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
			total = res.Total
			ms = append(ms, float64(time.Since(t).Microseconds())/1000)
		}
		p50, p95 := percentiles(ms)
		rep.line("| `%s` (count + first 200) | %d | %.1f | %.1f |", q, total, p50, p95)
	}
	rep.line("")
	rep.line("Each query counts every match and returns the first page of 200, as the grid asks; `tag:` includes descendant tags.")
	rep.line("")
	return nil
}
