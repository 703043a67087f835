// Package tagstudio imports a TagStudio library (its .TagStudio folder:
// ts_library.sqlite of any DB_VERSION from 6 on, or the 9.x
// ts_library.json) into a Tagsight library: tags with their shorthands,
// aliases, parents, colours, category and hidden flags, the tags on
// entries, and text and date fields. TagStudio's files are only read.
//
// Entries are matched by their path relative to the library (the CLI
// scans first, so the files on disk have entries). A TagStudio entry with
// no Tagsight entry (TagStudio keeps entries whose file is gone as
// "unlinked", so their tags survive a move) becomes a missing entry with
// its tags and fields, as a file that vanished after a scan does; the file
// that later appears at its path takes it over. Its content was never
// read, so it cannot be found again by content.
// Tags are matched by the TagStudio id recorded at an earlier import, then
// (TagStudio's Archived and Favorite) Tagsight's built-ins 1 and 2, then by
// name; every imported tag's TagStudio id is recorded. Importing again
// updates and adds, never duplicates, and never removes what Tagsight has
// beyond TagStudio (extra aliases, parents, tags on entries).
package tagstudio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/tags"
)

// Folder is TagStudio's data folder inside a library.
const Folder = ".TagStudio"

// Problem is something that could not be imported, and why.
type Problem struct {
	What   string `json:"what"`
	Reason string `json:"reason"`
}

// Report sums up an import.
type Report struct {
	Source         string   `json:"source"`  // the file read
	Format         string   `json:"format"`  // "sqlite" or "json"
	Version        string   `json:"version"` // DB_VERSION, or the JSON's ts-version
	Tags           int      `json:"tags"`    // tags in TagStudio
	TagsAdded      []string `json:"tags_added"`
	TagsChanged    []string `json:"tags_changed"`
	TagsUnchanged  int      `json:"tags_unchanged"`
	AliasesAdded   int      `json:"aliases_added"`
	ParentsAdded   int      `json:"parents_added"`
	Entries        int      `json:"entries"`         // entries in TagStudio
	EntriesMatched int      `json:"entries_matched"` // with a file in the library
	// Missing: TagStudio entries with no file in the library, kept as
	// missing entries with their tags and fields (sorted paths).
	Missing      []string `json:"missing"`
	MissingAdded int      `json:"missing_added"` // of those, entries this import made
	// Unmatched: TagStudio paths no entry can have (absolute, "..", in a
	// data folder), left out with their tags.
	Unmatched  []string  `json:"unmatched"`
	LinksAdded int       `json:"links_added"`
	FieldsSet  int       `json:"fields_set"` // fields added or changed
	FieldsSame int       `json:"fields_unchanged"`
	NotMapped  []Problem `json:"not_mapped"`
}

// Find returns the TagStudio library file under root (the folder holding
// .TagStudio): the SQLite database if there is one, else the JSON.
func Find(root string) (file, format string, err error) {
	dir := filepath.Join(root, Folder)
	for _, c := range []struct{ name, format string }{{"ts_library.sqlite", "sqlite"}, {"ts_library.json", "json"}} {
		p := filepath.Join(dir, c.name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, c.format, nil
		}
	}
	return "", "", fmt.Errorf("tagstudio: no TagStudio library in %s (no %s/ts_library.sqlite or ts_library.json)", root, Folder)
}

// Read reads the TagStudio library under root.
func Read(ctx context.Context, root string) (*store.TSLibrary, *Report, error) {
	file, format, err := Find(root)
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{Source: file, Format: format, TagsAdded: []string{}, TagsChanged: []string{}, Missing: []string{}, Unmatched: []string{}, NotMapped: []Problem{}}
	var lib *store.TSLibrary
	if format == "sqlite" {
		lib, err = store.ReadTagStudio(ctx, file)
		if lib != nil {
			rep.Version = strconv.Itoa(lib.Version)
		}
	} else {
		lib, rep.Version, err = readJSON(file, &rep.NotMapped)
	}
	if err != nil {
		return nil, nil, err
	}
	return lib, rep, nil
}

// Import reads the TagStudio library under root and imports it into db.
func Import(ctx context.Context, db *store.DB, root string) (*Report, error) {
	lib, rep, err := Read(ctx, root)
	if err != nil {
		return nil, err
	}
	im := &importer{db: db, lib: lib, rep: rep, ids: map[int64]int64{}}
	if err := im.run(ctx); err != nil {
		return rep, err
	}
	return rep, nil
}

type importer struct {
	db  *store.DB
	lib *store.TSLibrary
	rep *Report
	ids map[int64]int64 // TagStudio tag id -> Tagsight tag id
}

