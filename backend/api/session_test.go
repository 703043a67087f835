package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// sessionServer is a small indexed library behind the HTTP face, with the
// face itself at hand (its clock and counters).
type sessionServer struct {
	srv  *httptest.Server
	face *httpFace
	a    *API
	id   int64 // red.jpg's entry
}

func newSessionServer(t *testing.T, o HTTPOptions) *sessionServer {
	t.Helper()
	root := filepath.Join(t.TempDir(), "lib")
	testutil.WriteFile(t, filepath.Join(root, "red.jpg"), testutil.JPEG(t, testutil.Solid(64, 48, color.RGBA{220, 10, 10, 255}), nil))
	a := New(Options{Version: "test", Web: true, Model: workspace.ModelOptions{Model: colourModel, ModelsDir: t.TempDir()}})
	t.Cleanup(func() { Shutdown(a) })
	if err := Open(a, root, true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.StartIndex(); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	ws, _ := a.workspace()
	e, err := ws.Lib.DB.EntryByPath(t.Context(), "red.jpg")
	if err != nil || e.Thumb == "" {
		t.Fatalf("red.jpg not indexed with a thumbnail: %v %+v", err, e)
	}
	if o.Assets == nil {
		o.Assets = fstest.MapFS{"index.html": {Data: []byte("<html>ui</html>")}}
	}
	face, h := newHTTPFace(a, o)
	s := &sessionServer{srv: httptest.NewServer(h), face: face, a: a, id: e.ID}
	t.Cleanup(s.srv.Close)
	return s
}

// clientAt is an HTTP client whose connections come from the loopback
// address ip, so the server sees another client than 127.0.0.1.
func clientAt(ip string, token string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: d.DialContext}
	rt := http.RoundTripper(tr)
	if token != "" {
		rt = bearerOver{token, tr}
	}
	return &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type bearerOver struct {
	token string
	next  http.RoundTripper
}

func (b bearerOver) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// openStream opens GET /api/events on a raw connection from ip and reads
// up to the stream's first comment, so the server holds it when this
// returns. It returns the connection, or the status line of a refusal.
func openStream(t *testing.T, base, ip string) (net.Conn, string) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	conn, err := d.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	// Closed before the server (cleanups run last first), which waits for
	// its streams to end.
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET /api/events HTTP/1.1\r\nHost: %s\r\n\r\n", strings.TrimPrefix(base, "http://"))
	// A guard against a hang, not a timing check.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	if !strings.Contains(status, " 200 ") {
		conn.Close()
		return nil, status
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		if strings.Contains(line, ": connected") {
			return conn, status
		}
	}
}

// closedByServer reads conn to its end: true when the server closed it.
func closedByServer(conn net.Conn) bool {
	conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // a guard against a hang
	_, err := io.Copy(io.Discard, conn)
	conn.Close()
	return err == nil
}

func versionFrom(t *testing.T, c *http.Client, base string) int {
	t.Helper()
	code, _ := callAPI(t, c, base, "Version")
	return code
}

// TestEventStreamsPerClient: 300 event streams from one client leave the
// server holding only the per-client cap of them (the oldest are closed,
// connection and all), and the API answers that client and another.
func TestEventStreamsPerClient(t *testing.T) {
	s := newSessionServer(t, HTTPOptions{Broker: NewBroker(), RateLimit: -1})
	const n = 300
	conns := make([]net.Conn, 0, n)
	for range n {
		c, status := openStream(t, s.srv.URL, "127.0.0.1")
		if c == nil {
			t.Fatalf("stream %d refused: %s", len(conns), status)
		}
		conns = append(conns, c)
	}
	for i, c := range conns[:n-DefaultStreamsPerClient] {
		if !closedByServer(c) {
			t.Fatalf("stream %d of %d is still open: the server holds more than %d streams of one client", i+1, n, DefaultStreamsPerClient)
		}
	}
	// A closed stream unsubscribed before its connection closed.
	if got := s.face.o.Broker.listeners(); got != DefaultStreamsPerClient {
		t.Errorf("the broker feeds %d streams, want %d", got, DefaultStreamsPerClient)
	}
	if got := s.face.gate.openStreams(); got != DefaultStreamsPerClient {
		t.Errorf("the gate counts %d streams, want %d", got, DefaultStreamsPerClient)
	}
	if code := versionFrom(t, clientAt("127.0.0.1", ""), s.srv.URL); code != 200 {
		t.Errorf("Version from the streaming client: %d", code)
	}
	if code := versionFrom(t, clientAt("127.0.0.2", ""), s.srv.URL); code != 200 {
		t.Errorf("Version from another client: %d", code)
	}
	for _, c := range conns[n-DefaultStreamsPerClient:] {
		c.Close()
	}
}

