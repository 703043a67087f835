package api

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/tagsight/tagsight/backend/faces"
	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/workspace"
)

// facesState is the library's faces state for LibraryInfo.
func facesState(ws *workspace.Workspace, sum store.Summary, web bool) FacesState {
	f := ws.Faces()
	s := FacesState{On: f.Engine != nil}
	switch {
	case errors.Is(f.Err, workspace.ErrFacesOff):
		s.Off = true
	case errors.Is(f.Err, faces.ErrNoModels):
		s.Missing = true
	case f.Err != nil:
		s.Error = f.Err.Error()
		if web && f.Dir != "" {
			s.Error = strings.ReplaceAll(s.Error, f.Dir, "the face models' folder")
		}
	}
	s.Faces, s.People = sum.Faces, sum.People
	return s
}

func (a *API) face(f store.Face, thumb string) Face {
	out := Face{ID: f.ID, EntryID: f.EntryID, Box: [4]float64{f.X, f.Y, f.W, f.H}, Score: f.Score, Quality: f.Quality,
		PersonID: f.PersonID, Name: f.PersonName, Crop: fmt.Sprintf("/face/%d", f.ID)}
	for i, v := range f.Landmarks {
		out.Landmarks[i] = float64(v)
	}
	if f.Timed {
		at := f.AtMS
		out.AtMS = &at
	}
	if thumb != "" {
		u := fmt.Sprintf("/thumb/%d?v=%s", f.EntryID, strings.TrimSuffix(path.Base(thumb), ".jpg"))
		out.Thumb = &u
	}
	return out
}

func (a *API) facesOut(ctx context.Context, ws *workspace.Workspace, fs []store.Face) ([]Face, error) {
	ids := make([]int64, len(fs))
	for i, f := range fs {
		ids[i] = f.EntryID
	}
	entries, err := ws.Lib.DB.EntriesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Face, 0, len(fs))
	for _, f := range fs {
		out = append(out, a.face(f, entries[f.EntryID].Thumb))
	}
	return out, nil
}

func (a *API) person(ctx context.Context, ws *workspace.Workspace, p store.Person) Person {
	out := Person{ID: p.ID, Name: p.Name, TagID: p.TagID, Hidden: p.Hidden, Faces: p.Faces, Entries: p.Entries}
	if p.Cover.ID != 0 {
		fs, _ := a.facesOut(ctx, ws, []store.Face{p.Cover})
		out.Cover = &fs[0]
	}
	if p.Name != "" {
		out.Query = "person:" + quoteTerm(p.Name)
	}
	return out
}

// quoteTerm quotes a name for the search bar when it needs it.
func quoteTerm(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'():") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// People lists the people of the library: named first, then the largest
// groups; hidden ones only when asked.
func (a *API) People(hidden bool) ([]Person, error) {
	ws, err := a.workspace()
	if err != nil {
		return nil, err
	}
	ctx := a.ctx()
	ps, err := ws.Lib.DB.People(ctx, hidden)
	if err != nil {
		return nil, err
	}
	out := make([]Person, 0, len(ps))
	var covers []store.Face
	for _, p := range ps {
		if p.Faces == 0 && p.Name == "" {
			continue
		}
		covers = append(covers, p.Cover)
		p.Cover = store.Face{} // set below: every cover's thumbnail in one read
		out = append(out, a.person(ctx, ws, p))
	}
	fs, err := a.facesOut(ctx, ws, covers)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if covers[i].ID != 0 {
			out[i].Cover = &fs[i]
		}
	}
	return out, nil
}

// PersonFaces lists a person's faces, best first; person 0 lists the faces
// in nobody, each with the names it may be. limit 0: 500.
func (a *API) PersonFaces(person int64, limit int) ([]Face, error) {
	ws, err := a.workspace()
	if err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, &Error{Code: CodeInvalid, Message: fmt.Sprintf("limit %d: it must not be negative", limit)}
	}
	if limit == 0 || limit > 5000 {
		limit = 500
	}
	ctx := a.ctx()
	var fs []store.Face
	if person == 0 {
		fs, err = ws.Lib.DB.UnassignedFaces(ctx, limit)
	} else {
		fs, err = ws.Lib.DB.PersonFaces(ctx, person, limit)
	}
	if err != nil {
		return nil, err
	}
	out, err := a.facesOut(ctx, ws, fs)
	if person == 0 {
		for i := range out {
			out[i].Suggestions, _ = ws.FaceSuggestions(ctx, out[i].ID)
		}
	}
	return out, err
}

// personResult is a person after a change, for the UI to show.
func (a *API) personResult(ws *workspace.Workspace, id int64, err error) (Person, error) {
	if err != nil {
		return Person{}, faceErr(err)
	}
	a.changed()
	ctx := a.ctx()
	p, err := ws.Lib.DB.PersonByID(ctx, id)
	if err != nil {
		return Person{}, faceErr(err)
	}
	return a.person(ctx, ws, p), nil
}

func faceErr(err error) error {
	if errors.Is(err, store.ErrPersonName) {
		return &Error{Code: CodeInvalid, Message: err.Error()}
	}
	if errors.Is(err, store.ErrNoFace) {
		return &Error{Code: CodeNotFound, Message: "no such face or person (it may have just been merged or re-analysed)"}
	}
	return err
}

