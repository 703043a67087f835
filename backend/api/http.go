package api

import (
	"bufio"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
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

// listeners is how many streams are subscribed, for tests.
func (b *Broker) listeners() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// HTTPOptions configure the HTTP face.
type HTTPOptions struct {
	// Assets is the built frontend (nil: only the API, thumbnails and files).
	Assets fs.FS
	// Token, when set, is required on every request but the app shell's
	// (as "Authorization: Bearer", or a media signature from /api/access on
	// media and events) and gives full access. Needed off loopback.
	Token string
	// ReadToken, when set beside Token, gives read-only access: browse,
	// search, view. Mutating calls answer 403.
	ReadToken string
	// ReadOnly makes every client read-only, whatever token it carries.
	ReadOnly bool
	// Broker carries events to /api/events (nil: no events).
	Broker *Broker
	// LoopbackOnly refuses requests whose Host is not a loopback name, so
	// a web page cannot reach the server through DNS rebinding.
	LoopbackOnly bool
	// UploadLimit caps each uploaded file, in bytes (0: DefaultUploadLimit).
	UploadLimit int64
	// RateLimit is the API calls a client (by address) may make per second,
	// with bursts of 4× that (0: DefaultRateLimit; <0: none). Previews
	// count (they may cost a full decode); thumbnails and files do not:
	// the grid must never hit the limit.
	RateLimit float64
	// StreamsPerClient caps a client's open event streams; a new one drops
	// the client's oldest (0: DefaultStreamsPerClient; <0: none).
	StreamsPerClient int
	// Streams caps the event streams of all clients together; past it a
	// client holding none is answered 503 (0: DefaultStreams; <0: none).
	Streams int
	// InflightPerClient caps a client's requests in flight, event streams
	// aside; past it the answer is 429 (0: DefaultInflightPerClient; <0:
	// none).
	InflightPerClient int
	// Desktop marks the handler of the Wails window's asset server: its
	// one client is the window itself, so no per-client caps apply.
	Desktop bool
}

// Limits of the HTTP face.
const (
	// MaxJSONBody caps a call's JSON arguments.
	MaxJSONBody = 1 << 20
	// DefaultUploadLimit caps one uploaded file.
	DefaultUploadLimit = 200 << 20
	// MaxSearchImage caps a picture posted to search by.
	MaxSearchImage = 64 << 20
	// DefaultRateLimit is API calls per second per client.
	DefaultRateLimit = 50
	// DefaultStreamsPerClient is event streams per client: a few tabs.
	DefaultStreamsPerClient = 8
	// DefaultStreams is event streams in all.
	DefaultStreams = 256
	// DefaultInflightPerClient is requests in flight per client; a browser
	// opens at most 6 connections to a host.
	DefaultInflightPerClient = 32
)

// idleBody is how long a request body may stall before the server gives up
// on the client (a variable so a test can shorten it).
var idleBody = 60 * time.Second

// Handler serves the UI, the API, thumbnails, previews and files. The
// desktop app uses it for everything but the API and events (Wails IPC).
func Handler(a *API, o HTTPOptions) http.Handler {
	_, hd := newHTTPFace(a, o)
	return hd
}

// newHTTPFace is Handler with the face itself, for tests to reach its
// clock and counters.
func newHTTPFace(a *API, o HTTPOptions) (*httpFace, http.Handler) {
	if o.UploadLimit <= 0 {
		o.UploadLimit = DefaultUploadLimit
	}
	if o.RateLimit == 0 {
		o.RateLimit = DefaultRateLimit
	}
	o.StreamsPerClient = orDefault(o.StreamsPerClient, DefaultStreamsPerClient)
	o.Streams = orDefault(o.Streams, DefaultStreams)
	o.InflightPerClient = orDefault(o.InflightPerClient, DefaultInflightPerClient)
	if o.Desktop {
		o.StreamsPerClient, o.InflightPerClient = -1, -1
	}
	h := &httpFace{a: a, o: o, limiter: newRateLimiter(o.RateLimit), signer: newMediaSigner(),
		gate: newClientGate(o.StreamsPerClient, o.Streams, o.InflightPerClient)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/access", h.serveAccess)
	mux.HandleFunc("POST /api/upload", h.route("/api/upload", h.serveUpload))
	mux.HandleFunc("POST /api/search-image", h.route("/api/search-image", h.serveSearchImage))
	mux.HandleFunc("GET /api/events", h.serveEvents)
	mux.HandleFunc("POST /api/{method}", h.serveCall)
	mux.HandleFunc("GET /thumb/{id}", h.serveThumb)
	mux.HandleFunc("GET /preview/{id}", h.servePreview)
	mux.HandleFunc("GET /file/{id}", h.serveFile)
	mux.HandleFunc("GET /face/{id}", h.serveDerived(faceCrops))
	mux.HandleFunc("GET /frame/{id}", h.serveDerived(frameTiles))
	if o.Assets != nil {
		mux.Handle("GET /", assetHandler(o.Assets))
	}
	return h, h.guard(mux)
}

// httpFace is the API as browsers see it.
type httpFace struct {
	a       *API
	o       HTTPOptions
	limiter *rateLimiter
	gate    *clientGate
	signer  *mediaSigner
}

// orDefault is n, or def when n is 0.
func orDefault(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

type accessKey struct{}

// accessOf is the access the guard granted the request.
func accessOf(r *http.Request) string {
	if s, ok := r.Context().Value(accessKey{}).(string); ok {
		return s
	}
	return accessRead
}

// guard applies the access rules before any handler runs, and records the
// client's access (full or read) in the request's context.
//
// Credentials: the token only as "Authorization: Bearer" (the page takes
// ?token= from its own address and sends it so; a token in any other URL
// would end up in logs), or a media signature (?m=) on GETs of media and
// events. Never a cookie: browsers send cookies to every port of the host,
// so any other service there would receive it.
func (h *httpFace) guard(next http.Handler) http.Handler {
	o := h.o
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if o.LoopbackOnly && !loopbackHost(r.Host) {
			httpError(w, http.StatusForbidden, &Error{Code: CodeForbidden, Message: "requests must address the server by a loopback name"})
			return
		}
		// Cross-site pages must not drive the API (CSRF): browsers send
		// Origin on such requests.
		if origin := r.Header.Get("Origin"); origin != "" && r.Method != http.MethodGet && !sameOrigin(origin, r.Host) {
			httpError(w, http.StatusForbidden, &Error{Code: CodeForbidden, Message: "cross-origin request refused"})
			return
		}
		access := accessFull
		if o.Token != "" || o.ReadToken != "" {
			access = h.requestAccess(r)
			switch {
			case access != "":
			case mediaRoute(r) && h.signer.check(r.URL.Query().Get("m")) != "":
				access = accessRead // a signature only ever reads
			case shellRoute(r):
				access = accessRead
			default:
				httpError(w, http.StatusUnauthorized, &Error{Code: "unauthorized", Message: "this server needs its access token: open the address it printed (…/?token=…), or send Authorization: Bearer TOKEN"})
				return
			}
		}
		if o.ReadOnly {
			access = accessRead
		}
		key := clientKey(r)
		if strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/api/events" {
			if wait, ok := h.limiter.allow(key); !ok {
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
				httpError(w, http.StatusTooManyRequests, &Error{Code: "rate_limited", Message: "too many requests: slow down and try again in a moment"})
				return
			}
		}
		if r.URL.Path != "/api/events" {
			leave, ok := h.gate.enter(key)
			if !ok {
				w.Header().Set("Retry-After", "1")
				httpError(w, http.StatusTooManyRequests, &Error{Code: "rate_limited", Message: "too many requests at once from your address: let the others finish and try again"})
				return
			}
			defer leave()
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), accessKey{}, access)))
	})
}

