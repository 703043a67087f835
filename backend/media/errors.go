package media

import "errors"

// Sentinel errors. Callers test them with errors.Is; returned errors wrap them
// with a short phrase saying why.
var (
	// ErrTooManyPixels: the declared width*height exceeds Limits.MaxPixels
	// (or the file exceeds Limits.MaxFileBytes). Nothing was decoded.
	ErrTooManyPixels = errors.New("image too large")
	// ErrUnsupported: a format this package recognises but cannot decode
	// (HEIC, AVIF, RAW, video, ...).
	ErrUnsupported = errors.New("unsupported format")
	// ErrCorrupt: the file claims to be an image but its bytes are not a
	// valid one (empty, truncated, bad checksum, wrong content).
	ErrCorrupt = errors.New("corrupt image")
	// ErrEmpty: the file has no bytes (an entry all the same, typed by
	// its name: there is nothing in it to analyse).
	ErrEmpty = errors.New("empty file")
	// ErrNoPage: a document page asked for that the document does not have.
	ErrNoPage = errors.New("no such page")
)
