package main

// -only follow: how long a loaded index takes to follow one change (an
// entry trashed, an entry re-embedded) and answer the next query, through
// search.Service's own Forget and Put, against the full reload that
// Invalidate used to cost.

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/knn"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
)

const followTitle = "## Following changes (no reload)"

func pct(lat []time.Duration, p float64) time.Duration {
	s := slices.Clone(lat)
	slices.Sort(s)
	if p == 50 {
		return s[(len(s)-1)/2]
	}
	return s[int(math.Ceil(p/100*float64(len(s))))-1]
}

// fillLibrary writes d's vectors (ids 1..N) into the model's vec0 table of
// a real library database, as the app stores them, in batches of 10k.
func fillLibrary(ctx context.Context, lib *store.DB, m store.Model, d *dataset) (time.Duration, error) {
	// The vec0 rows alone, written raw: this benchmark measures sqlite-vec
	// itself, below what the store's writes add.
	db, err := openDB(lib.Path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	start := time.Now()
	table := fmt.Sprintf("vec_%d", m.ID)
	const batch = 10000
	for lo := 0; lo < d.n; lo += batch {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		st, err := tx.Prepare(`INSERT INTO ` + table + `(rowid, embedding) VALUES (?, ?)`)
		if err != nil {
			tx.Rollback()
			return 0, err
		}
		for i := lo; i < min(lo+batch, d.n); i++ {
			if _, err := st.Exec(int64(i+1), blob(d.vec(i))); err != nil {
				tx.Rollback()
				return 0, err
			}
		}
		st.Close()
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

func runFollow(ctx context.Context, dir string, n int) string {
	k := *flagK
	loadStart := loadAvg()
	log.Printf("== follow, N=%d: generating", n)
	t0 := time.Now()
	d := generate(n, *flagSeed)
	genTime := time.Since(t0)

	path := filepath.Join(dir, fmt.Sprintf("library-%d.db", n))
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	m, err := db.EnsureModel(ctx, "bench", "bench", dim)
	if err != nil {
		log.Fatal(err)
	}
	fill, err := fillLibrary(ctx, db, m, d)
	if err != nil {
		log.Fatalf("fill library: %v", err)
	}
	st, _ := os.Stat(path)
	log.Printf("library vec0 table filled in %v (%.0f MB)", fill, float64(st.Size())/1e6)
	floor := bandwidthFloor(d.data, runtime.NumCPU(), 5)
	gb := float64(len(d.data)*4) / 1e9
	log.Printf("memory-bandwidth floor, %d threads: %v (%.1f GB/s)", runtime.NumCPU(), floor, gb/floor.Seconds())
	queries := d.queries
	d.data = nil // the index holds its own copy
	runtime.GC()

	svc := search.New(db, nil, nil, m, search.Encoders{})
	t0 = time.Now()
	idx, err := svc.Index(ctx)
	firstLoad := time.Since(t0)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("first load (Service.Index): %d rows in %v", idx.Len(), firstLoad)

	// What a semantic search does with the index: fetch it from the
	// service (a reload if it was dropped), then top-k.
	query := func(q []float32) []knn.Hit {
		x, err := svc.Index(ctx)
		if err != nil {
			log.Fatal(err)
		}
		if x != idx {
			log.Fatal("the index was reloaded")
		}
		return x.Search(q, k, nil)
	}
	query(queries[0]) // warm-up

	reps := len(queries)
	var qLat, fUpd, fLat, pUpd, pLat []time.Duration
	type change struct {
		id  int64
		vec []float32 // nil: trashed
	}
	var changes []change // in the order the index saw them
	touched := map[int64]bool{}
	bad := 0
	for i := range reps {
		q := queries[i]
		// (c) the query alone.
		t0 := time.Now()
		before := query(q)
		qLat = append(qLat, time.Since(t0))

		// (a) trash the best hit, then the same query.
		target := before[0].ID
		t0 = time.Now()
		svc.Forget([]int64{target})
		t1 := time.Now()
		after := query(q)
		t2 := time.Now()
		fUpd, fLat = append(fUpd, t1.Sub(t0)), append(fLat, t2.Sub(t0))
		changes = append(changes, change{target, nil})
		touched[target] = true
		if slices.ContainsFunc(after, func(h knn.Hit) bool { return h.ID == target }) || after[0].ID != before[1].ID {
			bad++
		}

		// (b) re-embed one entry (far from q) as q itself, then the same query.
		id := int64(n - i*7919%n)
		for touched[id] || slices.ContainsFunc(after, func(h knn.Hit) bool { return h.ID == id }) {
			id--
		}
		touched[id] = true
		v := slices.Clone(q)
		t0 = time.Now()
		svc.Put(map[int64][]float32{id: v})
		t1 = time.Now()
		after = query(q)
		t2 = time.Now()
		pUpd, pLat = append(pUpd, t1.Sub(t0)), append(pLat, t2.Sub(t0))
		changes = append(changes, change{id, v})
		if after[0].ID != id {
			bad++
		}
	}
	followedLen := idx.Len()
	log.Printf("query alone        p50 %7.2f ms  p95 %7.2f ms", ms(pct(qLat, 50)), ms(pct(qLat, 95)))
	log.Printf("Forget + query     p50 %7.2f ms  p95 %7.2f ms  (Forget alone p50 %.3f ms)", ms(pct(fLat, 50)), ms(pct(fLat, 95)), ms(pct(fUpd, 50)))
	log.Printf("Put + query        p50 %7.2f ms  p95 %7.2f ms  (Put alone p50 %.3f ms)", ms(pct(pLat, 50)), ms(pct(pLat, 95)), ms(pct(pUpd, 50)))
	log.Printf("checks failed: %d of %d", bad, 2*reps)

	// Commit the same changes to the database (untimed; both paths pay for
	// it), then time the old path: Invalidate and reload everything.
	table := fmt.Sprintf("vec_%d", m.ID)
	raw, err := openDB(db.Path)
	if err != nil {
		log.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range changes {
		if _, err := tx.Exec(`DELETE FROM `+table+` WHERE rowid = ?`, c.id); err != nil {
			log.Fatal(err)
		}
		if c.vec == nil {
			continue
		}
		if _, err := tx.Exec(`INSERT INTO `+table+`(rowid, embedding) VALUES (?, ?)`, c.id, blob(c.vec)); err != nil {
			log.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
	followed := idx
	svc.Invalidate()
	runtime.GC()
	t0 = time.Now()
	reloaded, err := svc.Index(ctx)
	reload := time.Since(t0)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("reload (Invalidate + Service.Index): %d rows in %v", reloaded.Len(), reload)
	same := reloaded.Len() == followedLen
	for _, q := range queries {
		a, b := followed.Search(q, k, nil), reloaded.Search(q, k, nil)
		if !slices.Equal(a, b) {
			same = false
		}
	}
	log.Printf("followed index = reloaded index (rows, top-%d of %d queries): %v", k, len(queries), same)

	qp50, qp95 := pct(qLat, 50), pct(qLat, 95)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n\n", followTitle)
	fmt.Fprintf(&b, "Claim: trashing or re-embedding one entry in a library of %d vectors updates search in < 50 ms, with no full reload.\n\n", n)
	fmt.Fprintf(&b, "- `go run ./cmd/knn-bench -only follow -n %d -out docs/bench`\n", n)
	fmt.Fprintf(&b, "- machine: %s, %d cores (runtime.NumCPU), %s/%s; knn kernel: %s; sqlite-vec %s; date %s\n",
		cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, knn.Kernel(), vecVersion(), time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- load average (other work on this shared machine) at start %s, at end %s\n", loadStart, loadAvg())
	fmt.Fprintf(&b, "- data: %d random normalised %d-d vectors (%d clusters, seed %d, generated in %.1f s) written to a library database made by store.Open + EnsureModel (vec0 table, app defaults) in %.1f s, file %.0f MB; loaded by search.Service.Index in %.2f s\n",
		n, dim, nClusters, *flagSeed, genTime.Seconds(), fill.Seconds(), float64(st.Size())/1e6, firstLoad.Seconds())
	fmt.Fprintf(&b, "- memory-bandwidth floor (sum all %.2f GB of floats, %d threads, best of 5): %.1f ms (%.1f GB/s): a top-k query cannot beat one pass over the data\n",
		gb, runtime.NumCPU(), ms(floor), gb/floor.Seconds())
	fmt.Fprintf(&b, "- %d repetitions, interleaved (query alone, trash + query, re-embed + query), one query vector per repetition; top-%d over all rows, default threads\n", reps, k)
	fmt.Fprintf(&b, "- trash = `Service.Forget([]int64{id})` of the query's best hit; re-embed = `Service.Put(map{id: v})` replacing a far entry's vector by the query itself; the query = `Service.Index` (must return the same index, i.e. no reload: it did every time) then `Index.Search`\n")
	fmt.Fprintf(&b, "- checks: the trashed entry gone and the old 2nd hit now 1st; the re-embedded entry now 1st — failed %d of %d\n", bad, 2*reps)
	fmt.Fprintf(&b, "- not included: the SQLite write of the change itself (deleting/replacing the row), which the reload path pays too\n")
	fmt.Fprintf(&b, "- reload: the same %d changes committed to the vec0 table, then `Service.Invalidate()` + `Service.Index` (store.ForEachVector into a new knn.Index), timed once after a GC; reloaded index equals the followed one (rows, top-%d of all %d queries): %v\n\n",
		2*reps, k, len(queries), same)
	fmt.Fprintf(&b, "| operation | p50 ms | p95 ms | p50 ÷ query-alone p50 | full reload ÷ p50 |\n|---|---|---|---|---|\n")
	row := func(name string, lat []time.Duration) {
		p50 := pct(lat, 50)
		fmt.Fprintf(&b, "| %s | %.3f | %.3f | %.3f | %.0f× |\n", name, ms(p50), ms(pct(lat, 95)), float64(p50)/float64(qp50), float64(reload)/float64(p50))
	}
	row("(c) top-50 query alone", qLat)
	row("(a) Forget one id + next top-50 query", fLat)
	row("(b) Put (replace) one vector + next top-50 query", pLat)
	row("Forget alone", fUpd)
	row("Put alone", pUpd)
	fmt.Fprintf(&b, "| (d) full reload, Invalidate + Service.Index (once) | %.0f | — | %.0f | 1× |\n", ms(reload), float64(reload)/float64(qp50))
	fmt.Fprintf(&b, "\nTrash + query p50 %.2f ms (p95 %.2f) and re-embed + query p50 %.2f ms (p95 %.2f), against %.1f s for a reload: %.0f× and %.0f× faster. The update itself is %.3f ms / %.3f ms (p50); the rest is the query (p50 %.2f ms, p95 %.2f ms).\n",
		ms(pct(fLat, 50)), ms(pct(fLat, 95)), ms(pct(pLat, 50)), ms(pct(pLat, 95)), reload.Seconds(),
		float64(reload)/float64(pct(fLat, 50)), float64(reload)/float64(pct(pLat, 50)),
		ms(pct(fUpd, 50)), ms(pct(pUpd, 50)), ms(qp50), ms(qp95))
	worst := max(pct(fLat, 95), pct(pLat, 95))
	if worst < 50*time.Millisecond {
		fmt.Fprintf(&b, "\nVerdict on this machine at N = %d: the claim holds — update + next query p95 %.1f ms < 50 ms, no reload.\n", n, ms(worst))
	} else {
		fmt.Fprintf(&b, "\nVerdict on this machine at N = %d: no reload holds, and the update itself takes %.3f ms (p95 %.3f), far under 50 ms; but update + next query does not come in under 50 ms here (p95 %.1f ms), because the top-%d query alone over %d vectors takes p50 %.1f ms (%.1f× the %.1f ms bandwidth floor). Following a change adds %+.1f%% / %+.1f%% (p50) to the query it precedes.\n",
			n, ms(max(pct(fUpd, 50), pct(pUpd, 50))), ms(max(pct(fUpd, 95), pct(pUpd, 95))), ms(worst), k, n, ms(qp50), float64(qp50)/float64(floor), ms(floor),
			100*(float64(pct(fLat, 50))/float64(qp50)-1), 100*(float64(pct(pLat, 50))/float64(qp50)-1))
	}
	return b.String()
}

// appendSection replaces any earlier follow section of knn.md (up to the
// next "## " heading) with s at the end, keeping the rest as it is.
func appendSection(path, s string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	if i := strings.Index(text, "\n"+followTitle+"\n"); i >= 0 {
		rest := text[i+1:]
		if j := strings.Index(rest[len(followTitle):], "\n## "); j >= 0 {
			text = text[:i+1] + rest[len(followTitle)+j+1:]
		} else {
			text = text[:i]
		}
	}
	text = strings.TrimRight(text, "\n") + "\n" + s
	return os.WriteFile(path, []byte(text), 0o644)
}