// tokenAccess is the access a token gives ("" for none).
func (h *httpFace) tokenAccess(tok string) string {
	switch {
	case tok == "":
		return ""
	case h.o.Token != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(h.o.Token)) == 1:
		return accessFull
	case h.o.ReadToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(h.o.ReadToken)) == 1:
		return accessRead
	}
	return ""
}

// requestAccess is the access the request's bearer token gives.
func (h *httpFace) requestAccess(r *http.Request) string {
	if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return h.tokenAccess(b)
	}
	return ""
}

// route wraps one of the face's own routes with its role.
func (h *httpFace) route(name string, f http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if status, e := allowed(routeRoles[name], accessOf(r), name); e != nil {
			httpError(w, status, e)
			return
		}
		f(w, r)
	}
}

// serveAccess tells the UI what this client may do, and gives it the media
// signature its <img> and EventSource URLs carry. Only a real token gets
// one: a signature never buys a newer signature.
func (h *httpFace) serveAccess(w http.ResponseWriter, r *http.Request) {
	acc := Access{Role: accessOf(r), Web: true, UploadLimit: h.o.UploadLimit}
	if (h.o.Token != "" || h.o.ReadToken != "") && h.requestAccess(r) != "" {
		var exp time.Time
		acc.Media, exp = h.signer.sign(acc.Role)
		acc.MediaExpires = exp.Unix()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(acc)
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

// sameOrigin reports whether a request's Origin is the page this server
// served. The desktop window's wails:// origin is not: the window calls the
// core over IPC and asks this handler only for GETs, so the network face has
// no reason to trust it.
func sameOrigin(origin, host string) bool {
	o, ok := strings.CutPrefix(origin, "http://")
	if !ok {
		o, ok = strings.CutPrefix(origin, "https://")
	}
	return ok && o == host
}

func httpError(w http.ResponseWriter, status int, e *Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// Messages quote what failed; the web sees no path or address in them.
	json.NewEncoder(w).Encode(map[string]any{"error": &Error{Code: e.Code, Message: scrubText(e.Message)}})
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
	case CodeForbidden:
		return http.StatusForbidden
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

var errorType = reflect.TypeOf((*error)(nil)).Elem()

// serveCall runs an exported method of API by name with a JSON array of
// arguments: the methods the Wails window binds that methodRoles marks for
// the web, and only those.
func (h *httpFace) serveCall(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("method")
	// A bug in a method must not drop the connection or show the client a
	// stack: it is logged here and answered as a plain 500.
	defer func() {
		if v := recover(); v != nil {
			log.Printf("api: %s panicked: %v\n%s", name, v, debug.Stack())
			httpError(w, http.StatusInternalServerError, &Error{Code: CodeInternal, Message: name + " failed on the server"})
		}
	}()
	role, known := methodRoles[name]
	// The call runs on a copy of the API that carries the request's
	// context: a client that goes away cancels it.
	m := reflect.ValueOf(h.a.forCall(r.Context())).MethodByName(name)
	if !known || !m.IsValid() {
		httpError(w, http.StatusNotFound, &Error{Code: CodeNotFound, Message: "no API method " + strconv.Quote(name)})
		return
	}
	if status, e := allowed(role, accessOf(r), name); e != nil {
		httpError(w, status, e)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		httpError(w, http.StatusUnsupportedMediaType, &Error{Code: CodeInvalid, Message: "send a JSON array of arguments (Content-Type: application/json)"})
		return
	}
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(idleBody))
	var raw []json.RawMessage
	body := http.MaxBytesReader(w, r.Body, MaxJSONBody)
	if err := json.NewDecoder(body).Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpError(w, http.StatusRequestEntityTooLarge, &Error{Code: CodeInvalid, Message: fmt.Sprintf("arguments over %d bytes", MaxJSONBody)})
			return
		}
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
	w.Write(scrubJSON(result))
}

// serveEvents streams the broker's events. Each stream holds a connection,
// so the gate caps them per client and in all; a stream the gate drops (its
// client opened a newer one) ends with its connection.
func (h *httpFace) serveEvents(w http.ResponseWriter, r *http.Request) {
	b := h.o.Broker
	fl, ok := w.(http.Flusher)
	if !ok || b == nil {
		httpError(w, http.StatusNotImplemented, &Error{Code: CodeInternal, Message: "no event stream here"})
		return
	}
	ctx, stop := context.WithCancel(r.Context())
	defer stop()
	release, ok := h.gate.openStream(clientKey(r), stop)
	if !ok {
		w.Header().Set("Retry-After", "30")
		httpError(w, http.StatusServiceUnavailable, &Error{Code: "busy", Message: "this server holds all the event streams it may: try again later"})
		return
	}
	defer release()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Connection", "close")
	ch := b.subscribe()
	defer b.unsubscribe(ch)
	// A client that stops reading must not hold the stream forever: every
	// write gets a deadline.
	send := func(msg []byte) bool {
		rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := w.Write(msg); err != nil {
			return false
		}
		fl.Flush()
		return true
	}
	if !send([]byte(": connected\n\n")) {
		return
	}
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case msg := <-ch:
			if !send(msg) {
				return
			}
		case <-ping.C:
			if !send([]byte(": ping\n\n")) {
				return
			}
		}
	}
}

