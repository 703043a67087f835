package api

import (
	"encoding/json"
	"errors"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/query"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/tags"
	"github.com/tagsight/tagsight/backend/workspace"
)

// Error is the one error shape that crosses to the UI: a stable code and a
// readable message. Wails' ErrorFormatter and the HTTP face both use it.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

// Codes.
const (
	CodeInvalid   = "invalid"
	CodeNotFound  = "not_found"
	CodeConflict  = "conflict"
	CodeNoLibrary = "no_library"
	CodeNoModel   = "no_model"
	CodeInternal  = "internal"
	CodeForbidden = "forbidden"
	CodeTooLarge  = "too_large"
)

// ErrNoLibrary: a call that needs an open library came before OpenLibrary.
var ErrNoLibrary = &Error{Code: CodeNoLibrary, Message: "no library is open"}

// ToError classifies any error for the UI.
func ToError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var se *query.SyntaxError
	code := CodeInternal
	switch {
	case errors.Is(err, media.ErrTooManyPixels):
		// A picture beyond the decode limits, e.g. one posted to search
		// by: before the general "cannot read it".
		code = CodeTooLarge
	case errors.As(err, &se):
		code = CodeInvalid
	case errors.Is(err, store.ErrNotFound), errors.Is(err, tags.ErrNotFound), errors.Is(err, library.ErrNotLibrary):
		code = CodeNotFound
	case errors.Is(err, tags.ErrExists), errors.Is(err, tags.ErrCycle), errors.Is(err, tags.ErrBuiltIn):
		code = CodeConflict
	case errors.Is(err, library.ErrOutside), errors.Is(err, library.ErrDataDir):
		code = CodeForbidden
	case errors.Is(err, tags.ErrBadName), errors.Is(err, tags.ErrBadColor), errors.Is(err, library.ErrBadPath),
		errors.Is(err, search.ErrBadPage), errors.Is(err, search.ErrPicture):
		code = CodeInvalid
	case errors.Is(err, search.ErrNoModel), errors.Is(err, workspace.ErrNoModel):
		code = CodeNoModel
	}
	return &Error{Code: code, Message: err.Error()}
}

// FormatError is Wails' ErrorFormatter: the UI receives JSON {code, message}.
func FormatError(err error) any {
	b, _ := json.Marshal(ToError(err))
	return string(b)
}
