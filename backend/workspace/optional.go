package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/tagsight/tagsight/backend/ort"
)

// Optional is a library's models of one optional analyzer (faces, OCR),
// or why it has none.
type Optional[E any] struct {
	Engine *E // nil when Err says why
	Key    string
	Dir    string
	Err    error // the package's ErrNoModels (not installed), turned off, or a broken model
}

// engine is what an optional analyzer's engine offers its slot: sessions
// made on first use, and closed once no call is in flight.
type engine[E any] interface {
	*E
	Load() error
	Close()
}

// optionalSpec says where an optional analyzer's models come from and
// how it is turned off.
type optionalSpec[E any] struct {
	what       string                    // how errors name the models: "face models"
	catalog    string                    // the catalog entry installed by default
	size       string                    // its download, for the hint: "≈ 39 MB"
	settingOn  string                    // library setting: "off" turns the analyzer off
	settingDir string                    // library setting: a folder, or an installed model's name
	option     func(ModelOptions) string // a folder or name given at open, before the setting (nil: none)
	noModels   error                     // the package's ErrNoModels
	off        error                     // the analyzer is turned off in this library
	// open finds the models in dir: their key and, once the runtime is
	// in, the engine over them.
	open func(dir string) (key string, newEngine func(provider string, threads int) *E, err error)
}

// optionalModel is the loaded models of one optional analyzer: one State
// for all of it, swapped whole as CLIP's is.
type optionalModel[E any, P engine[E]] struct {
	spec *optionalSpec[E]
	cur  atomic.Pointer[Optional[E]]
}

// get is the current models.
func (s *optionalModel[E, P]) get() *Optional[E] {
	if o := s.cur.Load(); o != nil {
		return o
	}
	return &Optional[E]{Err: s.spec.noModels}
}

// dir is where the models are looked for: the option given at open, the
// library's setting (a folder or an installed model's name), else the
// catalog entry.
func (s *optionalModel[E, P]) dir(ctx context.Context, ws *Workspace) (string, error) {
	name := ""
	if s.spec.option != nil {
		name = s.spec.option(ws.opts)
	}
	if name == "" {
		name, _ = ws.Lib.DB.Setting(ctx, s.spec.settingDir, "")
	}
	if name == "" {
		name = s.spec.catalog
	}
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return filepath.Abs(name)
	}
	hub, err := Hub(ws.opts.ModelsDir)
	if err != nil {
		return "", err
	}
	if dir, ok := hub.Lookup(name); ok {
		return dir, nil
	}
	return "", fmt.Errorf("%w: %q is not installed; run `tagsight models pull %s` (%s)", s.spec.noModels, name, s.spec.catalog, s.spec.size)
}

// load finds and prepares the models (sessions load on first use); it
// reports whether the library has them now.
func (s *optionalModel[E, P]) load(ctx context.Context, ws *Workspace) bool {
	o := &Optional[E]{}
	defer func() { s.cur.Store(o) }()
	if v, _ := ws.Lib.DB.Setting(ctx, s.spec.settingOn, ""); v == "off" {
		o.Err = s.spec.off
		return false
	}
	dir, err := s.dir(ctx, ws)
	if err != nil {
		o.Err = err
		return false
	}
	key, newEngine, err := s.spec.open(dir)
	if err != nil {
		o.Err = err
		return false
	}
	if _, err := ort.FindAndInit(ws.opts.ORTLib); err != nil {
		o.Err = err
		return false
	}
	provider := ws.opts.Provider
	if provider == "" {
		provider = os.Getenv("TAGSIGHT_PROVIDER")
	}
	o.Engine, o.Key, o.Dir = newEngine(provider, ws.opts.Threads), key, dir
	return true
}

// find loads models that appeared since the library opened without them
// (reports whether it did).
func (s *optionalModel[E, P]) find(ctx context.Context, ws *Workspace) bool {
	ws.swap.Lock()
	defer ws.swap.Unlock()
	if !errors.Is(s.get().Err, s.spec.noModels) {
		return false
	}
	return s.load(ctx, ws)
}

// set turns the analyzer on or off in this library, and points it at a
// model (a folder or an installed model's name; "" keeps the one set).
func (s *optionalModel[E, P]) set(ctx context.Context, ws *Workspace, on bool, model string) error {
	v := ""
	if !on {
		v = "off"
	}
	if err := ws.Lib.DB.SetSetting(ctx, s.spec.settingOn, v); err != nil {
		return err
	}
	if model != "" {
		if err := ws.Lib.DB.SetSetting(ctx, s.spec.settingDir, model); err != nil {
			return err
		}
	}
	ws.swap.Lock()
	defer ws.swap.Unlock()
	old := s.get()
	s.load(ctx, ws)
	if old.Engine != nil {
		// An analysis in flight finishes on the old engine (a closed one
		// would fail its pictures for good), as a replaced CLIP model does.
		time.AfterFunc(RetireAfter, P(old.Engine).Close)
	}
	return nil
}

// ready is the models with their sessions made, or why there are none. A
// model that fails to load is said where the models' state is shown, and
// the rest of the analysis runs without it.
func (s *optionalModel[E, P]) ready() (*Optional[E], error) {
	o := s.get()
	if o.Engine == nil {
		return nil, o.Err
	}
	if err := P(o.Engine).Load(); err != nil {
		s.cur.CompareAndSwap(o, &Optional[E]{Dir: o.Dir, Key: o.Key, Err: fmt.Errorf("%s in %s: %w", s.spec.what, o.Dir, err)})
		return nil, err
	}
	return o, nil
}

// absent reports whether err only says the library has no such models or
// has the analyzer off: the rest runs without it, and nothing is wrong.
func (s *optionalModel[E, P]) absent(err error) bool {
	return errors.Is(err, s.spec.noModels) || errors.Is(err, s.spec.off)
}

// close closes the current engine (the workspace closes).
func (s *optionalModel[E, P]) close() {
	if o := s.get(); o.Engine != nil {
		P(o.Engine).Close()
	}
}

// opener is a spec's open for an engine package's usual trio: find the
// models in a folder, key them, build the engine over them.
func opener[M interface{ Key() (string, error) }, E any](find func(dir string) (M, error), build func(m M, provider string, threads int) *E) func(string) (string, func(string, int) *E, error) {
	return func(dir string) (string, func(string, int) *E, error) {
		m, err := find(dir)
		if err != nil {
			return "", nil, err
		}
		key, err := m.Key()
		return key, func(provider string, threads int) *E { return build(m, provider, threads) }, err
	}
}
