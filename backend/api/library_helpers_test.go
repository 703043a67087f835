package api

import (
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/tagsight/tagsight/backend/workspace"
)

// indexedLibrary opens (creating) the library at root with models m, a
// config of its own, and waits until its indexing is over; the API shuts
// down when the test ends.
func indexedLibrary(t *testing.T, root string, m workspace.ModelOptions) (*API, LibraryInfo) {
	t.Helper()
	a := New(Options{Version: "test", ConfigDir: t.TempDir(), Model: m})
	t.Cleanup(func() { Shutdown(a) })
	info, err := a.OpenLibrary(root, true)
	if err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	return a, info
}

// serveUI serves a over HTTP with a one-page UI, closed when the test ends.
func serveUI(t *testing.T, a *API, o HTTPOptions) *httptest.Server {
	t.Helper()
	if o.Assets == nil {
		o.Assets = fstest.MapFS{"index.html": {Data: []byte("<html>ui</html>")}}
	}
	srv := httptest.NewServer(Handler(a, o))
	t.Cleanup(srv.Close)
	return srv
}
