// Command knn-bench compares exact top-k search over CLIP-like vectors:
// sqlite-vec's vec0 (as shipped, with mmap, with partition/metadata/rowid
// filters) against the in-memory backend/knn index, with recall against a
// float64 brute force and the machine's memory-bandwidth floor.
//
//	go run ./cmd/knn-bench -n 10000,100000,1000000 -out docs/bench
//
// With -only follow it instead times how the loaded index follows one
// trashed or re-embedded entry (search.Service's Forget and Put, then the
// next query) against a full reload, and appends that section to knn.md:
//
//	go run ./cmd/knn-bench -only follow -n 1000000 -out docs/bench
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	sqlite_vec "github.com/asg017/sqlite-vec-go-bindings/cgo"
	_ "github.com/mattn/go-sqlite3"

	"github.com/tagsight/tagsight/backend/knn"
	"github.com/tagsight/tagsight/backend/store"
)

const (
	dim       = 512
	nClusters = 1000
	parts     = 10 // filter = one of parts partitions, ~10% of rows
	filterVal = 3
)

var (
	flagN       = flag.String("n", "10000,100000", "comma-separated collection sizes")
	flagOut     = flag.String("out", "", "folder for knn.md (none: print only)")
	flagQueries = flag.Int("queries", 50, "queries per method")
	flagK       = flag.Int("k", 50, "top k")
	flagSeed    = flag.Uint64("seed", 42, "random seed")
	flagBudget  = flag.Duration("budget", 90*time.Second, "time limit per method (at least 5 queries run)")
	flagDir     = flag.String("dir", "", "folder for the SQLite files (default: a temp folder, removed after)")
	flagFaiss   = flag.Bool("faiss", true, "also time faiss IndexFlatIP through /usr/bin/python3 if it imports")
	flagOnly    = flag.String("only", "", `"follow": only time following one change (Forget/Put + query) against a full reload, and append that section to knn.md`)
)

func main() {
	flag.Parse()
	log.SetFlags(log.Ltime)
	sqlite_vec.Auto()
	dir := *flagDir
	if dir == "" {
		d, err := os.MkdirTemp("", "knn-bench-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if *flagOnly == "follow" {
		var sections strings.Builder
		for _, s := range strings.Split(*flagN, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < *flagK+200 {
				log.Fatalf("bad -n %q", s)
			}
			section := runFollow(context.Background(), dir, n)
			sections.WriteString(section)
			fmt.Print(section)
		}
		if *flagOut != "" {
			p := filepath.Join(*flagOut, "knn.md")
			if err := appendSection(p, sections.String()); err != nil {
				log.Fatal(err)
			}
			log.Printf("appended to %s", p)
		}
		return
	} else if *flagOnly != "" {
		log.Fatalf("bad -only %q (want follow)", *flagOnly)
	}
	var report strings.Builder
	fmt.Fprintf(&report, "# KNN top-%d, %d-d normalised vectors\n\n", *flagK, dim)
	fmt.Fprintf(&report, "- machine: %s, %d cores (runtime.NumCPU), %s/%s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&report, "- date: %s; sqlite-vec %s; knn kernel: %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), vecVersion(), knn.Kernel())
	fmt.Fprintf(&report, "- data: %d clusters, seed %d; %d queries per method (fewer if a method passes the %s budget); filter = one of %d partitions (~10%%)\n",
		nClusters, *flagSeed, *flagQueries, *flagBudget, parts)
	fmt.Fprintf(&report, "- latency: one query at a time, after one warm-up query; recall@%d against a float64 brute force\n", *flagK)
	fmt.Fprintf(&report, "- `go run ./cmd/knn-bench -n %s`\n", *flagN)
	for _, s := range strings.Split(*flagN, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < *flagK {
			log.Fatalf("bad -n %q", s)
		}
		section := runSize(context.Background(), dir, n)
		report.WriteString(section)
		fmt.Print(section)
	}
	if *flagOut != "" {
		if err := os.MkdirAll(*flagOut, 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*flagOut, "knn.md"), []byte(report.String()), 0o644); err != nil {
			log.Fatal(err)
		}
		log.Printf("wrote %s", filepath.Join(*flagOut, "knn.md"))
	}
}

// dataset is N vectors (ids 1..N, row i = id i+1) and queries.
type dataset struct {
	n       int
	data    []float32
	queries [][]float32
}

func (d *dataset) vec(i int) []float32 { return d.data[i*dim : (i+1)*dim] }

