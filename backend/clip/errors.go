package clip

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Sentinel errors; wrapped with the file or key they concern.
var (
	ErrMissingFile = errors.New("missing file")
	ErrBadJSON     = errors.New("bad JSON")
	ErrMissingKey  = errors.New("missing key")
	ErrUnsupported = errors.New("unsupported")
	ErrBadModel    = errors.New("unexpected model inputs or outputs")
)

// badJSON wraps a decoding error as ErrBadJSON without Go type names in the message.
func badJSON(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Errorf("%w: %s: unexpected JSON %s", ErrBadJSON, te.Field, te.Value)
		}
		return fmt.Errorf("%w: unexpected JSON %s at the top level", ErrBadJSON, te.Value)
	}
	return fmt.Errorf("%w: %v", ErrBadJSON, err)
}
