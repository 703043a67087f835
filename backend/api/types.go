package api

import (
	"github.com/tagsight/tagsight/backend/faces"
	"github.com/tagsight/tagsight/backend/facts"
	"github.com/tagsight/tagsight/backend/ort"
	"github.com/tagsight/tagsight/backend/tags"
	"github.com/tagsight/tagsight/backend/watch"
)

// The UI reads these as TypeScript generated from them (make types, which
// writes frontend/src/lib/api/models.gen.ts); a `ts:"…"` tag names a field's
// TypeScript type where Go's is wider (a union of string literals).

// ModelState describes the library's model.
type ModelState struct {
	Name    string `json:"name"`
	Dir     string `json:"dir"`
	Dim     int    `json:"dim"`
	Vectors int    `json:"vectors"`
	Pending int    `json:"pending"` // pictures still waiting for a vector
}

// LibraryInfo describes the open library.
type LibraryInfo struct {
	Root       string            `json:"root"`
	Name       string            `json:"name"`
	Entries    int               `json:"entries"`
	Missing    int               `json:"missing"`
	Model      *ModelState       `json:"model"`
	Provider   *ort.ProviderInfo `json:"provider"`
	ModelError string            `json:"model_error"` // why search by meaning is unavailable, when it is
	// Watch says how the folder is watched for changes (nil: not watched).
	Watch *watch.Watching `json:"watch"`
	// TagStudio: the folder is a TagStudio library whose tags were not
	// brought in yet (and the offer was not dismissed).
	TagStudio bool `json:"tagstudio,omitempty"`
	// Faces is the state of the faces analyzer (people).
	Faces FacesState `json:"faces"`
	// OCR is the state of the ocr analyzer (text in pictures).
	OCR OCRState `json:"ocr"`
}

// OCRState says whether the library reads the text in pictures.
type OCRState struct {
	On      bool   `json:"on"`      // OCR models present and not turned off
	Off     bool   `json:"off"`     // turned off in this library
	Missing bool   `json:"missing"` // the OCR models are not installed (offer "ocr")
	Error   string `json:"error"`   // why OCR is unavailable, when it is
}

// FacesState says whether the library finds faces, and how many.
type FacesState struct {
	On      bool   `json:"on"`      // face models present and not turned off
	Off     bool   `json:"off"`     // turned off in this library
	Missing bool   `json:"missing"` // the face models are not downloaded (offer "faces")
	Error   string `json:"error"`   // why faces are unavailable, when they are
	Faces   int    `json:"faces"`
	People  int    `json:"people"`
}

// Face is a face on a picture.
type Face struct {
	ID      int64 `json:"id"`
	EntryID int64 `json:"entry_id"`
	// Box is x, y, width, height as fractions of the picture as shown
	// (orientation applied).
	Box       [4]float64  `json:"box"`
	Landmarks [10]float64 `json:"landmarks"` // (x, y) of the eyes, nose tip, mouth corners, same fractions
	Score     float64     `json:"score"`
	Quality   float64     `json:"quality"`
	PersonID  int64       `json:"person_id"` // 0: in nobody yet
	Name      string      `json:"name"`      // the person's name, "" when unnamed
	Crop      string      `json:"crop"`      // URL of the face's crop
	Thumb     *string     `json:"thumb"`     // URL of its picture's thumbnail
	// AtMS is a video's face's time: the frame it was found on, where the
	// People view plays the video from; absent for a still picture's.
	AtMS *int64 `json:"at_ms,omitempty"`
	// Suggestions offer names for a face in nobody, best first.
	Suggestions []faces.NameSuggestion `json:"suggestions,omitempty"`
}

// Person is a group of faces: a named one is a tag in the People category.
type Person struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"` // "" until named
	TagID   int64  `json:"tag_id"`
	Hidden  bool   `json:"hidden"`
	Faces   int    `json:"faces"`
	Entries int    `json:"entries"`
	Cover   *Face  `json:"cover"`
	// Query is the search that is the person's page ("" while unnamed:
	// their faces are listed instead).
	Query string `json:"query"`
}

