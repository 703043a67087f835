package api

import (
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/facts"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// TestItemsCarryFactsAndLabel: a scanned 3 s video comes back from search
// with its facts and a clock label, found by the facts' terms; the
// inspector's entry has them too. (A song's facts come from the audio
// decoder, another part of the work: its terms are tested in query.)
func TestItemsCarryFactsAndLabel(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	root := t.TempDir()
	for name, args := range map[string][]string{
		"clip.mp4": {"-f", "lavfi", "-i", "color=c=red:s=160x120:d=3", "-c:v", "libx264", "-pix_fmt", "yuv420p"},
		"tone.wav": {"-f", "lavfi", "-i", "sine=frequency=440:duration=2"},
	} {
		cmd := append([]string{"-hide_banner", "-loglevel", "error", "-nostdin"}, args...)
		if out, err := exec.Command("ffmpeg", append(cmd, filepath.Join(root, name))...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %s: %v %s", name, err, out)
		}
	}
	a, _ := indexedLibrary(t, root, workspace.ModelOptions{Model: colourModel, ModelsDir: t.TempDir()})
	for q, want := range map[string]struct {
		path, label string
		duration    float64
	}{
		"type:video":                 {"clip.mp4", "0:03", 3},
		"duration:>2.5s":             {"clip.mp4", "0:03", 3},
		"codec:h264":                 {"clip.mp4", "0:03", 3},
		"duration:2s..4s type:video": {"clip.mp4", "0:03", 3},
	} {
		res, err := a.Search(SearchRequest{Query: q, Limit: 10})
		if err != nil || res.Error != nil {
			t.Fatalf("%q: %v %+v", q, err, res.Error)
		}
		if len(res.Items) != 1 || res.Items[0].Path != want.path {
			t.Errorf("%q: %+v, want only %s", q, res.Items, want.path)
			continue
		}
		it := res.Items[0]
		if it.Label != want.label || it.Facts == nil || math.Abs(it.Facts.Duration-want.duration) > 0.1 {
			t.Errorf("%q: label %q facts %+v, want %q and %.1f s", q, it.Label, it.Facts, want.label, want.duration)
		}
	}
	d, err := a.Entry(entryID(t, a, "clip.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Facts == nil || d.Facts.Codec != "h264" || d.Facts.Width != 160 || d.Facts.Height != 120 || d.Label != "0:03" {
		t.Errorf("entry: label %q facts %+v", d.Label, d.Facts)
	}
}

func TestFactsLabel(t *testing.T) {
	for _, tc := range []struct {
		f    facts.Facts
		want string
	}{
		{facts.Facts{Duration: 83}, "1:23"},
		{facts.Facts{Duration: 2.6}, "0:03"},
		{facts.Facts{Duration: 0.2}, "0:01"},
		{facts.Facts{Duration: 3723}, "1:02:03"},
		{facts.Facts{Duration: 59.6}, "1:00"},
		{facts.Facts{Pages: 12}, "12 p"},
		{facts.Facts{Pages: 1, Duration: 5}, "0:05"},
		{facts.Facts{Artist: "x"}, ""},
	} {
		if got := factsLabel(tc.f); got != tc.want {
			t.Errorf("factsLabel(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

// TestVideoPageCostsBoundedStatements: a page of videos reads their facts
// in one statement, whether it holds 10 results or 100.
func TestVideoPageCostsBoundedStatements(t *testing.T) {
	a, ws := quietAPI(t)
	db := ws.Lib.DB
	ctx := t.Context()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for i := range 200 {
			e := store.Entry{Path: fmt.Sprintf("gen/%03d.mp4", i), Size: 1, Fingerprint: fmt.Sprint(i), MediaType: "video",
				Thumb: "t.jpg", Taken: fmt.Sprintf("2020-01-%02d", 1+i%28)}
			if err := store.InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			if err := store.SetFacts(ctx, tx, e.ID, facts.Facts{Duration: float64(60 + i), Codec: "h264"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cost := map[int]int64{}
	for _, limit := range []int{10, 100} {
		if _, err := a.Search(SearchRequest{Query: "type:video", Limit: limit}); err != nil {
			t.Fatal(err)
		}
		before := db.Statements()
		res, err := a.Search(SearchRequest{Query: "type:video", Limit: limit, Offset: 50, Sort: "name"})
		if err != nil || res.Error != nil {
			t.Fatalf("%v %v", err, res.Error)
		}
		if len(res.Items) != limit {
			t.Fatalf("%d items, want %d", len(res.Items), limit)
		}
		// Sorted by name from offset 50: gen/050.mp4 lasts 110 s.
		if it := res.Items[0]; it.Path != "gen/050.mp4" || it.Label != "1:50" {
			t.Errorf("first item %s label %q, want gen/050.mp4 1:50", it.Path, it.Label)
		}
		cost[limit] = db.Statements() - before
	}
	if cost[100] != cost[10] || cost[100] > 9 {
		t.Errorf("a page of 10 videos costs %d statements, of 100 %d; want the same, at most 9", cost[10], cost[100])
	}
	t.Logf("%d statements a page", cost[100])
}
