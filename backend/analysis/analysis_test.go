package analysis

import (
	"context"
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// fakeAnalyzer counts what it is given; a Need with pixels makes it check
// that the one decoded picture is large enough.
type fakeAnalyzer struct {
	name, version string
	need          Need
	fail          string // paths containing this fail
	mu            sync.Mutex
	calls         map[string]int
}

func newFake(name, version string, need Need) *fakeAnalyzer {
	return &fakeAnalyzer{name: name, version: version, need: need, calls: map[string]int{}}
}

func (f *fakeAnalyzer) Name() string                       { return f.name }
func (f *fakeAnalyzer) Version() string                    { return f.version }
func (f *fakeAnalyzer) Applies(mediaType, rel string) bool { return mediaType == "image" }
func (f *fakeAnalyzer) Need() Need                         { return f.need }

func (f *fakeAnalyzer) Analyze(ctx context.Context, it *Item, p *Picture) (any, error) {
	f.mu.Lock()
	f.calls[it.Rel]++
	f.mu.Unlock()
	if f.need.pixels() {
		if p.Image == nil {
			return nil, p.DecodeErr
		}
		b := p.Image.Bounds()
		if min(b.Dx(), b.Dy()) < f.need.Short || max(b.Dx(), b.Dy()) < f.need.Long {
			return nil, fmt.Errorf("%s: picture %v too small", f.name, b.Size())
		}
	}
	if f.fail != "" && strings.Contains(it.Rel, f.fail) {
		return nil, errors.New("cannot analyze")
	}
	return nil, nil
}

func (f *fakeAnalyzer) count() (total int, per map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	per = map[string]int{}
	for k, v := range f.calls {
		per[k] = v
		total += v
	}
	return total, per
}

// fakeModel is a Batched analyzer: Analyze prepares, Finish "infers". Its
// Start takes until release is closed.
type fakeModel struct {
	*fakeAnalyzer
	release  chan struct{}
	ready    chan struct{}
	batches  atomic.Int32
	finished atomic.Int32
}

func (m *fakeModel) Start(ctx context.Context) {
	ready := make(chan struct{})
	m.ready = ready
	go func() {
		if m.release != nil {
			<-m.release
		}
		close(ready)
	}()
}

func (m *fakeModel) Batch() (int, int, int) { return 4, 2, 0 }

func (m *fakeModel) Finish(ctx context.Context, in []any) ([]any, []error, error) {
	<-m.ready
	m.batches.Add(1)
	m.finished.Add(int32(len(in)))
	return make([]any, len(in)), make([]error, len(in)), ctx.Err()
}

type fixture struct {
	t       *testing.T
	db      *store.DB
	mu      sync.Mutex
	decodes map[string]int
}

func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			e := store.Entry{Path: fmt.Sprintf("p%03d.jpg", i), Fingerprint: fmt.Sprintf("f%d", i), MediaType: "image"}
			if i == 3 {
				e.Path = "bad.jpg"
			}
			if err := store.InsertEntry(context.Background(), tx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, db: db, decodes: map[string]int{}}
}

// decode is the injected decoder: it counts, and "decodes" a 4000×3000
// picture at the smallest 1/8 step that is enough.
func (f *fixture) decode(ctx context.Context, src *media.Source, lim media.Limits, enough func(w, h int) bool) (*image.RGBA, media.Info, error) {
	f.mu.Lock()
	f.decodes[src.Path]++
	f.mu.Unlock()
	w, h := 4000, 3000
	for s := 8; s > 1; s-- {
		if enough(4000/s, 3000/s) {
			w, h = 4000/s, 3000/s
			break
		}
	}
	return image.NewRGBA(image.Rect(0, 0, w, h)), media.Info{Width: 4000, Height: 3000, MediaType: "image"}, nil
}

func probe(ctx context.Context, src *media.Source, lim media.Limits) (media.Info, error) {
	return media.Info{Width: 4000, Height: 3000, MediaType: "image"}, nil
}

func (f *fixture) takeDecodes() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.decodes
	f.decodes = map[string]int{}
	return d
}

