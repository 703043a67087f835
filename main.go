// Command tagsight-desktop is Tagsight's desktop window: a Wails shell around
// the Svelte frontend in frontend/. This file is the composition root: it
// builds the API over the shared core, lends it the window's events and
// folder dialog (app.go), and binds it. Only main.go and app.go import Wails.
//
// The command-line tool is a separate binary (cmd/tagsight); the two names
// differ so they can sit side by side even on case-insensitive file systems.
package main

import (
	"context"
	"log"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"

	"github.com/tagsight/tagsight/backend/api"
	"github.com/tagsight/tagsight/frontend"
)

// version is set at link time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	app := &App{}
	core := api.New(api.Options{Version: version, PickFolder: app.pickFolder, Emit: app.emit})
	// A library given on the command line opens at start (used by the
	// desktop smoke test, and handy from a file manager's "Open with").
	if len(os.Args) > 1 && os.Args[1] != "" && os.Args[1][0] != '-' {
		if _, err := core.OpenLibrary(os.Args[1], true); err != nil {
			log.Printf("tagsight-desktop: open %s: %v", os.Args[1], err)
		}
	}
	// WebKitGTK cannot play <video>/<audio> from the asset server (wails
	// issue 4412): the window plays them from a loopback server instead.
	media, err := api.ServeMedia(core)
	if err != nil {
		log.Printf("tagsight-desktop: %v (videos and songs will not play)", err)
	} else {
		defer media.Close()
	}
	err = wails.Run(&options.App{
		Title:     "Tagsight",
		Width:     1280,
		Height:    800,
		MinWidth:  720,
		MinHeight: 480,
		AssetServer: &assetserver.Options{
			Assets: frontend.Dist(),
			// Thumbnails, previews and original files (by entry id, never
			// by path) come from the same handler as in `tagsight serve`.
			Handler: api.Handler(core, api.HTTPOptions{Desktop: true}),
		},
		// Matches the frontend's dark background so the window doesn't flash white.
		BackgroundColour: &options.RGBA{R: 24, G: 24, B: 27, A: 255},
		OnStartup:        app.startup,
		OnShutdown:       func(context.Context) { api.Shutdown(core) },
		ErrorFormatter:   api.FormatError,
		// File drops arrive in the frontend (lib/api onFileDrop) with real paths.
		// DisableWebViewDrop must stay false on Linux or no drop arrives (wails #3563).
		DragAndDrop: &options.DragAndDrop{
			EnableFileDrop: true,
		},
		Bind: []interface{}{
			core,
		},
	})
	if err != nil {
		log.Fatalf("tagsight-desktop: %v", err)
	}
}
