//go:build !cgo || noheif

package media

import (
	"fmt"
	"image"
)

const heifDecoder = false

func decodeHEIF(data []byte, maxPixels, maxBytes int64) (image.Image, error) {
	return nil, fmt.Errorf("heif: %w (built without libheif)", ErrUnsupported)
}
