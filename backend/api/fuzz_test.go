package api

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// FuzzHTTPFace throws what a hostile client might at the HTTP face, with
// full access: any method name (the real ones and others) with any JSON
// for arguments, any id on the media routes, any multipart body to upload
// and search by picture. The property: the server never panics and never
// answers 5xx, but for 503 (busy, by design). The seeds (testdata/fuzz)
// hold the bad pages that once panicked Search (issue 18, hole 7); f.Add
// holds the rest.
//
// PullModel is the one method left out: with a catalog name it would
// download from the internet.
func FuzzHTTPFace(f *testing.F) {
	root := filepath.Join(f.TempDir(), "lib")
	testutil.WriteFile(f, filepath.Join(root, "red.jpg"), testutil.JPEG(f, testutil.Solid(64, 48, color.RGBA{220, 10, 10, 255}), nil))
	testutil.WriteFile(f, filepath.Join(root, "2023", "blue.jpg"), testutil.JPEG(f, testutil.Solid(48, 64, color.RGBA{10, 10, 220, 255}), nil))
	a := New(Options{Version: "test", Web: true, Model: workspace.ModelOptions{Model: colourModel, ModelsDir: f.TempDir()}})
	f.Cleanup(func() { Shutdown(a) })
	if err := Open(a, root, true); err != nil {
		f.Fatal(err)
	}
	j, err := a.StartIndex()
	if err != nil {
		f.Fatal(err)
	}
	a.jobs.Wait(context.Background(), j.ID)
	srv := httptest.NewServer(Handler(a, HTTPOptions{RateLimit: -1, UploadLimit: 1 << 20,
		Assets: fstest.MapFS{"index.html": {Data: []byte("<html>ui</html>")}}}))
	f.Cleanup(srv.Close)
	names := methodNames()

	for _, s := range []struct {
		route       uint8
		name        string
		body, field string
	}{
		{0, "Similar", `[1,-9223372036854775808]`, ""},
		{0, "PersonFaces", `[0,-1]`, ""},
		{0, "Autocomplete", `["tag:re",-1]`, ""},
		{0, "UpdateTag", `[1,{"add_parent":1}]`, ""},
		{0, "SaveSettings", `[{"thumb_size":-1,"theme":"x"}]`, ""},
		{0, "NoSuchMethod", `[]`, ""},
		{0, "", `[1,2,3]`, ""},
		{1, "", "", "1"},
		{2, "", "", "-1"},
		{3, "", "", "99999999999999999999"},
		{4, "", "", "..%2f..%2fetc%2fpasswd"},
		{5, "", "\xff\xd8\xff\xe0 broken", "a/../../x.jpg"},
		{6, "", "\xff\xd8\xff\xe0 broken", "-7"},
		{7, "", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\nxx\r\n--x--\r\n", ""},
	} {
		f.Add(s.route, s.name, []byte(s.body), s.field)
	}

	f.Fuzz(func(t *testing.T, route uint8, name string, body []byte, field string) {
		var req *http.Request
		switch route % 8 {
		case 0: // a method: a real one when name is empty or a number picks it
			if name == "" {
				name = names[int(route/8)%len(names)]
			}
			if name == "PullModel" {
				name = "Models"
			}
			req, _ = http.NewRequest("POST", srv.URL+"/api/"+url.PathEscape(name), bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
		case 1, 2, 3, 4: // the media routes, by any id
			r := []string{"/thumb/", "/file/", "/preview/", "/face/"}[route%8-1]
			req, _ = http.NewRequest("GET", srv.URL+r+url.PathEscape(field), nil)
		case 5, 6: // upload, search by picture: a file with any bytes and any name or limit
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			path := "/api/upload"
			if route%8 == 6 {
				path = "/api/search-image"
				mw.WriteField("limit", field)
			} else {
				mw.WriteField("target", name)
			}
			fw, _ := mw.CreateFormFile("file", field)
			fw.Write(body)
			mw.Close()
			req, _ = http.NewRequest("POST", srv.URL+path, &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
		case 7: // a raw multipart body
			path := []string{"/api/upload", "/api/search-image"}[int(route/8)%2]
			req, _ = http.NewRequest("POST", srv.URL+path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		}
		if req == nil {
			return // a name no URL can carry
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: the server dropped the connection (a panic?): %v", req.Method, req.URL.Path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 && resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("%s %s %q: %d %s", req.Method, req.URL.Path, trim(body), resp.StatusCode, b)
		}
	})
}

func trim(b []byte) string {
	s := string(b)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.ToValidUTF8(s, "?") + fmt.Sprintf(" (%d bytes)", len(b))
}