func cleanPersonName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", &Error{Code: CodeInvalid, Message: "a person needs a name"}
	}
	if len(name) > 200 {
		return "", &Error{Code: CodeInvalid, Message: "that name is too long"}
	}
	return name, nil
}

// NamePerson names a person: the name's tag (in the People category) goes
// on every picture of theirs. A name another person has merges the two.
func (a *API) NamePerson(id int64, name string) (Person, error) {
	ws, err := a.workspace()
	if err != nil {
		return Person{}, err
	}
	if name, err = cleanPersonName(name); err != nil {
		return Person{}, err
	}
	id, err = ws.Lib.DB.NamePerson(a.ctx(), id, name)
	return a.personResult(ws, id, err)
}

// NameFace puts one face in the person of that name (made when nobody
// has it).
func (a *API) NameFace(faceID int64, name string) (Person, error) {
	ws, err := a.workspace()
	if err != nil {
		return Person{}, err
	}
	if name, err = cleanPersonName(name); err != nil {
		return Person{}, err
	}
	id, err := ws.Lib.DB.NameFace(a.ctx(), faceID, name)
	return a.personResult(ws, id, err)
}

// MergePeople folds person from into person into (drag one onto another).
func (a *API) MergePeople(into, from int64) (Person, error) {
	ws, err := a.workspace()
	if err != nil {
		return Person{}, err
	}
	err = ws.Lib.DB.MergePeople(a.ctx(), into, from)
	return a.personResult(ws, into, err)
}

// SplitFace takes a wrongly grouped face out into a person of its own.
func (a *API) SplitFace(faceID int64) (Person, error) {
	ws, err := a.workspace()
	if err != nil {
		return Person{}, err
	}
	id, err := ws.Lib.DB.SplitFace(a.ctx(), faceID)
	return a.personResult(ws, id, err)
}

// RejectFace says a face is not the person it is in; it is never put
// there again.
func (a *API) RejectFace(faceID int64) error {
	ws, err := a.workspace()
	if err != nil {
		return err
	}
	if err := ws.Lib.DB.RejectFace(a.ctx(), faceID); err != nil {
		return faceErr(err)
	}
	a.changed()
	return nil
}

// HidePerson hides a person from the People view (or shows them again).
func (a *API) HidePerson(id int64, hidden bool) error {
	ws, err := a.workspace()
	if err != nil {
		return err
	}
	if err := ws.Lib.DB.HidePerson(a.ctx(), id, hidden); err != nil {
		return faceErr(err)
	}
	a.changed()
	return nil
}

// StartFaces runs (or resumes) the faces analyzer over the pictures that
// need it, in the background.
func (a *API) StartFaces() (jobs.Job, error) {
	ws, err := a.workspace()
	if err != nil {
		return jobs.Job{}, err
	}
	if f := ws.Faces(); f.Engine == nil {
		return jobs.Job{}, &Error{Code: CodeInvalid, Message: "faces are unavailable: " + f.Err.Error()}
	}
	return a.jobs.Start("faces", "Finding faces", ws.Lib.Root, func(ctx context.Context, report func(jobs.Progress)) (any, error) {
		res, err := ws.RunFaces(ctx, 0, func(done, total int, cur string) {
			report(jobs.Progress{Phase: "faces", Done: int64(done), Total: int64(total), Unit: "pictures", Current: cur})
		})
		a.changed()
		return res, err
	})
}

// Recluster groups every face into people again (what the user placed
// stays), in the background.
func (a *API) Recluster() (jobs.Job, error) {
	ws, err := a.workspace()
	if err != nil {
		return jobs.Job{}, err
	}
	return a.jobs.Start("recluster", "Grouping faces into people", ws.Lib.Root, func(ctx context.Context, report func(jobs.Progress)) (any, error) {
		n, err := ws.Recluster(ctx, func(done, total int) {
			report(jobs.Progress{Phase: "grouping", Done: int64(done), Total: int64(total), Unit: "faces"})
		})
		a.changed()
		return map[string]int{"people": n}, err
	})
}

// FaceSettings are the library's settings for finding and grouping faces.
func (a *API) FaceSettings() (faces.Tuning, error) {
	ws, err := a.workspace()
	if err != nil {
		return faces.Tuning{}, err
	}
	return ws.FaceSettings(a.ctx()), nil
}

// SaveFaceSettings stores them (cleaned) and, with on false, turns faces
// off in this library (true turns them back on).
func (a *API) SaveFaceSettings(s faces.Tuning, on bool) (faces.Tuning, error) {
	ws, err := a.workspace()
	if err != nil {
		return faces.Tuning{}, err
	}
	ctx := a.ctx()
	if s, err = ws.SetFaceSettings(ctx, s); err != nil {
		return s, err
	}
	if err := ws.SetFacesOn(ctx, on); err != nil {
		return s, err
	}
	a.emitInfo()
	return s, nil
}

// faceCrops serves a face's crop at /face/ID.
var faceCrops = derivedJPEG{what: "face", dir: library.FaceCrops, apiErr: faceErr,
	find: func(ctx context.Context, ws *workspace.Workspace, id int64) (int64, string, error) {
		f, err := ws.Lib.DB.FaceByID(ctx, id)
		if err == nil && f.Crop == "" {
			err = &Error{Code: CodeNotFound, Message: "no crop for this face"}
		}
		return f.EntryID, f.Crop, err
	}}