// part assigns ids to partitions independently of the clusters.
func part(id int64) int64 {
	z := uint64(id) * 0x9E3779B97F4A7C15
	z ^= z >> 31
	return int64(z % parts)
}

func normalise(v []float32) {
	var s float64
	for _, f := range v {
		s += float64(f) * float64(f)
	}
	inv := float32(1 / math.Sqrt(s))
	for j := range v {
		v[j] *= inv
	}
}

// generate makes mildly clustered unit vectors: a random centroid plus
// Gaussian noise of about the same norm (cosine to the centroid ≈ 0.7).
func generate(n int, seed uint64) *dataset {
	r := rand.New(rand.NewPCG(seed, 0))
	cent := make([][]float32, nClusters)
	for c := range cent {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(r.NormFloat64())
		}
		normalise(v)
		cent[c] = v
	}
	noisy := func(r *rand.Rand, dst []float32, scale float64) {
		c := cent[r.IntN(nClusters)]
		sd := scale / math.Sqrt(dim)
		for j := range dst {
			dst[j] = c[j] + float32(r.NormFloat64()*sd)
		}
		normalise(dst)
	}
	d := &dataset{n: n, data: make([]float32, n*dim)}
	const chunk = 8192
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for lo := 0; lo < n; lo += chunk {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r := rand.New(rand.NewPCG(seed, uint64(lo)+1))
			for i := lo; i < min(lo+chunk, n); i++ {
				noisy(r, d.vec(i), 1.0)
			}
		}()
	}
	wg.Wait()
	rq := rand.New(rand.NewPCG(seed, 1<<62))
	for range *flagQueries {
		q := make([]float32, dim)
		noisy(rq, q, 1.2)
		d.queries = append(d.queries, q)
	}
	return d
}

func blob(v []float32) []byte { return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v)) }

// result of one method.
type result struct {
	name     string
	p50, p95 time.Duration
	recall   float64
	queries  int
	note     string
	err      error
}

// measure runs search over the queries (one warm-up first) until done or
// over budget, and scores recall against truth.
func measure(name string, queries [][]float32, truth [][]int64, search func(q []float32) ([]int64, error)) result {
	res := result{name: name}
	if _, err := search(queries[0]); err != nil {
		res.err = err
		log.Printf("%s: %v", name, err)
		return res
	}
	var lat []time.Duration
	var rsum float64
	start := time.Now()
	for i, q := range queries {
		t0 := time.Now()
		ids, err := search(q)
		lat = append(lat, time.Since(t0))
		if err != nil {
			res.err = err
			return res
		}
		rsum += recall(ids, truth[i])
		if i >= 4 && time.Since(start) > *flagBudget {
			break
		}
	}
	slices.Sort(lat)
	res.queries = len(lat)
	res.p50 = lat[(len(lat)-1)/2]
	res.p95 = lat[int(math.Ceil(0.95*float64(len(lat))))-1]
	res.recall = rsum / float64(len(lat))
	log.Printf("%-40s p50 %8.2f ms  p95 %8.2f ms  recall %.4f  (%d queries)", name, ms(res.p50), ms(res.p95), res.recall, res.queries)
	return res
}

func recall(got, want []int64) float64 {
	if len(want) == 0 {
		return 1
	}
	set := map[int64]bool{}
	for _, id := range want {
		set[id] = true
	}
	hit := 0
	for _, id := range got {
		if set[id] {
			hit++
			delete(set, id)
		}
	}
	return float64(hit) / float64(len(want))
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// truth computes the exact top k (float64 sums) per query, over all rows
// and over the filter partition.
func truth(d *dataset, k int) (all, filtered [][]int64) {
	all = make([][]int64, len(d.queries))
	filtered = make([][]int64, len(d.queries))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for qi, q := range d.queries {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			type sc struct {
				id int64
				s  float64
			}
			var ta, tf []sc
			push := func(t []sc, x sc) []sc {
				if len(t) == k && x.s <= t[k-1].s {
					return t
				}
				i, _ := slices.BinarySearchFunc(t, x, func(a, b sc) int {
					switch {
					case a.s > b.s:
						return -1
					case a.s < b.s:
						return 1
					}
					return 0
				})
				t = slices.Insert(t, i, x)
				if len(t) > k {
					t = t[:k]
				}
				return t
			}
			for i := range d.n {
				v := d.vec(i)
				var s0, s1, s2, s3 float64
				for j := 0; j < dim; j += 4 {
					s0 += float64(v[j]) * float64(q[j])
					s1 += float64(v[j+1]) * float64(q[j+1])
					s2 += float64(v[j+2]) * float64(q[j+2])
					s3 += float64(v[j+3]) * float64(q[j+3])
				}
				x := sc{int64(i + 1), (s0 + s1) + (s2 + s3)}
				ta = push(ta, x)
				if part(x.id) == filterVal {
					tf = push(tf, x)
				}
			}
			for _, x := range ta {
				all[qi] = append(all[qi], x.id)
			}
			for _, x := range tf {
				filtered[qi] = append(filtered[qi], x.id)
			}
		}()
	}
	wg.Wait()
	return all, filtered
}