// entryFile resolves an entry id to its entry and where its file really
// is (library.Contain: refused when that is outside the library or in its
// data folder).
func (a *API) entryFile(r *http.Request) (library.Contained, store.Entry, error) {
	ws, err := a.workspace()
	if err != nil {
		return library.Contained{}, store.Entry{}, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return library.Contained{}, store.Entry{}, &Error{Code: CodeInvalid, Message: "bad entry id"}
	}
	e, err := ws.Lib.DB.EntryByID(r.Context(), id)
	if err != nil {
		return library.Contained{}, e, err
	}
	c, err := ws.Lib.Contain(e.Path)
	return c, e, containErr(err)
}

// containErr words the library's refusals for a web client, without the
// server's paths.
func containErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, library.ErrBadPath):
		return &Error{Code: CodeInvalid, Message: "path outside the library"}
	case errors.Is(err, library.ErrOutside), errors.Is(err, library.ErrDataDir):
		return &Error{Code: CodeForbidden, Message: "file lies outside the library"}
	}
	return &Error{Code: CodeNotFound, Message: "file not found"}
}

func fail(w http.ResponseWriter, err error) {
	e := ToError(err)
	httpError(w, statusOf(e), e)
}

// serveFile serves an entry's file from the file it opened through the
// library's containment, so a link swapped in after the check cannot make
// it serve another one.
func (h *httpFace) serveFile(w http.ResponseWriter, r *http.Request) {
	ws, err := h.a.workspace()
	if err != nil {
		fail(w, err)
		return
	}
	_, e, err := h.a.entryFile(r)
	if err != nil {
		fail(w, err)
		return
	}
	f, st, err := ws.Lib.OpenFile(e.Path)
	if err != nil {
		fail(w, containErr(err))
		return
	}
	defer f.Close()
	w.Header().Set("Content-Security-Policy", "sandbox")
	http.ServeContent(w, r, path.Base(e.Path), st.ModTime(), f)
}

