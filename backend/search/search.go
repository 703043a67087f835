// Package search answers the search bar: the query language's filters
// (package query) combined with ranking by meaning over CLIP vectors (an
// in-memory copy of the library's vectors, package knn), "more like this",
// suggested tags and duplicates. It does not run models itself: encoders
// are injected.
package search

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tagsight/tagsight/backend/knn"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/query"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/tags"
)

// ErrNoModel: the query needs a model and none is configured.
var ErrNoModel = errors.New("search by meaning needs a CLIP model")

// ErrBadPage: a negative limit or offset, or a page beyond MaxPage.
var ErrBadPage = errors.New("bad page")

// ErrPicture: the picture to search by could not be read.
var ErrPicture = errors.New("cannot read the picture to search by")

// MaxPage bounds a page's offset plus its limit: far beyond any library,
// and small enough that no sum of the two overflows.
const MaxPage = 1<<31 - 1

// page checks a request's limit and offset (0 as the limit means the
// default, 100) before any of them is added, sliced or handed to SQL.
func (o *Options) page() error {
	if o.Limit < 0 || o.Offset < 0 {
		return fmt.Errorf("%w: limit and offset must not be negative (got %d and %d)", ErrBadPage, o.Limit, o.Offset)
	}
	if o.Limit > MaxPage || o.Offset > MaxPage-o.Limit {
		return fmt.Errorf("%w: limit plus offset must stay under %d", ErrBadPage, MaxPage)
	}
	if o.Limit == 0 {
		o.Limit = 100
	}
	return nil
}

// Encoders turn text and files into vectors of the library's model.
type Encoders struct {
	Text func(ctx context.Context, text string) ([]float32, error)
	File func(ctx context.Context, path string) ([]float32, error)
}

// Service searches one library.
type Service struct {
	db    *store.DB
	tags  *tags.Service
	files Files
	model store.Model
	enc   Encoders

	mu     sync.Mutex
	index  *knn.Index
	counts IndexStats // under mu

	cacheMu sync.Mutex
	cache   map[string]*list.Element
	lru     *list.List

	candMu sync.Mutex
	cand   *filterSet // the last filter's, see filterSet

	statsMu   sync.Mutex
	stats     map[string]promptStats
	sampleIDs []int64

	near nearCache

	frames frameState
}

// Files finds the file a like: term names: the library's one reading of
// a user's path (library.Library.Resolve), so like: means on every face
// what a path means to the command line and the desktop.
type Files interface {
	Resolve(ctx context.Context, name string, how library.Naming) (library.Named, error)
	Abs(rel string) string
}

// New returns a search service. model may be the zero Model (no model:
// filters work, meaning does not). files may be nil when no query names a
// picture (like: then reads the path as a file on disk).
func New(db *store.DB, ts *tags.Service, files Files, model store.Model, enc Encoders) *Service {
	return &Service{db: db, tags: ts, files: files, model: model, enc: enc,
		cache: map[string]*list.Element{}, lru: list.New(), stats: map[string]promptStats{}}
}

// Model is the model whose vectors the service searches.
func (s *Service) Model() store.Model { return s.model }

// IndexStats count what happened to the in-memory vectors: how often they
// were loaded from the store and how many vectors were put into and
// removed from a loaded index since the service began.
type IndexStats struct {
	Loaded  bool
	Len     int
	Loads   int64
	Puts    int64
	Forgets int64
}

// Stats says how the in-memory vectors stand.
func (s *Service) Stats() IndexStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.counts
	st.Loaded = s.index != nil
	if s.index != nil {
		st.Len = s.index.Len()
	}
	return st
}

// Invalidate drops the in-memory vectors; the next search reloads them.
// Put and Forget follow single changes without that cost.
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.index = nil
	s.mu.Unlock()
	s.dropFrames()
	s.near.drop()
	s.dropStats()
}

