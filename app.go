package main

import (
	"context"
	"sync"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// App holds what only the Wails window has: its context, which is the one
// handle to the runtime (events, dialogs). The bound surface is api.API;
// App lends it an event emitter and a folder dialog, and nothing under
// backend/ imports Wails.
type App struct {
	mu  sync.RWMutex
	ctx context.Context
}

// startup is called by Wails once the window exists.
func (a *App) startup(ctx context.Context) {
	a.mu.Lock()
	a.ctx = ctx
	a.mu.Unlock()
}

func (a *App) context() context.Context {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.ctx
}

// emit sends an event to the window (dropped before the window exists).
func (a *App) emit(name string, payload any) {
	if ctx := a.context(); ctx != nil {
		runtime.EventsEmit(ctx, name, payload)
	}
}

// pickFolder shows the native folder dialog.
func (a *App) pickFolder() (string, error) {
	ctx := a.context()
	if ctx == nil {
		return "", nil
	}
	return runtime.OpenDirectoryDialog(ctx, runtime.OpenDialogOptions{Title: "Open or create a Tagsight library", CanCreateDirectories: true})
}
