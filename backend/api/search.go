package api

// Search, "more like this", the inspector's entry, suggestions, duplicates
// and completion: reads that adapt the search service to the UI's shapes.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tagsight/tagsight/backend/facts"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/pathenc"
	"github.com/tagsight/tagsight/backend/query"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/tags"
	"github.com/tagsight/tagsight/backend/workspace"
)

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (a *API) item(e store.Entry) Item {
	p, esc := pathenc.Encode(e.Path)
	w, h := e.DisplaySize()
	it := Item{ID: e.ID, Path: p, PathEscaped: esc, Name: path.Base(p), MediaType: e.MediaType, Format: e.Format,
		Width: w, Height: h, Taken: strp(e.Taken), Size: e.Size, Missing: e.Missing}
	if e.Thumb != "" {
		u := fmt.Sprintf("/thumb/%d?v=%s", e.ID, strings.TrimSuffix(path.Base(e.Thumb), ".jpg"))
		it.Thumb = &u
	}
	return it
}

// withFacts puts f and the tile's label on it.
func (it *Item) withFacts(f facts.Facts) {
	if f.IsZero() {
		return
	}
	it.Facts = &f
	it.Label = factsLabel(f)
}

// factsLabel is a tile's corner label: a duration as a clock (1:23,
// 1:02:03), else a page count (12 p); "" when neither is known.
func factsLabel(f facts.Facts) string {
	if f.Duration > 0 {
		s := int64(math.Round(f.Duration))
		if s == 0 {
			s = 1 // under half a second still reads as a clip, not as nothing
		}
		if s >= 3600 {
			return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
		}
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	if f.Pages > 0 {
		return fmt.Sprintf("%d p", f.Pages)
	}
	return ""
}

func (a *API) items(ctx context.Context, ws *workspace.Workspace, hits []search.Hit) ([]Item, error) {
	if len(hits) == 0 {
		return []Item{}, nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.EntryID
	}
	entries, err := ws.Lib.DB.EntriesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	// Only non-pictures have facts: a page of photos costs no statement more.
	var withFacts []int64
	for _, e := range entries {
		if !media.IsStill(e.MediaType) {
			withFacts = append(withFacts, e.ID)
		}
	}
	var fs map[int64]facts.Facts
	if len(withFacts) > 0 {
		if fs, err = ws.Lib.DB.FactsByID(ctx, withFacts); err != nil {
			return nil, err
		}
	}
	out := make([]Item, 0, len(hits))
	for _, h := range hits {
		e, ok := entries[h.EntryID]
		if !ok {
			continue // deleted since the search
		}
		it := a.item(e)
		if f, ok := fs[e.ID]; ok {
			it.withFacts(f)
		}
		if !math.IsNaN(h.Score) {
			sc := h.Score
			it.Score = &sc
		}
		if t := h.Text; t != nil {
			it.Text = textHit(t)
		}
		if h.Moment != nil {
			it.Moment = momentOf(*h.Moment)
		}
		out = append(out, it)
	}
	return out, nil
}

func (a *API) result(ctx context.Context, ws *workspace.Workspace, res search.Result, err error) (SearchResult, error) {
	out := SearchResult{Items: []Item{}}
	var se *query.SyntaxError
	if errors.As(err, &se) {
		out.Error = &QueryError{Message: se.Msg, Column: se.Col, Length: max(se.Len, 1)}
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.Items, err = a.items(ctx, ws, res.Hits)
	out.Total, out.Semantic, out.TookMs = res.Total, res.Semantic, float64(res.Took.Microseconds())/1000
	out.Note = res.Note
	out.FromText, out.FromMeaning = res.FromText, res.FromMeaning
	out.FromFrames = res.FromFrames
	if res.Semantic && res.Cutoff >= 0 {
		c := res.Cutoff
		out.Cutoff = &c
	}
	return out, err
}

// Search runs a search-bar query; a syntax error comes back in the
// result's error field (with its column), not as a failure.
func (a *API) Search(req SearchRequest) (SearchResult, error) {
	ws, err := a.workspace()
	if err != nil {
		return SearchResult{}, err
	}
	ctx := a.ctx()
	if searchHook != nil {
		searchHook(ctx)
	}
	opt := search.Options{Limit: req.Limit, Offset: req.Offset, Sort: req.Sort, IncludeHidden: req.ShowHidden}
	if a.opts.Web {
		opt.LikePath = func(p string) (string, error) { return libraryPicture(ctx, ws, p) }
	}
	res, err := ws.Now().Search.Search(ctx, req.Query, opt)
	return a.result(ctx, ws, res, err)
}

// searchHook, when set by tests, runs at the start of each Search with
// the call's context.
var searchHook func(context.Context)

// libraryPicture vets a like: path from the web: a library-relative path
// of an entry whose file (symlinks followed) lies inside the library
// (library.LibraryPath). Absolute paths, drive letters, backslashes and ..
// are refused outright, before anything on disk is looked at.
func libraryPicture(ctx context.Context, ws *workspace.Workspace, p string) (string, error) {
	_, err := ws.Lib.Resolve(ctx, p, library.LibraryPath)
	switch {
	case err == nil:
		return p, nil
	case errors.Is(err, library.ErrBadPath):
		return "", fmt.Errorf("%q: name a picture in the library by its path inside it (no absolute paths or ..)", p)
	case errors.Is(err, store.ErrNotFound):
		return "", fmt.Errorf("%q: no such picture in the library", p)
	}
	return "", fmt.Errorf("%q: %v", p, containErr(err))
}

// Similar is "more like this" for an entry.
func (a *API) Similar(id int64, limit int) (SearchResult, error) {
	ws, err := a.workspace()
	if err != nil {
		return SearchResult{}, err
	}
	ctx := a.ctx()
	res, err := ws.Now().Search.Similar(ctx, id, "", search.Options{Limit: limit})
	return a.result(ctx, ws, res, err)
}

// SearchByImage finds pictures like a file (a library path or any path on
// disk, e.g. dropped on the search bar).
func (a *API) SearchByImage(p string, limit int) (SearchResult, error) {
	ws, err := a.workspace()
	if err != nil {
		return SearchResult{}, err
	}
	ctx := a.ctx()
	if n, err := ws.Lib.Resolve(ctx, p, library.UserPath); err == nil && n.Found() {
		res, err := ws.Now().Search.Similar(ctx, n.Entry.ID, "", search.Options{Limit: limit})
		return a.result(ctx, ws, res, err)
	}
	res, err := ws.Now().Search.SimilarFile(ctx, p, "", search.Options{Limit: limit})
	return a.result(ctx, ws, res, err)
}

// SearchByImageData finds pictures like an image given as bytes (pasted
// into the desktop app's search bar).
func (a *API) SearchByImageData(data []byte, name string, limit int) (SearchResult, error) {
	if len(data) == 0 || len(data) > 64<<20 {
		return SearchResult{}, &Error{Code: CodeInvalid, Message: "image must be 1 byte to 64 MB"}
	}
	tmp, err := os.CreateTemp("", "tagsight-query-*"+filepath.Ext(filepath.Base(name)))
	if err != nil {
		return SearchResult{}, err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return SearchResult{}, err
	}
	ws, err := a.workspace()
	if err != nil {
		return SearchResult{}, err
	}
	ctx := a.ctx()
	res, err := ws.Now().Search.SimilarFile(ctx, tmp.Name(), "", searchOptions(limit))
	return a.result(ctx, ws, res, err)
}

// Entry returns one entry for the inspector.
func (a *API) Entry(id int64) (EntryDetail, error) {
	ws, err := a.workspace()
	if err != nil {
		return EntryDetail{}, err
	}
	ctx := a.ctx()
	e, err := ws.Lib.DB.EntryByID(ctx, id)
	if err != nil {
		return EntryDetail{}, err
	}
	d := EntryDetail{Item: a.item(e), Fingerprint: e.Fingerprint, Mime: e.Mime, Orientation: e.Orientation,
		Make: strp(e.Make), Model: strp(e.Model), Camera: strp(media.CameraName(e.Make, e.Model)), Lens: strp(e.Lens), Exposure: strp(e.Exposure), Lat: e.Lat, Lon: e.Lon,
		FileURL: fmt.Sprintf("/file/%d", e.ID)}
	if e.ISO > 0 {
		d.ISO = &e.ISO
	}
	if e.FNumber > 0 {
		d.FNumber = &e.FNumber
	}
	if e.FocalLength > 0 {
		d.FocalLength = &e.FocalLength
	}
	if e.Thumb != "" {
		u := fmt.Sprintf("/preview/%d?v=%s", e.ID, strings.TrimSuffix(path.Base(e.Thumb), ".jpg"))
		d.PreviewURL = &u
	}
	f, err := ws.Lib.DB.Facts(ctx, id)
	if err != nil {
		return d, err
	}
	d.withFacts(f)
	if d.Warnings, err = ws.Lib.DB.EntryWarnings(ctx, id); err != nil {
		return d, err
	}
	fs, err := ws.Lib.DB.EntryFaces(ctx, id)
	if err != nil {
		return d, err
	}
	if d.Faces, err = a.facesOut(ctx, ws, fs); err != nil {
		return d, err
	}
	if d.Tags, err = ws.Tags.EntryTags(ctx, id); err != nil {
		return d, err
	}
	if d.Tags == nil {
		d.Tags = []tags.Tag{}
	}
	d.Fields, err = ws.Tags.Fields(ctx, id)
	return d, err
}

// SelectionTags splits a selection's tags into those all entries have and
// those only some have.
func (a *API) SelectionTags(ids []int64) (SelectionTags, error) {
	out := SelectionTags{All: []tags.Tag{}, Some: []TagCount{}}
	ws, err := a.workspace()
	if err != nil {
		return out, err
	}
	ctx := a.ctx()
	count := map[int64]int{}
	byID := map[int64]tags.Tag{}
	for _, id := range ids {
		ts, err := ws.Tags.EntryTags(ctx, id)
		if err != nil {
			return out, err
		}
		for _, t := range ts {
			count[t.ID]++
			byID[t.ID] = t
		}
	}
	for id, n := range count {
		if n == len(ids) {
			out.All = append(out.All, byID[id])
		} else {
			out.Some = append(out.Some, TagCount{Tag: byID[id], Count: n})
		}
	}
	sort.Slice(out.All, func(i, j int) bool { return strings.ToLower(out.All[i].Name) < strings.ToLower(out.All[j].Name) })
	sort.Slice(out.Some, func(i, j int) bool { return out.Some[i].Count > out.Some[j].Count })
	return out, nil
}

// Suggestions proposes tags for an entry (none without a model or vector).
func (a *API) Suggestions(id int64) ([]Suggestion, error) {
	ws, err := a.workspace()
	if err != nil {
		return nil, err
	}
	out := []Suggestion{}
	if ws.Now().Model == nil {
		return out, nil
	}
	ctx := a.ctx()
	if _, err := ws.Lib.DB.Vector(ctx, ws.Now().StoreModel, id); err != nil {
		return out, nil // not embedded yet
	}
	sugs, err := ws.Now().Search.Suggest(ctx, id, 8)
	if err != nil {
		return nil, err
	}
	for _, s := range sugs {
		ex, err := a.items(ctx, ws, s.Examples)
		if err != nil {
			return nil, err
		}
		out = append(out, Suggestion{Tag: s.Tag, Score: s.Score, Reason: s.Reason, Sources: s.Sources, Examples: ex})
	}
	return out, nil
}

// AcceptSuggestion applies a suggested tag.
func (a *API) AcceptSuggestion(tagID int64, ids []int64) (int, error) { return a.ApplyTag(tagID, ids) }

// DismissSuggestion never suggests the tag for these entries again.
func (a *API) DismissSuggestion(tagID int64, ids []int64) error {
	ws, err := a.workspace()
	if err != nil {
		return err
	}
	return ws.Tags.Dismiss(a.ctx(), tagID, ids)
}

// BatchSuggest previews the pictures that look like a tag and lack it.
func (a *API) BatchSuggest(tagID int64) ([]Item, error) {
	ws, err := a.workspace()
	if err != nil {
		return nil, err
	}
	ctx := a.ctx()
	hits, err := ws.Now().Search.BatchSuggest(ctx, tagID, 500)
	if err != nil {
		return nil, err
	}
	return a.items(ctx, ws, hits)
}

// Autocomplete completes the word at the cursor with tags and prefixes.
func (a *API) Autocomplete(text string, cursor int) ([]AutocompleteItem, error) {
	var tags []query.CompletionTag
	if ws, err := a.workspace(); err == nil {
		ts, err := ws.Tags.List(a.ctx())
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			tags = append(tags, query.CompletionTag{Name: t.Name, Shorthand: t.Shorthand, Color: t.Color, Aliases: t.Aliases})
		}
	}
	out := []AutocompleteItem{}
	for _, c := range query.Complete(text, cursor, tags) {
		out = append(out, AutocompleteItem{Kind: c.Kind, Text: c.Text, Label: c.Label, Color: c.Color})
	}
	return out, nil
}

// searchOptions asks for limit results (0: the default); the search
// refuses a negative one (a 400), never slices by it.
func searchOptions(limit int) search.Options {
	return search.Options{Limit: limit}
}