// Put stores (or replaces) entries' vectors in the in-memory index, if it
// is loaded, so the next search sees them without reloading every vector;
// call it after the vectors are committed. An unloaded index needs nothing:
// its first load reads them from the store.
func (s *Service) Put(vs map[int64][]float32) {
	s.mu.Lock()
	idx := s.index
	if idx != nil {
		for _, v := range vs {
			if len(v) != idx.Dim() {
				s.index, idx = nil, nil // not this model's: reload instead
				break
			}
		}
	}
	if idx != nil {
		s.counts.Puts += int64(len(vs))
	}
	s.mu.Unlock()
	ids := make([]int64, 0, len(vs))
	if idx != nil {
		for id, v := range vs {
			idx.Add(id, v)
			ids = append(ids, id)
		}
	}
	if idx != nil {
		s.near.changed(idx, ids)
	} else {
		s.near.drop()
	}
	s.dropStats()
}

// Forget removes entries (deleted ones, or ones whose vector was dropped)
// from the in-memory index, if it is loaded, without reloading it.
func (s *Service) Forget(ids []int64) {
	s.mu.Lock()
	idx := s.index
	if idx != nil {
		s.counts.Forgets += int64(len(ids))
	}
	s.mu.Unlock()
	if idx != nil {
		for _, id := range ids {
			idx.Remove(id)
		}
	}
	s.near.changed(nil, ids)
	s.dropStats()
}

// dropStats forgets the prompt statistics and their sample, which may name
// entries that changed; they are recomputed from the index when needed.
func (s *Service) dropStats() {
	s.statsMu.Lock()
	s.stats = map[string]promptStats{}
	s.sampleIDs = nil
	s.statsMu.Unlock()
}

