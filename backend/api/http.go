package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/media"
)

// Broker fans events out to server-sent-event clients.
type Broker struct {
	mu   sync.Mutex
	subs map[chan []byte]struct{}
}

// NewBroker returns an empty broker.
func NewBroker() *Broker { return &Broker{subs: map[chan []byte]struct{}{}} }

// Publish sends an event to every client; slow clients drop events rather
// than stall the core.
func (b *Broker) Publish(name string, payload any) {
	data, err := json.Marshal(payload)
	if err != nil {
		return
	}
	msg := []byte(fmt.Sprintf("event: %s\ndata: %s\n\n", name, data))
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- msg:
		default:
		}
	}
}

func (b *Broker) subscribe() chan []byte {
	ch := make(chan []byte, 64)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	return ch
}

func (b *Broker) unsubscribe(ch chan []byte) {
	b.mu.Lock()
	delete(b.subs, ch)
	b.mu.Unlock()
}

// HTTPOptions configure the HTTP face.
type HTTPOptions struct {
	// Assets is the built frontend (nil: only the API, thumbnails and files).
	Assets fs.FS
	// Token, when set, is required on every request (cookie, bearer header
	// or ?token=, which sets the cookie). Needed off loopback.
	Token string
	// Broker carries events to /api/events (nil: no events).
	Broker *Broker
	// LoopbackOnly refuses requests whose Host is not a loopback name, so
	// a web page cannot reach the server through DNS rebinding.
	LoopbackOnly bool
}

const tokenCookie = "tagsight_token"

// Handler serves the UI, the API, thumbnails, previews and files. The
// desktop app uses it for everything but the API and events (Wails IPC).
func Handler(a *API, o HTTPOptions) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/upload", a.serveUpload)
	mux.HandleFunc("POST /api/search-image", a.serveSearchImage)
	mux.HandleFunc("GET /api/events", func(w http.ResponseWriter, r *http.Request) { serveEvents(w, r, o.Broker) })
	mux.HandleFunc("POST /api/{method}", a.serveCall)
	mux.HandleFunc("GET /thumb/{id}", a.serveThumb)
	mux.HandleFunc("GET /preview/{id}", a.servePreview)
	mux.HandleFunc("GET /file/{id}", a.serveFile)
	if o.Assets != nil {
		mux.Handle("GET /", assetHandler(o.Assets))
	}
	return guard(mux, o)
}

