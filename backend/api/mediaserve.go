package api

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// MediaServer serves the library's files to the desktop window's <video>
// and <audio>: WebKitGTK cannot play media from Wails' asset URLs (wails
// issue 4412), so the window fetches them over loopback HTTP from the same
// handler `serve` uses, Range requests included (seeking). Every URL
// carries a secret made for this process in its path: another local user,
// or a web page guessing the port, cannot read the library through it.
type MediaServer struct {
	srv  *http.Server
	base string
}

// ServeMedia starts the loopback media server for a and tells a where it is
// (MediaBase). Close stops it.
func ServeMedia(a *API) (*MediaServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for media: %w", err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	secret := base64.RawURLEncoding.EncodeToString(key)
	m := &MediaServer{base: "http://" + ln.Addr().String() + "/" + secret}
	m.srv = &http.Server{Handler: mediaHandler(a, secret), ReadHeaderTimeout: 10 * time.Second}
	go m.srv.Serve(ln)
	a.mu.Lock()
	a.mediaBase = m.base
	a.mu.Unlock()
	return m, nil
}

// Base is the URL that media paths (/file/ID) are appended to.
func (m *MediaServer) Base() string { return m.base }

// Close stops the server, ending the streams in flight.
func (m *MediaServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := m.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("stop media server: %w", err)
	}
	return m.srv.Close()
}

// mediaHandler answers GET and HEAD of /SECRET/file/ID and nothing else:
// the window's calls still go through Wails, so this port can only read.
func mediaHandler(a *API, secret string) http.Handler {
	inner := Handler(a, HTTPOptions{Desktop: true, LoopbackOnly: true, RateLimit: -1})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seg, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if subtle.ConstantTimeCompare([]byte(seg), []byte(secret)) != 1 ||
			(r.Method != http.MethodGet && r.Method != http.MethodHead) || !strings.HasPrefix(rest, "file/") {
			http.NotFound(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath = "/"+rest, ""
		inner.ServeHTTP(w, r2)
	})
}

// MediaBase is where the desktop window plays media from (a loopback URL
// that /file/ID is appended to); "" in a browser, which uses its page's
// origin.
func (a *API) MediaBase() (string, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.mediaBase, nil
}
