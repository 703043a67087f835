// Package api is the surface the UI calls: one Go type whose exported
// methods the Wails window binds (window.go.api.API.*) and the HTTP face
// serves (POST /api/<Method>), plus the handler for thumbnails, previews,
// files, uploads and server-sent events. It adapts the workspace's services
// to the UI's shapes (frontend/src/lib/api/types.ts) and owns no logic of
// its own beyond that.
package api

import (
	"context"
	"sync"

	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/prefs"
	"github.com/tagsight/tagsight/backend/watch"
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
	// Watch tunes the folder watcher of the open library (Mode "" = auto,
	// "poll", "off").
	Watch watch.Options
	// Watching hears how the open library's folder is watched, whenever
	// that changes (serve prints it).
	Watching func(watch.Watching)
	// WatchFailed hears a batch of changes that could not be indexed (a
	// full disk); the watcher tries it again by itself (serve prints it).
	WatchFailed func(error)
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

	mu   sync.RWMutex
	ws   *workspace.Workspace
	live *workspace.Live // watches ws's folder and follows other processes
	cfg  prefs.Prefs
}

// New returns the API of a face.
func New(o Options) *API {
	if o.Emit == nil {
		o.Emit = func(string, any) {}
	}
	if o.Web {
		o.Emit = webEmit(o.Emit)
	}
	a := &API{opts: o}
	a.jobs = jobs.NewManager(jobs.Emitter(o.Emit))
	a.loadConfig()
	return a
}

// Shutdown cancels running jobs (they commit what they finished) and
// closes the library.
func Shutdown(a *API) {
	a.mu.Lock()
	live := a.live
	a.live = nil
	a.mu.Unlock()
	if live != nil {
		live.Close()
	}
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