func openDB(path string, pragmas ...string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // pragmas are per connection
	for _, p := range pragmas {
		if _, err := db.Exec(p); err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return db, nil
}

// loadSQLite writes the vectors into the app's table shape (vec_1) and a
// partitioned twin (vec_part) with the filter key as partition key and as
// metadata column.
func loadSQLite(ctx context.Context, path string, d *dataset) (app, partitioned time.Duration, err error) {
	db, err := openDB(path, "PRAGMA page_size=65536", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-65536")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	for _, ddl := range []string{
		fmt.Sprintf(`CREATE VIRTUAL TABLE vec_1 USING vec0(embedding float[%d] distance_metric=cosine)`, dim),
		fmt.Sprintf(`CREATE VIRTUAL TABLE vec_part USING vec0(part integer partition key, grp integer, embedding float[%d] distance_metric=cosine)`, dim),
	} {
		if _, err := db.Exec(ddl); err != nil {
			return 0, 0, err
		}
	}
	fill := func(stmt string, args func(i int) []any) (time.Duration, error) {
		start := time.Now()
		const batch = 10000
		for lo := 0; lo < d.n; lo += batch {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return 0, err
			}
			st, err := tx.Prepare(stmt)
			if err != nil {
				tx.Rollback()
				return 0, err
			}
			for i := lo; i < min(lo+batch, d.n); i++ {
				if _, err := st.Exec(args(i)...); err != nil {
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
	if app, err = fill(`INSERT INTO vec_1(rowid, embedding) VALUES (?, ?)`, func(i int) []any {
		return []any{int64(i + 1), blob(d.vec(i))}
	}); err != nil {
		return 0, 0, err
	}
	partitioned, err = fill(`INSERT INTO vec_part(rowid, part, grp, embedding) VALUES (?, ?, ?, ?)`, func(i int) []any {
		id := int64(i + 1)
		return []any{id, part(id), part(id), blob(d.vec(i))}
	})
	return app, partitioned, err
}

func vecQuery(db *sql.DB, query string, extra ...any) func(q []float32) ([]int64, error) {
	return func(q []float32) ([]int64, error) {
		args := append([]any{blob(q), *flagK}, extra...)
		rows, err := db.Query(query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
}

func hitIDs(h []knn.Hit) []int64 {
	ids := make([]int64, len(h))
	for i, x := range h {
		ids[i] = x.ID
	}
	return ids
}

func runSize(ctx context.Context, dir string, n int) string {
	k := *flagK
	loadStart := loadAvg()
	log.Printf("== N=%d: generating", n)
	t0 := time.Now()
	d := generate(n, *flagSeed)
	genTime := time.Since(t0)
	log.Printf("generated in %v; exact truth", genTime)
	t0 = time.Now()
	tAll, tFilt := truth(d, k)
	log.Printf("truth in %v; loading SQLite", time.Since(t0))

	path := filepath.Join(dir, fmt.Sprintf("vec-%d.db", n))
	os.Remove(path)
	appLoad, partLoad, err := loadSQLite(ctx, path, d)
	if err != nil {
		log.Fatalf("load sqlite: %v", err)
	}
	st, _ := os.Stat(path)
	log.Printf("sqlite load: vec_1 %v, vec_part %v, file %.1f MB", appLoad, partLoad, float64(st.Size())/1e6)

	var filterIDs []int64
	allow := make([]bool, n+1)
	for id := int64(1); id <= int64(n); id++ {
		if part(id) == filterVal {
			filterIDs = append(filterIDs, id)
			allow[id] = true
		}
	}
	idsJSON, _ := json.Marshal(filterIDs)

	var results []result
	// vec0 as shipped: default connection settings.
	plain, err := openDB(path)
	if err != nil {
		log.Fatal(err)
	}
	knnSQL := `SELECT rowid FROM vec_1 WHERE embedding MATCH ? AND k = ?`
	results = append(results, measure("vec0 as shipped", d.queries, tAll, vecQuery(plain, knnSQL)))
	plain.Close()

	mm, err := openDB(path, "PRAGMA mmap_size=2147483648")
	if err != nil {
		log.Fatal(err)
	}
	var mmSize int64
	mm.QueryRow("PRAGMA mmap_size").Scan(&mmSize)
	r := measure("vec0 + mmap", d.queries, tAll, vecQuery(mm, knnSQL))
	r.note = fmt.Sprintf("mmap_size=%d", mmSize)
	results = append(results, r)
	r = measure("vec0 + mmap, partition key filter", d.queries, tFilt,
		vecQuery(mm, `SELECT rowid FROM vec_part WHERE embedding MATCH ? AND k = ? AND part = ?`, filterVal))
	r.note = "`part integer partition key`, `AND part = 3`"
	results = append(results, r)
	r = measure("vec0 + mmap, metadata column filter", d.queries, tFilt,
		vecQuery(mm, `SELECT rowid FROM vec_part WHERE embedding MATCH ? AND k = ? AND grp = ?`, filterVal))
	r.note = "`grp integer` metadata, `AND grp = 3`"
	results = append(results, r)
	r = measure("vec0 + mmap, rowid IN filter", d.queries, tFilt,
		vecQuery(mm, `SELECT rowid FROM vec_1 WHERE embedding MATCH ? AND k = ? AND rowid IN (SELECT value FROM json_each(?))`, string(idsJSON)))
	r.note = fmt.Sprintf("%d ids via json_each", len(filterIDs))
	results = append(results, r)
	mm.Close()

	// knn.Index, loaded from the app-shaped table.
	t0 = time.Now()
	x := knn.New(dim)
	err = store.ForEachVec0File(ctx, path, "vec_1", dim, 0, func(c store.VectorChunk) error {
		if x.Len() == 0 {
			x.Reserve(c.Total)
		}
		x.AddRows(c.IDs, c.Vecs)
		return nil
	})
	loadMem := time.Since(t0)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("load into knn.Index: %d rows in %v", x.Len(), loadMem)
	search := func(th int, allowF func(int64) bool) func(q []float32) ([]int64, error) {
		return func(q []float32) ([]int64, error) {
			x.SetThreads(th)
			return hitIDs(x.Search(q, k, allowF)), nil
		}
	}
	results = append(results, measure(fmt.Sprintf("knn.Index, %d threads", runtime.NumCPU()), d.queries, tAll, search(0, nil)))
	results = append(results, measure("knn.Index, 1 thread", d.queries, tAll, search(1, nil)))
	knn.SetPortableKernel(true)
	r = measure(fmt.Sprintf("knn.Index, portable kernel, %d threads", runtime.NumCPU()), d.queries, tAll, search(0, nil))
	r.note = "what a CPU without AVX2 gets"
	results = append(results, r)
	knn.SetPortableKernel(false)
	r = measure("knn.Index, Search + allow filter", d.queries, tFilt, search(0, func(id int64) bool { return id >= 0 && id < int64(len(allow)) && allow[id] }))
	r.note = "allow = []bool lookup"
	results = append(results, r)
	r = measure("knn.Index, SearchIDs filter", d.queries, tFilt, func(q []float32) ([]int64, error) {
		x.SetThreads(0)
		return hitIDs(x.SearchIDs(q, k, filterIDs)), nil
	})
	r.note = fmt.Sprintf("%d ids", len(filterIDs))
	results = append(results, r)
	x.SetThreads(0)

	if *flagFaiss {
		if r, ok := runFaiss(dir, d, tAll); ok {
			results = append(results, r)
		}
	}

	f1 := bandwidthFloor(d.data, 1, 5)
	f2 := bandwidthFloor(d.data, runtime.NumCPU(), 5)
	gb := float64(len(d.data)*4) / 1e9

	var b strings.Builder
	fmt.Fprintf(&b, "\n## N = %d (%.2f GB of float32)\n\n", n, gb)
	fmt.Fprintf(&b, "- load average (other work on this shared machine) at start %s, at end %s\n", loadStart, loadAvg())
	fmt.Fprintf(&b, "- memory-bandwidth floor (sum all floats, best of 5): 1 thread %.1f ms (%.1f GB/s), %d threads %.1f ms (%.1f GB/s)\n",
		ms(f1), gb/f1.Seconds(), runtime.NumCPU(), ms(f2), gb/f2.Seconds())
	fmt.Fprintf(&b, "- SQLite load (page_size=65536, WAL, batches of 10k): vec_1 %.1f s, vec_part %.1f s; file %.0f MB\n",
		appLoad.Seconds(), partLoad.Seconds(), float64(st.Size())/1e6)
	fmt.Fprintf(&b, "- load into knn.Index (store.ForEachVec0File over vec_1): %.2f s; generating the data took %.1f s\n\n",
		loadMem.Seconds(), genTime.Seconds())
	fmt.Fprintf(&b, "| method | p50 ms | p95 ms | × floor (p50 / %d-thread floor) | recall@%d | queries | note |\n|---|---|---|---|---|---|---|\n", runtime.NumCPU(), k)
	for _, r := range results {
		if r.err != nil {
			fmt.Fprintf(&b, "| %s | — | — | — | — | — | error: %s |\n", r.name, strings.ReplaceAll(r.err.Error(), "|", "/"))
			continue
		}
		fmt.Fprintf(&b, "| %s | %.2f | %.2f | %.2f | %.4f | %d | %s |\n", r.name, ms(r.p50), ms(r.p95), float64(r.p50)/float64(f2), r.recall, r.queries, r.note)
	}
	return b.String()
}

var faissScript = `
import sys, time, json, numpy as np, faiss
n, d, k, path, qpath = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
x = np.fromfile(path, dtype=np.float32).reshape(n, d)
q = np.fromfile(qpath, dtype=np.float32).reshape(-1, d)
t = time.time(); idx = faiss.IndexFlatIP(d); idx.add(x); add = time.time() - t
idx.search(q[:1], k)
lat, ids = [], []
for i in range(len(q)):
    t = time.time(); D, I = idx.search(q[i:i+1], k); lat.append(time.time() - t)
    ids.append([int(v) + 1 for v in I[0]])
print(json.dumps({"lat": lat, "ids": ids, "add": add, "threads": faiss.omp_get_max_threads(), "opts": faiss.get_compile_options()}))
`

// runFaiss times Debian's faiss IndexFlatIP (one query per call) if it imports.
func runFaiss(dir string, d *dataset, tAll [][]int64) (result, bool) {
	if exec.Command("/usr/bin/python3", "-c", "import faiss").Run() != nil {
		log.Printf("faiss: not importable, skipped")
		return result{}, false
	}
	dp, qp := filepath.Join(dir, "x.f32"), filepath.Join(dir, "q.f32")
	write := func(p string, f []float32) error { return os.WriteFile(p, blob(f), 0o644) }
	var qs []float32
	for _, q := range d.queries {
		qs = append(qs, q...)
	}
	if write(dp, d.data) != nil || write(qp, qs) != nil {
		return result{}, false
	}
	defer os.Remove(dp)
	cmd := exec.Command("/usr/bin/python3", "-c", faissScript, strconv.Itoa(d.n), strconv.Itoa(dim), strconv.Itoa(*flagK), dp, qp)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Printf("faiss: %v", err)
		return result{}, false
	}
	var o struct {
		Lat     []float64
		IDs     [][]int64
		Add     float64
		Threads int
		Opts    string
	}
	if err := json.Unmarshal(out, &o); err != nil {
		log.Printf("faiss: %v", err)
		return result{}, false
	}
	lat := make([]time.Duration, len(o.Lat))
	var rs float64
	for i, s := range o.Lat {
		lat[i] = time.Duration(s * 1e9)
		rs += recall(o.IDs[i], tAll[i])
	}
	slices.Sort(lat)
	r := result{name: "faiss IndexFlatIP (python3-faiss 1.7.3)", queries: len(lat),
		p50: lat[(len(lat)-1)/2], p95: lat[int(math.Ceil(0.95*float64(len(lat))))-1], recall: rs / float64(len(lat)),
		note: fmt.Sprintf("Debian build %q, %d OpenMP threads, add %.2f s", strings.TrimSpace(o.Opts), o.Threads, o.Add)}
	log.Printf("%-40s p50 %8.2f ms  p95 %8.2f ms  recall %.4f", r.name, ms(r.p50), ms(r.p95), r.recall)
	return r, true
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return runtime.GOARCH
}

func vecVersion() string {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		return "?"
	}
	defer db.Close()
	var v string
	db.QueryRow("SELECT vec_version()").Scan(&v)
	return v
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
