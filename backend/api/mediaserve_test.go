package api

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMediaServer: the desktop's loopback media server answers a Range
// request for a file with its bytes (what <video> seeking sends), and
// nothing without its secret or outside /file/.
func TestMediaServer(t *testing.T) {
	a, root, _ := desktopAPI(t)
	if b, _ := a.MediaBase(); b != "" {
		t.Fatalf("MediaBase before ServeMedia = %q, want \"\"", b)
	}
	m, err := ServeMedia(a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	base, _ := a.MediaBase()
	if base != m.Base() || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("MediaBase = %q, server at %q", base, m.Base())
	}
	id := entryID(t, a, "pics/red.jpg")
	want, err := os.ReadFile(filepath.Join(root, "pics", "red.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/file/%d", base, id), nil)
	req.Header.Set("Range", "bytes=100-109")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(body) != string(want[100:110]) {
		t.Errorf("range: %d %q, want 206 %q", resp.StatusCode, body, want[100:110])
	}
	if cr := resp.Header.Get("Content-Range"); cr != fmt.Sprintf("bytes 100-109/%d", len(want)) {
		t.Errorf("Content-Range %q", cr)
	}
	secret := strings.TrimPrefix(base, "http://"+strings.Split(strings.TrimPrefix(base, "http://"), "/")[0])
	host := strings.TrimSuffix(base, secret)
	for _, tc := range []struct {
		method, url string
		code        int
	}{
		{"GET", fmt.Sprintf("%s/file/%d", host, id), 404},                 // no secret
		{"GET", fmt.Sprintf("%s/x%s/file/%d", host, secret[1:], id), 404}, // a wrong one
		{"GET", fmt.Sprintf("%s/thumb/%d", base, id), 404},                // files only
		{"POST", base + "/api/Search", 404},                               // never the API
		{"POST", fmt.Sprintf("%s/file/%d", base, id), 404},                // reads only
		{"HEAD", fmt.Sprintf("%s/file/%d", base, id), 200},
		{"GET", fmt.Sprintf("%s/file/%d", base, id+1000), 404},
	} {
		req, _ := http.NewRequest(tc.method, tc.url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.code {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.url, resp.StatusCode, tc.code)
		}
	}
	// A page that reaches the port through DNS rebinding names another host.
	req, _ = http.NewRequest("GET", fmt.Sprintf("%s/file/%d", base, id), nil)
	req.Host = "evil.example"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("rebinding host: %d, want 403", resp.StatusCode)
	}
}
