package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/faces"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/tags"
)

// unitVec fills v with a random unit vector.
func unitVec(r *rand.Rand, v []float32) {
	var s float64
	for j := range v {
		v[j] = float32(r.NormFloat64())
		s += float64(v[j]) * float64(v[j])
	}
	inv := float32(1 / math.Sqrt(s))
	for j := range v {
		v[j] *= inv
	}
}

// nearCopy returns v moved by noise to cosine ≈ c with it, normalised.
func nearCopy(r *rand.Rand, v []float32, c float64) []float32 {
	eps := math.Sqrt(1/(c*c)-1) * math.Sqrt(1/float64(len(v)))
	w := make([]float32, len(v))
	var s float64
	for j := range w {
		w[j] = v[j] + float32(eps*r.NormFloat64())
		s += float64(w[j]) * float64(w[j])
	}
	for j := range w {
		w[j] /= float32(math.Sqrt(s))
	}
	return w
}

// fillVectorLibrary writes n entries with 512-d unit vectors, 1% of them
// near-copies (cosine ≈ 0.99) of an earlier one, into a new library.
func fillVectorLibrary(ctx context.Context, path string, n int) (*store.DB, store.Model, error) {
	os.Remove(path)
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, store.Model{}, err
	}
	m, err := db.EnsureModel(ctx, "bench-512", "bench", 512)
	if err != nil {
		return nil, store.Model{}, err
	}
	r := rand.New(rand.NewPCG(uint64(n), 19))
	prev := make([][]float32, 0, 1000)
	for lo := 0; lo < n; lo += 10000 {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for i := lo; i < min(n, lo+10000); i++ {
				e := store.Entry{Path: fmt.Sprintf("gen/d%04d/p%06d.jpg", i/100, i), Size: int64(20000 + i), MtimeNs: 1,
					Fingerprint: fmt.Sprintf("x1:%016x", r.Uint64()), MediaType: "image", Width: 640, Height: 480, Thumb: "t"}
				if err := store.InsertEntry(ctx, tx, &e); err != nil {
					return err
				}
				var v []float32
				if i%100 == 99 && len(prev) > 0 {
					v = nearCopy(r, prev[r.IntN(len(prev))], 0.99)
				} else {
					v = make([]float32, 512)
					unitVec(r, v)
					if len(prev) < cap(prev) {
						prev = append(prev, v)
					} else {
						prev[r.IntN(len(prev))] = v
					}
				}
				if err := store.PutVector(ctx, tx, m, e.ID, v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, store.Model{}, fmt.Errorf("fill library: %w", err)
		}
	}
	return db, m, nil
}

// fillFaceLibrary writes n faces (4 per entry) with 128-d unit vectors:
// people of 2–98 faces each, every face its person's centre plus noise
// (≈ 0.6 alike within a person, ≈ 0 across).
func fillFaceLibrary(ctx context.Context, path string, n int) (*store.DB, error) {
	os.Remove(path)
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := db.EnsureFaceIndex(ctx, 128); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(uint64(n), 20))
	centre := make([]float32, 128)
	left := 0
	for lo := 0; lo < n; lo += 20000 {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for i := lo; i < min(n, lo+20000); i += 4 {
				e := store.Entry{Path: fmt.Sprintf("faces/d%04d/p%06d.jpg", i/400, i), Size: 1, MtimeNs: 1,
					Fingerprint: fmt.Sprintf("x1:%016x", r.Uint64()), MediaType: "image", Width: 640, Height: 480, Thumb: "t"}
				if err := store.InsertEntry(ctx, tx, &e); err != nil {
					return err
				}
				var fs []store.Face
				for k := range min(4, n-i) {
					if left == 0 {
						unitVec(r, centre)
						left = 2 + r.IntN(97)
					}
					left--
					fs = append(fs, store.Face{X: 0.2 * float64(k), Y: 0.1, W: 0.1, H: 0.1, Score: 0.9, Quality: 0.5, Vec: nearCopy(r, centre, 0.8)})
				}
				if _, _, err := store.ReplaceFaces(ctx, tx, e.ID, fs, 1); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("fill faces: %w", err)
		}
	}
	return db, nil
}

