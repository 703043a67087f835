package ort

import "sync"

// Loader is an engine's one load: its provider resolved (EngineProvider),
// then its sessions created, once, the outcome kept for every later call.
// An engine embeds it, so its Provider is the engine's.
type Loader struct {
	once sync.Once
	err  error
	// Provider is what the engine's sessions start on (after Load); they
	// open with &Provider, so a fallback to the CPU shows here.
	Provider ProviderInfo
}

// Load resolves requested's provider and runs load the first time;
// every call returns the first's error.
func (l *Loader) Load(requested string, load func() error) error {
	l.once.Do(func() {
		l.Provider, l.err = EngineProvider(requested)
		if l.err == nil {
			l.err = load()
		}
	})
	return l.err
}