func (im *importer) problem(what, reason string) {
	im.rep.NotMapped = append(im.rep.NotMapped, Problem{What: what, Reason: reason})
}

func cleanName(s string) string { return strings.Join(strings.Fields(s), " ") }

func (im *importer) run(ctx context.Context) error {
	if err := im.tags(ctx); err != nil {
		return err
	}
	return im.entries(ctx)
}

// tags creates or updates every tag, then links parents once all exist.
func (im *importer) tags(ctx context.Context) error {
	db, rep := im.db, im.rep
	rep.Tags = len(im.lib.Tags)
	known, err := db.TagStudioIDs(ctx)
	if err != nil {
		return err
	}
	existing, err := db.ListTags(ctx)
	if err != nil {
		return err
	}
	byID := map[int64]store.Tag{}
	byName := map[string]int64{}
	for _, t := range existing {
		byID[t.ID] = t
		byName[strings.ToLower(t.Name)] = t.ID
	}
	taken := map[int64]bool{} // Tagsight tags already claimed by a TagStudio tag in this run
	changed := map[int64]bool{}
	var order []int64 // Tagsight ids in TagStudio order, for the report
	names := map[int64]string{}
	for _, ts := range im.lib.Tags {
		name := cleanName(ts.Name)
		if name == "" {
			im.problem(fmt.Sprintf("tag %d", ts.ID), "empty name")
			continue
		}
		id, ok := int64(0), false
		if k, hit := known[ts.ID]; hit && byID[k].ID != 0 && !taken[k] {
			id, ok = k, true
		} else if ts.ID == 0 || ts.ID == 1 {
			id, ok = ts.ID+1, true // Archived, Favorite: Tagsight's built-ins
		} else if k, hit := byName[strings.ToLower(name)]; hit && !taken[k] && !im.builtin(k) {
			id, ok = k, true
		}
		created := false
		if !ok {
			n := name
			if k, hit := byName[strings.ToLower(n)]; hit && (taken[k] || im.builtin(k)) {
				n = im.disambiguate(ts, name, byName)
				im.problem("tag "+name, fmt.Sprintf("another tag has this name; imported as %q", n))
			}
			id, err = db.CreateTag(ctx, n, time.Now().Unix())
			if err != nil {
				return fmt.Errorf("create tag %q: %w", n, err)
			}
			created = true
			t, err := db.TagByID(ctx, id)
			if err != nil {
				return err
			}
			byID[id] = t
			byName[strings.ToLower(n)] = id
			rep.TagsAdded = append(rep.TagsAdded, n)
		}
		taken[id] = true
		im.ids[ts.ID] = id
		if known[ts.ID] != id {
			if err := db.SetTagStudioID(ctx, ts.ID, id); err != nil {
				return err
			}
		}
		cur := byID[id]
		names[id] = cur.Name
		order = append(order, id)
		ch, err := im.updateTag(ctx, cur, ts, name)
		if err != nil {
			return err
		}
		if ch && !created {
			changed[id] = true
		}
	}
	// Parents, once every tag exists.
	for _, ts := range im.lib.Tags {
		child, ok := im.ids[ts.ID]
		if !ok {
			continue
		}
		have := map[int64]bool{}
		for _, p := range byID[child].Parents {
			have[p] = true
		}
		for _, tp := range ts.Parents {
			what := fmt.Sprintf("parent %d of tag %q", tp, ts.Name)
			if tp == ts.ID {
				im.problem(what, "a tag cannot be its own parent")
				continue
			}
			parent, ok := im.ids[tp]
			if !ok {
				im.problem(what, "no such tag in TagStudio")
				continue
			}
			if have[parent] {
				continue
			}
			if err := db.AddTagParent(ctx, child, parent); err != nil {
				var cyc *store.TagCycleError
				if errors.As(err, &cyc) {
					im.problem(what, "it would close a loop of parents")
					continue
				}
				return err
			}
			have[parent] = true
			rep.ParentsAdded++
			if _, created := contains(rep.TagsAdded, names[child]); !created {
				changed[child] = true
			}
		}
	}
	for _, id := range order {
		if changed[id] {
			rep.TagsChanged = append(rep.TagsChanged, names[id])
		}
	}
	rep.TagsUnchanged = len(order) - len(rep.TagsAdded) - len(rep.TagsChanged)
	return nil
}

func contains(xs []string, s string) (int, bool) {
	for i, x := range xs {
		if x == s {
			return i, true
		}
	}
	return -1, false
}

func (im *importer) builtin(id int64) bool { return id == 1 || id == 2 }