// peakRSS resets the kernel's peak-RSS mark (clear_refs 5) and returns a
// function that reads the peak (VmHWM) since, in MB.
func peakRSS() func() float64 {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return func() float64 {
		b, _ := os.ReadFile("/proc/self/status")
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return kb / 1024
			}
		}
		return 0
	}
}

func benchScale(ctx context.Context, rep *report, data string) error {
	dir := filepath.Join(data, "scale")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rep.line("## Near-duplicates (`search.Service.Duplicates`, threshold 0.98)")
	rep.line("")
	rep.line("Generated libraries of 512-d unit vectors, 1%% of them near-copies (cosine ≈ 0.99) of another; fresh service per size. *load* = vectors into memory (`Service.Index`), *first* = hashing + exact comparison of candidates (`knn.NearPairs`) + grouping + keeper order, *again* = the same call with the pairs cached. Growth is against the previous size (linear = ×%s).", "3.3")
	rep.line("")
	rep.line("| entries | groups | load s | first s | growth | again ms | recall of planted copies |")
	rep.line("|---|---|---|---|---|---|---|")
	prevFirst := 0.0
	for _, n := range []int{10000, 30000, 100000} {
		db, m, err := fillVectorLibrary(ctx, filepath.Join(dir, fmt.Sprintf("dupes-%d.db", n)), n)
		if err != nil {
			return err
		}
		s := search.New(db, tags.New(db), nil, m, search.Encoders{})
		t0 := time.Now()
		if _, err := s.Index(ctx); err != nil {
			return err
		}
		load := time.Since(t0).Seconds()
		t0 = time.Now()
		gs, err := s.Duplicates(ctx, 0.98, nil)
		if err != nil {
			return err
		}
		first := time.Since(t0).Seconds()
		t0 = time.Now()
		if _, err := s.Duplicates(ctx, 0.98, nil); err != nil {
			return err
		}
		again := time.Since(t0).Seconds() * 1000
		inGroup, found := 0, 0
		for _, g := range gs {
			inGroup += len(g.EntryIDs)
			for _, p := range g.Paths {
				// Entry i is …/p<i>.jpg; i%100 == 99 are the planted copies.
				if i, err := strconv.Atoi(strings.TrimSuffix(p[strings.LastIndex(p, "/p")+2:], ".jpg")); err == nil && i%100 == 99 {
					found++
				}
			}
		}
		planted := n / 100
		growth := "—"
		if prevFirst > 0 {
			growth = fmt.Sprintf("×%.1f", first/prevFirst)
		}
		prevFirst = first
		rep.line("| %d | %d (%d entries) | %.2f | %.2f | %s | %.1f | %d of %d |", n, len(gs), inGroup, load, first, growth, again, found, planted)
		db.Close()
	}
	rep.line("")
	rep.line("## Regrouping faces (`faces.Recluster`, default tuning)")
	rep.line("")
	rep.line("Generated 128-d face vectors, 4 faces a picture, people of 2–98 faces (cosine ≈ 0.64 within a person). Peak RSS is the process's VmHWM after resetting it (`/proc/self/clear_refs` 5) just before the call, minus the RSS before it.")
	rep.line("")
	rep.line("| faces | people | seconds | growth | peak RSS added MB |")
	rep.line("|---|---|---|---|---|")
	prev, prevN := 0.0, 0
	for _, n := range []int{17000, 100000} {
		db, err := fillFaceLibrary(ctx, filepath.Join(dir, fmt.Sprintf("faces-%d.db", n)), n)
		if err != nil {
			return err
		}
		runtime.GC()
		debug.FreeOSMemory()
		before := rssMB()
		peak := peakRSS()
		t0 := time.Now()
		people, err := faces.Recluster(ctx, db, faces.DefaultTuning(), nil)
		if err != nil {
			return err
		}
		sec := time.Since(t0).Seconds()
		added := peak() - before
		growth := "—"
		if prev > 0 {
			growth = fmt.Sprintf("×%.1f for ×%.1f faces", sec/prev, float64(n)/float64(prevN))
		}
		prev, prevN = sec, n
		rep.line("| %d | %d | %.2f | %s | %.0f |", n, people, sec, growth, added)
		db.Close()
	}
	rep.line("")
	return nil
}

func rssMB() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
