package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// MediaTTL is how long a media signature is good for. The page asks for a
// new one when half of it is spent, so a URL already in the page stays
// valid for hours after.
const MediaTTL = 12 * time.Hour

// mediaSigner makes and checks the signatures that media URLs carry (?m=).
// An <img>, <video> or EventSource cannot send an Authorization header, and
// a cookie would be a credential every port of the host receives; a
// signature is instead read-only by construction (the guard accepts it only
// for GETs of media and events), expires, and dies with the process (the
// key is random per process).
type mediaSigner struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

func newMediaSigner() *mediaSigner {
	key := make([]byte, 32)
	rand.Read(key)
	return &mediaSigner{key: key, ttl: MediaTTL, now: time.Now}
}

func (s *mediaSigner) mac(role string, exp int64) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("tagsight-media\x00" + role + "\x00" + strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sign returns a signature for role ("role.expiry.mac") and its expiry.
func (s *mediaSigner) sign(role string) (string, time.Time) {
	exp := s.now().Add(s.ttl).Unix()
	return role + "." + strconv.FormatInt(exp, 10) + "." + s.mac(role, exp), time.Unix(exp, 0)
}

// check returns the role a signature was made for, or "" when it is not one
// of ours or has expired.
func (s *mediaSigner) check(sig string) string {
	role, rest, _ := strings.Cut(sig, ".")
	expS, mac, _ := strings.Cut(rest, ".")
	exp, err := strconv.ParseInt(expS, 10, 64)
	if err != nil || (role != accessFull && role != accessRead) || !s.now().Before(time.Unix(exp, 0)) {
		return ""
	}
	if !hmac.Equal([]byte(mac), []byte(s.mac(role, exp))) {
		return ""
	}
	return role
}

// mediaRoute reports whether a signature may stand in for the token on r:
// reading media or events, nothing else (not /api/access, which would mint
// a fresh signature from an old one).
func mediaRoute(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := path.Clean(r.URL.Path)
	if p == "/api/events" {
		return true
	}
	for _, prefix := range []string{"/thumb/", "/preview/", "/file/", "/face/", "/frame/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// shellRoute reports whether r asks for the app shell (the page and its
// assets), which holds nothing of the library and loads without a token:
// the page reads ?token= itself and sends it as a header from then on.
func shellRoute(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := path.Clean("/" + r.URL.Path)
	for _, prefix := range []string{"/api/", "/thumb/", "/preview/", "/file/", "/face/", "/frame/"} {
		if strings.HasPrefix(p+"/", prefix) {
			return false
		}
	}
	return true
}
