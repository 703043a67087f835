// Package api is the surface the UI calls: one Go type whose exported
// methods the Wails window binds (window.go.api.API.*) and the HTTP face
// serves (POST /api/<Method>), plus the handler for thumbnails, previews,
// files, uploads and server-sent events. It adapts the workspace's services
// to the UI's shapes (frontend/src/lib/api/types.ts) and owns no logic of
// its own beyond that.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tagsight/tagsight/backend/clip"
	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/modelhub"
	"github.com/tagsight/tagsight/backend/pathenc"
	"github.com/tagsight/tagsight/backend/query"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/tags"
	"github.com/tagsight/tagsight/backend/vectors"
	"github.com/tagsight/tagsight/backend/workspace"
)

// Event names, `domain:verb` (jobs.EventProgress and jobs.EventDone too).
const EventLibraryChanged = "library:changed"

// Options wire the API into a face.
type Options struct {
	Version    string
	Model      workspace.ModelOptions
	ConfigDir  string                   // settings.json; "" = the user's config folder
	PickFolder func() (string, error)   // native dialog (desktop only)
	Emit       func(name string, p any) // events to the UI
	// Web is set for the browser face (tagsight serve): queries may name
	// pictures by library path only, the model is chosen by catalog name
	// only, no folder on the server's disk is revealed, and settings live
	// in the served library (.tagsight/settings.json), not in a user's
	// config folder. Which methods the web may call at all is methodRoles'.
	Web bool
}

// API is the bound surface. Its exported methods are exactly what the UI
// may call; lifecycle functions (Shutdown, Open) are package functions so
// Wails does not expose them.
type API struct {
	opts Options
	jobs *jobs.Manager

	mu  sync.RWMutex
	ws  *workspace.Workspace
	cfg userConfig
}

type userConfig struct {
	Recent    []RecentLibrary `json:"recent"`
	Provider  string          `json:"provider"`
	ThumbSize int             `json:"thumb_size"`
	Theme     string          `json:"theme"`
}

// New returns the API of a face.
func New(o Options) *API {
	if o.Emit == nil {
		o.Emit = func(string, any) {}
	}
	a := &API{opts: o}
	a.jobs = jobs.NewManager(jobs.Emitter(o.Emit))
	a.loadConfig()
	return a
}

// Shutdown cancels running jobs (they commit what they finished) and
// closes the library.
func Shutdown(a *API) {
	a.jobs.Close()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ws != nil {
		a.ws.Close()
		a.ws = nil
	}
}

// Open opens a library at start-up (tagsight serve), without indexing.
func Open(a *API, root string, create bool) error {
	_, err := a.open(root, create, false)
	return err
}

// configPath is settings.json's path. Callers hold a.mu.
func (a *API) configPath() string {
	if a.opts.Web {
		if a.ws == nil {
			return ""
		}
		return filepath.Join(a.ws.Lib.DataDir(), "settings.json")
	}
	dir := a.opts.ConfigDir
	if dir == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(d, "tagsight")
	}
	return filepath.Join(dir, "settings.json")
}

func (a *API) loadConfig() {
	a.cfg = userConfig{ThumbSize: 256, Theme: "system", Provider: "auto"}
	if p := a.configPath(); p != "" {
		if b, err := os.ReadFile(p); err == nil {
			json.Unmarshal(b, &a.cfg)
		}
	}
}

