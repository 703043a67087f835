package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagsight/tagsight/backend/api"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/watch"
	"github.com/tagsight/tagsight/frontend"
)

func newServeCmd() *cobra.Command {
	var mf modelFlags
	var wf watchFlags
	var addr, token, readToken string
	var noIndex, readOnly bool
	var uploadMB, decodeMB int64
	var rate float64
	var streamsPerClient, streams, inflight int
	cmd := &cobra.Command{
		Use:   "serve LIBRARY",
		Short: "Serve the Tagsight UI to a browser",
		Long: `Serves the same UI as the desktop app over HTTP, for LIBRARY.

Listens on 127.0.0.1 by default. Binding to any other address needs access
tokens: two are generated and printed once (or give --token/--read-token),
one with full access and one that may only browse, search and view. The
page takes the token from the printed address, keeps it in the tab (never
in a cookie, which every port of this host would receive) and sends it as
"Authorization: Bearer"; scripts do the same. --read-only makes every
client read-only.

What the web may do is narrower than the desktop app: the served library is
fixed; nothing takes or reveals a path on this machine's disk (import is by
upload, capped at --upload-limit-mb per file and to pictures, videos and
sound; like: takes paths inside the library); settings live in the library's
.tagsight folder.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			wo, err := wf.options()
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			host, _, _ := net.SplitHostPort(ln.Addr().String())
			loopback := net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback()
			if !loopback && token == "" {
				token = newToken()
			}
			if token != "" && readToken == "" && !readOnly {
				readToken = newToken()
			}
			if readOnly {
				readToken = ""
			}
			media.SetDecodeMemory(decodeMB << 20)
			if os.Getenv("GOMEMLIMIT") == "" {
				// Freed pixels go back to the system only after a
				// collection: a soft limit a little above the decode
				// budget makes the collector run before the process
				// grows far past it.
				debug.SetMemoryLimit(decodeMB<<20 + 768<<20)
			}
			broker := api.NewBroker()
			a := api.New(api.Options{Version: version, Model: mf.ModelOptions, Emit: broker.Publish, Web: true, Watch: wo,
				Watching: func(w watch.Watching) { fmt.Fprintln(cmd.ErrOrStderr(), "tagsight:", describeWatch(w)) },
				WatchFailed: func(err error) {
					fmt.Fprintln(cmd.ErrOrStderr(), "tagsight: could not index the changes (tried again shortly):", err)
				}})
			defer api.Shutdown(a)
			if err := api.Open(a, args[0], true); err != nil {
				ln.Close()
				return err
			}
			if !noIndex {
				if _, err := a.StartIndex(); err != nil {
					return err
				}
			}
			opts := api.HTTPOptions{Token: token, ReadToken: readToken, ReadOnly: readOnly, Broker: broker, LoopbackOnly: loopback,
				UploadLimit: uploadMB << 20, RateLimit: rate, StreamsPerClient: streamsPerClient, Streams: streams, InflightPerClient: inflight}
			if frontend.Built() {
				opts.Assets = frontend.Dist()
			} else {
				fmt.Fprintln(cmd.ErrOrStderr(), "tagsight: this binary was built without the UI (make frontend, then rebuild); serving the API only")
			}
			srv := &http.Server{Handler: api.Handler(a, opts), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
				MaxHeaderBytes: 64 << 10}
			url := "http://" + ln.Addr().String() + "/"
			full := url
			if token != "" {
				full += "?token=" + token
			}
			mode := ""
			if readOnly {
				mode = " read-only"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Tagsight is serving %s%s at %s\n", args[0], mode, full)
			if readToken != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "Read-only (browse, search, view): %s?token=%s\n", url, readToken)
			}
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case <-ctx.Done():
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				srv.Shutdown(sctx)
				return nil
			case err := <-errc:
				if errors.Is(err, http.ErrServerClosed) {
					return nil
				}
				return err
			}
		},
	}
	mf.add(cmd)
	wf.add(cmd)
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8484", "address to listen on (port 0 picks a free one)")
	cmd.Flags().StringVar(&token, "token", "", "full-access token (generated when listening off loopback)")
	cmd.Flags().StringVar(&readToken, "read-token", "", "read-only token (generated beside a full-access token)")
	cmd.Flags().BoolVar(&readOnly, "read-only", false, "every client may browse, search and view, and change nothing")
	cmd.Flags().Int64Var(&uploadMB, "upload-limit-mb", api.DefaultUploadLimit>>20, "largest file an upload may carry, in MB")
	cmd.Flags().Float64Var(&rate, "rate-limit", api.DefaultRateLimit, "API calls per second per client, bursts of 4× (negative: no limit)")
	cmd.Flags().IntVar(&streamsPerClient, "streams-per-client", api.DefaultStreamsPerClient, "event streams per client; a new one closes the client's oldest (negative: no limit)")
	cmd.Flags().IntVar(&streams, "streams", api.DefaultStreams, "event streams of all clients together (negative: no limit)")
	cmd.Flags().IntVar(&inflight, "requests-per-client", api.DefaultInflightPerClient, "requests in flight per client, event streams aside (negative: no limit)")
	cmd.Flags().Int64Var(&decodeMB, "decode-memory-mb", media.DefaultMaxDecodeBytes>>20, "memory all picture decodes in flight may hold together, in MB; a picture that needs more is refused")
	cmd.Flags().BoolVar(&noIndex, "no-index", false, "do not scan the library at start")
	return cmd
}

// newToken is 24 random bytes in hex.
func newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return hex.EncodeToString(b)
}