// Index returns the in-memory vectors, loading them on first use.
func (s *Service) Index(ctx context.Context) (*knn.Index, error) {
	if s.model.ID == 0 {
		return nil, ErrNoModel
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index != nil {
		return s.index, nil
	}
	idx := knn.New(s.model.Dim)
	err := s.db.ForEachVector(ctx, s.model, 0, func(c store.VectorChunk) error {
		if idx.Len() == 0 {
			idx.Reserve(c.Total) // avoids copying gigabytes while growing
		}
		idx.AddRows(c.IDs, c.Vecs)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	s.index = idx
	s.counts.Loads++
	return idx, nil
}

const textCacheSize = 512

// TextVector embeds a text, remembering the last few hundred.
func (s *Service) TextVector(ctx context.Context, text string) ([]float32, error) {
	if s.enc.Text == nil || s.model.ID == 0 {
		return nil, ErrNoModel
	}
	s.cacheMu.Lock()
	if el, ok := s.cache[text]; ok {
		s.lru.MoveToFront(el)
		v := el.Value.(cached).vec
		s.cacheMu.Unlock()
		return v, nil
	}
	s.cacheMu.Unlock()
	v, err := s.enc.Text(ctx, text)
	if err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	s.cache[text] = s.lru.PushFront(cached{text, v})
	for s.lru.Len() > textCacheSize {
		old := s.lru.Back()
		s.lru.Remove(old)
		delete(s.cache, old.Value.(cached).text)
	}
	s.cacheMu.Unlock()
	return v, nil
}

type cached struct {
	text string
	vec  []float32
}

// Options of a search.
type Options struct {
	Limit  int
	Offset int
	// Sort overrides the query's sort: "", "taken", "-taken", "added",
	// "-added", "name", "-name", "size", "-size", "random". Semantic
	// results are ranked by score unless a sort is given.
	Sort string
	// IncludeHidden shows entries with hidden tags (Archived) even when the
	// query does not name them.
	IncludeHidden bool
	// IncludeMissing searches entries whose file is gone too (kept with
	// their tags): TagStudio's search does, its unlinked entries included.
	IncludeMissing bool
	// LikePath, when set, vets every like: path before it is used and
	// returns the library-relative path to use; its error is reported at
	// the like: term's column. The web face sets it so that a query can
	// name pictures in the library only (library.LibraryPath); without it
	// like: takes any path a user may type (library.UserPath).
	LikePath func(p string) (string, error)
}

// Hit is one result.
type Hit struct {
	EntryID int64
	Path    string
	Score   float64 // cosine similarity; NaN when the search had no semantic part
	// Text is where the entry's text matched the query's words (a plain
	// search's, or its text: terms), nil when it did not.
	Text *store.TextHit
	// Moment is a video's best matching frame (nil: none, or not a video).
	Moment *Moment
}

// Result of a search.
type Result struct {
	Hits     []Hit
	Total    int
	Cutoff   int // results above the relevance cutoff; -1 when not semantic
	Semantic bool
	// FromFrames counts the results, up to the page's end, that a video's
	// frame ranks rather than its entry vector (issue 21).
	FromFrames int
	Took       time.Duration
	// Note says something about how the query was read that the user
	// should know, like NoModelNote; "" when nothing.
	Note string
	// FromText counts the entries whose text matched (up to the pool a
	// fused search ranks); FromMeaning those ranked by meaning above the
	// relevance cutoff. Both 0 when the search had no such part.
	FromText, FromMeaning int
}

// NoModelNote is Result.Note when, for want of a model, the query's words
// that are not tags matched nothing (TagStudio's rule) instead of searching
// by meaning.
func NoModelNote(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = strconv.Quote(w)
	}
	return "no model: words that are not tags match nothing without a model (" + strings.Join(q, ", ") +
		"); install one to search by meaning"
}

// TextOnlyNote is Result.Note when, for want of a model, the query's words
// that are not tags were looked for in the files' text alone.
func TextOnlyNote(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = strconv.Quote(w)
	}
	return "no model: words that are not tags were looked for in the files' text (" + strings.Join(q, ", ") +
		"); install one to search by meaning too"
}

// Search runs a search-bar query.
func (s *Service) Search(ctx context.Context, q string, opt Options) (Result, error) {
	start := time.Now()
	if err := opt.page(); err != nil {
		return Result{}, err
	}
	c, err := s.compile(ctx, q)
	if err != nil {
		return Result{}, err
	}
	f := s.visible(c, opt)
	sortKey := opt.Sort
	if sortKey == "" && c.Sort.Key != "" {
		sortKey = c.Sort.Key
		if c.Sort.Desc {
			sortKey = "-" + sortKey
		}
	}
	var res Result
	switch {
	case len(c.Semantic) == 0 && len(c.TextTerms) > 0 && sortKey == "":
		// Words looked for in the text rank by it, unless a sort was chosen.
		res, err = s.textRanked(ctx, f, c.TextTerms, opt)
	case len(c.Semantic) == 0:
		res, err = s.filterOnly(ctx, f, sortKey, opt)
	default:
		var qv []float32
		qv, err = s.queryVector(ctx, c.Semantic, opt.LikePath)
		switch {
		case err != nil:
		case len(c.Words) > 0:
			res, err = s.fused(ctx, qv, c.Words, f, sortKey, opt)
		default:
			res, err = s.semantic(ctx, qv, f, sortKey, opt, 0)
			res.FromMeaning = max(res.Cutoff, 0)
		}
	}
	if err == nil && len(c.TextTerms) > 0 {
		err = s.withText(ctx, &res, c.TextTerms)
	}
	res.Took = time.Since(start)
	if len(c.Unmatched) > 0 {
		res.Note = NoModelNote(c.Unmatched)
	} else if len(c.TextWords) > 0 {
		res.Note = TextOnlyNote(c.TextWords)
	}
	return res, err
}

// compile reads q as every search of the service reads it (Search and
// TextMatches alike, so the inspector lists the units a search found):
// without a model, plain words look in the files' text, if any.
func (s *Service) compile(ctx context.Context, q string) (query.Compiled, error) {
	qo := query.Options{NoModel: s.enc.Text == nil || s.model.ID == 0}
	if qo.NoModel {
		var err error
		if qo.Text, err = s.db.HasText(ctx); err != nil {
			return query.Compiled{}, err
		}
	}
	return query.CompileWith(ctx, q, s.tags, qo)
}

// visible adds the conditions every search has: present files unless opt
// asks for missing ones too, and no entry with a hidden tag unless the
// query names that tag (or a relative: see query.Compiled.Tags), has
// special:hidden, or opt asks for them.
func (s *Service) visible(c query.Compiled, opt Options) store.Filter {
	return store.Visible(c.Filter, c.Tags, opt.IncludeHidden || c.IncludeHidden, opt.IncludeMissing)
}

func (s *Service) filterOnly(ctx context.Context, f store.Filter, sortKey string, opt Options) (Result, error) {
	res := Result{Cutoff: -1}
	refs, total, err := s.db.FilterEntries(ctx, f, sortKey, opt.Limit, opt.Offset)
	res.Total = total
	for _, r := range refs {
		res.Hits = append(res.Hits, Hit{EntryID: r.ID, Path: r.Path, Score: math.NaN()})
	}
	return res, err
}

// queryVector sums the weighted parts' vectors (negative weights push away)
// and normalises the sum.
func (s *Service) queryVector(ctx context.Context, parts []query.SemanticPart, likePath func(string) (string, error)) ([]float32, error) {
	how := library.UserPath
	if likePath != nil {
		how = library.LibraryPath
		for i, p := range parts {
			if p.Image == "" {
				continue
			}
			rel, err := likePath(p.Image)
			if err != nil {
				return nil, &query.SyntaxError{Msg: "like: " + err.Error(), Col: p.Col, Len: max(p.Len, 1)}
			}
			parts[i].Image = rel
		}
	}
	if s.model.ID == 0 {
		return nil, ErrNoModel
	}
	sum := make([]float64, s.model.Dim)
	for _, p := range parts {
		var v []float32
		var err error
		if p.Image != "" {
			v, err = s.imageVector(ctx, p.Image, how)
		} else {
			v, err = s.TextVector(ctx, p.Text)
		}
		if err != nil {
			return nil, err
		}
		if len(v) != len(sum) {
			return nil, fmt.Errorf("vector of %d values for a %d-d model", len(v), len(sum))
		}
		for i, x := range v {
			sum[i] += p.Weight * float64(x)
		}
	}
	return normalise(sum), nil
}

func normalise(sum []float64) []float32 {
	var n float64
	for _, x := range sum {
		n += x * x
	}
	out := make([]float32, len(sum))
	if n == 0 {
		return out
	}
	inv := 1 / math.Sqrt(n)
	for i, x := range sum {
		out[i] = float32(x * inv)
	}
	return out
}

// imageVector is a library entry's stored vector, else the file embedded
// now. how is how the like: term may name it (see Options.LikePath).
func (s *Service) imageVector(ctx context.Context, p string, how library.Naming) ([]float32, error) {
	if s.files != nil {
		n, err := s.files.Resolve(ctx, p, how)
		if err != nil && how == library.LibraryPath {
			return nil, fmt.Errorf("like:%s: %w", p, err)
		}
		if n.Found() {
			if v, err := s.db.Vector(ctx, s.model, n.Entry.ID); err == nil {
				return v, nil
			}
		}
		if n.Rel != "" {
			p = s.files.Abs(n.Rel)
		}
	}
	if s.enc.File == nil {
		return nil, ErrNoModel
	}
	v, err := s.enc.File(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("like:%s: %w", p, err)
	}
	return v, nil
}

// candidates lists the entries a filter allows (nil, true: all of them).
func (s *Service) candidates(ctx context.Context, f store.Filter) ([]int64, error) {
	return s.db.FilterIDs(ctx, f)
}

// filterSet is the entries a filter allows, in the cheapest form to
// read and test. Paging through one query asks for the same filter again
// and again: the last one is kept until the library changes.
type filterSet struct {
	seq int64
	key string
	// Exactly one of these is set. A broad filter (most of the index) is
	// read as the few entries it leaves out: reading every id it allows
	// costs tens of milliseconds at 100k entries.
	out   map[int64]struct{} // everything but these
	ids   []int64            // only these, few: search them alone
	allow map[int64]struct{} // only these, many
}

// allows says whether the set holds id.
func (f *filterSet) allows(id int64) bool {
	if f.out != nil {
		_, no := f.out[id]
		return !no
	}
	_, ok := f.allow[id]
	return ok
}

// filterSet reads the entries a filter allows (shared: do not modify).
func (s *Service) filterSet(ctx context.Context, f store.Filter, indexLen int) (*filterSet, error) {
	seq, err := s.db.ChangeSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("read change seq: %w", err)
	}
	key := fmt.Sprintf("%s\x00%d", f.Key(), indexLen)
	s.candMu.Lock()
	c := s.cand
	s.candMu.Unlock()
	if c != nil && c.seq == seq && c.key == key {
		return c, nil
	}
	// Which form to read: the same query before the library changed
	// says (any form is right, only its cost differs), else the count,
	// which the grid asks too (the store keeps it until a change).
	broad, known := false, false
	if c != nil && c.key == key { // while it still holds the smaller side
		if c.out != nil {
			broad, known = true, len(c.out) <= indexLen/2
		} else {
			known = len(c.ids)+len(c.allow) <= indexLen/2
		}
	}
	if !known {
		n, err := s.db.CountFilter(ctx, f)
		if err != nil {
			return nil, err
		}
		broad = n > indexLen/2
	}
	c = &filterSet{seq: seq, key: key}
	toSet := func(ids []int64) map[int64]struct{} {
		m := make(map[int64]struct{}, len(ids))
		for _, id := range ids {
			m[id] = struct{}{}
		}
		return m
	}
	switch {
	case broad:
		ids, err := s.db.FilterOut(ctx, f)
		if err != nil {
			return nil, err
		}
		c.out = toSet(ids)
	default:
		ids, err := s.db.FilterIDs(ctx, f)
		if err != nil {
			return nil, err
		}
		if len(ids) > indexLen/4 {
			c.allow = toSet(ids)
		} else {
			c.ids = ids
		}
	}
	s.candMu.Lock()
	s.cand = c
	s.candMu.Unlock()
	return c, nil
}

