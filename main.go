// Command tagsight-desktop is Tagsight's desktop window: a Wails shell around
// the Svelte frontend in frontend/. This file is the composition root: it builds
// storage, then services, then the bound handlers, and passes each dependency
// explicitly. Only main.go and app.go import Wails.
//
// The command-line tool is a separate binary (cmd/tagsight); the two names
// differ so they can sit side by side even on case-insensitive file systems.
package main

import (
	"embed"
	"log"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
)

// assets holds the built frontend. frontend/dist/.gitkeep is committed so this
// embed (and so `go vet ./...`) works on a fresh clone before any frontend build.
//
//go:embed all:frontend/dist
var assets embed.FS

// version is set at link time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	app := NewApp(version)

	err := wails.Run(&options.App{
		Title:     "Tagsight",
		Width:     1280,
		Height:    800,
		MinWidth:  720,
		MinHeight: 480,
		AssetServer: &assetserver.Options{
			Assets: assets,
		},
		// Matches the frontend's dark background so the window doesn't flash white.
		BackgroundColour: &options.RGBA{R: 24, G: 24, B: 27, A: 255},
		OnStartup:        app.startup,
		// File drops arrive in the frontend (lib/api onFileDrop) with real paths.
		// DisableWebViewDrop must stay false on Linux or no drop arrives (wails #3563).
		DragAndDrop: &options.DragAndDrop{
			EnableFileDrop: true,
		},
		Bind: []interface{}{
			app,
		},
	})
	if err != nil {
		log.Fatalf("tagsight-desktop: %v", err)
	}
}
