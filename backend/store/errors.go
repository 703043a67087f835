package store

import "errors"

var (
	// ErrNotFound: no entry (or tag) matches.
	ErrNotFound = errors.New("not found")
	// ErrNewerFormat: the library was written by a Tagsight with a newer
	// major format and cannot be opened safely.
	ErrNewerFormat = errors.New("library was written by a newer, incompatible Tagsight")
)