// TestEventStreamsInAll: past the total cap a client holding no stream is
// answered 503 with Retry-After; a client holding one trades its oldest.
func TestEventStreamsInAll(t *testing.T) {
	s := newSessionServer(t, HTTPOptions{Broker: NewBroker(), RateLimit: -1, StreamsPerClient: 2, Streams: 3})
	a1, _ := openStream(t, s.srv.URL, "127.0.0.1")
	a2, _ := openStream(t, s.srv.URL, "127.0.0.1")
	b1, _ := openStream(t, s.srv.URL, "127.0.0.2")
	if a1 == nil || a2 == nil || b1 == nil {
		t.Fatal("streams under the caps were refused")
	}
	resp, err := clientAt("127.0.0.3", "").Get(s.srv.URL + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "event streams") {
		t.Errorf("a new client past the total: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	// B holds one: its new stream replaces it rather than being refused.
	b2, status := openStream(t, s.srv.URL, "127.0.0.2")
	if b2 == nil {
		t.Fatalf("a client holding a stream was refused a new one: %s", status)
	}
	if !closedByServer(b1) {
		t.Error("B's older stream was not closed")
	}
	if got := s.face.gate.openStreams(); got != 3 {
		t.Errorf("%d streams open, want 3", got)
	}
	for _, c := range []net.Conn{a1, a2, b2} {
		c.Close()
	}
}

// holdRequest starts POST /api/Version from a raw connection and stops
// before its body: once the server asks for the body (100 Continue) the
// request is in flight, past the guard.
func holdRequest(t *testing.T, base string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /api/Version HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n", strings.TrimPrefix(base, "http://"))
	conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // a guard against a hang
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.Contains(line, "100 Continue") {
		t.Fatalf("held request: %q %v", line, err)
	}
	return conn
}

// TestRequestsInFlightPerClient: a client with as many requests in flight
// as it may gets 429 for one more; others do not, and the client may go on
// once one ends.
func TestRequestsInFlightPerClient(t *testing.T) {
	s := newSessionServer(t, HTTPOptions{RateLimit: -1, InflightPerClient: 2})
	h1, h2 := holdRequest(t, s.srv.URL), holdRequest(t, s.srv.URL)
	defer h2.Close()
	code, body := callAPI(t, clientAt("127.0.0.1", ""), s.srv.URL, "Version")
	if code != http.StatusTooManyRequests || !strings.Contains(string(body), "at once") {
		t.Errorf("a third request in flight: %d %s", code, body)
	}
	if code := versionFrom(t, clientAt("127.0.0.2", ""), s.srv.URL); code != 200 {
		t.Errorf("another client: %d", code)
	}
	// The first held request ends: its answer is read in full, so its
	// place is free.
	io.WriteString(h1, "[]")
	resp, err := http.ReadResponse(bufio.NewReader(h1), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	h1.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the held request: %d", resp.StatusCode)
	}
	if code := versionFrom(t, clientAt("127.0.0.1", ""), s.srv.URL); code != 200 {
		t.Errorf("after one ended: %d", code)
	}
}

// TestNoCookieIsACredential: the page at /?token= sets no cookie, and a
// cookie carrying the full token (what another service on the same host
// receives if one was ever set) neither reads nor writes.
func TestNoCookieIsACredential(t *testing.T) {
	s := newSessionServer(t, HTTPOptions{Token: "FULL", ReadToken: "READ", RateLimit: -1})
	plain := clientAt("127.0.0.1", "")
	for _, tok := range []string{"FULL", "READ", "wrong"} {
		resp, err := plain.Get(s.srv.URL + "/?token=" + tok)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "ui") {
			t.Errorf("/?token=%s: %d %s, want the page", tok, resp.StatusCode, body)
		}
		if c := resp.Header.Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("/?token=%s set a cookie: %q", tok, c)
		}
	}
	tagsBefore, _ := s.a.Tags()
	for _, cookie := range []string{"tagsight_token=FULL", "session=FULL; token=FULL; tagsight_token=FULL"} {
		for _, rq := range []struct{ method, path, body string }{
			{"POST", "/api/CreateTag", `["Stolen"]`},
			{"POST", "/api/Version", `[]`},
			{"GET", "/api/access", ""},
			{"GET", "/api/events", ""},
			{"GET", fmt.Sprintf("/thumb/%d", s.id), ""},
			{"GET", fmt.Sprintf("/file/%d", s.id), ""},
			{"GET", fmt.Sprintf("/preview/%d", s.id), ""},
		} {
			req, _ := http.NewRequest(rq.method, s.srv.URL+rq.path, strings.NewReader(rq.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Cookie", cookie)
			resp, err := plain.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s with only %q: %d, want 401", rq.method, rq.path, cookie, resp.StatusCode)
			}
		}
	}
	// A token in an API URL is refused too: it would end up in logs.
	req, _ := http.NewRequest("POST", s.srv.URL+"/api/CreateTag?token=FULL", strings.NewReader(`["Logged"]`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := plain.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("?token= on the API: %v %v, want 401", resp, err)
	}
	if tagsAfter, _ := s.a.Tags(); len(tagsAfter) != len(tagsBefore) {
		t.Errorf("a cookie or URL token created a tag: %+v", tagsAfter)
	}
	// The header still works, for the page and for scripts.
	if code, _ := callAPI(t, clientAt("127.0.0.1", "FULL"), s.srv.URL, "CreateTag", "Kept"); code != 200 {
		t.Errorf("bearer token: %d", code)
	}
}

// mediaSig asks /api/access for this client's media signature.
func mediaSig(t *testing.T, base, token string) Access {
	t.Helper()
	resp, err := clientAt("127.0.0.1", token).Get(base + "/api/access")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var acc Access
	if err := json.NewDecoder(resp.Body).Decode(&acc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("access: %d %v", resp.StatusCode, err)
	}
	return acc
}

func status(t *testing.T, method, url, body string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel() // ends an event stream once its status is in
	resp, err := clientAt("127.0.0.1", "").Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestMediaSignature: the signature /api/access hands out reads media and
// events, and nothing else; it stops at its expiry and when altered.
func TestMediaSignature(t *testing.T) {
	s := newSessionServer(t, HTTPOptions{Token: "FULL", ReadToken: "READ", RateLimit: -1, Broker: NewBroker()})
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s.face.signer.now = func() time.Time { return now }
	acc := mediaSig(t, s.srv.URL, "FULL")
	if acc.Media == "" || acc.MediaExpires != now.Add(MediaTTL).Unix() {
		t.Fatalf("access gave no signature or the wrong expiry: %+v", acc)
	}
	m := "?m=" + acc.Media
	media := []string{fmt.Sprintf("/thumb/%d", s.id), fmt.Sprintf("/preview/%d", s.id), fmt.Sprintf("/file/%d", s.id), "/api/events"}
	for _, p := range media {
		if code := status(t, "GET", s.srv.URL+p+m, ""); code != 200 {
			t.Errorf("GET %s with the signature: %d", p, code)
		}
		if code := status(t, "GET", s.srv.URL+p, ""); code != 401 {
			t.Errorf("GET %s without it: %d", p, code)
		}
	}
	tagsBefore, _ := s.a.Tags()
	for _, rq := range []struct{ method, path, body string }{
		{"POST", "/api/CreateTag", `["Signed"]`},
		{"POST", "/api/Version", `[]`},
		{"GET", "/api/access", ""}, // a signature never buys a fresh one
		{"POST", "/api/upload", ""},
		{"POST", fmt.Sprintf("/thumb/%d", s.id), ""},
	} {
		if code := status(t, rq.method, s.srv.URL+rq.path+m, rq.body); code != 401 {
			t.Errorf("%s %s with the signature: %d, want 401", rq.method, rq.path, code)
		}
	}
	if tagsAfter, _ := s.a.Tags(); len(tagsAfter) != len(tagsBefore) {
		t.Errorf("a media signature created a tag: %+v", tagsAfter)
	}
	thumb := fmt.Sprintf("%s/thumb/%d?m=", s.srv.URL, s.id)
	role, rest, _ := strings.Cut(acc.Media, ".")
	exp, mac, _ := strings.Cut(rest, ".")
	flipped := []byte(mac)
	flipped[0] ^= 1
	for name, sig := range map[string]string{
		"role changed":   "read." + rest,
		"expiry changed": role + "." + fmt.Sprint(acc.MediaExpires+3600) + "." + mac,
		"mac changed":    role + "." + exp + "." + string(flipped),
		"no mac":         role + "." + exp,
		"the token":      "FULL",
	} {
		if code := status(t, "GET", thumb+sig, ""); code != 401 {
			t.Errorf("%s (%s): %d, want 401", name, sig, code)
		}
	}
	// The read token's signature reads the same.
	if r := mediaSig(t, s.srv.URL, "READ"); r.Role != "read" || status(t, "GET", thumb+r.Media, "") != 200 {
		t.Errorf("the read token's signature: %+v", r)
	}
	now = now.Add(MediaTTL - time.Second)
	if code := status(t, "GET", thumb+acc.Media, ""); code != 200 {
		t.Errorf("a second before expiry: %d", code)
	}
	now = now.Add(time.Second)
	if code := status(t, "GET", thumb+acc.Media, ""); code != 401 {
		t.Errorf("at expiry: %d, want 401", code)
	}
	// Another process's signature (another key) is not ours.
	other := newMediaSigner()
	other.now = s.face.signer.now
	sig, _ := other.sign("full")
	if code := status(t, "GET", thumb+sig, ""); code != 401 {
		t.Errorf("another key's signature: %d", code)
	}
}

// TestWailsOriginRefused: the desktop window's origin means nothing on the
// network face; its GETs still load.
func TestWailsOriginRefused(t *testing.T) {
	s := newSessionServer(t, HTTPOptions{RateLimit: -1})
	tagsBefore, _ := s.a.Tags()
	for _, origin := range []string{"wails://wails", "wails://wails.localhost:34115", "wails://x"} {
		req, _ := http.NewRequest("POST", s.srv.URL+"/api/CreateTag", strings.NewReader(`["FromWails"]`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST with Origin %s: %d, want 403", origin, resp.StatusCode)
		}
	}
	if ts, _ := s.a.Tags(); len(ts) != len(tagsBefore) {
		t.Errorf("a wails:// origin created a tag: %+v", ts)
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/thumb/%d", s.srv.URL, s.id), nil)
	req.Header.Set("Origin", "wails://wails")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("the window's thumbnail GET: %v %v", resp, err)
	}
	// The page's own origin still may.
	req, _ = http.NewRequest("POST", s.srv.URL+"/api/CreateTag", strings.NewReader(`["Mine"]`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", s.srv.URL)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("same origin: %v %v", resp, err)
	}
}

// TestDesktopHasNoClientCaps: the window's asset server is one trusted
// client loading many thumbnails at once, so the per-client caps are off;
// a server without tokens hands out no media signature (nothing to sign).
func TestDesktopHasNoClientCaps(t *testing.T) {
	s := newSessionServer(t, HTTPOptions{Desktop: true, InflightPerClient: 1, RateLimit: -1})
	held := holdRequest(t, s.srv.URL)
	defer held.Close()
	if code := versionFrom(t, clientAt("127.0.0.1", ""), s.srv.URL); code != 200 {
		t.Errorf("the window's second request in flight: %d", code)
	}
	if acc := mediaSig(t, s.srv.URL, ""); acc.Media != "" || acc.Role != "full" {
		t.Errorf("a server without tokens: %+v", acc)
	}
}
