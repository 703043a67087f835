package library

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/facts"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// Analyzer versions (see package analysis): bump one when what it makes
// changes, and every library makes it again. Migration 5 back-fills rows
// with m1 and t1; m2 reads XMP; m3 puts its title and description into
// the text index (a library read at m2 reads them again).
const (
	MetadataVersion  = "m3"
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

// posterLike entries get a thumbnail (and facts): pictures, and every
// kind whose decoder gives a poster (a video's frame).
func posterLike(mediaType, rel string) bool {
	return pictureLike(mediaType, rel) || media.HasPoster(mediaType)
}

// metadataAnalyzer reads a file's headers (size, orientation, EXIF), its
// kind's facts (a video's duration, codec, date, place, camera) and its
// XMP (embedded, and its .xmp sidecar) into its entry: keywords become
// tags, rating, title and description fields, and the XMP's date the date
// taken when EXIF has none.
type metadataAnalyzer struct {
	// sidecars maps a picture's path to its .xmp sidecar, as the scan's
	// walk found it; read-only once the analysis runs.
	sidecars map[string]walkItem
}

func (metadataAnalyzer) Name() string                       { return "metadata" }
func (metadataAnalyzer) Version() string                    { return MetadataVersion }
func (metadataAnalyzer) Applies(mediaType, rel string) bool { return posterLike(mediaType, rel) }
func (metadataAnalyzer) Need() analysis.Need                { return analysis.Need{Facts: true} }

// ItemVersion adds the sidecar's size and mtime to the version: a sidecar
// that appears, changes or goes makes the picture's metadata be read again.
func (m metadataAnalyzer) ItemVersion(rel string) string {
	if sc, ok := m.sidecars[rel]; ok {
		return fmt.Sprintf("%s+xmp:%d:%d", MetadataVersion, sc.size, sc.mtimeNs)
	}
	return MetadataVersion
}

func (m metadataAnalyzer) Analyze(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
	out := metadataOut{}
	var xmpErr error
	if sc, ok := m.sidecars[it.Rel]; ok {
		x, err := media.ReadXMPFile(sc.abs)
		if err != nil {
			xmpErr = fmt.Errorf("sidecar %s: %w", sc.rel, unwrapPathError(err))
		}
		out.xmp = x
	}
	if p.InfoErr != nil {
		if claimsImage(it.MediaType, it.Rel) {
			return nil, analysis.Reject(p.InfoErr)
		}
		// Unreadable RAW: indexed with what its name says, tagged from
		// its sidecar.
		out.skipXMP = xmpErr != nil
		return out, xmpErr
	}
	e := store.Entry{MediaType: it.MediaType, Orientation: 1}
	if si, ok := it.Source.(*scanItem); ok && si.full {
		e.Format = si.entry.Format
	}
	applyInfo(&e, p.Info)
	applyFacts(&e, p.Facts)
	out.facts = p.Facts
	out.xmp = out.xmp.Merge(p.Info.XMP)
	if e.Taken == "" && out.xmp != nil {
		e.Taken = out.xmp.Taken
	}
	out.e = &e
	// A sidecar that cannot be read leaves the entry's tags as they were.
	out.skipXMP = xmpErr != nil
	if p.FactsErr != nil {
		// What the facts reader got is kept; the file is reported (a
		// damaged video, or no ffprobe: then read again next time).
		return out, p.FactsErr
	}
	return out, xmpErr
}

// applyFacts fills what the entry's own columns hold of a kind's facts
// (those of a picture are its EXIF, already there).
func applyFacts(e *store.Entry, f facts.Facts) {
	if e.Width == 0 && e.Height == 0 {
		e.Width, e.Height = f.Width, f.Height // as displayed: orientation 1
	}
	if e.Taken == "" {
		e.Taken = f.Created
	}
	if e.Make == "" && e.Model == "" {
		e.Make, e.Model = f.Make, f.Model
	}
	if e.Lat == nil && f.Lat != nil && f.Lon != nil {
		e.Lat, e.Lon = f.Lat, f.Lon
	}
}

type metadataOut struct {
	e       *store.Entry // nil: the headers were not read
	facts   facts.Facts
	xmp     *media.XMP // nil: no XMP
	skipXMP bool
}

func (o metadataOut) Save(ctx context.Context, tx *store.Tx, id int64) error {
	if o.e != nil {
		o.e.ID = id
		if err := store.SetEntryInfo(ctx, tx, o.e); err != nil {
			return err
		}
		if err := store.SetFacts(ctx, tx, id, o.facts); err != nil {
			return err
		}
	}
	if o.skipXMP {
		return nil
	}
	now := time.Now().Unix()
	// No XMP at all still runs: it takes off the tags an XMP gave before.
	if err := store.ApplyXMPTags(ctx, tx, id, o.xmp.Keywords(), now); err != nil {
		return fmt.Errorf("xmp tags: %w", err)
	}
	// Its title and description are searchable words (text:, and plain
	// search's text hits).
	if err := tx.ReplaceText(ctx, id, "xmp", xmpText(o.xmp)); err != nil {
		return fmt.Errorf("xmp text: %w", err)
	}
	if o.xmp == nil {
		return nil
	}
	var fields []store.Field
	if o.xmp.HasRating {
		fields = append(fields, store.Field{Name: "rating", Kind: "text", Value: strconv.Itoa(o.xmp.Rating)})
	}
	if o.xmp.Title != "" {
		fields = append(fields, store.Field{Name: "title", Kind: "text", Value: o.xmp.Title})
	}
	if o.xmp.Description != "" {
		fields = append(fields, store.Field{Name: "description", Kind: "text", Value: o.xmp.Description})
	}
	for _, f := range fields {
		if err := store.SetEntryFieldTx(ctx, tx, id, f); err != nil {
			return err
		}
	}
	return nil
}

// thumbnailAnalyzer writes a JPEG thumbnail, named after the content, from
// the decoded picture or another kind's poster, where the library's
// derived files go.
type thumbnailAnalyzer struct {
	files *Derived
	size  int
}

func (t *thumbnailAnalyzer) Name() string                       { return "thumbnail" }
func (t *thumbnailAnalyzer) Version() string                    { return ThumbnailVersion(t.size) }
func (t *thumbnailAnalyzer) Applies(mediaType, rel string) bool { return posterLike(mediaType, rel) }
func (t *thumbnailAnalyzer) Need() analysis.Need                { return analysis.Need{Long: t.size} }

func (t *thumbnailAnalyzer) Analyze(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
	err := p.DecodeErr
	if p.Image != nil {
		var data []byte
		if data, err = media.EncodeThumbnail(ctx, p.Image, t.size); err == nil {
			var rel string
			if rel, err = t.files.Put(Thumbs, it.Fingerprint, t.size, data); err == nil {
				return thumbOut(rel), nil
			}
		}
	}
	if claimsImage(it.MediaType, it.Rel) && !errors.Is(err, media.ErrUnsupported) {
		return nil, analysis.Reject(err)
	}
	if !pictureLike(it.MediaType, it.Rel) && err != nil && !errors.Is(err, media.ErrUnsupported) && !errors.Is(err, media.ErrMissingTool) {
		// A video that does not decode: indexed, no thumbnail, reported.
		return thumbOut(""), err
	}
	// Known format without a decoder here (HEIC, RAW): indexed, no thumbnail.
	return thumbOut(""), analysis.Unsupported(err)
}

type thumbOut string

func (o thumbOut) Save(ctx context.Context, tx *store.Tx, id int64) error {
	return store.SetThumb(ctx, tx, id, string(o))
}