// withVector counts the set's entries that have a vector in idx, less
// exclude.
func (f *filterSet) withVector(idx *knn.Index, exclude int64) int {
	n := 0
	switch {
	case f.out != nil:
		n = idx.Len()
		for id := range f.out {
			if idx.Has(id) {
				n--
			}
		}
	case f.allow != nil:
		for id := range f.allow {
			if idx.Has(id) {
				n++
			}
		}
	default:
		for _, id := range f.ids {
			if idx.Has(id) {
				n++
			}
		}
	}
	if exclude != 0 && f.allows(exclude) && idx.Has(exclude) {
		n--
	}
	return n
}

// semantic ranks the filter's entries by similarity to qv. Filtering
// happens before ranking, so asking for 50 of a filter matching 60 returns
// 50, never fewer. exclude drops one entry (the query image itself).
func (s *Service) semantic(ctx context.Context, qv []float32, f store.Filter, sortKey string, opt Options, exclude int64) (Result, error) {
	res := Result{Semantic: true}
	idx, err := s.Index(ctx)
	if err != nil {
		return res, err
	}
	cands, err := s.filterSet(ctx, f, idx.Len())
	if err != nil {
		return res, err
	}
	// page() keeps the sum from overflowing; the pool never asks the index
	// for more than it holds, however far the page lies.
	want := min(opt.Offset+opt.Limit, idx.Len())
	pool := max(want, 200)
	var hits []knn.Hit
	if cands.ids == nil {
		hits = idx.Search(qv, pool, func(id int64) bool { return id != exclude && cands.allows(id) })
	} else {
		ids := cands.ids
		if exclude != 0 {
			ids = make([]int64, 0, len(cands.ids))
			for _, id := range cands.ids {
				if id != exclude {
					ids = append(ids, id)
				}
			}
		}
		hits = idx.SearchIDs(qv, pool, ids)
	}
	best, err := s.bestFrames(ctx, qv, pool, cands, exclude)
	if err != nil {
		return res, err
	}
	hits, byFrame := withFrames(hits, best)
	scores := make([]float64, len(hits))
	for i, h := range hits {
		scores[i] = float64(h.Score)
	}
	res.Cutoff = Cutoff(scores)
	// Total counts the candidates that have a vector.
	res.Total = len(hits)
	if len(hits) == pool {
		res.Total = cands.withVector(idx, exclude)
	}
	if len(hits) > want {
		hits = hits[:want]
	}
	out := make([]Hit, len(hits))
	for i, h := range hits {
		out[i] = Hit{EntryID: h.ID, Score: float64(h.Score)}
		if byFrame[h.ID] {
			res.FromFrames++
		}
	}
	if err := s.fillPaths(ctx, out); err != nil {
		return res, err
	}
	if sortKey != "" {
		if err := s.resort(ctx, out, sortKey); err != nil {
			return res, err
		}
		res.Cutoff = -1
	}
	if opt.Offset < len(out) {
		out = out[opt.Offset:]
	} else {
		out = nil
	}
	if err := s.fillMoments(ctx, out, best); err != nil {
		return res, err
	}
	res.Hits = out
	if res.Cutoff > opt.Offset {
		res.Cutoff -= opt.Offset
	} else if res.Cutoff >= 0 {
		res.Cutoff = 0
	}
	return res, nil
}