// disambiguate names a TagStudio tag whose name another tag holds, the way
// TagStudio shows it: "Name (Disambiguation)", else "Name (TagStudio N)".
func (im *importer) disambiguate(ts store.TSTag, name string, byName map[string]int64) string {
	if ts.Disambiguation != 0 {
		for _, o := range im.lib.Tags {
			if o.ID == ts.Disambiguation {
				n := fmt.Sprintf("%s (%s)", name, cleanName(o.Name))
				if _, hit := byName[strings.ToLower(n)]; !hit {
					return n
				}
			}
		}
	}
	return fmt.Sprintf("%s (TagStudio %d)", name, ts.ID)
}

// updateTag brings one Tagsight tag in step with its TagStudio tag and says
// whether anything changed. Built-in tags keep their Tagsight name (the
// TagStudio name becomes an alias).
func (im *importer) updateTag(ctx context.Context, cur store.Tag, ts store.TSTag, name string) (bool, error) {
	db := im.db
	changed := false
	if sh := cleanName(ts.Shorthand); sh != cur.Shorthand {
		if err := db.SetTagShorthand(ctx, cur.ID, sh); err != nil {
			return false, err
		}
		changed = true
	}
	col, why := im.colour(ts)
	if why != "" {
		im.problem(fmt.Sprintf("colour %s/%s of tag %q", ts.ColorNamespace, ts.ColorSlug, ts.Name), why)
	} else if col != cur.Color {
		if err := db.SetTagColor(ctx, cur.ID, col); err != nil {
			return false, err
		}
		changed = true
	}
	if ts.IsCategory != cur.IsCategory {
		if err := db.SetTagCategory(ctx, cur.ID, ts.IsCategory); err != nil {
			return false, err
		}
		changed = true
	}
	// Databases before version 103 and JSON libraries have no hidden flag:
	// Tagsight's is left as it is.
	if im.lib.HasHidden && ts.IsHidden != cur.IsHidden {
		if err := db.SetTagHidden(ctx, cur.ID, ts.IsHidden); err != nil {
			return false, err
		}
		changed = true
	}
	have := map[string]bool{strings.ToLower(cur.Name): true}
	for _, a := range cur.Aliases {
		have[strings.ToLower(a)] = true
	}
	aliases := append([]string{}, ts.Aliases...)
	if !strings.EqualFold(name, cur.Name) {
		aliases = append(aliases, name) // a built-in's or disambiguated tag's TagStudio name
	}
	for _, a := range aliases {
		a = cleanName(a)
		if a == "" || have[strings.ToLower(a)] {
			continue
		}
		if err := db.AddTagAlias(ctx, cur.ID, a); err != nil {
			return false, err
		}
		have[strings.ToLower(a)] = true
		im.rep.AliasesAdded++
		changed = true
	}
	return changed, nil
}

// jsonColours are the 9.x colour names with no Tagsight palette twin of the
// same name.
var jsonColours = map[string]string{"yellow-orange": "amber", "blue-violet": "indigo"}

// tsHex are TagStudio's default colours (namespace-free slugs), for JSON
// libraries, which name colours without their values.
var tsHex = map[string]string{
	"auburn": "#a13220", "berry": "#9f2aa7", "blonde": "#efc664", "cool-gray": "#515768", "dark-brown": "#4c2315",
	"dark-gray": "#242424", "lavender": "#908af6", "light-blue": "#64c6ff", "light-brown": "#be5b2d",
	"light-gray": "#aaaaaa", "light-green": "#81ff76", "light-pink": "#ff87ba", "mint": "#68ffb4", "olive": "#4c652e",
	"peach": "#f1c69c", "red-orange": "#e83726", "salmon": "#f66348", "warm-gray": "#625550",
}

// colour maps a TagStudio colour to Tagsight's: a palette name when the
// slug is one (red, blue, gray…), else the colour's own #rrggbb. A reason
// comes back when it cannot be mapped (the tag keeps its colour).
func (im *importer) colour(ts store.TSTag) (string, string) {
	if ts.ColorSlug == "" {
		return "", ""
	}
	slug := ts.ColorSlug
	if ts.ColorNamespace == "json" {
		if c, ok := jsonColours[slug]; ok {
			slug = c
		}
	}
	if c, err := tags.NormColour(slug); err == nil && !strings.HasPrefix(c, "#") && ts.ColorNamespace != "tagstudio-neon" {
		return c, ""
	}
	hex, ok := im.lib.Colors[ts.ColorNamespace+"/"+ts.ColorSlug]
	if !ok && ts.ColorNamespace == "json" {
		hex, ok = tsHex[slug]
	}
	if !ok {
		return "", "unknown colour"
	}
	c, err := tags.NormColour(hex)
	if err != nil || c == "" {
		return "", fmt.Sprintf("colour value %q is not #rrggbb", hex)
	}
	return c, ""
}