// serveData serves a file of the library's data folder (rel inside its
// subfolder dir), opened without following a link.
func serveData(w http.ResponseWriter, r *http.Request, lib *library.Library, dir, rel string) {
	f, st, err := lib.OpenData(dir, rel)
	if err != nil {
		fail(w, &Error{Code: CodeNotFound, Message: "file not found"})
		return
	}
	defer f.Close()
	http.ServeContent(w, r, path.Base(rel), st.ModTime(), f)
}

// serveThumb serves an entry's thumbnail: only for an entry whose file lies
// inside the library, since a thumbnail shows what the file shows.
func (h *httpFace) serveThumb(w http.ResponseWriter, r *http.Request) {
	ws, err := h.a.workspace()
	if err != nil {
		fail(w, err)
		return
	}
	_, e, err := h.a.entryFile(r)
	if err == nil && e.Thumb == "" {
		err = &Error{Code: CodeNotFound, Message: "no thumbnail"}
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	w.Header().Set("Content-Type", "image/jpeg")
	serveData(w, r, ws.Lib, "thumbs", e.Thumb)
}

// previewSize is the long side of the viewer's previews.
const previewSize = 1600

// servePreview makes (once) and serves a large oriented JPEG. Unlike
// thumbnails it may cost a full decode, so it counts against the limiter.
// ?page=N (from 1) asks for a document's page N: the full preview pages
// through a PDF with it.
func (h *httpFace) servePreview(w http.ResponseWriter, r *http.Request) {
	if !h.allowRequest(w, r) {
		return
	}
	ws, err := h.a.workspace()
	if err != nil {
		fail(w, err)
		return
	}
	page := 1
	if p := r.URL.Query().Get("page"); p != "" {
		if page, err = strconv.Atoi(p); err != nil || page < 1 || page > maxPreviewPage {
			fail(w, &Error{Code: CodeInvalid, Message: "page: a number from 1"})
			return
		}
	}
	c, e, err := h.a.entryFile(r)
	if err != nil {
		fail(w, err)
		return
	}
	files := ws.Lib.Derived()
	variant := library.PageVariant(previewSize, page)
	rel := library.DerivedRel(e.Fingerprint, variant)
	if !files.Has(library.Previews, rel) {
		var data []byte
		if page == 1 && media.IsStill(e.MediaType) {
			data, _, err = media.ThumbnailJPEG(r.Context(), ws.Lib.Abs(c.Real), previewSize, ws.Lib.ReadLimits())
		} else { // a document's page, or another kind's poster
			data, err = media.PreviewJPEG(r.Context(), ws.Lib.Abs(c.Real), page, previewSize, ws.Lib.ReadLimits())
		}
		if err == nil {
			_, err = files.Put(library.Previews, e.Fingerprint, variant, data)
		}
		if err != nil {
			fail(w, &Error{Code: CodeNotFound, Message: "no preview: " + err.Error()})
			return
		}
	}
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	w.Header().Set("Content-Type", "image/jpeg")
	serveData(w, r, ws.Lib, library.Previews, rel)
}

// maxPreviewPage bounds ?page= (PDFium's own page limit is far above any
// real document, and the number is part of a derived file's name).
const maxPreviewPage = 1_000_000

// allowRequest takes a token from the client's rate-limit bucket for a
// route outside /api/ (which guard counts), or answers 429 and returns false.
func (h *httpFace) allowRequest(w http.ResponseWriter, r *http.Request) bool {
	wait, ok := h.limiter.allow(clientKey(r))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		httpError(w, http.StatusTooManyRequests, &Error{Code: "rate_limited", Message: "too many requests: slow down and try again in a moment"})
	}
	return ok
}

