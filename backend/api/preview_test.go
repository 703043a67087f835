package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A preview is made once, where the library's derived-files layout puts
// it (.tagsight/previews/<last two of the key>/<key>-1600.jpg, the key
// being the fingerprint without colons), and served from there.
func TestPreviewLivesWhereTheLayoutSays(t *testing.T) {
	srv, a, _ := newServer(t, HTTPOptions{})
	ws, err := a.workspace()
	if err != nil {
		t.Fatal(err)
	}
	e, err := ws.Lib.DB.EntryByPath(context.Background(), "red.jpg")
	if err != nil {
		t.Fatal(err)
	}
	code, body := get(t, fmt.Sprintf("%s/preview/%d", srv.URL, e.ID))
	if code != http.StatusOK {
		t.Fatalf("GET /preview: %d %.100q", code, body)
	}
	key := strings.ReplaceAll(e.Fingerprint, ":", "")
	want := filepath.Join(ws.Lib.Root, ".tagsight", "previews", key[len(key)-2:], key+"-1600.jpg")
	disk, err := os.ReadFile(want)
	if err != nil {
		t.Fatalf("no preview at %s: %v", want, err)
	}
	if !bytes.Equal(disk, []byte(body)) {
		t.Errorf("served %d bytes, the file at %s has %d", len(body), want, len(disk))
	}
}