func (a *API) saveConfig() error {
	p := a.configPath()
	if p == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(a.cfg, "", "  ")
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// workspace returns the open library or ErrNoLibrary.
func (a *API) workspace() (*workspace.Workspace, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.ws == nil {
		return nil, ErrNoLibrary
	}
	return a.ws, nil
}

func bg() context.Context { return context.Background() }

// Version is the application's version.
func (a *API) Version() string { return a.opts.Version }

// RecentLibraries lists libraries opened before, newest first.
func (a *API) RecentLibraries() ([]RecentLibrary, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := []RecentLibrary{}
	for _, r := range a.cfg.Recent {
		if st, err := os.Stat(r.Root); err == nil && st.IsDir() {
			out = append(out, r)
		}
	}
	return out, nil
}

// PickFolder shows the native folder dialog ("" when cancelled).
func (a *API) PickFolder() (string, error) {
	if a.opts.PickFolder == nil {
		return "", &Error{Code: CodeInvalid, Message: "no folder dialog in the browser: type the folder's path"}
	}
	return a.opts.PickFolder()
}

// OpenLibrary opens (or with create, makes) a library and starts indexing it.
func (a *API) OpenLibrary(root string, create bool) (LibraryInfo, error) {
	return a.open(root, create, true)
}

func (a *API) open(root string, create, index bool) (LibraryInfo, error) {
	mo := a.opts.Model
	if mo.Provider == "" && a.cfg.Provider != "auto" {
		mo.Provider = a.cfg.Provider
	}
	ws, err := workspace.Open(bg(), root, create, mo, false)
	if err != nil {
		return LibraryInfo{}, err
	}
	a.mu.Lock()
	old := a.ws
	a.ws = ws
	if a.opts.Web {
		// The served library keeps the web's settings; there are no recents.
		a.loadConfig()
	} else {
		name := filepath.Base(ws.Lib.Root)
		rec := []RecentLibrary{{Root: ws.Lib.Root, Name: name, OpenedAt: time.Now().UTC().Format(time.RFC3339)}}
		for _, r := range a.cfg.Recent {
			if r.Root != ws.Lib.Root && len(rec) < 10 {
				rec = append(rec, r)
			}
		}
		a.cfg.Recent = rec
		a.saveConfig()
	}
	a.mu.Unlock()
	if old != nil {
		old.Close()
	}
	if index {
		if _, err := a.StartIndex(); err != nil {
			return LibraryInfo{}, err
		}
	}
	info, err := a.LibraryInfo()
	if err != nil || info == nil {
		return LibraryInfo{}, err
	}
	return *info, nil
}

// LibraryInfo describes the open library (nil when none is open).
func (a *API) LibraryInfo() (*LibraryInfo, error) {
	a.mu.RLock()
	ws := a.ws
	a.mu.RUnlock()
	if ws == nil {
		return nil, nil
	}
	ctx := bg()
	info := &LibraryInfo{Root: ws.Lib.Root, Name: filepath.Base(ws.Lib.Root)}
	if a.opts.Web {
		info.Root = "" // the web gets no folder of the server's
	}
	var err error
	if info.Entries, info.Missing, err = ws.Lib.DB.CountEntries(ctx); err != nil {
		return nil, err
	}
	if ws.Model != nil {
		ms := &ModelState{Name: filepath.Base(ws.Model.Dir), Dir: ws.Model.Dir, Dim: ws.StoreModel.Dim}
		if a.opts.Web {
			ms.Dir = ""
		}
		ms.Vectors, _ = ws.Lib.DB.CountVectors(ctx, ws.StoreModel)
		if todo, err := ws.Lib.DB.EntriesToEmbed(ctx, ws.StoreModel); err == nil {
			ms.Pending = len(todo)
		}
		info.Model = ms
		p := ws.Model.Engine.ProviderInfo()
		info.Provider = &p
	} else if ws.ModelErr != nil {
		info.ModelError = ws.ModelErr.Error()
	}
	return info, nil
}

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

func (a *API) items(ctx context.Context, ws *workspace.Workspace, hits []search.Hit) ([]Item, error) {
	if len(hits) == 0 {
		return []Item{}, nil
	}
	args := make([]any, len(hits))
	for i, h := range hits {
		args[i] = h.EntryID
	}
	entries := map[int64]store.Entry{}
	for start := 0; start < len(args); start += 500 {
		chunk := args[start:min(start+500, len(args))]
		es, err := entriesByID(ctx, ws.Lib.DB, chunk)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			entries[e.ID] = e
		}
	}
	out := make([]Item, 0, len(hits))
	for _, h := range hits {
		e, ok := entries[h.EntryID]
		if !ok {
			continue
		}
		it := a.item(e)
		if !math.IsNaN(h.Score) {
			sc := h.Score
			it.Score = &sc
		}
		out = append(out, it)
	}
	return out, nil
}