// idleReader pushes the request's read deadline forward while the client
// keeps sending, so a large upload may take long but a stalled one ends.
type idleReader struct {
	r  io.Reader
	rc *http.ResponseController
}

func (i idleReader) Read(p []byte) (int, error) {
	i.rc.SetReadDeadline(time.Now().Add(idleBody))
	return i.r.Read(p)
}

// uploadKinds are the media types the web may upload: what a photo library
// is for, recognised by content, not by the name the client gave.
var uploadKinds = map[string]bool{media.TypeImage: true, media.TypeRaw: true, media.TypeVideo: true, media.TypeAudio: true}

// serveUpload imports files sent by a browser drop (multipart "file"
// parts named with their relative paths) into "target", then indexes
// exactly those files. Each file is capped, sniffed, and written inside the
// library (atomically: a refused or broken upload leaves nothing behind).
func (h *httpFace) serveUpload(w http.ResponseWriter, r *http.Request) {
	a := h.a
	ws, err := a.workspace()
	if err != nil {
		fail(w, err)
		return
	}
	target, policy := "", library.ConflictKeepBoth
	res := library.ImportResult{Paths: []string{}}
	var refused *Error
	ok := eachPart(w, r, func(part *multipart.Part) error {
		switch part.FormName() {
		case "target", "conflict":
			b, _ := io.ReadAll(io.LimitReader(part, 4096))
			if part.FormName() == "conflict" {
				policy = string(b)
				return nil
			}
			t, err := library.CleanTarget(string(b))
			if err != nil {
				return &Error{Code: CodeInvalid, Message: err.Error()}
			}
			target = t
		case "file":
			// One refused file (not a picture, too large, a bad name) is
			// reported and the others still come in.
			err := h.saveUpload(r.Context(), ws.Lib, target, policy, part, &res)
			var ae *Error
			if err == nil || r.Context().Err() != nil || !errors.As(err, &ae) {
				return err
			}
			res.Errors = append(res.Errors, store.ScanError{Path: part.FileName(), Error: ae.Message})
			refused = ae
		}
		return nil
	})
	if !ok {
		return
	}
	if res.Copied == 0 && refused != nil {
		fail(w, refused)
		return
	}
	job, err := a.jobs.Start("import", fmt.Sprintf("Indexing %d uploaded file(s)", res.Copied), ws.Lib.Root,
		func(ctx context.Context, report func(jobs.Progress)) (any, error) {
			if len(res.Paths) == 0 {
				return res, nil // nothing new to index
			}
			return res, a.index(ctx, ws, report, res.Paths...)
		})
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(job)
}

