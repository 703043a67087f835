package api

// Preferences (package prefs) and models (the catalog, downloads).

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/modelhub"
	"github.com/tagsight/tagsight/backend/prefs"
	"github.com/tagsight/tagsight/backend/workspace"
)

// configPath is settings.json's path: the user's config folder for the
// desktop, the served library for the web. Callers hold a.mu.
func (a *API) configPath() string {
	if a.opts.Web {
		if a.ws == nil {
			return ""
		}
		return filepath.Join(a.ws.Lib.DataDir(), prefs.FileName)
	}
	dir := a.opts.ConfigDir
	if dir == "" {
		if dir = prefs.DefaultDir(); dir == "" {
			return ""
		}
	}
	return filepath.Join(dir, prefs.FileName)
}

func (a *API) loadConfig()       { a.cfg = prefs.Load(a.configPath()) }
func (a *API) saveConfig() error { return prefs.Save(a.configPath(), a.cfg) }

// Settings returns the user's preferences (the model is the library's).
func (a *API) Settings() (Settings, error) {
	a.mu.RLock()
	s := Settings{Provider: a.cfg.Provider, ThumbSize: a.cfg.ThumbSize, Theme: a.cfg.Theme}
	ws := a.ws
	a.mu.RUnlock()
	if ws != nil {
		on := !errors.Is(ws.OCR().Err, workspace.ErrOCROff)
		s.OCR = &on
		s.Model, _ = ws.Lib.DB.Setting(a.ctx(), "model", "")
		if m := ws.Now().Model; s.Model == "" && m != nil {
			s.Model = filepath.Base(m.Dir)
		}
	}
	// A model given by folder (tagsight serve --model DIR) shows over the
	// web as the folder's name, as a catalog model does.
	if a.opts.Web && strings.ContainsAny(s.Model, `/\`) {
		s.Model = filepath.Base(filepath.FromSlash(s.Model))
	}
	return s, nil
}

// SaveSettings stores preferences; a new model or provider reloads the
// model and embeds what it lacks.
func (a *API) SaveSettings(s Settings) (Settings, error) {
	next := prefs.Prefs{Provider: s.Provider, ThumbSize: s.ThumbSize, Theme: s.Theme}
	if err := next.Check(); err != nil {
		return s, &Error{Code: CodeInvalid, Message: err.Error()}
	}
	next.Normalize()
	s.ThumbSize = next.ThumbSize
	if a.opts.Web && s.Model != "" {
		cur, _ := a.Settings()
		if s.Model != cur.Model {
			hub, err := workspace.Hub(a.opts.Model.ModelsDir)
			if err != nil {
				return s, err
			}
			if strings.ContainsAny(s.Model, "/\\") || strings.HasPrefix(s.Model, ".") || !hub.Installed(s.Model) {
				return s, &Error{Code: CodeInvalid, Message: fmt.Sprintf("model %q: over the web, choose an installed model by its catalog name", s.Model)}
			}
		}
	}
	a.mu.Lock()
	providerChanged := s.Provider != a.cfg.Provider
	a.cfg.Provider, a.cfg.ThumbSize, a.cfg.Theme = s.Provider, s.ThumbSize, s.Theme
	err := a.saveConfig()
	ws := a.ws
	a.mu.Unlock()
	if err != nil {
		return s, err
	}
	if ws != nil {
		if err := a.saveOCR(a.ctx(), ws, s.OCR); err != nil {
			return s, err
		}
		cur, _ := a.Settings()
		if s.Model != "" && (s.Model != cur.Model || providerChanged) {
			if providerChanged {
				a.mu.Lock()
				a.opts.Model.Provider = s.Provider
				a.mu.Unlock()
			}
			model := s.Model
			if raw, _ := ws.Lib.DB.Setting(a.ctx(), "model", ""); a.opts.Web && s.Model == cur.Model && raw != "" {
				model = raw // the web was shown a folder's name (Settings): reload that folder
			}
			if err := ws.SetModel(a.ctx(), model); err != nil {
				return s, err
			}
			a.StartIndex()
		}
	}
	return a.Settings()
}

// Models lists the catalog with what is installed and in use.
func (a *API) Models() ([]CatalogModel, error) {
	hub, err := workspace.Hub(a.opts.Model.ModelsDir)
	if err != nil {
		return nil, err
	}
	inUse := ""
	if ws, err := a.workspace(); err == nil && ws.Now().Model != nil {
		inUse = ws.Now().Model.Dir // a swap in between only names the newer model
	}
	out := []CatalogModel{}
	for _, m := range hub.Catalog.Models {
		cm := CatalogModel{Name: m.Name, Title: m.Title, Description: m.Description, Kind: m.KindOf(),
			Installed: hub.Installed(m.Name), Default: m.Name == hub.Catalog.Default, InUse: inUse == hub.ModelDir(m.Name),
			SizeMB: float64(m.Size()) / 1e6}
		if m.KindOf() == modelhub.KindFaces {
			if ws, err := a.workspace(); err == nil {
				cm.InUse = ws.Faces().Engine != nil && ws.Faces().Dir == hub.ModelDir(m.Name)
			}
		}
		if m.KindOf() == modelhub.KindOCR {
			if ws, err := a.workspace(); err == nil {
				cm.InUse = ws.OCR().Engine != nil && ws.OCR().Dir == hub.ModelDir(m.Name)
			}
		}
		out = append(out, cm)
	}
	return out, nil
}

// PullModel downloads a catalog model in the background, then makes it the
// library's model and embeds the pictures.
func (a *API) PullModel(name string) (jobs.Job, error) {
	hub, err := workspace.Hub(a.opts.Model.ModelsDir)
	if err != nil {
		return jobs.Job{}, err
	}
	entry, err := hub.Catalog.Find(name)
	if err != nil {
		return jobs.Job{}, &Error{Code: CodeNotFound, Message: err.Error()}
	}
	return a.jobs.Start("download", "Downloading "+name, "download:"+name, func(ctx context.Context, report func(jobs.Progress)) (any, error) {
		h := *hub
		h.Report = func(p modelhub.Progress) {
			eta := 0.0
			if p.BytesPerS > 0 && p.Total > 0 {
				eta = float64(p.Total-p.Done) / p.BytesPerS
			}
			report(jobs.Progress{Phase: "download", Done: p.Done, Total: p.Total, Rate: p.BytesPerS, Unit: "B", ETA: eta, Current: p.File})
		}
		dir, err := h.Pull(ctx, name)
		if err != nil {
			return nil, err
		}
		ws, err := a.workspace()
		if err != nil {
			return dir, nil
		}
		if entry.KindOf() == modelhub.KindOCR {
			// Asking for the OCR models turns OCR on; the next index reads
			// the pictures' words.
			if err := ws.SetOCR(ctx, true, name); err != nil {
				return dir, err
			}
			if o := ws.OCR(); o.Engine == nil {
				return dir, o.Err
			}
			a.emitInfo()
			return dir, nil
		}
		if entry.KindOf() == modelhub.KindFaces {
			// Asking for the face models turns faces on.
			if err := ws.SetFacesOn(ctx, true); err != nil {
				return dir, err
			}
			if f := ws.Faces(); f.Engine == nil {
				return dir, f.Err
			}
			a.emitInfo()
			a.StartFaces()
			return dir, nil
		}
		if err := ws.SetModel(ctx, name); err != nil {
			return dir, err
		}
		a.StartIndex()
		return dir, nil
	})
}
