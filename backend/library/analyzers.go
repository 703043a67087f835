package library

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// Analyzer versions (see package analysis): bump one when what it makes
// changes, and every library makes it again. Migration 5 back-fills rows
// with these values.
const (
	MetadataVersion  = "m1"
	thumbnailVersion = "t1"
)

// ThumbnailVersion is the thumbnail analyzer's version at a size.
func ThumbnailVersion(size int) string { return fmt.Sprintf("%s:%d", thumbnailVersion, size) }

// claimsImage: a picture by content, or by a name that says it is one
// (when its content is not, that is an error worth reporting).
func claimsImage(mediaType, rel string) bool {
	return mediaType == media.TypeImage || imageExts[strings.ToLower(path.Ext(rel))]
}

// pictureLike entries get headers and thumbnails read: pictures and RAW
// files (a RAW we cannot read is still a file worth tagging).
func pictureLike(mediaType, rel string) bool {
	return claimsImage(mediaType, rel) || mediaType == media.TypeRaw
}

// metadataAnalyzer reads a picture's headers (size, orientation, EXIF)
// into its entry.
type metadataAnalyzer struct{}

func (metadataAnalyzer) Name() string                       { return "metadata" }
func (metadataAnalyzer) Version() string                    { return MetadataVersion }
func (metadataAnalyzer) Applies(mediaType, rel string) bool { return pictureLike(mediaType, rel) }
func (metadataAnalyzer) Need() analysis.Need                { return analysis.Need{} }

func (metadataAnalyzer) Analyze(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
	if p.InfoErr != nil {
		if claimsImage(it.MediaType, it.Rel) {
			return nil, analysis.Reject(p.InfoErr)
		}
		return nil, nil // unreadable RAW: indexed with what its name says
	}
	e := store.Entry{MediaType: it.MediaType, Orientation: 1}
	if si, ok := it.Source.(*scanItem); ok && si.full {
		e.Format = si.entry.Format
	}
	applyInfo(&e, p.Info)
	return metadataOut{e}, nil
}

type metadataOut struct{ e store.Entry }

func (o metadataOut) Save(ctx context.Context, tx *store.Tx, id int64) error {
	o.e.ID = id
	return store.SetEntryInfo(ctx, tx, &o.e)
}

// thumbnailAnalyzer writes a JPEG thumbnail, named after the content, from
// the decoded picture.
type thumbnailAnalyzer struct {
	dir  string
	size int
}

func (t *thumbnailAnalyzer) Name() string                       { return "thumbnail" }
func (t *thumbnailAnalyzer) Version() string                    { return ThumbnailVersion(t.size) }
func (t *thumbnailAnalyzer) Applies(mediaType, rel string) bool { return pictureLike(mediaType, rel) }
func (t *thumbnailAnalyzer) Need() analysis.Need                { return analysis.Need{Long: t.size} }

// thumbRel is where the thumbnail of a content at a size lives, relative
// to the thumbnail folder.
func thumbRel(fp string, size int) string {
	key := strings.ReplaceAll(fp, ":", "")
	return fmt.Sprintf("%s/%s-%d.jpg", key[len(key)-2:], key, size)
}

func (t *thumbnailAnalyzer) Analyze(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
	err := p.DecodeErr
	if p.Image != nil {
		rel := thumbRel(it.Fingerprint, t.size)
		err = media.ThumbnailFrom(ctx, p.Image, filepath.Join(t.dir, filepath.FromSlash(rel)), t.size)
		if err == nil {
			return thumbOut(rel), nil
		}
	}
	if claimsImage(it.MediaType, it.Rel) && !errors.Is(err, media.ErrUnsupported) {
		return nil, analysis.Reject(err)
	}
	// Known format without a decoder here (HEIC, RAW): indexed, no thumbnail.
	return thumbOut(""), analysis.Unsupported(err)
}

type thumbOut string

func (o thumbOut) Save(ctx context.Context, tx *store.Tx, id int64) error {
	return store.SetThumb(ctx, tx, id, string(o))
}
