package ocr

import (
	"context"
	"errors"
	"fmt"
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
// scans, photos); documents have their own text and videos their frames.
func (a *Analyzer) Applies(mediaType, rel string) bool { return media.IsStill(mediaType) }

// Need implements analysis.Analyzer.
func (a *Analyzer) Need() analysis.Need { return analysis.Need{Long: AnalyzeLong} }

// Analyze implements analysis.Analyzer.
func (a *Analyzer) Analyze(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
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

// textOut saves a picture's words (none clears what an older reading left).
type textOut []store.TextUnit

func (o textOut) Save(ctx context.Context, tx *store.Tx, entryID int64) error {
	return tx.ReplaceText(ctx, entryID, Source, o)
}
