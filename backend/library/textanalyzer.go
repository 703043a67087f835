package library

import (
	"context"
	"errors"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// TextVersion is the text analyzer's version: bump it when an extractor
// reads more or differently (a new format, a better reader), and every
// document's words are read again.
const TextVersion = "x1"

// textAnalyzer keeps a document's words (media.Texter: text and code,
// PDF text layers, EPUB chapters, office documents) in the library's text
// index, read through the file's one open by the pipeline (Need.Text).
type textAnalyzer struct{}

func (textAnalyzer) Name() string    { return "text" }
func (textAnalyzer) Version() string { return TextVersion }
func (textAnalyzer) Applies(mediaType, rel string) bool {
	return mediaType == media.TypeDocument
}
func (textAnalyzer) Need() analysis.Need { return analysis.Need{Text: true} }

func (textAnalyzer) Analyze(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
	if p.InfoErr != nil {
		return nil, p.InfoErr
	}
	if errors.Is(p.TextErr, media.ErrUnsupported) {
		// A kind without words (a spreadsheet): none kept, nothing wrong.
		return textOut(nil), analysis.Unsupported(p.TextErr)
	}
	// What was read before a failure is kept, and the failure reported.
	return textOut(p.Text), p.TextErr
}

// textOut is a file's words, replacing every source a file's content
// gives (a file that changed kind loses the words of the old one).
type textOut []media.TextUnit

// PendingBytes implements analysis.Sized: a file's words may be megabytes.
func (o textOut) PendingBytes() int {
	n := 0
	for _, u := range o {
		n += len(u.Text)
	}
	return n
}

func (o textOut) Save(ctx context.Context, tx *store.Tx, id int64) error {
	by := map[string][]store.TextUnit{}
	for _, u := range o {
		by[u.Source] = append(by[u.Source], store.TextUnit{Source: u.Source, Page: u.Page, Line: u.Line, Text: u.Text})
	}
	for _, src := range media.TextSources {
		if err := tx.ReplaceText(ctx, id, src, by[src]); err != nil {
			return err
		}
	}
	return nil
}

// xmpText is what of an XMP packet search reads as words: its title and
// description.
func xmpText(x *media.XMP) []store.TextUnit {
	if x == nil {
		return nil
	}
	var out []store.TextUnit
	for _, t := range []string{x.Title, x.Description} {
		if t != "" {
			out = append(out, store.TextUnit{Source: "xmp", Text: t})
		}
	}
	return out
}