func entriesByID(ctx context.Context, db *store.DB, ids []any) ([]store.Entry, error) {
	var out []store.Entry
	for _, id := range ids {
		e, err := db.EntryByID(ctx, id.(int64))
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			return nil, err
		}
		out = append(out, e)
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
	ctx := bg()
	opt := search.Options{Limit: req.Limit, Offset: req.Offset, Sort: req.Sort}
	if a.opts.Web {
		opt.LikePath = func(p string) (string, error) { return libraryPicture(ctx, ws, p) }
	}
	res, err := ws.Search.Search(ctx, req.Query, opt)
	return a.result(ctx, ws, res, err)
}

// libraryPicture vets a like: path from the web: a library-relative path
// of an entry whose file (symlinks followed) lies inside the library.
// Absolute paths, drive letters, backslashes and .. are refused outright,
// before anything on disk is looked at.
func libraryPicture(ctx context.Context, ws *workspace.Workspace, p string) (string, error) {
	if p == "" || filepath.IsAbs(p) || path.IsAbs(p) || strings.ContainsAny(p, "\\\x00") ||
		(len(p) > 1 && p[1] == ':') || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("%q: name a picture in the library by its path inside it (no absolute paths or ..)", p)
	}
	if _, err := ws.Lib.DB.EntryByPath(ctx, p); err != nil {
		return "", fmt.Errorf("%q: no such picture in the library", p)
	}
	if _, err := insideLibrary(ws.Lib, p); err != nil {
		return "", fmt.Errorf("%q: %v", p, err)
	}
	return p, nil
}

// Similar is "more like this" for an entry.
func (a *API) Similar(id int64, limit int) (SearchResult, error) {
	ws, err := a.workspace()
	if err != nil {
		return SearchResult{}, err
	}
	ctx := bg()
	res, err := ws.Search.Similar(ctx, id, "", search.Options{Limit: limit})
	return a.result(ctx, ws, res, err)
}

// SearchByImage finds pictures like a file (a library path or any path on
// disk, e.g. dropped on the search bar).
func (a *API) SearchByImage(p string, limit int) (SearchResult, error) {
	ws, err := a.workspace()
	if err != nil {
		return SearchResult{}, err
	}
	ctx := bg()
	if e, err := ws.Lib.DB.EntryByPath(ctx, filepath.ToSlash(p)); err == nil {
		res, err := ws.Search.Similar(ctx, e.ID, "", search.Options{Limit: limit})
		return a.result(ctx, ws, res, err)
	}
	if rel, err := ws.Lib.Rel(p); err == nil {
		if e, err := ws.Lib.DB.EntryByPath(ctx, rel); err == nil {
			res, err := ws.Search.Similar(ctx, e.ID, "", search.Options{Limit: limit})
			return a.result(ctx, ws, res, err)
		}
	}
	res, err := ws.Search.SimilarFile(ctx, p, "", search.Options{Limit: limit})
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
	ctx := bg()
	res, err := ws.Search.SimilarFile(ctx, tmp.Name(), "", searchOptions(limit))
	return a.result(ctx, ws, res, err)
}

