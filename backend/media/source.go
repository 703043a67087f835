package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"io"
	"os"

	"github.com/tagsight/tagsight/backend/facts"
)

// Source is one file being probed and decoded: through one open of it,
// or from its bytes when the caller has read them already (the scan reads
// a new picture whole to fingerprint it). The analysis pipeline makes one
// per item, so a file is opened once however many steps look at it.
// A Source is used by one goroutine; Close it when done.
type Source struct {
	Path string
	data []byte // the whole file, once read
	// probed: data is exactly the bytes Probe read, so a decode need not
	// probe them again.
	probed bool
	info   Info
	err    error // Probe's outcome, once done
	done   bool
	f      *os.File
	size   int64
	// facts: the decoder's Facts, once read (see Facts).
	facts     facts.Facts
	factsErr  error
	factsDone bool
	// arc: the listing of an archive (or a file built on one), once read.
	arc    *archive
	arcErr error
	// mesh3d: a 3D model's triangles, once read; their budget is given
	// back on Close.
	mesh3d  *mesh
	meshErr error
	// keepFrames: a FramesHeld call is under way; kept is the budget of
	// the frames it handed out, which its caller gives back.
	keepFrames bool
	kept       []*hold
}

// NewSource returns the Source of the file at path; data, when not nil,
// is its whole content, already read (the file is then not opened).
func NewSource(path string, data []byte) *Source { return &Source{Path: path, data: data} }

// Close closes the file, if the Source opened it.
func (s *Source) Close() error {
	if s.mesh3d != nil {
		s.mesh3d.release()
		s.mesh3d = nil
	}
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

func (s *Source) open() error {
	if s.f != nil {
		return nil
	}
	f, err := os.Open(s.Path)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return fmt.Errorf("%s: not a regular file", s.Path)
	}
	s.f, s.size = f, st.Size()
	return nil
}

// Probe is Probe of the Source, read once: a later call returns the same.
func (s *Source) Probe(ctx context.Context, lim Limits) (Info, error) {
	if s.done {
		return s.info, s.err
	}
	lim = lim.withDefaults()
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	s.done = true
	if s.data != nil {
		s.info, s.err = probeFile(bytes.NewReader(s.data), int64(len(s.data)), s.Path, lim)
		s.probed = true
	} else if err := s.open(); err != nil {
		s.err = fmt.Errorf("probe: %w", err)
	} else {
		s.info, s.err = probeFile(s.f, s.size, s.Path, lim)
	}
	return s.info, s.err
}

// DecodeOriented is DecodeOriented of the Source: headers probed first
// (bombs and non-images are refused before the file is read whole), then
// the bytes read through the same open file, or those given.
func (s *Source) DecodeOriented(ctx context.Context, lim Limits, enough func(w, h int) bool) (*image.RGBA, Info, error) {
	after := func(w, h int) int64 { return 2 * rgbaBytes(w, h) } // RGBA, then oriented
	img, info, release, err := s.decode(ctx, lim, enough, after)
	if err != nil {
		return nil, info, err
	}
	defer release() // the caller's copy is its own to account for
	return applyOrientation(toRGBA(img), info.Orientation), info, nil
}

// decode is decode (decode.go) of the Source.
func (s *Source) decode(ctx context.Context, lim Limits, enough func(w, h int) bool, after func(w, h int) int64) (image.Image, Info, func(), error) {
	lim = lim.withDefaults()
	info, err := s.Probe(ctx, lim)
	if err != nil {
		return nil, info, nil, err
	}
	if _, err := decoderFor(info); err != nil {
		return nil, info, nil, err
	}
	if s.data == nil {
		if s.data, err = readAtLimited(s.f, s.size, lim.MaxFileBytes); err != nil {
			return nil, info, nil, err
		}
	}
	if int64(len(s.data)) > lim.MaxFileBytes {
		return nil, info, nil, fmt.Errorf("decode: %w: file exceeds %d bytes", ErrTooManyPixels, lim.MaxFileBytes)
	}
	if err := ctx.Err(); err != nil {
		return nil, info, nil, err
	}
	if s.probed {
		return decodeProbed(ctx, s.data, info, lim, enough, after)
	}
	// The bytes read now may differ from those probed (the file is being
	// written): decodeBytes probes them again.
	return decodeBytes(ctx, s.data, s.Path, lim, enough, after)
}

// readAtLimited reads the whole of an open file of the given size from its
// start, refusing more than maxBytes (the file may grow while it is read).
func readAtLimited(f *os.File, size, maxBytes int64) ([]byte, error) {
	if size > maxBytes {
		return nil, fmt.Errorf("decode: %w: file exceeds %d bytes", ErrTooManyPixels, maxBytes)
	}
	data, err := readAllInto(io.NewSectionReader(f, 0, maxBytes+1), make([]byte, 0, size+1))
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("decode: %w: file exceeds %d bytes", ErrTooManyPixels, maxBytes)
	}
	return data, nil
}