func (s *Service) fillPaths(ctx context.Context, hits []Hit) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.EntryID
	}
	paths, err := s.db.EntryPaths(ctx, ids)
	if err != nil {
		return err
	}
	for i, h := range hits {
		if p, ok := paths[h.EntryID]; ok {
			hits[i].Path = p
		}
	}
	return nil
}

// resort orders semantic hits by a column instead of score.
func (s *Service) resort(ctx context.Context, hits []Hit, key string) error {
	if strings.TrimPrefix(key, "-") == "random" {
		rand.Shuffle(len(hits), func(i, j int) { hits[i], hits[j] = hits[j], hits[i] })
		return nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.EntryID
	}
	sorted, err := s.db.SortEntryIDs(ctx, ids, key)
	if err != nil {
		return err
	}
	rank := map[int64]int{}
	for i, id := range sorted {
		rank[id] = i
	}
	sort.SliceStable(hits, func(i, j int) bool { return rank[hits[i].EntryID] < rank[hits[j].EntryID] })
	return nil
}

// Similar finds entries like entryID, optionally within a query's filter.
func (s *Service) Similar(ctx context.Context, entryID int64, filter string, opt Options) (Result, error) {
	start := time.Now()
	if s.model.ID == 0 {
		return Result{}, ErrNoModel
	}
	v, err := s.db.Vector(ctx, s.model, entryID)
	if err != nil {
		return Result{}, fmt.Errorf("more like this: the picture has no vector yet (index the library first): %w", err)
	}
	res, err := s.similarTo(ctx, v, filter, opt, entryID)
	res.Took = time.Since(start)
	return res, err
}