// guard applies the access rules before any handler runs.
func guard(next http.Handler, o HTTPOptions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if o.LoopbackOnly && !loopbackHost(r.Host) {
			httpError(w, http.StatusForbidden, &Error{Code: "forbidden", Message: "requests must address the server by a loopback name"})
			return
		}
		// Cross-site pages must not drive the API (CSRF): browsers send
		// Origin on such requests.
		if origin := r.Header.Get("Origin"); origin != "" && r.Method != http.MethodGet && !sameOrigin(origin, r.Host) {
			httpError(w, http.StatusForbidden, &Error{Code: "forbidden", Message: "cross-origin request refused"})
			return
		}
		if o.Token != "" {
			if q := r.URL.Query().Get("token"); q != "" && subtle.ConstantTimeCompare([]byte(q), []byte(o.Token)) == 1 {
				http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: o.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
				if r.Method == http.MethodGet && r.URL.Path == "/" {
					http.Redirect(w, r, "/", http.StatusSeeOther)
					return
				}
			} else if !hasToken(r, o.Token) {
				httpError(w, http.StatusUnauthorized, &Error{Code: "unauthorized", Message: "this server needs its access token: open the address it printed (…/?token=…)"})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func hasToken(r *http.Request, token string) bool {
	if c, err := r.Cookie(tokenCookie); err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(token)) == 1 {
		return true
	}
	auth := r.Header.Get("Authorization")
	if b, ok := strings.CutPrefix(auth, "Bearer "); ok && subtle.ConstantTimeCompare([]byte(b), []byte(token)) == 1 {
		return true
	}
	return false
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || host == "wails.localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func sameOrigin(origin, host string) bool {
	o := strings.TrimPrefix(strings.TrimPrefix(origin, "http://"), "https://")
	return o == host || origin == "wails://wails" || strings.HasPrefix(origin, "wails://")
}

func httpError(w http.ResponseWriter, status int, e *Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": e})
}

func statusOf(e *Error) int {
	switch e.Code {
	case CodeInvalid:
		return http.StatusBadRequest
	case CodeNotFound:
		return http.StatusNotFound
	case CodeConflict:
		return http.StatusConflict
	case CodeNoLibrary, CodeNoModel:
		return http.StatusPreconditionFailed
	}
	return http.StatusInternalServerError
}

var (
	errorType = reflect.TypeOf((*error)(nil)).Elem()
	hidden    = map[string]bool{"PickFolder": true}
)

// serveCall runs an exported method of API by name with a JSON array of
// arguments: the same methods the Wails window binds.
func (a *API) serveCall(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("method")
	m := reflect.ValueOf(a).MethodByName(name)
	if !m.IsValid() || hidden[name] || name == "" || !('A' <= name[0] && name[0] <= 'Z') {
		httpError(w, http.StatusNotFound, &Error{Code: CodeNotFound, Message: "no API method " + strconv.Quote(name)})
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		httpError(w, http.StatusUnsupportedMediaType, &Error{Code: CodeInvalid, Message: "send a JSON array of arguments (Content-Type: application/json)"})
		return
	}
	var raw []json.RawMessage
	body := http.MaxBytesReader(w, r.Body, 8<<20)
	if err := json.NewDecoder(body).Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		httpError(w, http.StatusBadRequest, &Error{Code: CodeInvalid, Message: "arguments must be a JSON array: " + err.Error()})
		return
	}
	t := m.Type()
	if len(raw) != t.NumIn() {
		httpError(w, http.StatusBadRequest, &Error{Code: CodeInvalid, Message: fmt.Sprintf("%s takes %d argument(s), got %d", name, t.NumIn(), len(raw))})
		return
	}
	args := make([]reflect.Value, t.NumIn())
	for i := range args {
		v := reflect.New(t.In(i))
		if err := json.Unmarshal(raw[i], v.Interface()); err != nil {
			httpError(w, http.StatusBadRequest, &Error{Code: CodeInvalid, Message: fmt.Sprintf("%s argument %d: %v", name, i+1, err)})
			return
		}
		args[i] = v.Elem()
	}
	out := m.Call(args)
	var result any
	for _, v := range out {
		if v.Type().Implements(errorType) {
			if !v.IsNil() {
				e := ToError(v.Interface().(error))
				httpError(w, statusOf(e), e)
				return
			}
			continue
		}
		result = v.Interface()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(result)
}

func serveEvents(w http.ResponseWriter, r *http.Request, b *Broker) {
	fl, ok := w.(http.Flusher)
	if !ok || b == nil {
		httpError(w, http.StatusNotImplemented, &Error{Code: CodeInternal, Message: "no event stream here"})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ch := b.subscribe()
	defer b.unsubscribe(ch)
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case msg := <-ch:
			w.Write(msg)
			fl.Flush()
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
			fl.Flush()
		}
	}
}

// entryFile resolves an entry id to its file, refusing anything whose real
// location (symlinks followed) is outside the library.
func (a *API) entryFile(r *http.Request) (string, int64, error) {
	ws, err := a.workspace()
	if err != nil {
		return "", 0, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return "", 0, &Error{Code: CodeInvalid, Message: "bad entry id"}
	}
	e, err := ws.Lib.DB.EntryByID(r.Context(), id)
	if err != nil {
		return "", 0, err
	}
	p, err := insideLibrary(ws.Lib, e.Path)
	return p, id, err
}

// insideLibrary joins a library-relative path and checks that the file it
// names, symlinks resolved, lies inside the library and outside .tagsight.
func insideLibrary(lib *library.Library, rel string) (string, error) {
	clean := path.Clean("/" + rel)[1:]
	if clean == "" || clean != rel || strings.HasPrefix(clean, library.DataDirName+"/") {
		return "", &Error{Code: CodeInvalid, Message: "path outside the library"}
	}
	root, err := filepath.EvalSymlinks(lib.Root)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(lib.Abs(clean))
	if err != nil {
		return "", &Error{Code: CodeNotFound, Message: "file not found"}
	}
	relReal, err := filepath.Rel(root, real)
	if err != nil || relReal == ".." || strings.HasPrefix(relReal, ".."+string(filepath.Separator)) || filepath.IsAbs(relReal) {
		return "", &Error{Code: "forbidden", Message: "file lies outside the library"}
	}
	return real, nil
}

func (a *API) fail(w http.ResponseWriter, err error) {
	e := ToError(err)
	status := statusOf(e)
	if e.Code == "forbidden" {
		status = http.StatusForbidden
	}
	httpError(w, status, e)
}

func (a *API) serveFile(w http.ResponseWriter, r *http.Request) {
	p, _, err := a.entryFile(r)
	if err != nil {
		a.fail(w, err)
		return
	}
	w.Header().Set("Content-Security-Policy", "sandbox")
	http.ServeFile(w, r, p)
}

func (a *API) serveThumb(w http.ResponseWriter, r *http.Request) {
	ws, err := a.workspace()
	if err != nil {
		a.fail(w, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.fail(w, &Error{Code: CodeInvalid, Message: "bad entry id"})
		return
	}
	e, err := ws.Lib.DB.EntryByID(r.Context(), id)
	if err != nil || e.Thumb == "" {
		a.fail(w, &Error{Code: CodeNotFound, Message: "no thumbnail"})
		return
	}
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	w.Header().Set("Content-Type", "image/jpeg")
	http.ServeFile(w, r, filepath.Join(ws.Lib.ThumbDir(), filepath.FromSlash(path.Clean("/" + e.Thumb)[1:])))
}

// servePreview makes (once) and serves a large oriented JPEG.
func (a *API) servePreview(w http.ResponseWriter, r *http.Request) {
	ws, err := a.workspace()
	if err != nil {
		a.fail(w, err)
		return
	}
	p, id, err := a.entryFile(r)
	if err != nil {
		a.fail(w, err)
		return
	}
	e, _ := ws.Lib.DB.EntryByID(r.Context(), id)
	key := strings.ReplaceAll(e.Fingerprint, ":", "")
	dst := filepath.Join(ws.Lib.DataDir(), "previews", key[len(key)-2:], key+"-1600.jpg")
	if _, err := os.Stat(dst); err != nil {
		if _, err := media.Thumbnail(r.Context(), p, dst, 1600, media.DefaultLimits()); err != nil {
			a.fail(w, &Error{Code: CodeNotFound, Message: "no preview: " + err.Error()})
			return
		}
	}
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	w.Header().Set("Content-Type", "image/jpeg")
	http.ServeFile(w, r, dst)
}

// serveUpload imports files sent by a browser drop (multipart "file"
// parts named with their relative paths) into "target", then indexes.
func (a *API) serveUpload(w http.ResponseWriter, r *http.Request) {
	ws, err := a.workspace()
	if err != nil {
		a.fail(w, err)
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		a.fail(w, &Error{Code: CodeInvalid, Message: "send multipart/form-data: " + err.Error()})
		return
	}
	target, policy := "", library.ConflictKeepBoth
	res := library.ImportResult{Paths: []string{}}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			a.fail(w, &Error{Code: CodeInvalid, Message: err.Error()})
			return
		}
		switch part.FormName() {
		case "target", "conflict":
			b, _ := io.ReadAll(io.LimitReader(part, 4096))
			if part.FormName() == "target" {
				if target, err = library.CleanTarget(string(b)); err != nil {
					a.fail(w, &Error{Code: CodeInvalid, Message: err.Error()})
					return
				}
			} else {
				policy = string(b)
			}
		case "file":
			if err := a.saveUpload(r.Context(), ws.Lib, target, policy, part, &res); err != nil {
				a.fail(w, err)
				return
			}
		}
		part.Close()
	}
	job, err := a.jobs.Start("import", fmt.Sprintf("Indexing %d uploaded file(s)", res.Copied), ws.Lib.Root,
		func(ctx context.Context, report func(jobs.Progress)) (any, error) {
			return res, a.index(ctx, ws, report)
		})
	if err != nil {
		a.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(job)
}

func (a *API) saveUpload(ctx context.Context, lib *library.Library, target, policy string, part *multipart.Part, res *library.ImportResult) error {
	// Part.FileName drops folders; browsers send a dropped folder's
	// relative path there, so read the raw parameter (and clean it below).
	name := part.FileName()
	if _, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		name = params["filename"]
	}
	name = strings.ReplaceAll(name, `\`, "/")
	clean := path.Clean("/" + name)[1:]
	if clean == "" || clean == "." || strings.Contains(name, "\x00") {
		return &Error{Code: CodeInvalid, Message: fmt.Sprintf("bad file name %q", name)}
	}
	if err := lib.ImportReader(ctx, path.Join(target, clean), part, policy, res); err != nil {
		return &Error{Code: CodeInvalid, Message: err.Error()}
	}
	return nil
}

// serveSearchImage searches by an uploaded picture.
func (a *API) serveSearchImage(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		a.fail(w, &Error{Code: CodeInvalid, Message: err.Error()})
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		a.fail(w, &Error{Code: CodeInvalid, Message: "no file"})
		return
	}
	defer f.Close()
	tmp, err := os.CreateTemp("", "tagsight-query-*"+filepath.Ext(filepath.Base(hdr.Filename)))
	if err != nil {
		a.fail(w, err)
		return
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, f); err != nil {
		tmp.Close()
		a.fail(w, err)
		return
	}
	tmp.Close()
	limit, _ := strconv.Atoi(r.FormValue("limit"))
	ws, err := a.workspace()
	if err != nil {
		a.fail(w, err)
		return
	}
	res, err := ws.Search.SimilarFile(r.Context(), tmp.Name(), "", searchOptions(limit))
	out, err := a.result(r.Context(), ws, res, err)
	if err != nil {
		a.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// assetHandler serves the built frontend; unknown paths get index.html so
// the single-page app can route.
func assetHandler(assets fs.FS) http.Handler {
	files := http.FileServerFS(assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p == "" {
			p = "index.html"
		}
		if _, err := fs.Stat(assets, p); err != nil {
			r = r.Clone(r.Context())
			r.URL.Path = "/"
		}
		if strings.HasSuffix(p, ".html") || p == "index.html" {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}
