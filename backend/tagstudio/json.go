package tagstudio

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/tagsight/tagsight/backend/store"
)

// legacyField is a field of TagStudio's 9.x JSON format, by its number.
type legacyField struct{ name, kind string }

// jsonFields are the 9.x field ids; 6, 7 and 8 are tag boxes (Tags,
// Content Tags, Meta Tags) whose value is a list of tag ids.
var jsonFields = map[int]legacyField{
	0: {"Title", "text"}, 1: {"Author", "text"}, 2: {"Artist", "text"}, 3: {"URL", "text"},
	4: {"Description", "text"}, 5: {"Notes", "text"}, 6: {"", "tags"}, 7: {"", "tags"}, 8: {"", "tags"},
	9: {"Collation", "text"}, 10: {"Date", "date"}, 11: {"Date Created", "date"}, 12: {"Date Modified", "date"},
	13: {"Date Taken", "date"}, 14: {"Date Published", "date"}, 17: {"Book", "text"}, 18: {"Comic", "text"},
	19: {"Series", "text"}, 20: {"Manga", "text"}, 21: {"Source", "text"}, 22: {"Date Uploaded", "date"},
	23: {"Date Released", "date"}, 24: {"Volume", "text"}, 25: {"Anthology", "text"}, 26: {"Magazine", "text"},
	27: {"Publisher", "text"}, 28: {"Guest Artist", "text"}, 29: {"Composer", "text"}, 30: {"Comments", "text"},
}

type jsonLibrary struct {
	Version string `json:"ts-version"`
	Tags    []struct {
		ID        int64    `json:"id"`
		Name      string   `json:"name"`
		Shorthand string   `json:"shorthand"`
		Aliases   []string `json:"aliases"`
		SubtagIDs []int64  `json:"subtag_ids"`
		Color     string   `json:"color"`
	} `json:"tags"`
	Entries []struct {
		ID       int64                        `json:"id"`
		Filename string                       `json:"filename"`
		Path     string                       `json:"path"`
		Fields   []map[string]json.RawMessage `json:"fields"`
	} `json:"entries"`
}

// readJSON reads a 9.x ts_library.json into the shape the SQLite reader
// gives. Its "subtag_ids" are a tag's parents (TagStudio's own migration
// reads them so). Colours are kept as JSON names in ColorSlug, namespace
// "json". Problems that are not fatal go to notes.
func readJSON(file string, notes *[]Problem) (*store.TSLibrary, string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, "", fmt.Errorf("tagstudio: %w", err)
	}
	var j jsonLibrary
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, "", fmt.Errorf("tagstudio: %s is not a TagStudio JSON library: %w", file, err)
	}
	if j.Version == "" {
		return nil, "", fmt.Errorf("tagstudio: %s is not a TagStudio JSON library (no ts-version)", file)
	}
	if !strings.HasPrefix(j.Version, "9.") {
		return nil, "", fmt.Errorf("tagstudio: %s: %w %q (this Tagsight reads JSON libraries of TagStudio 9.x)", file, store.ErrTagStudioVersion, j.Version)
	}
	lib := &store.TSLibrary{Colors: map[string]string{}}
	for _, t := range j.Tags {
		st := store.TSTag{ID: t.ID, Name: t.Name, Shorthand: t.Shorthand, Aliases: []string{}, Parents: []int64{}}
		if t.Color != "" {
			st.ColorNamespace, st.ColorSlug = "json", strings.ReplaceAll(strings.ToLower(strings.TrimSpace(t.Color)), " ", "-")
		}
		for _, a := range t.Aliases {
			if strings.TrimSpace(a) != "" {
				st.Aliases = append(st.Aliases, a)
			}
		}
		st.Parents = append(st.Parents, t.SubtagIDs...)
		lib.Tags = append(lib.Tags, st)
	}
	for _, e := range j.Entries {
		dir := strings.ReplaceAll(e.Path, `\`, "/")
		p := e.Filename
		if dir != "" && dir != "." {
			p = path.Join(dir, e.Filename)
		}
		se := store.TSEntry{ID: e.ID, Path: p, TagIDs: []int64{}}
		for _, fm := range e.Fields {
			for k, raw := range fm {
				id, err := strconv.Atoi(k)
				lf, ok := jsonFields[id]
				if err != nil || !ok {
					*notes = append(*notes, Problem{What: "field " + k + " on " + p, Reason: "unknown TagStudio 9.x field id"})
					continue
				}
				if lf.kind == "tags" {
					var ids []int64
					if err := json.Unmarshal(raw, &ids); err != nil {
						*notes = append(*notes, Problem{What: "tag field on " + p, Reason: "not a list of tag ids"})
						continue
					}
					se.TagIDs = append(se.TagIDs, ids...)
					continue
				}
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					*notes = append(*notes, Problem{What: lf.name + " on " + p, Reason: "not a string"})
					continue
				}
				lib.Fields = append(lib.Fields, store.TSField{EntryID: e.ID, Name: lf.name, Kind: lf.kind, Value: s})
			}
		}
		lib.Entries = append(lib.Entries, se)
	}
	return lib, j.Version, nil
}
