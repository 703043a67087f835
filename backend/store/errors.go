package store

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound: no entry (or tag) matches.
	ErrNotFound = errors.New("not found")
	// ErrNewerFormat: the library was written by a Tagsight with a newer
	// major format and cannot be opened safely.
	ErrNewerFormat = errors.New("library was written by a newer, incompatible Tagsight")
)

// ErrExists: a row with that unique name already exists.
var ErrExists = errors.New("already exists")

// MissingTagError: a change names a tag that does not exist. It matches
// ErrNotFound.
type MissingTagError struct{ ID int64 }

func (e *MissingTagError) Error() string { return fmt.Sprintf("tag %d not found", e.ID) }

// Is makes errors.Is(err, ErrNotFound) true.
func (e *MissingTagError) Is(target error) bool { return target == ErrNotFound }

// TagCycleError: linking Child under Parent would make the tag graph
// cyclic (Parent already descends from Child). The names are the tags'.
type TagCycleError struct{ Child, Parent string }

func (e *TagCycleError) Error() string {
	return fmt.Sprintf("%q already descends from %q", e.Parent, e.Child)
}
