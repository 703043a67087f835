package main

import (
	"context"
)

// App is the surface the Wails window binds: every exported method becomes a
// JavaScript function under window.go.main.App. It stays thin — real work lives
// in backend/ services that main.go hands in — so the same services can also be
// served over HTTP for the browser face.
type App struct {
	ctx     context.Context
	version string
}

// NewApp returns the bound handler. version is reported by Version.
func NewApp(version string) *App {
	return &App{version: version}
}

// startup is called by Wails once the window exists. The context it gets is the
// only handle to the Wails runtime (events, dialogs, file drops), so keep it here
// and nowhere under backend/.
func (a *App) startup(ctx context.Context) {
	a.ctx = ctx
}

// Version reports the application's version string.
func (a *App) Version() string {
	return a.version
}
