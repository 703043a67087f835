// Package api is the surface the UI calls: one Go type whose exported
// methods the Wails window binds (window.go.api.API.*) and the HTTP face
// serves (POST /api/<Method>), plus the handler for thumbnails, previews,
// files, uploads and server-sent events.
//
// It owns what only a face needs: the open library's lifetime (opening,
// the folder watcher, each batch shown as a job), the user's preferences
// and model downloads, the error codes the UI sees, the UI's shapes
// (frontend/src/lib/api/types.ts), and the HTTP face's guard: which face
// may call what (methodRoles), tokens and signed media links, rate and
// stream limits, and scrubbing the server's paths from what the web sees.
// It owns no library logic: indexing, search, tags, faces, containment and
// the reading of a user's path belong to the packages it calls
// (workspace, search, tags, library), which the command line calls too.
// It owns no SQL (package store).
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
	*core
	// call is the context of the one call this value serves: the HTTP face
	// runs each request on a copy made by forCall, so a client that goes
	// away cancels its call. Wails v2 cannot hand a bound method a context
	// (every parameter is the UI's), so the bound API itself has none and
	// its calls run under the API's life, which Shutdown ends.
	call context.Context
}

// core is what every copy of an API shares.
type core struct {
	life context.Context // done at Shutdown
	stop context.CancelFunc

	opts Options
	jobs *jobs.Manager

	mu   sync.RWMutex
	ws   *workspace.Workspace
	live *workspace.Live // watches ws's folder and follows other processes
	cfg  prefs.Prefs

	// mediaBase is where the desktop window's <video> and <audio> fetch
	// files (ServeMedia); "" where the page's own origin serves them.
	mediaBase string
}

// New returns the API of a face.
func New(o Options) *API {
	if o.Emit == nil {
		o.Emit = func(string, any) {}
	}
	if o.Web {
		o.Emit = webEmit(o.Emit)
	}
	a := &API{core: &core{opts: o}}
	a.life, a.stop = context.WithCancel(context.Background())
	a.jobs = jobs.NewManager(jobs.Emitter(o.Emit))
	a.loadConfig()
	return a
}

// Shutdown cancels running jobs (they commit what they finished) and the
// bound API's calls in flight, and closes the library.
func Shutdown(a *API) {
	a.stop()
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

// ctx is the context of the call being served.
func (a *API) ctx() context.Context {
	if a.call != nil {
		return a.call
	}
	return a.life
}

// forCall is the API serving one call under ctx (see API.call).
func (a *API) forCall(ctx context.Context) *API { return &API{core: a.core, call: ctx} }

// Version is the application's version.
func (a *API) Version() string { return a.opts.Version }
