package api

import (
	"net/http"
	"strings"

	"github.com/tagsight/tagsight/backend/jobs"
)

// Role says which face may call a method of API, and with what access.
//
// The desktop window binds every method. The HTTP face (tagsight serve)
// calls a method only when this table marks it for the web: nothing that
// takes a path on the server's disk, reveals one, or switches the served
// library is. A test enumerates API's methods and fails on any method this
// table does not name, so a new method is a decision, not an accident.
type Role int

const (
	// DesktopOnly methods take or reveal paths on the machine's disk, or
	// switch libraries: the window has them, the web never does.
	DesktopOnly Role = iota
	// WebRead methods browse and search: any client with access, including a
	// read-only token or a --read-only server.
	WebRead
	// WebWrite methods change the library or the server's state: only a
	// client with full access.
	WebWrite
)

func (r Role) String() string {
	return [...]string{"desktop-only", "web-read", "web-write"}[r]
}

// methodRoles is the line between the faces. Keep the why beside each
// desktop-only entry.
var methodRoles = map[string]Role{
	"Version":           WebRead,
	"LibraryInfo":       WebRead, // the web gets the library's name, not its folder
	"Search":            WebRead, // like: takes library paths only over the web
	"Similar":           WebRead,
	"SimilarFrame":      WebRead,
	"Moments":           WebRead,
	"Entry":             WebRead,
	"TextMatches":       WebRead,
	"ArchiveEntries":    WebRead, // bounded, through the scan's reader
	"MediaBase":         WebRead, // "" over the web: media come from the page's origin
	"SelectionTags":     WebRead,
	"Suggestions":       WebRead,
	"BatchSuggest":      WebRead,
	"Tags":              WebRead,
	"Duplicates":        WebRead,
	"Jobs":              WebRead,
	"Settings":          WebRead,
	"Models":            WebRead,
	"Autocomplete":      WebRead,
	"People":            WebRead,
	"PersonFaces":       WebRead,
	"FaceSettings":      WebRead,
	"NamePerson":        WebWrite,
	"NameFace":          WebWrite,
	"MergePeople":       WebWrite,
	"SplitFace":         WebWrite,
	"RejectFace":        WebWrite,
	"HidePerson":        WebWrite,
	"StartFaces":        WebWrite,
	"Recluster":         WebWrite,
	"SaveFaceSettings":  WebWrite,
	"AcceptSuggestion":  WebWrite,
	"DismissSuggestion": WebWrite,
	"CreateTag":         WebWrite,
	"UpdateTag":         WebWrite,
	"MergeTags":         WebWrite,
	"DeleteTag":         WebWrite,
	"ApplyTag":          WebWrite,
	"RemoveTag":         WebWrite,
	"SetField":          WebWrite,
	"StartIndex":        WebWrite,
	"CancelJob":         WebWrite,
	"Trash":             WebWrite,
	"SaveSettings":      WebWrite, // over the web the model is a catalog name, never a folder
	"WriteXMP":          WebWrite, // sidecars of entries inside the library only
	"ImportTagStudio":   WebWrite, // reads the served library's own .TagStudio folder only
	"DismissTagStudio":  WebWrite,
	"PullModel":         WebWrite,    // catalog names only; downloads into the models folder
	"RecentLibraries":   DesktopOnly, // lists folders on the server's disk
	"PickFolder":        DesktopOnly, // a native dialog on the server's screen
	"OpenLibrary":       DesktopOnly, // takes a folder; the served library is fixed at start
	"PlanImport":        DesktopOnly, // takes paths on the server's disk; the web uploads
	"Import":            DesktopOnly, // copies paths from the server's disk; the web uploads
	"SearchByImage":     DesktopOnly, // takes a path; the web posts the picture to /api/search-image
	"SearchByImageData": DesktopOnly, // the web posts the picture to /api/search-image (multipart, capped)
}

// Access is what a web client may do; the UI reads it from GET /api/access
// to hide what it may not.
type Access struct {
	// Role is "full" or "read".
	Role string `json:"role" ts:"'full' | 'read'"`
	// Web is true for browsers (tagsight serve), false in the window.
	Web bool `json:"web"`
	// UploadLimit is the largest file an upload may carry, in bytes.
	UploadLimit int64 `json:"upload_limit"`
	// Media is the signature media and event URLs carry (?m=) on a server
	// with tokens, where <img> and EventSource cannot send the token.
	Media string `json:"media,omitempty"`
	// MediaExpires is when Media stops working, in Unix seconds.
	MediaExpires int64 `json:"media_expires,omitempty"`
}

const (
	accessFull = "full"
	accessRead = "read"
)

// routeRoles are the HTTP face's own routes (not API methods).
var routeRoles = map[string]Role{
	"/api/upload":       WebWrite,
	"/api/search-image": WebRead,
}

// allowed reports whether a client with access may call something of role r,
// and the error to answer when it may not.
func allowed(r Role, access string, name string) (int, *Error) {
	switch r {
	case WebRead:
		return 0, nil
	case WebWrite:
		if access == accessFull {
			return 0, nil
		}
		return http.StatusForbidden, &Error{Code: CodeForbidden,
			Message: strings.TrimSpace(name + " changes the library; this server shares it read-only with you")}
	}
	return http.StatusNotFound, &Error{Code: CodeNotFound, Message: name + " is only available in the desktop app"}
}

// Roots are the values the UI receives outside method results (event
// payloads, GET /api/access), for the TypeScript generator.
func Roots() []any {
	return []any{Access{}, LibraryInfo{}, jobs.Job{}}
}
