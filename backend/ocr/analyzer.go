package ocr

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// Source is the text index's source name for words read in pictures.
const Source = "ocr"

// AnalyzeLong is the long side of the picture the analyzer reads from: the
// detector looks at a copy of at most MaxSide (960), the recogniser cuts
// its crops from this larger one, where small text still has pixels.
const AnalyzeLong = 1920

// Analyzer is the ocr analyzer of package analysis: on the pipeline's one
// decoded picture it reads the words and saves them, with their boxes, as
// the entry's "ocr" text.
type Analyzer struct {
	eng *Engine
	key string
}

// NewAnalyzer returns the ocr analyzer for an engine whose models have the
// key modelKey (Models.Key).
func NewAnalyzer(eng *Engine, modelKey string) *Analyzer {
	return &Analyzer{eng: eng, key: modelKey}
}

// Name implements analysis.Analyzer.
func (a *Analyzer) Name() string { return Source }

// Version implements analysis.Analyzer: the models and the reading's
// settings.
func (a *Analyzer) Version() string {
	o := a.eng.opts
	return fmt.Sprintf("o1:%s:%d:%d:%g:%d", a.key, o.MaxSide, o.MaxWords, o.MinScore, AnalyzeLong)
}

// Applies implements analysis.Analyzer: still pictures (screenshots,
// scans, photos), videos (their keyframes) and PDFs (their scanned pages:
// the others have their text layer). It did not apply to videos and PDFs
// before; they have no rows, so the version stays and no picture is read
// again.
func (a *Analyzer) Applies(mediaType, rel string) bool {
	switch {
	case media.IsStill(mediaType), mediaType == media.TypeVideo:
		return true
	case mediaType == media.TypeDocument:
		ext := strings.ToLower(filepath.Ext(rel))
		return ext == ".pdf" || ext == ".ai"
	}
	return false
}

// Frames OCR reads, and what it holds. A video's keyframes come at
// VideoShort on the short side: 854×480 RGBA is 1.6 MB, so the 200
// keyframes a video may have are 328 MB while its item is analysed
// (at CLIP's 224 they were 71 MB; the frames analyzer scales its copy
// down at once). At most MaxVideoFrames of them are read, spread over the
// video, and one that looks like the last one read is skipped
// (media.SpreadFrames): a keyframe costs a whole OCR pass. A PDF's scanned pages come at
// PageShort (an A4 page 1000×1414), at most media.MaxPageFrames.
const (
	VideoShort     = 480
	PageShort      = 1000
	MaxVideoFrames = 50
)

// Need implements analysis.Analyzer: a still picture's.
func (a *Analyzer) Need() analysis.Need { return analysis.Need{Long: AnalyzeLong} }

// NeedFor implements analysis.KindNeeder: a still picture's pixels, a
// video's keyframes, a PDF's scanned pages.
func (a *Analyzer) NeedFor(mediaType string) analysis.Need {
	switch mediaType {
	case media.TypeVideo:
		return analysis.Need{Frames: VideoShort}
	case media.TypeDocument:
		return analysis.Need{Frames: PageShort}
	}
	return a.Need()
}

// Analyze implements analysis.Analyzer.
func (a *Analyzer) Analyze(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
	if !media.IsStill(it.MediaType) {
		return a.frames(ctx, it, p)
	}
	if p.Image == nil {
		if p.InfoErr == nil && errors.Is(p.DecodeErr, media.ErrUnsupported) {
			return nil, analysis.Unsupported(p.DecodeErr)
		}
		return nil, p.DecodeErr
	}
	words, err := a.eng.Read(ctx, p.Image)
	if err != nil {
		return nil, err
	}
	return textOut(Units(words)), nil
}

// Units are words as the text index keeps them: one unit a box, in
// reading order, numbered as lines.
func Units(words []Word) []store.TextUnit {
	units := make([]store.TextUnit, 0, len(words))
	for i, w := range words {
		t := strings.TrimSpace(w.Text)
		if t == "" {
			continue
		}
		b := w.Box
		units = append(units, store.TextUnit{Source: Source, Line: i + 1, Box: &store.TextBox{X: b.X, Y: b.Y, W: b.W, H: b.H}, Text: t})
	}
	return units
}

// frames reads a video's keyframes (units with their time) or a PDF's
// scanned pages (units with their page). A PDF with no scanned page gets
// no words and a done row; a video without frames a failed one.
func (a *Analyzer) frames(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
	if len(p.Frames) == 0 {
		err := p.FramesErr
		if err == nil && it.MediaType == media.TypeVideo {
			err = fmt.Errorf("ocr: %w: no frame", media.ErrCorrupt)
		}
		if errors.Is(err, media.ErrUnsupported) {
			return nil, analysis.Unsupported(err)
		}
		if err != nil {
			return nil, err
		}
		return textOut(nil), nil
	}
	frames := p.Frames
	if it.MediaType == media.TypeVideo {
		frames = media.SpreadFrames(frames, MaxVideoFrames)
	}
	var units []store.TextUnit
	for _, f := range frames {
		words, err := a.eng.Read(ctx, f.Image)
		if err != nil {
			return nil, fmt.Errorf("ocr frame: %w", err)
		}
		for _, u := range Units(words) {
			u.Page, u.AtMS = f.Page, f.At.Milliseconds()
			units = append(units, u)
		}
	}
	// Frames read before a damaged part still give their words.
	return textOut(units), nil
}

// textOut saves a picture's words (none clears what an older reading left).
type textOut []store.TextUnit

func (o textOut) Save(ctx context.Context, tx *store.Tx, entryID int64) error {
	return tx.ReplaceText(ctx, entryID, Source, o)
}
