//go:build e2e

package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestTokenStaysInTheTab opens a server with tokens as its printed address
// says (/?token=…): the page takes the token out of the address bar, loads
// thumbnails through signed URLs, survives a reload, and leaves the browser
// with no ambient credential: a script's fetch without the header is
// refused, and another service on another port of the same host receives
// no cookie.
func TestTokenStaysInTheTab(t *testing.T) {
	s := startServer(t, 2, "--token", "FULLTOKEN", "--read-token", "READTOKEN")
	if s.Token != "FULLTOKEN" {
		t.Fatalf("the server printed token %q", s.Token)
	}
	var mu sync.Mutex
	var sent []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sent = append(sent, r.URL.Path+" Cookie: "+r.Header.Get("Cookie"))
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>another service</body></html>"))
	}))
	defer other.Close()

	ctx := browser(t)
	thumbsLoaded := func() bool {
		return eval[bool](t, ctx, `(() => {
			const imgs = [...document.querySelectorAll('[data-testid="grid-item"] img')];
			return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0 && new URL(i.src).searchParams.has('m'));
		})()`)
	}
	run(t, ctx, chromedp.Navigate(s.URL+"/?token="+s.Token))
	settle(t, ctx, -1)
	waitFor(t, ctx, "signed thumbnails to load", thumbsLoaded)
	if href := eval[string](t, ctx, `location.href`); strings.Contains(href, "FULLTOKEN") || strings.Contains(href, "token=") {
		t.Errorf("the token stayed in the address bar: %s", href)
	}
	if tok := eval[string](t, ctx, `sessionStorage.getItem('tagsight_token') || ''`); tok != "FULLTOKEN" {
		t.Errorf("sessionStorage holds %q", tok)
	}
	if c := eval[string](t, ctx, `document.cookie`); c != "" {
		t.Errorf("the page has cookies: %q", c)
	}
	// Nothing the browser sends by itself is a credential.
	code := eval[float64](t, ctx, `fetch('/api/CreateTag', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '["Ambient"]'}).then(r => r.status)`, chromedp.EvalAwaitPromise)
	if code != 401 {
		t.Errorf("a fetch without the header: %v, want 401", code)
	}
	// A reload keeps the tab signed in.
	run(t, ctx, chromedp.Reload())
	settle(t, ctx, -1)
	waitFor(t, ctx, "thumbnails after a reload", thumbsLoaded)
	// Another service on the same host, another port.
	run(t, ctx, chromedp.Navigate(other.URL+"/"), chromedp.WaitVisible(css("body")))
	mu.Lock()
	defer mu.Unlock()
	if len(sent) == 0 {
		t.Fatal("the other service saw no request")
	}
	for _, r := range sent {
		if !strings.HasSuffix(r, "Cookie: ") {
			t.Errorf("another service on the host received a cookie: %s", r)
		}
	}
}
