package api

import (
	"net/http"
	"strings"
	"testing"
)

// /face/ID and /frame/ID answer an id that is not one, and one of no row,
// the same way, each in its own words.
func TestDerivedJPEGRoutesRefuseBadIDs(t *testing.T) {
	srv, _, _ := newServer(t, HTTPOptions{})
	for _, c := range []struct {
		path string
		code int
		want string
	}{
		{"/face/abc", http.StatusBadRequest, "bad face id"},
		{"/face/0", http.StatusBadRequest, "bad face id"},
		{"/face/999999", http.StatusNotFound, "no such face"},
		{"/frame/abc", http.StatusBadRequest, "bad frame id"},
		{"/frame/-3", http.StatusBadRequest, "bad frame id"},
		{"/frame/999999", http.StatusNotFound, "no such frame"},
	} {
		code, body := get(t, srv.URL+c.path)
		if code != c.code || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s; want %d %q", c.path, code, body, c.code, c.want)
		}
	}
}