// Entry returns one entry for the inspector.
func (a *API) Entry(id int64) (EntryDetail, error) {
	ws, err := a.workspace()
	if err != nil {
		return EntryDetail{}, err
	}
	ctx := bg()
	e, err := ws.Lib.DB.EntryByID(ctx, id)
	if err != nil {
		return EntryDetail{}, err
	}
	d := EntryDetail{Item: a.item(e), Fingerprint: e.Fingerprint, Mime: e.Mime, Orientation: e.Orientation,
		Make: strp(e.Make), Model: strp(e.Model), Lens: strp(e.Lens), Exposure: strp(e.Exposure), Lat: e.Lat, Lon: e.Lon,
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
	ctx := bg()
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
	if ws.Model == nil {
		return out, nil
	}
	ctx := bg()
	if _, err := ws.Lib.DB.Vector(ctx, ws.StoreModel, id); err != nil {
		return out, nil // not embedded yet
	}
	sugs, err := ws.Search.Suggest(ctx, id, 8)
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
	return ws.Tags.Dismiss(bg(), tagID, ids)
}

// BatchSuggest previews the pictures that look like a tag and lack it.
func (a *API) BatchSuggest(tagID int64) ([]Item, error) {
	ws, err := a.workspace()
	if err != nil {
		return nil, err
	}
	ctx := bg()
	hits, err := ws.Search.BatchSuggest(ctx, tagID, 500)
	if err != nil {
		return nil, err
	}
	return a.items(ctx, ws, hits)
}

// Tags lists every tag.
func (a *API) Tags() ([]tags.Tag, error) {
	ws, err := a.workspace()
	if err != nil {
		return nil, err
	}
	ts, err := ws.Tags.List(bg())
	if ts == nil {
		ts = []tags.Tag{}
	}
	return ts, err
}

// CreateTag makes a tag.
func (a *API) CreateTag(name string) (tags.Tag, error) {
	ws, err := a.workspace()
	if err != nil {
		return tags.Tag{}, err
	}
	return ws.Tags.Create(bg(), name)
}

// UpdateTag applies a patch to a tag.
func (a *API) UpdateTag(id int64, p TagPatch) (tags.Tag, error) {
	ws, err := a.workspace()
	if err != nil {
		return tags.Tag{}, err
	}
	ctx, s := bg(), ws.Tags
	steps := []func() error{}
	if p.Name != nil {
		steps = append(steps, func() error { return s.Rename(ctx, id, *p.Name) })
	}
	if p.Shorthand != nil {
		steps = append(steps, func() error { return s.SetShorthand(ctx, id, *p.Shorthand) })
	}
	if p.Color != nil {
		steps = append(steps, func() error { return s.SetColor(ctx, id, *p.Color) })
	}
	if p.IsCategory != nil {
		steps = append(steps, func() error { return s.SetCategory(ctx, id, *p.IsCategory) })
	}
	if p.IsHidden != nil {
		steps = append(steps, func() error { return s.SetHidden(ctx, id, *p.IsHidden) })
	}
	if p.AddAlias != nil {
		steps = append(steps, func() error { return s.AddAlias(ctx, id, *p.AddAlias) })
	}
	if p.RemoveAlias != nil {
		steps = append(steps, func() error { return s.RemoveAlias(ctx, id, *p.RemoveAlias) })
	}
	if p.AddParent != nil {
		steps = append(steps, func() error { return s.AddParent(ctx, id, *p.AddParent) })
	}
	if p.RemoveParent != nil {
		steps = append(steps, func() error { return s.RemoveParent(ctx, id, *p.RemoveParent) })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return tags.Tag{}, err
		}
	}
	return s.Get(ctx, id)
}

// MergeTags folds one tag into another.
func (a *API) MergeTags(from, into int64) error {
	ws, err := a.workspace()
	if err != nil {
		return err
	}
	return ws.Tags.Merge(bg(), from, into)
}

// DeleteTag removes a tag.
func (a *API) DeleteTag(id int64) error {
	ws, err := a.workspace()
	if err != nil {
		return err
	}
	return ws.Tags.Delete(bg(), id)
}

// ApplyTag adds a tag to entries.
func (a *API) ApplyTag(tagID int64, ids []int64) (int, error) {
	ws, err := a.workspace()
	if err != nil {
		return 0, err
	}
	return ws.Tags.Apply(bg(), tagID, ids)
}

// RemoveTag takes a tag off entries.
func (a *API) RemoveTag(tagID int64, ids []int64) (int, error) {
	ws, err := a.workspace()
	if err != nil {
		return 0, err
	}
	return ws.Tags.Remove(bg(), tagID, ids)
}

// SetField sets a text or date field ("" removes it).
func (a *API) SetField(id int64, name, kind, value string) error {
	ws, err := a.workspace()
	if err != nil {
		return err
	}
	return ws.Tags.SetField(bg(), id, name, kind, value)
}