// entries applies tags and fields to the Tagsight entries at the same
// paths, making missing entries for the paths that have none.
func (im *importer) entries(ctx context.Context) error {
	db, rep := im.db, im.rep
	rep.Entries = len(im.lib.Entries)
	entryID := map[int64]int64{} // TagStudio entry -> Tagsight entry
	byTag := map[int64][]int64{}
	var tagOrder []int64
	link := func(e store.TSEntry, id int64) {
		entryID[e.ID] = id
		for _, t := range e.TagIDs {
			tid, ok := im.ids[t]
			if !ok {
				im.problem(fmt.Sprintf("tag %d on %s", t, e.Path), "no such tag in TagStudio")
				continue
			}
			if _, seen := byTag[tid]; !seen {
				tagOrder = append(tagOrder, tid)
			}
			byTag[tid] = append(byTag[tid], id)
		}
	}
	var absent []store.Entry
	var absentTS []store.TSEntry
	for _, e := range im.lib.Entries {
		te, err := db.EntryByPath(ctx, e.Path)
		if errors.Is(err, store.ErrNotFound) {
			if err := library.CheckEntryPath(e.Path); err != nil {
				rep.Unmatched = append(rep.Unmatched, e.Path)
				continue
			}
			mt, format := media.Sniff(nil, path.Base(e.Path))
			absent = append(absent, store.Entry{Path: e.Path, MediaType: mt, Format: format})
			absentTS = append(absentTS, e)
			continue
		}
		if err != nil {
			return err
		}
		if te.Missing {
			rep.Missing = append(rep.Missing, e.Path)
		} else {
			rep.EntriesMatched++
		}
		link(e, te.ID)
	}
	if len(absent) > 0 {
		if err := db.AddMissingEntries(ctx, absent, time.Now().Unix()); err != nil {
			return err
		}
		made := map[int64]bool{}
		for i, e := range absent {
			if !made[e.ID] { // a JSON library may list a path twice
				made[e.ID] = true
				rep.MissingAdded++
				rep.Missing = append(rep.Missing, e.Path)
			}
			link(absentTS[i], e.ID)
		}
	}
	for _, id := range tagOrder {
		n, err := db.ApplyTag(ctx, id, byTag[id])
		if err != nil {
			return err
		}
		rep.LinksAdded += len(n)
	}
	// Fields: the first of a name on an entry wins (Tagsight keeps one).
	seen := map[int64]map[string]bool{}
	cache := map[int64]map[string]store.Field{}
	for _, f := range im.lib.Fields {
		eid, ok := entryID[f.EntryID]
		if !ok || f.Null || strings.TrimSpace(f.Value) == "" {
			continue // unmatched entries are reported already; empty fields carry nothing
		}
		name := cleanName(f.Name)
		if seen[eid] == nil {
			seen[eid] = map[string]bool{}
		}
		if seen[eid][strings.ToLower(name)] {
			im.problem(fmt.Sprintf("field %q on entry %d", name, f.EntryID), "a second field of that name (Tagsight keeps one per entry)")
			continue
		}
		seen[eid][strings.ToLower(name)] = true
		val := f.Value
		if f.Kind == "date" {
			d, ok := normDate(val)
			if !ok {
				im.problem(fmt.Sprintf("date field %q on entry %d", name, f.EntryID), fmt.Sprintf("%q is not a date", val))
				continue
			}
			val = d
		}
		if cache[eid] == nil {
			fs, err := db.EntryFields(ctx, eid)
			if err != nil {
				return err
			}
			cache[eid] = map[string]store.Field{}
			for _, x := range fs {
				cache[eid][x.Name] = x
			}
		}
		if x, ok := cache[eid][name]; ok && x.Kind == f.Kind && x.Value == val {
			rep.FieldsSame++
			continue
		}
		if err := db.SetEntryField(ctx, eid, store.Field{Name: name, Kind: f.Kind, Value: val}); err != nil {
			return err
		}
		rep.FieldsSet++
	}
	sort.Strings(rep.Missing)
	sort.Strings(rep.Unmatched)
	return nil
}

// normDate turns TagStudio's datetimes ("2024-05-01 13:04:05[.ffffff]",
// ISO with T, or a bare date) into Tagsight's YYYY-MM-DD[THH:MM:SS].
func normDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, l := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano, "2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format("2006-01-02T15:04:05"), true
		}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Format("2006-01-02"), true
	}
	return "", false
}
