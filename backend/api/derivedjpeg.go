package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/workspace"
)

// derivedJPEG is a kind of row whose derived JPEG the web face serves by
// the row's id (a face's crop at /face/ID, a frame's tile at /frame/ID):
// only for an entry whose file lies inside the library, since the picture
// shows what the file shows, as /thumb does.
type derivedJPEG struct {
	what string // the row, in "bad ID id"
	dir  string // the library.Derived kind the file lies in
	// find gives the row's entry and its file's name inside dir (an
	// *Error when the row has none).
	find func(ctx context.Context, ws *workspace.Workspace, id int64) (entryID int64, rel string, err error)
	// apiErr words find's and containment's errors for a web client.
	apiErr func(error) error
}

func (h *httpFace) serveDerived(d derivedJPEG) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ws, err := h.a.workspace()
		if err != nil {
			fail(w, err)
			return
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			fail(w, &Error{Code: CodeInvalid, Message: "bad " + d.what + " id"})
			return
		}
		entryID, rel, err := d.find(r.Context(), ws, id)
		if err == nil {
			var e store.Entry
			if e, err = ws.Lib.DB.EntryByID(r.Context(), entryID); err == nil {
				_, err = ws.Lib.Contain(e.Path)
				err = containErr(err)
			}
		}
		if err != nil {
			fail(w, d.apiErr(err))
			return
		}
		w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
		w.Header().Set("Content-Type", "image/jpeg")
		serveData(w, r, ws.Lib, d.dir, rel)
	}
}