// Duplicates finds duplicate groups, keeper first.
func (a *API) Duplicates() ([]DuplicateGroup, error) {
	ws, err := a.workspace()
	if err != nil {
		return nil, err
	}
	ctx := bg()
	groups, err := ws.Search.Duplicates(ctx, 0.98)
	if err != nil && !errors.Is(err, search.ErrNoModel) {
		return nil, err
	}
	out := []DuplicateGroup{}
	for _, g := range groups {
		hits := make([]search.Hit, len(g.EntryIDs))
		for i, id := range g.EntryIDs {
			hits[i] = search.Hit{EntryID: id, Score: math.NaN()}
		}
		items, err := a.items(ctx, ws, hits)
		if err != nil {
			return nil, err
		}
		out = append(out, DuplicateGroup{Kind: g.Kind, Items: items, Keeper: g.EntryIDs[0], Similarity: g.Similarity})
	}
	return out, nil
}

// PlanImport says what importing paths into target would copy and which
// destinations exist already.
func (a *API) PlanImport(paths []string, target string) (library.ImportPlan, error) {
	ws, err := a.workspace()
	if err != nil {
		return library.ImportPlan{}, err
	}
	return ws.Lib.PlanImport(bg(), paths, target)
}

// Import copies files and folders into the library, then indexes them.
func (a *API) Import(paths []string, target, conflict string) (jobs.Job, error) {
	ws, err := a.workspace()
	if err != nil {
		return jobs.Job{}, err
	}
	if _, err := library.CleanTarget(target); err != nil {
		return jobs.Job{}, &Error{Code: CodeInvalid, Message: err.Error()}
	}
	title := fmt.Sprintf("Importing %d items", len(paths))
	if len(paths) == 1 {
		title = "Importing " + filepath.Base(paths[0])
	}
	return a.jobs.Start("import", title, ws.Lib.Root, func(ctx context.Context, report func(jobs.Progress)) (any, error) {
		start := time.Now()
		res, err := ws.Lib.Import(ctx, paths, target, conflict, func(p library.ImportProgress) {
			rate, eta := jobs.Pace(float64(p.Done), float64(p.Total-p.Done), time.Since(start))
			report(jobs.Progress{Phase: "copy", Done: p.Done, Total: p.Total, Rate: rate, Unit: "B", ETA: eta, Current: p.Current})
		})
		if err != nil {
			return res, err
		}
		a.changed()
		return res, a.index(ctx, ws, report)
	})
}

// StartIndex scans the library and embeds new pictures in the background.
func (a *API) StartIndex() (jobs.Job, error) {
	ws, err := a.workspace()
	if err != nil {
		return jobs.Job{}, err
	}
	return a.jobs.Start("index", "Indexing "+filepath.Base(ws.Lib.Root), ws.Lib.Root, func(ctx context.Context, report func(jobs.Progress)) (any, error) {
		return nil, a.index(ctx, ws, report)
	})
}

func (a *API) index(ctx context.Context, ws *workspace.Workspace, report func(jobs.Progress)) error {
	a.mu.RLock()
	thumb := a.cfg.ThumbSize
	a.mu.RUnlock()
	// One pass (package analysis): thumbnail, metadata and, with a model,
	// the CLIP vector of each picture from one decode.
	var emb *vectors.Result
	_, emb, err := ws.Index(ctx, library.ScanOptions{ThumbSize: thumb, Report: func(p library.Progress) {
		report(jobs.Progress{Phase: "scan", Done: int64(p.Done), Total: int64(p.Total), Rate: p.Rate, Unit: "files", ETA: p.ETA, Current: p.Current})
	}}, ws.Model != nil)
	if err == nil || emb != nil {
		a.changed()
	}
	return err
}

// changed tells the UI the library's contents changed, with its new facts.
func (a *API) changed() {
	info, err := a.LibraryInfo()
	if err != nil || info == nil {
		return
	}
	a.opts.Emit(EventLibraryChanged, info)
}

// CancelJob stops a job after it commits what it finished.
func (a *API) CancelJob(id string) error { return a.jobs.Cancel(id) }

// Jobs lists running and recently finished jobs.
func (a *API) Jobs() ([]jobs.Job, error) { return a.jobs.List(), nil }

