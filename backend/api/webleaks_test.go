package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/testutil"
)

// serverPath matches an absolute path into one of the folders at the root
// of this machine's disk (read from the disk, not from the code), and the
// resolver address the failed job below quotes.
func serverPath(t *testing.T) *regexp.Regexp {
	t.Helper()
	ents, err := os.ReadDir("/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, regexp.QuoteMeta(e.Name()))
	}
	return regexp.MustCompile(`(^|[^A-Za-z0-9._~-])/(` + strings.Join(names, "|") + `)([/"\s:)]|$)|127\.0\.0\.53`)
}

// TestReadOnlySeesNoServerPath: no answer a read-only web client gets, of
// any web-read method in README's table, of /api/access or of search by
// picture, holds an absolute path of the server's disk or an address —
// with a model set by folder, the provider's reason naming the ONNX
// Runtime library, and a job that failed quoting a path and a resolver.
// What the library holds (relative paths, names) still comes through.
func TestReadOnlySeesNoServerPath(t *testing.T) {
	l := newRolesLibrary(t)
	re := serverPath(t)
	ws, _ := l.a.workspace()
	// What tagsight index --model DIR leaves: the model by its folder.
	if err := ws.Lib.DB.SetSetting(t.Context(), "model", colourModel); err != nil {
		t.Fatal(err)
	}
	j, err := l.a.jobs.Start("download", "Downloading clip", "x", func(context.Context, func(jobs.Progress)) (any, error) {
		return filepath.Join(l.root, ".tagsight", "models"), fmt.Errorf("open %s: permission denied; Get \"https://example.org/m.onnx\": dial tcp: lookup example.org on 127.0.0.53:53: no such host",
			filepath.Join(l.root, ".tagsight", "models", "m.onnx"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if done, _ := l.a.jobs.Wait(t.Context(), j.ID); done.State != jobs.Failed || !re.MatchString(done.Error) {
		t.Fatalf("the fixture's job should fail quoting a path: %+v", done)
	}
	// Without the scrubbing the desktop sees, the answers would leak:
	// make sure the fixture has something to hide.
	info, err := l.a.LibraryInfo()
	if err != nil {
		t.Fatalf("LibraryInfo: %v", err)
	}
	set, err := l.a.Settings()
	if err != nil {
		t.Fatalf("Settings: %v", err)
	}
	if b, _ := json.Marshal([]any{info, set, l.a.jobs.List()}); !re.Match(b) {
		t.Fatalf("the fixture reveals nothing to hide: %s", b)
	}

	check := func(what string, body []byte) {
		t.Helper()
		if m := re.Find(body); m != nil {
			t.Errorf("%s showed a read-only client %q: %.400s", what, m, body)
		}
	}
	for name, role := range writtenRoles(t) {
		if role != "web-read" {
			continue
		}
		args, _ := readArgs(l, name)
		code, body := l.read(name, args...)
		if code != 200 {
			t.Errorf("%s: %d %s", name, code, body)
		}
		check(name, body)
	}
	// The same job's error in a bad request's answer, and bad arguments.
	for _, args := range [][]any{{"/etc/passwd", 1}, {map[string]any{"query": 5}}} {
		_, body := l.read("Autocomplete", args...)
		check("Autocomplete's refusal", body)
	}
	_, body := l.read("Search", SearchRequest{Query: `like:"` + filepath.Join(l.root, "red0.jpg") + `"`})
	check("like: with the library's folder", body)

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "q.jpg")
	fw.Write(testutil.JPEG(t, testutil.Solid(16, 16, color.RGBA{230, 30, 30, 255}), nil))
	mw.Close()
	req, _ := http.NewRequest("POST", l.srv.URL+"/api/search-image", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer read-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := readAll(resp)
	check("search-image", b)

	// A picture that is none fails, quoting the temporary file it was
	// kept in inside the library's .tagsight.
	buf.Reset()
	mw = multipart.NewWriter(&buf)
	fw, _ = mw.CreateFormFile("file", "q.jpg")
	fw.Write([]byte("\xff\xd8\xff not a picture"))
	mw.Close()
	req, _ = http.NewRequest("POST", l.srv.URL+"/api/search-image", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer read-secret")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	b, _ = readAll(resp)
	t.Logf("search-image of a broken picture: %d %s", resp.StatusCode, b)
	check("search-image's refusal", b)

	// What the library holds comes through as it is.
	code, body := l.read("Search", SearchRequest{Query: "ext:jpg", Limit: 50})
	if code != 200 || !bytes.Contains(body, []byte(`"path":"red0.jpg"`)) || !bytes.Contains(body, []byte(`"thumb":"/thumb/`)) {
		t.Errorf("search lost the library's paths: %d %.300s", code, body)
	}
	if _, body := l.read("Settings"); !bytes.Contains(body, []byte(`"model":"colour"`)) {
		t.Errorf("Settings should name the model by its folder's name: %s", body)
	}
}

func readAll(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err := b.ReadFrom(resp.Body)
	return b.Bytes(), err
}

// TestWebEventsShowNoServerPath: what the web face emits (job events,
// library changes) is scrubbed too; the desktop's events are not.
func TestWebEventsShowNoServerPath(t *testing.T) {
	re := serverPath(t)
	for _, web := range []bool{true, false} {
		var got []byte
		a := New(Options{Web: web, ConfigDir: t.TempDir(), Emit: func(_ string, p any) { got, _ = json.Marshal(p) }})
		a.opts.Emit(jobs.EventDone, jobs.Job{ID: "x", Current: "2023/beach.jpg", Error: "open /etc/tagsight/lib/.tagsight/index.db: locked",
			Result: "/usr/share/tagsight/models/clip"})
		if web == re.Match(got) {
			t.Errorf("web %v: event %s", web, got)
		}
		if !bytes.Contains(got, []byte(`2023/beach.jpg`)) {
			t.Errorf("web %v: the library path was lost: %s", web, got)
		}
		Shutdown(a)
	}
}

// TestScrubText: what is hidden and what is kept, on its own.
func TestScrubText(t *testing.T) {
	for in, want := range map[string]string{
		"open /home/ann/Pictures/.tagsight/index.db: permission denied":                                                                              "open …/index.db: permission denied",
		"auto: CUDA not used: no libonnxruntime_providers_cuda.so next to /opt/ort/lib/libonnxruntime.so (docs/INSTALL.md explains the CUDA set-up)": "auto: CUDA not used: no libonnxruntime_providers_cuda.so next to …/libonnxruntime.so (docs/INSTALL.md explains the CUDA set-up)",
		"no NVIDIA GPU device (/dev/nvidia0)":                                           "no NVIDIA GPU device (…/nvidia0)",
		`model "C:\Users\ann\models\clip": not found`:                                   `model "…/clip": not found`,
		"lookup huggingface.co on 127.0.0.53:53: no such host":                          "lookup huggingface.co on …: no such host",
		`Get "https://huggingface.co/x/y.onnx": dial tcp [::1]:443: connection refused`: `Get "…": dial tcp …: connection refused`,
		"dial tcp localhost:8080: refused":                                              "dial tcp …: refused",
		"like: ~/secret.jpg: name a picture":                                            "like: …/secret.jpg: name a picture",
		"2023/beach.jpg: not a picture":                                                 "2023/beach.jpg: not a picture",
		"/thumb/12?v=ab":                                                                "/thumb/12?v=ab",
		"either / or, 1/250 s, AC/DC":                                                   "either / or, 1/250 s, AC/DC",
	} {
		if got := scrubText(in); got != want {
			t.Errorf("scrubText(%q)\n = %q\nwant %q", in, got, want)
		}
	}
	// Every error answer of the face goes through httpError.
	rec := httptest.NewRecorder()
	httpError(rec, http.StatusInternalServerError, &Error{Code: CodeInternal, Message: "open /var/lib/tagsight/.tagsight/index.db: database is locked"})
	if body := rec.Body.String(); serverPath(t).MatchString(body) || !strings.Contains(body, "…/index.db") {
		t.Errorf("an error answer: %s", body)
	}
	got := string(scrubJSON(Item{Path: "x /tmp/y.jpg", Name: "/usr/y.jpg", Format: "/usr/bin/x"}))
	if !strings.Contains(got, `"path":"x /tmp/y.jpg"`) || !strings.Contains(got, `"name":"/usr/y.jpg"`) || strings.Contains(got, "/usr/bin") {
		t.Errorf("scrubJSON: %s", got)
	}
	if got := string(scrubJSON(map[string]any{"id": int64(math.MaxInt64)})); !strings.Contains(got, "9223372036854775807") {
		t.Errorf("an id lost its digits: %s", got)
	}
}

// TestBadPagesAre400s: negative or overflowing limits and offsets are
// refused as bad arguments (400), never a dropped connection; a page far
// past the results is empty.
func TestBadPagesAre400s(t *testing.T) {
	w := newWebLibrary(t, HTTPOptions{RateLimit: -1})
	for _, tc := range []struct {
		method string
		args   []any
	}{
		{"Search", []any{SearchRequest{Query: "red", Offset: -5}}},
		{"Search", []any{SearchRequest{Query: "ext:jpg", Offset: -5}}},
		{"Search", []any{SearchRequest{Query: "red", Limit: math.MaxInt64, Offset: 1}}},
		{"Search", []any{SearchRequest{Query: "ext:jpg", Limit: math.MaxInt64, Offset: 1}}},
		{"Search", []any{SearchRequest{Query: "red", Limit: 1, Offset: math.MaxInt64}}},
		{"Search", []any{SearchRequest{Query: "red", Limit: -1}}},
		{"Similar", []any{w.ids[0], -1}},
		{"Similar", []any{w.ids[0], math.MinInt64}},
		{"PersonFaces", []any{0, -1}},
	} {
		code, body := callAPI(t, http.DefaultClient, w.srv.URL, tc.method, tc.args...)
		if code != http.StatusBadRequest || !bytes.Contains(body, []byte(`"invalid"`)) {
			t.Errorf("%s%v: %d %s, want 400 invalid", tc.method, tc.args, code, body)
		}
	}
	for _, q := range []string{"red", "ext:jpg"} {
		code, body := callAPI(t, http.DefaultClient, w.srv.URL, "Search", SearchRequest{Query: q, Limit: 1 << 20, Offset: 1 << 30})
		var res SearchResult
		if code != 200 || json.Unmarshal(body, &res) != nil || len(res.Items) != 0 {
			t.Errorf("%q far past the end: %d %.300s", q, code, body)
		}
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("limit", "-3")
	fw, _ := mw.CreateFormFile("file", "q.jpg")
	fw.Write(testutil.JPEG(t, testutil.Solid(16, 16, color.RGBA{230, 30, 30, 255}), nil))
	mw.Close()
	resp, err := http.Post(w.srv.URL+"/api/search-image", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := readAll(resp)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("search-image with limit -3: %d %s", resp.StatusCode, b)
	}
}

// TestPanicIsA500: a method that panics (here: an API that was never made
// with New) answers a plain 500, without a stack, and the server goes on.
func TestPanicIsA500(t *testing.T) {
	srv := httptest.NewServer(Handler(&API{}, HTTPOptions{RateLimit: -1}))
	defer srv.Close()
	for i := 0; i < 2; i++ {
		code, body := callAPI(t, http.DefaultClient, srv.URL, "Jobs")
		if code != http.StatusInternalServerError || !bytes.Contains(body, []byte(`"internal"`)) ||
			bytes.Contains(body, []byte("goroutine")) || bytes.Contains(body, []byte(".go:")) {
			t.Errorf("a panicking method: %d %s", code, body)
		}
	}
}
