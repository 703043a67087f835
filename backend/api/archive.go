package api

import (
	"context"
	"errors"

	"github.com/tagsight/tagsight/backend/media"
)

// ArchiveMember is one file inside an archive.
type ArchiveMember struct {
	Name string `json:"name"`
	Size int64  `json:"size"` // declared unpacked size; -1 when the archive does not say
}

// ArchiveListing is the head of an archive's listing for the inspector.
type ArchiveListing struct {
	Members  []ArchiveMember `json:"members"` // the first ones, in the archive's order
	Total    int             `json:"total"`   // members in all
	Unpacked int64           `json:"unpacked"`
}

// maxArchiveListing bounds what one call lists, whatever the client asks.
const maxArchiveListing = 1000

// ArchiveEntries lists the first limit members (at most 1000) of an
// entry's archive, e-book or comic, read through the container decoder
// (the same reader, bomb checks and limits as a scan), and counts the
// rest. Only a file inside the library is read.
func (a *API) ArchiveEntries(id int64, limit int) (ArchiveListing, error) {
	ws, err := a.workspace()
	if err != nil {
		return ArchiveListing{}, err
	}
	ctx := a.ctx()
	e, err := ws.Lib.DB.EntryByID(ctx, id)
	if err != nil {
		return ArchiveListing{}, err
	}
	c, err := ws.Lib.Contain(e.Path)
	if err != nil {
		return ArchiveListing{}, containErr(err)
	}
	l, err := media.ListArchive(ctx, ws.Lib.Abs(c.Real), min(max(limit, 0), maxArchiveListing), ws.Lib.ReadLimits())
	if err != nil {
		return ArchiveListing{}, &Error{Code: CodeInvalid, Message: "cannot list " + e.Path + ": " + listFailure(err)}
	}
	out := ArchiveListing{Members: make([]ArchiveMember, len(l.Members)), Total: l.Total, Unpacked: l.Unpacked}
	for i, m := range l.Members {
		out.Members[i] = ArchiveMember{Name: m.Name, Size: m.Size}
	}
	return out, nil
}

// listFailure words why an archive could not be listed, without the
// server's paths that the reader's own errors carry.
func listFailure(err error) string {
	switch {
	case errors.Is(err, media.ErrUnsupported):
		return "not an archive"
	case errors.Is(err, media.ErrTooManyPixels):
		return "too large to list"
	case errors.Is(err, context.DeadlineExceeded):
		return "took too long"
	case errors.Is(err, media.ErrCorrupt):
		return "damaged"
	}
	return "unreadable"
}