// Trash moves entries' files into the library's trash folder
// (.tagsight/trash/<time>/…, on the same disk, so nothing is copied and
// everything can be put back by hand) and forgets the entries.
func (a *API) Trash(ids []int64) (int, error) {
	ws, err := a.workspace()
	if err != nil {
		return 0, err
	}
	ctx := bg()
	dir := filepath.Join(ws.Lib.DataDir(), "trash", time.Now().Format("20060102-150405"))
	n := 0
	for _, id := range ids {
		e, err := ws.Lib.DB.EntryByID(ctx, id)
		if err != nil {
			return n, err
		}
		if !e.Missing {
			dst := filepath.Join(dir, filepath.FromSlash(e.Path))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return n, err
			}
			if err := os.Rename(ws.Lib.Abs(e.Path), dst); err != nil && !errors.Is(err, os.ErrNotExist) {
				return n, fmt.Errorf("trash %s: %w", e.Path, err)
			}
		}
		// Vectors, failures and centroid shares go with the entry, in
		// one transaction (ids are never reused; see store).
		if _, err := ws.Lib.DB.DeleteEntries(ctx, []int64{id}); err != nil {
			return n, err
		}
		n++
	}
	ws.Search.Invalidate()
	a.changed()
	return n, nil
}

// Settings returns the user's preferences (the model is the library's).
func (a *API) Settings() (Settings, error) {
	a.mu.RLock()
	s := Settings{Provider: a.cfg.Provider, ThumbSize: a.cfg.ThumbSize, Theme: a.cfg.Theme}
	ws := a.ws
	a.mu.RUnlock()
	if ws != nil {
		s.Model, _ = ws.Lib.DB.Setting(bg(), "model", "")
		if s.Model == "" && ws.Model != nil {
			s.Model = filepath.Base(ws.Model.Dir)
		}
	}
	return s, nil
}

// SaveSettings stores preferences; a new model or provider reloads the
// model and embeds what it lacks.
func (a *API) SaveSettings(s Settings) (Settings, error) {
	switch s.Theme {
	case "system", "dark", "light":
	default:
		return s, &Error{Code: CodeInvalid, Message: fmt.Sprintf("theme %q: use system, dark or light", s.Theme)}
	}
	switch s.Provider {
	case "", clip.ProviderAuto, clip.ProviderCPU, clip.ProviderCUDA, clip.ProviderCoreML, clip.ProviderDirectML:
	default:
		return s, &Error{Code: CodeInvalid, Message: fmt.Sprintf("provider %q: use auto, cpu, cuda, coreml or directml", s.Provider)}
	}
	if s.ThumbSize < 128 || s.ThumbSize > 512 {
		s.ThumbSize = 256
	}
	if a.opts.Web && s.Model != "" {
		cur, _ := a.Settings()
		if s.Model != cur.Model {
			hub, err := workspace.Hub(a.opts.Model.ModelsDir)
			if err != nil {
				return s, err
			}
			if strings.ContainsAny(s.Model, "/\\") || strings.HasPrefix(s.Model, ".") || !hub.Installed(s.Model) {
				return s, &Error{Code: CodeInvalid, Message: fmt.Sprintf("model %q: over the web, choose an installed model by its catalog name", s.Model)}
			}
		}
	}
	a.mu.Lock()
	providerChanged := s.Provider != a.cfg.Provider
	a.cfg.Provider, a.cfg.ThumbSize, a.cfg.Theme = s.Provider, s.ThumbSize, s.Theme
	err := a.saveConfig()
	ws := a.ws
	a.mu.Unlock()
	if err != nil {
		return s, err
	}
	if ws != nil {
		cur, _ := a.Settings()
		if s.Model != "" && (s.Model != cur.Model || providerChanged) {
			if providerChanged {
				a.mu.Lock()
				a.opts.Model.Provider = s.Provider
				a.mu.Unlock()
			}
			if err := ws.SetModel(bg(), s.Model); err != nil {
				return s, err
			}
			a.StartIndex()
		}
	}
	return a.Settings()
}

