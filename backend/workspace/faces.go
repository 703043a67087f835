package workspace

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/faces"
	"github.com/tagsight/tagsight/backend/library"
)

// FacesCatalogName is the catalog entry of the face models.
const FacesCatalogName = "faces"

// settingFacesSettings is the library setting of faces.Tuning, as JSON.
const settingFacesSettings = "faces.settings"

// ErrFacesOff: the library has the faces analyzer turned off.
var ErrFacesOff = errors.New("faces are turned off in this library")

// Faces is the library's face models, or why it has none
// (faces.ErrNoModels: not downloaded, ErrFacesOff, or a broken model).
type Faces = Optional[faces.Engine]

var facesSpec = optionalSpec[faces.Engine]{
	what:       "face models",
	catalog:    FacesCatalogName,
	size:       "≈ 39 MB",
	settingOn:  "faces",       // "off" turns the analyzer off in this library
	settingDir: "faces.model", // a folder, or an installed model's name
	option:     func(o ModelOptions) string { return o.FacesModel },
	noModels:   faces.ErrNoModels,
	off:        ErrFacesOff,
	open: opener(faces.FindModels, func(m faces.Models, provider string, threads int) *faces.Engine {
		return faces.NewEngine(m, faces.EngineOptions{Provider: provider, Threads: threads})
	}),
}

// Faces is the current face models.
func (ws *Workspace) Faces() *Faces { return ws.faces.get() }

// findFaces loads face models that appeared since the library opened
// without them (reports whether it did).
func (ws *Workspace) findFaces(ctx context.Context) bool { return ws.faces.find(ctx, ws) }

// SetFacesOn turns the faces analyzer on or off in this library.
func (ws *Workspace) SetFacesOn(ctx context.Context, on bool) error {
	return ws.faces.set(ctx, ws, on, "")
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
	f, err := ws.faces.ready()
	if err != nil {
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
		if ws.faces.absent(err) {
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
