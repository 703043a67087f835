package vectors

import (
	"context"
	"errors"
	"fmt"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// Video moments (issue 21): the frames analyzer embeds a video's
// keyframes (media.Framer, handed over by the pipeline with the poster in
// the same visit to the file) with the library's CLIP model, so search can
// score a video by its best frame and show that moment.

// FrameShort is the short side a video's keyframes are decoded to: enough
// for the model (which scales them down to its input) and for the moment
// tile the grid shows.
const FrameShort = 224

// FrameTile is the long side of a moment's JPEG.
const FrameTile = 320

// SameFrame is the cosine similarity above which a keyframe is dropped as
// a repeat of the last one kept (a scene change the model does not see).
const SameFrame = 0.95

// FramesVersion is the frames analyzer's version for a model.
func FramesVersion(modelKey string) string { return "f1:" + modelKey }

// FrameTiles keeps the JPEG of a content's frame at atMS and says where it
// went (the library's derived files: library.Derived.Put with
// library.FrameTiles).
type FrameTiles func(fingerprint string, atMS int64, jpeg []byte) (rel string, err error)

// FramesAnalyzer is the frames analyzer of package analysis: batched like
// the CLIP analyzer, one video per Finish (its frames embedded in the
// model's batches), sharing the CLIP analyzer's model.
type FramesAnalyzer struct {
	m     store.Model
	emb   Embedder
	pre   Preprocessor
	opts  Options
	tiles FrameTiles

	load loading
}

// NewFramesAnalyzer returns the frames analyzer for model m; tiles keeps
// each kept frame's JPEG.
func NewFramesAnalyzer(m store.Model, emb Embedder, pre Preprocessor, opts Options, tiles FrameTiles) *FramesAnalyzer {
	a := NewAnalyzer(m, emb, pre, opts) // the same defaults
	return &FramesAnalyzer{m: m, emb: emb, pre: pre, opts: a.opts, tiles: tiles}
}

// Name implements analysis.Analyzer.
func (a *FramesAnalyzer) Name() string { return store.FramesAnalyzer }

// Version implements analysis.Analyzer.
func (a *FramesAnalyzer) Version() string { return FramesVersion(a.m.Key) }

// Applies implements analysis.Analyzer: videos.
func (a *FramesAnalyzer) Applies(mediaType, rel string) bool { return mediaType == media.TypeVideo }

// Need implements analysis.Analyzer: the keyframes, no poster.
func (a *FramesAnalyzer) Need() analysis.Need {
	return analysis.Need{Frames: max(a.opts.MinShort, FrameShort)}
}

// Batch implements analysis.Batched: a video is up to 200 frames, so
// one per call and few waiting.
func (a *FramesAnalyzer) Batch() (int, int, int) { return 1, a.opts.InferWorkers, 2 }

// Start implements analysis.Batched.
func (a *FramesAnalyzer) Start(ctx context.Context) {
	a.load.start(ctx, a.opts.Load, nil)
}

type framesIn struct {
	frames      []media.Frame
	fingerprint string
}

// Analyze implements analysis.Analyzer: the frames wait for Finish as
// decoded (their model inputs are made there, a batch at a time, so a
// video's inputs never all sit in memory). A video without frames gets
// none and a failed row saying why.
func (a *FramesAnalyzer) Analyze(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
	if len(p.Frames) == 0 {
		err := p.FramesErr
		if err == nil {
			err = fmt.Errorf("frames: %w: no frame", media.ErrCorrupt)
		}
		if errors.Is(err, media.ErrUnsupported) {
			err = analysis.Unsupported(err)
		}
		return framesOut{m: a.m}, err
	}
	// Frames read before a damaged part are kept. Another analyzer may
	// have asked for larger frames (OCR): the copy that waits for Finish
	// is scaled down to what the model and the tile need, so a video
	// holds its large frames only while its item is on a decode worker.
	short := max(a.opts.MinShort, FrameShort)
	frames := p.Frames
	if len(frames) > 0 && min(frames[0].Image.Bounds().Dx(), frames[0].Image.Bounds().Dy()) > short {
		frames = make([]media.Frame, len(p.Frames))
		for i, f := range p.Frames {
			f.Image = media.ScaleShort(f.Image, short)
			frames[i] = f
		}
	}
	return framesIn{frames: frames, fingerprint: it.Fingerprint}, nil
}

// Finish implements analysis.Batched.
func (a *FramesAnalyzer) Finish(ctx context.Context, inputs []any) ([]any, []error, error) {
	if err := a.load.wait(ctx); err != nil {
		return nil, nil, err
	}
	outs := make([]any, len(inputs))
	errs := make([]error, len(inputs))
	for i, v := range inputs {
		in := v.(framesIn)
		fs, err := a.embed(ctx, in)
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		outs[i], errs[i] = framesOut{m: a.m, frames: fs}, err
	}
	return outs, errs, nil
}

// embed embeds a video's frames a model batch at a time, keeps those
// that differ from the last kept one, and writes their JPEGs.
func (a *FramesAnalyzer) embed(ctx context.Context, in framesIn) ([]store.Frame, error) {
	var kept []store.Frame
	var last []float32
	for start := 0; start < len(in.frames); start += a.opts.Batch {
		chunk := in.frames[start:min(start+a.opts.Batch, len(in.frames))]
		ins := make([][]float32, len(chunk))
		for j, f := range chunk {
			x, err := Input(f.Image, a.opts.MinShort, a.pre)
			if err != nil {
				return nil, fmt.Errorf("frame at %v: %w", f.At, err)
			}
			ins[j] = x
		}
		vecs, err := a.emb.EmbedImages(ctx, ins)
		if err != nil {
			return nil, fmt.Errorf("embed frames: %w", err)
		}
		if len(vecs) != len(chunk) {
			return nil, fmt.Errorf("embed frames: %d vectors for %d frames", len(vecs), len(chunk))
		}
		for j, f := range chunk {
			v := vecs[j]
			if last != nil && Dot(v, last) >= SameFrame {
				continue
			}
			last = v
			at := f.At.Milliseconds()
			jpg, err := media.EncodeThumbnail(ctx, f.Image, FrameTile)
			if err != nil {
				return nil, fmt.Errorf("frame tile: %w", err)
			}
			rel, err := a.tiles(in.fingerprint, at, jpg)
			if err != nil {
				return nil, err
			}
			kept = append(kept, store.Frame{AtMS: at, Thumb: rel, Vec: v})
		}
	}
	return kept, nil
}

type framesOut struct {
	m      store.Model
	frames []store.Frame
}

// PendingBytes implements analysis.Sized: up to 200 vectors and tiles.
func (o framesOut) PendingBytes() int {
	n := 0
	for _, f := range o.frames {
		n += 4*len(f.Vec) + len(f.Thumb)
	}
	return n
}

func (o framesOut) Save(ctx context.Context, tx *store.Tx, id int64) error {
	return store.ReplaceFrames(ctx, tx, o.m, id, o.frames)
}