// Models lists the catalog with what is installed and in use.
func (a *API) Models() ([]CatalogModel, error) {
	hub, err := workspace.Hub(a.opts.Model.ModelsDir)
	if err != nil {
		return nil, err
	}
	inUse := ""
	if ws, err := a.workspace(); err == nil && ws.Model != nil {
		inUse = ws.Model.Dir
	}
	out := []CatalogModel{}
	for _, m := range hub.Catalog.Models {
		out = append(out, CatalogModel{Name: m.Name, Title: m.Title, Description: m.Description,
			Installed: hub.Installed(m.Name), Default: m.Name == hub.Catalog.Default, InUse: inUse == hub.ModelDir(m.Name)})
	}
	return out, nil
}

// PullModel downloads a catalog model in the background, then makes it the
// library's model and embeds the pictures.
func (a *API) PullModel(name string) (jobs.Job, error) {
	hub, err := workspace.Hub(a.opts.Model.ModelsDir)
	if err != nil {
		return jobs.Job{}, err
	}
	if _, err := hub.Catalog.Find(name); err != nil {
		return jobs.Job{}, &Error{Code: CodeNotFound, Message: err.Error()}
	}
	return a.jobs.Start("download", "Downloading "+name, "download:"+name, func(ctx context.Context, report func(jobs.Progress)) (any, error) {
		h := *hub
		h.Report = func(p modelhub.Progress) {
			eta := 0.0
			if p.BytesPerS > 0 && p.Total > 0 {
				eta = float64(p.Total-p.Done) / p.BytesPerS
			}
			report(jobs.Progress{Phase: "download", Done: p.Done, Total: p.Total, Rate: p.BytesPerS, Unit: "B", ETA: eta, Current: p.File})
		}
		dir, err := h.Pull(ctx, name)
		if err != nil {
			return nil, err
		}
		if ws, err := a.workspace(); err == nil {
			if err := ws.SetModel(ctx, name); err != nil {
				return dir, err
			}
			a.StartIndex()
		}
		return dir, nil
	})
}

// prefixes are the query language's prefixes and keywords as completions.
var prefixes = func() []AutocompleteItem {
	var out []AutocompleteItem
	for _, p := range query.Prefixes {
		text := p.Name + ":"
		if p.Complete != "" {
			text = p.Complete
		}
		out = append(out, AutocompleteItem{Kind: "prefix", Text: text, Label: text + " — " + p.Help})
	}
	for _, k := range query.Keywords {
		out = append(out, AutocompleteItem{Kind: "prefix", Text: k.Name, Label: k.Name + " — " + k.Help})
	}
	return out
}()

// Autocomplete completes the word at the cursor with tags and prefixes.
func (a *API) Autocomplete(text string, cursor int) ([]AutocompleteItem, error) {
	r := []rune(text)
	if cursor < 0 || cursor > len(r) {
		cursor = len(r)
	}
	start := cursor
	for start > 0 && r[start-1] != ' ' && r[start-1] != '(' {
		start--
	}
	word := strings.ToLower(string(r[start:cursor]))
	out := []AutocompleteItem{}
	if word == "" {
		return out, nil
	}
	tagWord, isTag := strings.CutPrefix(word, "tag:")
	tagWord = strings.Trim(tagWord, `"'`)
	if ws, err := a.workspace(); err == nil && !strings.Contains(tagWord, ":") {
		ts, err := ws.Tags.List(bg())
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			names := append([]string{t.Name, t.Shorthand}, t.Aliases...)
			for _, n := range names {
				if n != "" && strings.HasPrefix(strings.ToLower(n), tagWord) {
					text := t.Name
					if strings.ContainsAny(text, " ():\"'") {
						text = `"` + strings.ReplaceAll(text, `"`, `\"`) + `"`
					}
					if isTag {
						text = "tag:" + text
					}
					out = append(out, AutocompleteItem{Kind: "tag", Text: text, Label: t.Name, Color: t.Color})
					break
				}
			}
			if len(out) >= 8 {
				break
			}
		}
	}
	if !isTag {
		for _, p := range prefixes {
			if strings.HasPrefix(p.Text, word) && p.Text != word {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

func searchOptions(limit int) search.Options {
	if limit <= 0 {
		limit = 100
	}
	return search.Options{Limit: limit}
}
