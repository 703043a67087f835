package media

import (
	"context"
	"errors"
	"image"
	"time"

	"github.com/tagsight/tagsight/backend/facts"
)

// ErrMissingTool: the decoder of a kind needs a program that is not
// installed (ffmpeg for video). Wrapped with what to install; the file
// is indexed without what that program would have read, and read again
// once it is there.
var ErrMissingTool = errors.New("a program this file kind needs is not installed")

// Decoder reads one kind of file (pictures, video, …): the facts a file
// carries and a poster, the one picture that stands for it (a video's
// representative frame, a document's first page), which the analyzers
// (thumbnail, CLIP, faces) see as they see a photo. Decoders are bounded
// like the picture decoders: the decode memory budget, Limits.MaxDecodeTime
// per child process, output capped.
type Decoder interface {
	Kind() string
	// Applies says whether the decoder reads files of this media type
	// and format (format "" asks about the media type as a whole).
	Applies(mediaType, format string) bool
	// Facts reads what the file says about itself. Pictures have none
	// beyond their Info.
	Facts(ctx context.Context, src *Source, lim Limits) (facts.Facts, error)
	// Poster decodes the picture standing for the file, oriented for
	// display, at least as large as enough asks where the file allows
	// (never upscaled).
	Poster(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error)
}

// Frame is one of the pictures in a file: a video's frame at a time, a
// document's page.
type Frame struct {
	Image *image.RGBA
	At    time.Duration // into a video
	Page  int           // 1-based, in a document
}

// Framer is a Decoder that can give several frames of a file (a video's
// keyframes, a PDF's pages that have no text layer), each to yield in
// order until it returns an error. The video decoder's keyframes feed the
// frames analyzer (video moments) and the ocr analyzer; a PDF's scanned
// pages feed the ocr analyzer.
type Framer interface {
	Decoder
	Frames(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool, yield func(Frame) error) error
}

// decoders are the registered kinds, asked in order.
var decoders = []Decoder{psdDecoder{}, svgDecoder{}, pictureDecoder{}, videoDecoder{}, audioDecoder{}, pdfDecoder{},
	containerDecoder{}, blendDecoder{}, modelDecoder{}, textDecoder{}, fontDecoder{}}

// DecoderFor returns the decoder of a file of this media type and format,
// nil when no kind reads it.
func DecoderFor(mediaType, format string) Decoder {
	for _, d := range decoders {
		if d.Applies(mediaType, format) {
			return d
		}
	}
	return nil
}

// HasPoster says whether files of the media type get a poster, so that
// picture analyzers (thumbnail, CLIP, faces) apply to them.
func HasPoster(mediaType string) bool { return DecoderFor(mediaType, "") != nil }

// IsStill says whether the media type is a still picture (a photo, a
// RAW file): the kind whose decode failures reject a file that claims to
// be one, where other kinds stay entries.
func IsStill(mediaType string) bool { return pictureDecoder{}.Applies(mediaType, "") }

// PosterTypes are the media types that get a poster.
func PosterTypes() []string {
	var out []string
	for _, t := range []string{TypeImage, TypeRaw, TypeVideo, TypeAudio, TypeDocument, TypeArchive, TypeModel, TypeFont, TypeOther} {
		if HasPoster(t) {
			out = append(out, t)
		}
	}
	return out
}

// pictureDecoder is the still-picture kind: DecodeOriented, facts in Info.
type pictureDecoder struct{}

func (pictureDecoder) Kind() string { return "picture" }
func (pictureDecoder) Applies(mediaType, format string) bool {
	return mediaType == TypeImage || mediaType == TypeRaw
}
func (pictureDecoder) Facts(ctx context.Context, src *Source, lim Limits) (facts.Facts, error) {
	_, err := src.Probe(ctx, lim)
	return facts.Facts{}, err
}
func (pictureDecoder) Poster(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	img, info, err := src.DecodeOriented(ctx, lim, enough)
	if err == nil {
		src.info = info // what the decoder read, in case the file changed
	}
	return img, err
}

// decoder is the Source's decoder, by its probed type; headers are read
// first.
func (s *Source) decoder(ctx context.Context, lim Limits) (Decoder, Info, error) {
	info, err := s.Probe(ctx, lim)
	if err != nil {
		return nil, info, err
	}
	d := DecoderFor(info.MediaType, info.Format)
	if d == nil {
		return nil, info, ErrUnsupported
	}
	return d, info, nil
}

// Facts are the file's facts, read by its kind's decoder once: a later
// call (the poster needs a video's size and rotation) returns the same.
func (s *Source) Facts(ctx context.Context, lim Limits) (facts.Facts, error) {
	if s.factsDone {
		return s.facts, s.factsErr
	}
	d, _, err := s.decoder(ctx, lim)
	if err != nil {
		return facts.Facts{}, err
	}
	s.facts, s.factsErr = d.Facts(ctx, s, lim.withDefaults())
	if ctx.Err() == nil {
		s.factsDone = true
	}
	return s.facts, s.factsErr
}

// Poster decodes the file's poster through its kind's decoder (a
// picture: DecodeOriented), with the headers it read.
func (s *Source) Poster(ctx context.Context, lim Limits, enough func(w, h int) bool) (*image.RGBA, Info, error) {
	d, info, err := s.decoder(ctx, lim)
	if err != nil {
		return nil, info, err
	}
	img, err := d.Poster(ctx, s, lim.withDefaults(), enough)
	return img, s.info, err
}
