package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
)

// TestCallEndsWithItsClient: a call over HTTP runs under its request's
// context, so a client that goes away cancels it (the method sees its
// context done and the handler returns); a call of the bound API (the
// desktop window) runs under the API's life and is not cancelled.
func TestCallEndsWithItsClient(t *testing.T) {
	srv, a, _ := newServer(t, HTTPOptions{RateLimit: -1})
	entered := make(chan struct{})
	saw := make(chan error, 1)
	searchHook = func(ctx context.Context) {
		close(entered)
		<-ctx.Done() // a slow search: it ends only when its call does
		saw <- ctx.Err()
	}
	t.Cleanup(func() { searchHook = nil })

	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/Search", bytes.NewReader([]byte(`[{"query":"red"}]`)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	done := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-entered
	cancel() // the client goes away
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("the client's request: %v, want it cancelled", err)
	}
	if err := <-saw; !errors.Is(err, context.Canceled) {
		t.Errorf("the call's context: %v, want context.Canceled", err)
	}
	srv.Close() // returns once every handler has returned

	searchHook = func(ctx context.Context) { saw <- ctx.Err() }
	res, err := a.Search(SearchRequest{Query: "red"})
	// Every kind with a poster is searched by meaning (escape.txt's drawn
	// text too): red.jpg comes first.
	if err != nil || res.Error != nil || len(res.Items) == 0 || res.Items[0].Path != "red.jpg" {
		t.Errorf("bound Search: %+v, %v; want red.jpg first", res, err)
	}
	if err := <-saw; err != nil {
		t.Errorf("the bound call's context: %v, want it live", err)
	}
}