// eachPart hands a multipart request's parts to fn in order, closing each,
// with a read deadline that moves while the client sends (idleReader). On a
// malformed body or an error from fn it answers the request and returns
// false.
func eachPart(w http.ResponseWriter, r *http.Request, fn func(*multipart.Part) error) bool {
	r.Body = io.NopCloser(idleReader{r: r.Body, rc: http.NewResponseController(w)})
	mr, err := r.MultipartReader()
	if err != nil {
		fail(w, &Error{Code: CodeInvalid, Message: "send multipart/form-data: " + err.Error()})
		return false
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			fail(w, &Error{Code: CodeInvalid, Message: err.Error()})
			return false
		}
		err = fn(part)
		part.Close()
		if err != nil {
			fail(w, err)
			return false
		}
	}
}

// errTooLarge ends an upload that passes the limit.
var errTooLarge = errors.New("too large")

// cappedReader fails once more than n bytes were read.
type cappedReader struct {
	r io.Reader
	n int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.n < 0 {
		return 0, errTooLarge
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

func (h *httpFace) saveUpload(ctx context.Context, lib *library.Library, target, policy string, part *multipart.Part, res *library.ImportResult) error {
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
	br := bufio.NewReaderSize(&cappedReader{r: part, n: h.o.UploadLimit}, media.SniffLen)
	head, _ := br.Peek(media.SniffLen)
	if kind, _ := media.Sniff(head, clean); !uploadKinds[kind] {
		return &Error{Code: CodeInvalid, Message: fmt.Sprintf("%s is not a picture, video or sound file (its content reads as %s): the web accepts only those", clean, kind)}
	}
	if err := lib.ImportReader(ctx, path.Join(target, clean), br, policy, res); err != nil {
		if errors.Is(err, errTooLarge) {
			return &Error{Code: CodeTooLarge, Message: fmt.Sprintf("%s is larger than this server accepts (%d MB a file)", clean, h.o.UploadLimit>>20)}
		}
		return &Error{Code: CodeInvalid, Message: err.Error()}
	}
	return nil
}

// serveSearchImage searches by an uploaded picture, kept (capped) in the
// library's own data folder only while it is embedded. Being under /api/,
// guard counts it against the rate limiter; its decode shares media's
// process-wide memory budget.
func (h *httpFace) serveSearchImage(w http.ResponseWriter, r *http.Request) {
	ws, err := h.a.workspace()
	if err != nil {
		fail(w, err)
		return
	}
	limit, tmp := 0, ""
	defer func() {
		if tmp != "" {
			os.Remove(tmp)
		}
	}()
	ok := eachPart(w, r, func(part *multipart.Part) error {
		switch part.FormName() {
		case "limit":
			b, _ := io.ReadAll(io.LimitReader(part, 32))
			limit, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		case "file":
			if tmp != "" {
				return nil
			}
			var err error
			if tmp, err = ws.Lib.TempFile(&cappedReader{r: part, n: MaxSearchImage}, filepath.Ext(filepath.Base(part.FileName()))); errors.Is(err, errTooLarge) {
				return &Error{Code: CodeTooLarge, Message: fmt.Sprintf("a picture to search by may be %d MB at most", MaxSearchImage>>20)}
			}
			return err
		}
		return nil
	})
	if !ok {
		return
	}
	if tmp == "" {
		fail(w, &Error{Code: CodeInvalid, Message: "no file"})
		return
	}
	res, err := ws.Now().Search.SimilarFile(r.Context(), tmp, "", searchOptions(limit))
	out, err := h.a.result(r.Context(), ws, res, err)
	if err != nil {
		fail(w, err)
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
