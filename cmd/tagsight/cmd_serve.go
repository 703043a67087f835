package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagsight/tagsight/backend/api"
	"github.com/tagsight/tagsight/frontend"
)

func newServeCmd() *cobra.Command {
	var mf modelFlags
	var addr, token, configDir string
	var noIndex bool
	cmd := &cobra.Command{
		Use:   "serve LIBRARY",
		Short: "Serve the Tagsight UI to a browser",
		Long: `Serves the same UI as the desktop app over HTTP, for LIBRARY.
Listens on 127.0.0.1 by default. Binding to any other address needs an access
token: one is generated and printed once (or give --token); every request must
carry it (the printed address sets a cookie).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			host, _, _ := net.SplitHostPort(ln.Addr().String())
			loopback := net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback()
			if !loopback && token == "" {
				b := make([]byte, 24)
				rand.Read(b)
				token = hex.EncodeToString(b)
			}
			broker := api.NewBroker()
			a := api.New(api.Options{Version: version, Model: mf.ModelOptions, ConfigDir: configDir, Emit: broker.Publish})
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
			opts := api.HTTPOptions{Token: token, Broker: broker, LoopbackOnly: loopback}
			if frontend.Built() {
				opts.Assets = frontend.Dist()
			} else {
				fmt.Fprintln(cmd.ErrOrStderr(), "tagsight: this binary was built without the UI (make frontend, then rebuild); serving the API only")
			}
			srv := &http.Server{Handler: api.Handler(a, opts), ReadHeaderTimeout: 10 * time.Second}
			url := "http://" + ln.Addr().String() + "/"
			if token != "" {
				url += "?token=" + token
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Tagsight is serving %s at %s\n", args[0], url)
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
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8484", "address to listen on (port 0 picks a free one)")
	cmd.Flags().StringVar(&token, "token", "", "access token (generated when listening off loopback)")
	cmd.Flags().StringVar(&configDir, "config-dir", "", "folder for settings.json (default: the user's config folder)")
	cmd.Flags().BoolVar(&noIndex, "no-index", false, "do not scan the library at start")
	return cmd
}