// SimilarFile finds entries like a picture on disk (embedded now).
func (s *Service) SimilarFile(ctx context.Context, path, filter string, opt Options) (Result, error) {
	start := time.Now()
	if s.enc.File == nil || s.model.ID == 0 {
		return Result{}, ErrNoModel
	}
	v, err := s.enc.File(ctx, path)
	if err != nil {
		// The caller chose the file (the web posts it): one that does not
		// decode is a bad argument, not the server's failure.
		return Result{}, fmt.Errorf("%w: %w", ErrPicture, err)
	}
	res, err := s.similarTo(ctx, v, filter, opt, 0)
	res.Took = time.Since(start)
	return res, err
}

func (s *Service) similarTo(ctx context.Context, v []float32, filter string, opt Options, exclude int64) (Result, error) {
	if err := opt.page(); err != nil {
		return Result{}, err
	}
	c, err := query.Compile(ctx, filter, s.tags)
	if err != nil {
		return Result{}, err
	}
	if len(c.Semantic) > 0 {
		return Result{}, errors.New("more like this takes filters only (no free words)")
	}
	f := s.visible(c, opt)
	return s.semantic(ctx, v, f, opt.Sort, opt, exclude)
}

// Cutoff marks where relevance drops, from the scores alone (best first):
// a fixed global threshold fails per query (CLIP scores drift with the
// prompt), so it looks for the largest gap between consecutive scores that
// clearly stands out from the typical gap, and otherwise keeps the scores
// more than 1.5 standard deviations above the pool's mean. It returns how
// many results lie above the cutoff (at least 1 when there are results).
func Cutoff(scores []float64) int {
	n := len(scores)
	if n == 0 {
		return 0
	}
	if n < 3 {
		return n
	}
	gaps := make([]float64, n-1)
	for i := 0; i+1 < n; i++ {
		gaps[i] = scores[i] - scores[i+1]
	}
	sorted := append([]float64{}, gaps...)
	sort.Float64s(sorted)
	median := sorted[len(sorted)/2]
	best, at := 0.0, -1
	for i, g := range gaps {
		if g > best {
			best, at = g, i
		}
	}
	if at >= 0 && best > 4*median && best > 0.01 {
		return at + 1
	}
	var mean, sd float64
	for _, x := range scores {
		mean += x
	}
	mean /= float64(n)
	for _, x := range scores {
		sd += (x - mean) * (x - mean)
	}
	sd = math.Sqrt(sd / float64(n))
	k := 0
	for _, x := range scores {
		if sd > 0 && (x-mean)/sd >= 1.5 {
			k++
		}
	}
	return max(k, 1)
}