// Item is an entry as the grid shows it.
type Item struct {
	ID          int64    `json:"id"`
	Path        string   `json:"path"` // library-relative, '/'-separated; escaped when path_escaped (see README)
	PathEscaped bool     `json:"path_escaped,omitempty"`
	Name        string   `json:"name"`
	MediaType   string   `json:"media_type"`
	Format      string   `json:"format"`
	Width       int      `json:"width"` // as shown (EXIF orientation applied)
	Height      int      `json:"height"`
	Taken       *string  `json:"taken"`
	Size        int64    `json:"size"`
	Thumb       *string  `json:"thumb"` // URL of the thumbnail, null when there is none
	Score       *float64 `json:"score,omitempty"`
	Missing     bool     `json:"missing,omitempty"`
	// Facts are what the file's kind's decoder read (a video's duration
	// and codec, a PDF's pages, a song's artist); absent when none.
	Facts *facts.Facts `json:"facts,omitempty"`
	// Label is the tile's corner label: a duration ("1:23") or pages ("12 p").
	Label string `json:"label,omitempty"`
	// Text is where the file's words matched the search (a plain search's
	// words, or its text: terms); absent when they did not.
	Text *TextHit `json:"text,omitempty"`
	// Moment is a video's best matching frame in a search (its tile and
	// time); absent otherwise.
	Moment *Moment `json:"moment,omitempty"`
}

// TextHit is where a file's text matched a search.
type TextHit struct {
	// Snippet is the text around the match, each matched word between
	// U+E000 and U+E001 (private-use characters no stored text keeps):
	// show it as text, marking what lies between them, never as markup.
	Snippet string   `json:"snippet"`
	Source  string   `json:"source"` // body, pdf, epub, office, xmp, ocr
	Page    int      `json:"page"`   // 1-based page, slide or chapter; 0 when none
	Line    int      `json:"line"`   // 1-based line (text) or paragraph (documents); 0 when none
	AtMS    int64    `json:"at_ms"`  // into a video (OCR of a frame)
	Box     *TextBox `json:"box,omitempty"`
}

// TextMatchList is where one file's text matches a search, in the
// file's order (page, then line).
type TextMatchList struct {
	Items []TextHit `json:"items"`
	More  bool      `json:"more"` // more units match than Items holds
}

// TextBox is where a match lies on the picture, 0..1 from its top-left.
type TextBox struct {
	X float32 `json:"x"`
	Y float32 `json:"y"`
	W float32 `json:"w"`
	H float32 `json:"h"`
}

