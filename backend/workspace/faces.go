package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/faces"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/ort"
)

// FacesCatalogName is the catalog entry of the face models.
const FacesCatalogName = "faces"

// Library settings of the faces analyzer.
const (
	settingFaces         = "faces"          // "off" turns the analyzer off in this library
	settingFacesModel    = "faces.model"    // a folder, or an installed model's name
	settingFacesSettings = "faces.settings" // faces.Tuning as JSON
)

// ErrFacesOff: the library has the faces analyzer turned off.
var ErrFacesOff = errors.New("faces are turned off in this library")

// Faces is the library's face models, or why it has none.
type Faces struct {
	Engine *faces.Engine // nil when Err says why
	Key    string
	Dir    string
	Err    error // faces.ErrNoModels (not downloaded), ErrFacesOff, or a broken model
}

// Faces is the current face models.
func (ws *Workspace) Faces() *Faces {
	if f := ws.faces.Load(); f != nil {
		return f
	}
	return &Faces{Err: faces.ErrNoModels}
}

// FacesDir is where the face models are looked for: the --faces-model
// folder, the library's setting, else the installed catalog entry.
func (ws *Workspace) facesDir(ctx context.Context) (string, error) {
	name := ws.opts.FacesModel
	if name == "" {
		name, _ = ws.Lib.DB.Setting(ctx, settingFacesModel, "")
	}
	if name == "" {
		name = FacesCatalogName
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
	return "", fmt.Errorf("%w: %q is not installed; run `tagsight models pull %s` (≈ 39 MB)", faces.ErrNoModels, name, FacesCatalogName)
}

// loadFaces finds and prepares the face models (sessions load on first
// use); it reports whether the library has them now.
func (ws *Workspace) loadFaces(ctx context.Context) bool {
	f := &Faces{}
	defer func() { ws.faces.Store(f) }()
	if v, _ := ws.Lib.DB.Setting(ctx, settingFaces, ""); v == "off" {
		f.Err = ErrFacesOff
		return false
	}
	dir, err := ws.facesDir(ctx)
	if err != nil {
		f.Err = err
		return false
	}
	m, err := faces.FindModels(dir)
	if err != nil {
		f.Err = err
		return false
	}
	key, err := m.Key()
	if err != nil {
		f.Err = err
		return false
	}
	if _, err := ort.FindAndInit(ws.opts.ORTLib); err != nil {
		f.Err = err
		return false
	}
	provider := ws.opts.Provider
	if provider == "" {
		provider = os.Getenv("TAGSIGHT_PROVIDER")
	}
	f.Engine, f.Key, f.Dir = faces.NewEngine(m, faces.EngineOptions{Provider: provider, Threads: ws.opts.Threads}), key, dir
	return true
}

// findFaces loads face models that appeared since the library opened
// without them (reports whether it did).
func (ws *Workspace) findFaces(ctx context.Context) bool {
	ws.swap.Lock()
	defer ws.swap.Unlock()
	if cur := ws.Faces(); !errors.Is(cur.Err, faces.ErrNoModels) {
		return false
	}
	return ws.loadFaces(ctx)
}

// SetFacesOn turns the faces analyzer on or off in this library.
func (ws *Workspace) SetFacesOn(ctx context.Context, on bool) error {
	v := ""
	if !on {
		v = "off"
	}
	if err := ws.Lib.DB.SetSetting(ctx, settingFaces, v); err != nil {
		return err
	}
	ws.swap.Lock()
	defer ws.swap.Unlock()
	old := ws.Faces()
	ws.loadFaces(ctx)
	if old.Engine != nil {
		// An analysis in flight finishes on the old engine (a closed one
		// would fail its pictures for good), as a replaced CLIP model does.
		time.AfterFunc(RetireAfter, old.Engine.Close)
	}
	return nil
}

// FaceSettings are the library's faces settings.
func (ws *Workspace) FaceSettings(ctx context.Context) faces.Tuning {
	s := faces.DefaultTuning()
	if v, _ := ws.Lib.DB.Setting(ctx, settingFacesSettings, ""); v != "" {
		json.Unmarshal([]byte(v), &s)
	}
	return s.Clean()
}

// SetFaceSettings stores the library's faces settings (cleaned).
func (ws *Workspace) SetFaceSettings(ctx context.Context, s faces.Tuning) (faces.Tuning, error) {
	s = s.Clean()
	b, _ := json.Marshal(s)
	return s, ws.Lib.DB.SetSetting(ctx, settingFacesSettings, string(b))
}

// FaceCropPath is the file of a face crop (library.Derived's layout).
func (ws *Workspace) FaceCropPath(crop string) string {
	return ws.Lib.Derived().Path(library.FaceCrops, crop)
}

// facesAnalyzer is the faces analyzer over the loaded models, its
// sessions created and the face index made for its vector length; nil
// (and why) when the library has no face models.
func (ws *Workspace) facesAnalyzer(ctx context.Context) (*faces.Analyzer, error) {
	f := ws.Faces()
	if f.Engine == nil {
		return nil, f.Err
	}
	if err := f.Engine.Load(); err != nil {
		// A broken model: said where the models' state is shown, and the
		// rest of the analysis runs without it.
		ws.faces.CompareAndSwap(f, &Faces{Dir: f.Dir, Key: f.Key, Err: fmt.Errorf("face models in %s: %w", f.Dir, err)})
		return nil, err
	}
	if err := ws.Lib.DB.EnsureFaceIndex(ctx, f.Engine.Dim()); err != nil {
		return nil, err
	}
	files := ws.Lib.Derived()
	crops := func(fp string, i int, jpg []byte) (string, error) { return files.Put(library.FaceCrops, fp, i, jpg) }
	return faces.NewAnalyzer(f.Engine, f.Key, ws.FaceSettings(ctx), crops), nil
}

// withFaces adds the faces analyzer to as when the library has face
// models (a broken model is reported, and the rest runs).
func (ws *Workspace) withFaces(ctx context.Context, as []analysis.Analyzer) ([]analysis.Analyzer, *faces.Analyzer, error) {
	a, err := ws.facesAnalyzer(ctx)
	if a == nil {
		if errors.Is(err, faces.ErrNoModels) || errors.Is(err, ErrFacesOff) {
			err = nil
		}
		return as, nil, err
	}
	return append(append([]analysis.Analyzer(nil), as...), a), a, nil
}

// RunFaces back-fills the faces analyzer over every picture that needs it
// (resumable, cancellable): `tagsight faces` and the Faces job. It is a
// Backfill: pictures that also lack the model's CLIP vector get it from
// the same decode.
func (ws *Workspace) RunFaces(ctx context.Context, workers int, report func(done, total int, current string)) (faces.Result, error) {
	res, err := ws.Backfill(ctx, BackfillOptions{Faces: true, Vectors: true, Workers: workers, Report: report})
	if res.Faces == nil {
		return faces.Result{}, err
	}
	return *res.Faces, err
}

// Recluster groups every face into people again (see faces.Recluster).
// progress (may be nil) hears the faces compared out of all.
func (ws *Workspace) Recluster(ctx context.Context, progress func(done, total int)) (int, error) {
	return faces.Recluster(ctx, ws.Lib.DB, ws.FaceSettings(ctx), progress)
}

// FaceSuggestions offers names for a face in nobody.
func (ws *Workspace) FaceSuggestions(ctx context.Context, faceID int64) ([]faces.NameSuggestion, error) {
	f, err := ws.Lib.DB.FaceByID(ctx, faceID)
	if err != nil {
		return nil, err
	}
	return faces.Suggest(ctx, ws.Lib.DB, f, ws.FaceSettings(ctx))
}