// run plans every entry against the analysis rows and runs the pipeline.
func (f *fixture) run(ctx context.Context, as []Analyzer, o Options) (Result, []*Item, error) {
	f.t.Helper()
	cands, err := f.db.AnalysisCandidates(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	idx, err := f.db.AnalysisIndex(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	var items []*Item
	for _, c := range cands {
		if p := Plan(as, idx[c.ID], c.Fingerprint, c.MediaType, c.Path); len(p) > 0 {
			items = append(items, &Item{EntryID: c.ID, Rel: c.Path, Abs: "/lib/" + c.Path, Fingerprint: c.Fingerprint, MediaType: c.MediaType, Pending: p})
		}
	}
	o.Analyzers, o.Decode, o.Probe = as, f.decode, probe
	if o.Workers == 0 {
		o.Workers = 2
	}
	res, err := Run(ctx, f.db, items, o)
	return res, items, err
}

func TestPipelineDecodesOnceAndRerunsOnlyOnChange(t *testing.T) {
	ctx := context.Background()
	const n = 12
	f := newFixture(t, n)
	thumb := newFake("thumb", "t1", Need{Long: 256})
	meta := newFake("meta", "m1", Need{})
	model := &fakeModel{fakeAnalyzer: newFake("vec", "v1:k", Need{Short: 224}), release: make(chan struct{})}
	model.fail = "bad"
	// The model is not ready until the first pictures are decoded: its
	// set-up overlaps the decodes instead of coming before them.
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			f.mu.Lock()
			k := len(f.decodes)
			f.mu.Unlock()
			if k >= 4 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		close(model.release)
	}()
	as := []Analyzer{meta, thumb, model}
	res, _, err := f.run(ctx, as, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := f.takeDecodes()
	if len(d) != n || res.Decodes != n {
		t.Fatalf("%d pictures decoded, %d decodes, want %d", len(d), res.Decodes, n)
	}
	for p, c := range d {
		if c != 1 {
			t.Errorf("%s decoded %d times", p, c)
		}
	}
	if tot, _ := thumb.count(); tot != n {
		t.Errorf("thumbnail analyzer ran %d times, want %d", tot, n)
	}
	if got := model.finished.Load(); got != n-1 {
		t.Errorf("model finished %d inputs, want %d (bad.jpg fails before)", got, n-1)
	}
	vs := res.Analyzers["vec"]
	if vs.Done != n-1 || vs.Failed != 1 || len(vs.Errors) != 1 || vs.Errors[0].Path != "bad.jpg" {
		t.Errorf("vec stats %+v", vs)
	}

	// Nothing changed: nothing runs, the failure is not retried.
	res, items, err := f.run(ctx, as, Options{})
	if err != nil || len(items) != 0 || res.Decodes != 0 {
		t.Fatalf("second run: %d items, %d decodes, %v", len(items), res.Decodes, err)
	}

	// A new thumbnail version re-runs that analyzer only, still decoding
	// once per picture (at the thumbnail's size now).
	thumb2 := newFake("thumb", "t2", Need{Long: 512})
	model2 := &fakeModel{fakeAnalyzer: newFake("vec", "v1:k", Need{Short: 224})}
	res, items, err = f.run(ctx, []Analyzer{meta, thumb2, model2}, Options{})
	if err != nil || len(items) != n || res.Decodes != n {
		t.Fatalf("new version: %d items, %d decodes, %v", len(items), res.Decodes, err)
	}
	if tot, _ := model2.count(); tot != 0 {
		t.Errorf("the model re-ran %d times for a thumbnail change", tot)
	}
	if tot, _ := meta.count(); tot != n {
		t.Errorf("metadata ran %d times, want %d (only once, in the first run)", tot, n)
	}

	// New content for one entry: every analyzer runs for it, and only it.
	e, err := f.db.EntryByPath(ctx, "p005.jpg")
	if err != nil {
		t.Fatal(err)
	}
	e.Fingerprint = "changed"
	if err := f.db.Tx(ctx, func(tx *store.Tx) error { return store.UpdateEntry(ctx, tx, &e) }); err != nil {
		t.Fatal(err)
	}
	f.takeDecodes()
	res, items, err = f.run(ctx, []Analyzer{meta, thumb2, model2}, Options{})
	if err != nil || len(items) != 1 || items[0].Rel != "p005.jpg" || len(items[0].Pending) != 3 || res.Decodes != 1 {
		t.Fatalf("changed content: %d items, %d decodes, %v", len(items), res.Decodes, err)
	}
	// A new model version retries the failure.
	model3 := &fakeModel{fakeAnalyzer: newFake("vec", "v1:other", Need{Short: 224})}
	if _, items, _ = f.run(ctx, []Analyzer{meta, thumb2, model3}, Options{}); len(items) != n {
		t.Errorf("new model: %d items, want %d", len(items), n)
	}
}

func TestPipelineCancelThenResume(t *testing.T) {
	const n = 300
	f := newFixture(t, n)
	thumb := newFake("thumb", "t1", Need{Long: 256})
	model := &fakeModel{fakeAnalyzer: newFake("vec", "v1", Need{Short: 224})}
	ctx, cancel := context.WithCancel(context.Background())
	var seen atomic.Int32
	res, _, err := f.run(ctx, []Analyzer{thumb, model}, Options{Workers: 1, BatchSize: 10, Done: func(it *Item, err error) {
		if seen.Add(1) == 50 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || !res.Cancelled {
		t.Fatalf("cancel: %v %+v", err, res)
	}
	idx, _ := f.db.AnalysisIndex(context.Background())
	partial := len(idx)
	if partial < 50 || partial >= n {
		t.Fatalf("after cancel %d entries analyzed, want at least 50 of %d", partial, n)
	}
	for id, rows := range idx {
		if len(rows) != 2 {
			t.Errorf("entry %d committed with %d of its 2 analyses", id, len(rows))
		}
	}
	f.takeDecodes()
	res, items, err := f.run(context.Background(), []Analyzer{thumb, model}, Options{})
	if err != nil || len(items) != n-partial || res.Items != n-partial {
		t.Fatalf("resume: %d items (want %d), %+v %v", len(items), n-partial, res, err)
	}
	for p, c := range f.takeDecodes() {
		if c != 1 {
			t.Errorf("%s decoded %d times on resume", p, c)
		}
	}
	if idx, _ := f.db.AnalysisIndex(context.Background()); len(idx) != n {
		t.Errorf("%d entries analyzed after resume, want %d", len(idx), n)
	}
}

// TestPipelineReject: a Reject error drops the item whole (nothing saved,
// Done told why); a header-only analyzer never causes a decode.
func TestPipelineReject(t *testing.T) {
	f := newFixture(t, 5)
	meta := newFake("meta", "m1", Need{})
	rej := &rejecter{newFake("strict", "s1", Need{})}
	var rejected []string
	res, _, err := f.run(context.Background(), []Analyzer{meta, rej}, Options{Done: func(it *Item, err error) {
		if err != nil {
			rejected = append(rejected, it.Rel)
		}
	}})
	if err != nil || res.Decodes != 0 || res.Rejected != 1 || len(rejected) != 1 || rejected[0] != "bad.jpg" {
		t.Fatalf("%+v %v %v", res, rejected, err)
	}
	idx, _ := f.db.AnalysisIndex(context.Background())
	if len(idx) != 4 {
		t.Errorf("%d entries have rows, want 4", len(idx))
	}
}

// TestPipelineEntryRemovedMeanwhile: an entry deleted while it is
// analysed is skipped, and the rest of its batch is saved.
func TestPipelineEntryRemovedMeanwhile(t *testing.T) {
	f := newFixture(t, 6)
	gone, err := f.db.EntryByPath(context.Background(), "p002.jpg")
	if err != nil {
		t.Fatal(err)
	}
	meta := &deleter{fakeAnalyzer: newFake("meta", "m1", Need{}), db: f.db, id: gone.ID}
	res, _, err := f.run(context.Background(), []Analyzer{meta}, Options{Workers: 1})
	if err != nil || res.Items != 6 {
		t.Fatalf("%+v %v", res, err)
	}
	idx, _ := f.db.AnalysisIndex(context.Background())
	if _, ok := idx[gone.ID]; ok || len(idx) != 5 {
		t.Errorf("rows for %d entries (deleted one included: %v), want 5", len(idx), ok)
	}
}

// deleter removes one entry while it analyses it.
type deleter struct {
	*fakeAnalyzer
	db *store.DB
	id int64
}

func (d *deleter) Analyze(ctx context.Context, it *Item, p *Picture) (any, error) {
	if it.EntryID == d.id {
		if _, err := d.db.DeleteEntries(ctx, []int64{d.id}); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

type rejecter struct{ *fakeAnalyzer }

func (r *rejecter) Analyze(ctx context.Context, it *Item, p *Picture) (any, error) {
	if strings.Contains(it.Rel, "bad") {
		return nil, Reject(errors.New("not a picture"))
	}
	return nil, nil
}