// SearchRequest asks for a page of results.
type SearchRequest struct {
	Query  string `json:"query"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Sort   string `json:"sort,omitempty"` // "", "taken", "-taken", "added", "-added", "name", "size", "-size", "random"
	// ShowHidden includes entries with hidden tags (Archived, and any tag
	// marked hidden) even when the query does not name them.
	ShowHidden bool `json:"show_hidden,omitempty"`
}

// QueryError locates a syntax error for the search bar's underline.
type QueryError struct {
	Message string `json:"message"`
	Column  int    `json:"column"` // 1-based column (in characters) where the error starts
	Length  int    `json:"length"`
}

// SearchResult is a page of results.
type SearchResult struct {
	Items    []Item      `json:"items"`
	Total    int         `json:"total"`
	Cutoff   *int        `json:"cutoff"` // how many results lie above the per-query relevance cutoff; null when not semantic
	Semantic bool        `json:"semantic"`
	Error    *QueryError `json:"error"`
	TookMs   float64     `json:"took_ms"`
	Note     string      `json:"note,omitempty"` // how the query was read, when the user should know (no model: words that are not tags matched nothing); "" when nothing
	// FromText counts the files whose words matched; FromMeaning those
	// ranked by meaning above the cutoff (absent when the search had no such part).
	FromText    int `json:"from_text,omitempty"`
	FromMeaning int `json:"from_meaning,omitempty"`
	// FromFrames counts the results up to this page's end that a video's
	// frame ranks (issue 21: counts by where hits come from).
	FromFrames int `json:"from_frames,omitempty"`
}

// TagPatch changes a tag; nil fields stay.
type TagPatch struct {
	Name         *string `json:"name,omitempty"`
	Shorthand    *string `json:"shorthand,omitempty"`
	Color        *string `json:"color,omitempty"`
	IsCategory   *bool   `json:"is_category,omitempty"`
	IsHidden     *bool   `json:"is_hidden,omitempty"`
	AddAlias     *string `json:"add_alias,omitempty"`
	RemoveAlias  *string `json:"remove_alias,omitempty"`
	AddParent    *int64  `json:"add_parent,omitempty"`
	RemoveParent *int64  `json:"remove_parent,omitempty"`
}

// EntryDetail is one entry for the inspector.
type EntryDetail struct {
	Item
	Fingerprint string       `json:"fingerprint"`
	Mime        string       `json:"mime"`
	Orientation int          `json:"orientation"`
	Make        *string      `json:"make"`
	Model       *string      `json:"model"`
	Camera      *string      `json:"camera"` // make and model as shown (media.CameraName)
	Lens        *string      `json:"lens"`
	ISO         *int         `json:"iso"`
	FNumber     *float64     `json:"fnumber"`
	Exposure    *string      `json:"exposure"`
	FocalLength *float64     `json:"focal_length"`
	Lat         *float64     `json:"lat"`
	Lon         *float64     `json:"lon"`
	Tags        []tags.Tag   `json:"tags"`
	Fields      []tags.Field `json:"fields"`
	FileURL     string       `json:"file_url"`    // URL of the original file
	PreviewURL  *string      `json:"preview_url"` // URL of a large, oriented preview (JPEG), null for non-pictures
	// Warnings about the file's content (a damaged picture shown from the
	// part that decodes).
	Warnings []string `json:"warnings"`
	// Faces found on the picture, left to right.
	Faces []Face `json:"faces"`
}

// Suggestion is a suggested tag chip.
type Suggestion struct {
	Tag      tags.Tag `json:"tag"`
	Score    float64  `json:"score"`
	Reason   string   `json:"reason"`  // one sentence naming what drove it, e.g. the nearest examples
	Sources  []string `json:"sources"` // "centroid", "zero-shot", "neighbours"
	Examples []Item   `json:"examples"`
}

// TagCount is a tag some of the selection has.
type TagCount struct {
	Tag   tags.Tag `json:"tag"`
	Count int      `json:"count"`
}

// SelectionTags are the tags of a multi-selection.
type SelectionTags struct {
	All  []tags.Tag `json:"all"`  // tags every selected entry has
	Some []TagCount `json:"some"` // tags only some have, with how many
}

// DuplicateGroup is a group of duplicates, keeper first.
type DuplicateGroup struct {
	Kind       string  `json:"kind" ts:"'exact' | 'near'"`
	Items      []Item  `json:"items"`
	Keeper     int64   `json:"keeper"` // id of the suggested keeper
	Similarity float64 `json:"similarity"`
}

// Settings are the user's preferences.
type Settings struct {
	Model     string `json:"model"`
	Provider  string `json:"provider"`
	ThumbSize int    `json:"thumb_size"` // long side of generated thumbnails, 128–512 px
	Theme     string `json:"theme" ts:"'system' | 'dark' | 'light'"`
	// OCR is the library's switch for reading the text in pictures: off
	// stops reading new pictures, on reads those not read yet. Absent
	// when saving leaves it as it is.
	OCR *bool `json:"ocr,omitempty"`
}

// CatalogModel is a model the user can download.
type CatalogModel struct {
	Name        string  `json:"name"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Installed   bool    `json:"installed"`
	Default     bool    `json:"default"`
	InUse       bool    `json:"in_use"`
	Kind        string  `json:"kind" ts:"'clip' | 'faces' | 'ocr'"`
	SizeMB      float64 `json:"size_mb"` // the download, when the catalog knows it
}

// AutocompleteItem completes the word being typed.
type AutocompleteItem struct {
	Kind  string `json:"kind" ts:"'tag' | 'prefix' | 'history'"`
	Text  string `json:"text"` // what replaces the word being typed
	Label string `json:"label"`
	Color string `json:"color,omitempty"`
}
