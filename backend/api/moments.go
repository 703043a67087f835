package api

// Video moments (issue 21): the keyframes of a video that match a query,
// "more like this" from one, and their tiles.

import (
	"context"
	"fmt"
	"math"
	"path"
	"strings"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/workspace"
)

// Moment is a frame of a video: where to play from and what it shows.
type Moment struct {
	FrameID int64    `json:"frame_id"`
	AtMS    int64    `json:"at_ms"`
	Score   *float64 `json:"score,omitempty"` // similarity to the query; absent without one
	Thumb   string   `json:"thumb"`           // URL of the frame's tile
}

func momentOf(m search.Moment) *Moment {
	out := &Moment{FrameID: m.FrameID, AtMS: m.AtMS,
		Thumb: fmt.Sprintf("/frame/%d?v=%s", m.FrameID, strings.TrimSuffix(path.Base(m.Thumb), ".jpg"))}
	if !math.IsNaN(m.Score) {
		s := m.Score
		out.Score = &s
	}
	return out
}

// Moments lists a video's frames that best match a search-bar query (at
// most limit, best first; in time order when the query has no meaning to
// score by): the inspector's moments.
func (a *API) Moments(id int64, query string, limit int) ([]Moment, error) {
	ws, err := a.workspace()
	if err != nil {
		return nil, err
	}
	ctx := a.ctx()
	var likePath func(string) (string, error)
	if a.opts.Web { // like: names pictures of the library only, as in Search
		likePath = func(p string) (string, error) { return libraryPicture(ctx, ws, p) }
	}
	ms, err := ws.Now().Search.Moments(ctx, id, query, limit, likePath)
	if err != nil {
		return nil, err
	}
	out := make([]Moment, len(ms))
	for i, m := range ms {
		out[i] = *momentOf(m)
	}
	return out, nil
}

// SimilarFrame is "more like this" from a video's frame.
func (a *API) SimilarFrame(frameID int64, limit int) (SearchResult, error) {
	ws, err := a.workspace()
	if err != nil {
		return SearchResult{}, err
	}
	ctx := a.ctx()
	res, err := ws.Now().Search.SimilarFrame(ctx, frameID, "", search.Options{Limit: limit})
	return a.result(ctx, ws, res, err)
}

// frameTiles serves a frame's tile at /frame/ID.
var frameTiles = derivedJPEG{what: "frame", dir: library.FrameTiles, apiErr: frameErr,
	find: func(ctx context.Context, ws *workspace.Workspace, id int64) (int64, string, error) {
		f, err := ws.Lib.DB.FrameByID(ctx, id)
		if err == nil && f.Thumb == "" {
			err = &Error{Code: CodeNotFound, Message: "no tile for this frame"}
		}
		return f.EntryID, f.Thumb, err
	}}

func frameErr(err error) error {
	if _, ok := err.(*Error); ok {
		return err
	}
	return &Error{Code: CodeNotFound, Message: "no such frame"}
}
