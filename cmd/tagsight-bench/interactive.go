package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/api"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/watch"
	"github.com/tagsight/tagsight/backend/workspace"
)

// The interactive benchmark: every call the UI makes while the user waits
// (the grid's pages, tags, completion, the library's header, people),
// on generated libraries of growing size, through the API type the
// window and serve both use.

const interactiveTags = 200

// fillInteractiveLibrary writes n generated entries straight through the
// store (no files: no call measured here reads one): folders by year and
// month, a mix of media types, dates, ~30% of entries tagged with 1–3 of
// 200 tags, a vector of the library's model for every picture, 2% missing,
// and one face in every 20th entry, grouped into 300 people (60 named).
func fillInteractiveLibrary(ctx context.Context, ws *workspace.Workspace, n int) error {
	db := ws.Lib.DB
	m := ws.Now().StoreModel
	r := rand.New(rand.NewSource(int64(n)))
	now := time.Now().Unix()
	kinds := []struct{ ext, media, format, mime string }{
		{"jpg", "image", "jpeg", "image/jpeg"}, {"jpg", "image", "jpeg", "image/jpeg"}, {"jpg", "image", "jpeg", "image/jpeg"},
		{"jpg", "image", "jpeg", "image/jpeg"}, {"jpg", "image", "jpeg", "image/jpeg"}, {"png", "image", "png", "image/png"},
		{"heic", "image", "heif", "image/heic"}, {"cr2", "raw", "cr2", "image/x-canon-cr2"}, {"mp4", "video", "mp4", "video/mp4"},
		{"pdf", "document", "pdf", "application/pdf"},
	}
	tagged := map[int64][]int64{} // tag → entries
	var faceEntries []int64
	for lo := 0; lo < n; lo += 10000 {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for i := lo; i < min(n, lo+10000); i++ {
				k := kinds[r.Intn(len(kinds))]
				y, mo, d := 2000+r.Intn(25), 1+r.Intn(12), 1+r.Intn(28)
				e := store.Entry{Path: fmt.Sprintf("%04d/%02d/IMG_%07d.%s", y, mo, i, k.ext), Size: int64(1e5 + r.Intn(9e6)),
					MtimeNs: 1, Fingerprint: fmt.Sprintf("gen%016x", r.Uint64()), MediaType: k.media, Format: k.format, Mime: k.mime,
					Width: 4000, Height: 3000, Orientation: 1, Taken: fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:00", y, mo, d, r.Intn(24), r.Intn(60)),
					Make: []string{"Canon", "Nikon", "Sony", "Fujifilm"}[r.Intn(4)], Thumb: fmt.Sprintf("gen/%07d-256.jpg", i),
					AddedAt: now - int64(r.Intn(1e8)), UpdatedAt: now}
				if err := store.InsertEntry(ctx, tx, &e); err != nil {
					return err
				}
				if k.media == "image" || k.media == "raw" {
					v := make([]float32, m.Dim)
					for j := range v {
						v[j] = r.Float32() - 0.5
					}
					if err := store.PutVector(ctx, tx, m, e.ID, v); err != nil {
						return err
					}
				}
				if r.Intn(10) < 3 {
					for t := 0; t < 1+r.Intn(3); t++ {
						tag := int64(r.Intn(interactiveTags))
						tagged[tag] = append(tagged[tag], e.ID)
					}
				}
				if i%20 == 0 {
					faceEntries = append(faceEntries, e.ID)
				}
				if r.Intn(50) == 0 {
					if err := store.SetMissing(ctx, tx, []int64{e.ID}, true); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("fill library: %w", err)
		}
	}
	for t := 0; t < interactiveTags; t++ {
		id, err := db.CreateTag(ctx, fmt.Sprintf("tag%03d", t), now)
		if err != nil {
			return fmt.Errorf("fill tags: %w", err)
		}
		if _, err := db.ApplyTag(ctx, id, tagged[int64(t)]); err != nil {
			return fmt.Errorf("fill tags: %w", err)
		}
	}
	const people = 300
	byPerson := make([][]int64, people)
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for i, id := range faceEntries {
			ids, _, err := store.ReplaceFaces(ctx, tx, id, []store.Face{{X: 0.3, Y: 0.3, W: 0.2, H: 0.2, Score: 0.9,
				Quality: r.Float64(), Vec: make([]float32, 128)}}, now)
			if err != nil {
				return err
			}
			byPerson[i%people] = append(byPerson[i%people], ids...)
		}
		for _, fs := range byPerson {
			p, err := store.NewPerson(ctx, tx)
			if err != nil {
				return err
			}
			if err := store.AssignFaces(ctx, tx, p, fs, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("fill faces: %w", err)
	}
	ps, err := db.People(ctx, true)
	if err != nil {
		return err
	}
	for i, p := range ps {
		if i%5 == 0 {
			if _, err := db.NamePerson(ctx, p.ID, fmt.Sprintf("Person %03d", i)); err != nil {
				return err
			}
		}
	}
	return db.PruneChanges(ctx)
}

type interactiveCall struct {
	name string
	call func() error
	prep func() error // untimed, before each run (nil: none)
}

func benchInteractive(ctx context.Context, rep *report, data string, sizes []int, runs int) error {
	type row struct{ p50, p95 []float64 }
	var names []string
	rows := map[string]*row{}
	for _, n := range sizes {
		dir := filepath.Join(data, fmt.Sprintf("interactive%d", n))
		if _, err := os.Stat(filepath.Join(dir, ".complete")); err != nil {
			ws, err := openLiveLib(ctx, dir)
			if err != nil {
				return err
			}
			t := time.Now()
			err = fillInteractiveLibrary(ctx, ws, n)
			ws.Close()
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "generated %d entries in %s\n", n, time.Since(t).Round(time.Millisecond))
			if err := os.WriteFile(filepath.Join(dir, ".complete"), nil, 0o644); err != nil {
				return err
			}
		}
		a := api.New(api.Options{Version: "bench", ConfigDir: filepath.Join(dir, "config"), Watch: watch.Options{Mode: "off"},
			Model: workspace.ModelOptions{Model: liveModel, Precision: "fp32"}})
		if err := api.Open(a, dir, false); err != nil {
			return err
		}
		srv := httptest.NewServer(api.Handler(a, api.HTTPOptions{}))
		search := func(q, sort string, offset int) func() error {
			return func() error {
				res, err := a.Search(api.SearchRequest{Query: q, Limit: 100, Offset: offset, Sort: sort})
				if err == nil && res.Error != nil {
					err = fmt.Errorf("%s", res.Error.Message)
				}
				if err == nil && len(res.Items) == 0 {
					err = fmt.Errorf("%q: no results", q)
				}
				return err
			}
		}
		deep := n / 2
		// change tags one entry on and off, so the next call finds the
		// library changed (what it kept for the last state no longer holds).
		ts, err := a.Tags()
		if err != nil || len(ts) == 0 {
			return fmt.Errorf("tags: %v", err)
		}
		on := false
		change := func() error {
			var err error
			if on = !on; on {
				_, err = a.ApplyTag(ts[0].ID, []int64{1})
			} else {
				_, err = a.RemoveTag(ts[0].ID, []int64{1})
			}
			return err
		}
		scroll := deep
		calls := []interactiveCall{
			{"search: empty query, first 100", search("", "", 0), nil},
			{"search: `filetype:jpg`", search("filetype:jpg", "", 0), nil},
			{"search: `NOT tag:tag007`", search("NOT tag:tag007", "", 0), nil},
			{"search: `tag:tag007`", search("tag:tag007", "", 0), nil},
			{"search: newest first (`-taken`)", search("", "-taken", 0), nil},
			{"search: `-taken` at offset n/2", search("", "-taken", deep), nil},
			{"search: by name at offset n/2", search("", "", deep), nil},
			{"search: scrolling on by name from n/2 (next page each run)", func() error {
				scroll += 100
				return search("", "", scroll)()
			}, nil},
			{"search: empty query right after a change", search("", "", 0), change},
			{"search: `-taken` at offset n/2 right after a change", search("", "-taken", deep), change},
			{"search: `NOT tag:tag007` right after a change", search("NOT tag:tag007", "", 0), change},
			{"search: `filetype:jpg` at offset n/4 right after a change", search("filetype:jpg", "", n/4), change},
			{"search: by meaning (`red`) right after a change", search("red", "", 0), change},
			{"search: by meaning (`red`)", search("red", "", 0), nil},
			{"Tags", func() error { _, err := a.Tags(); return err }, nil},
			{"Autocomplete `tag:ta`", func() error { _, err := a.Autocomplete("tag:ta", 6); return err }, nil},
			{"LibraryInfo", func() error { _, err := a.LibraryInfo(); return err }, nil},
			{"LibraryInfo right after a change", func() error { _, err := a.LibraryInfo(); return err }, change},
			{"People", func() error { _, err := a.People(false); return err }, nil},
			{"People right after a change", func() error { _, err := a.People(false); return err }, change},
			{"search over HTTP: empty query, first 100", func() error {
				b, _ := json.Marshal([]any{api.SearchRequest{Limit: 100}})
				resp, err := http.Post(srv.URL+"/api/Search", "application/json", bytes.NewReader(b))
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				var out api.SearchResult
				if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
					return err
				}
				if len(out.Items) != 100 {
					return fmt.Errorf("http search: %d items (status %d)", len(out.Items), resp.StatusCode)
				}
				return nil
			}, nil},
		}
		for _, c := range calls {
			if err := c.call(); err != nil { // warm: the first call loads the vectors
				return fmt.Errorf("%s: %w", c.name, err)
			}
			ms := make([]float64, 0, runs)
			for i := 0; i < runs; i++ {
				if c.prep != nil {
					if err := c.prep(); err != nil {
						return fmt.Errorf("%s: %w", c.name, err)
					}
				}
				t := time.Now()
				if err := c.call(); err != nil {
					return fmt.Errorf("%s: %w", c.name, err)
				}
				ms = append(ms, float64(time.Since(t).Microseconds())/1000)
			}
			p50, p95 := percentiles(ms)
			if rows[c.name] == nil {
				rows[c.name] = &row{}
				names = append(names, c.name)
			}
			rows[c.name].p50 = append(rows[c.name].p50, p50)
			rows[c.name].p95 = append(rows[c.name].p95, p95)
			fmt.Fprintf(os.Stderr, "%d %-45s p50 %7.2f ms  p95 %7.2f ms\n", n, c.name, p50, p95)
		}
		srv.Close()
		api.Shutdown(a)
	}
	rep.line("## Interactive calls: p50 / p95 ms over %d runs, growth of p50 per size step in brackets", runs)
	rep.line("")
	head, sep := "| call |", "|---|"
	for i, n := range sizes {
		head += fmt.Sprintf(" %dk |", n/1000)
		sep += "---|"
		if i > 0 {
			head += " growth |"
			sep += "---|"
		}
	}
	rep.line("%s", head)
	rep.line("%s", sep)
	worst, worstChanged := 0.0, 0.0
	for _, name := range names {
		r := rows[name]
		line := "| " + name + " |"
		for i := range r.p50 {
			line += fmt.Sprintf(" %.2f / %.2f |", r.p50[i], r.p95[i])
			if i > 0 {
				line += fmt.Sprintf(" %.1f× |", r.p50[i]/max(r.p50[i-1], 0.001))
			}
		}
		if strings.Contains(name, "after a change") {
			worstChanged = max(worstChanged, r.p95[len(r.p95)-1])
		} else {
			worst = max(worst, r.p95[len(r.p95)-1])
		}
		rep.line("%s", line)
	}
	rep.line("")
	rep.line("Worst p95 at %d entries: %.2f ms (goal ≤ 20 ms); right after a change: %.2f ms. Each library is generated through the store "+
		"(%d tags on ~30%% of entries, vectors of the toy model `%s` for every picture, 2%% missing, a face in every "+
		"20th entry in 300 people); the API is opened with the watcher off, so nothing else runs. Every call is made "+
		"once to warm before it is timed; searches ask for pages of 100. Counts, the people list and a filter's "+
		"positions are kept until the library changes: the rows \"right after a change\" tag one entry on or off "+
		"(untimed) before each timed call, so they pay for counting again.", sizes[len(sizes)-1], worst, worstChanged, interactiveTags, liveModel)
	rep.line("")
	return nil
}
