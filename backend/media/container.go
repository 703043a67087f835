package media

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/tagsight/tagsight/backend/facts"
)

// containerDecoder reads files that hold other files: archives (zip, tar,
// tar.gz, 7z, rar), e-books and comics (EPUB, CBZ/CBR/CB7 with
// ComicInfo.xml) and documents that are zips carrying their own thumbnail
// (OOXML, ODF, iWork, Krita, OpenRaster). The poster is the picture the
// format names (an EPUB's cover, a comic's front cover, a document's
// thumbnail), else the first picture inside, decoded by the picture
// decoder under the memory budget. Nothing is extracted to disk.
type containerDecoder struct{}

// containerFormats are the document formats read as containers, with the
// archive format underneath.
var containerFormats = map[string]string{
	"epub": "zip", "cbz": "zip", "cbr": "rar", "cb7": "7z",
	"docx": "zip", "xlsx": "zip", "pptx": "zip", "odt": "zip", "ods": "zip", "odp": "zip", "odg": "zip",
	"key": "zip", "pages": "zip", "numbers": "zip", "kra": "zip", "ora": "zip",
}

// documentThumbs are where each document format keeps its thumbnail, in
// the order tried.
var documentThumbs = map[string][]string{
	"docx": {"docProps/thumbnail.jpeg", "docProps/thumbnail.jpg", "docProps/thumbnail.png"},
	"odt":  {"Thumbnails/thumbnail.png"},
	// iWork '09 and later: QuickLook/Thumbnail.jpg; 2013 and later: preview.jpg.
	"key": {"QuickLook/Thumbnail.jpg", "preview.jpg", "QuickLook/Preview.jpg", "preview-web.jpg"},
	"kra": {"mergedimage.png", "preview.png"},
	"ora": {"mergedimage.png", "Thumbnails/thumbnail.png"},
}

func init() {
	for _, f := range []string{"xlsx", "pptx"} {
		documentThumbs[f] = documentThumbs["docx"]
	}
	for _, f := range []string{"ods", "odp", "odg"} {
		documentThumbs[f] = documentThumbs["odt"]
	}
	for _, f := range []string{"pages", "numbers"} {
		documentThumbs[f] = documentThumbs["key"]
	}
}

func (containerDecoder) Kind() string { return "container" }
func (containerDecoder) Applies(mediaType, format string) bool {
	switch mediaType {
	case TypeArchive:
		return true
	case TypeDocument:
		_, ok := containerFormats[format]
		return ok || format == ""
	}
	return false
}

// archiveFormat is the archive format underneath a container format.
func archiveFormat(format string) string {
	if a, ok := containerFormats[format]; ok {
		return a
	}
	return format
}

// withDeadline bounds a decoder that runs in this process by
// Limits.MaxDecodeTime, as a child process is.
func withDeadline(ctx context.Context, lim Limits) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, lim.withDefaults().MaxDecodeTime)
}

func (s *Source) container(ctx context.Context, lim Limits) (*archive, string, error) {
	info, err := s.Probe(ctx, lim)
	if err != nil {
		return nil, "", err
	}
	if s.arc == nil && s.arcErr == nil {
		s.arc, s.arcErr = openArchive(ctx, s, archiveFormat(info.Format), lim)
	}
	if s.arc != nil {
		s.arc.ctx = ctx // a member read later walks the stream under the caller's deadline
	}
	return s.arc, info.Format, s.arcErr
}

func (containerDecoder) Facts(ctx context.Context, src *Source, lim Limits) (facts.Facts, error) {
	ctx, cancel := withDeadline(ctx, lim)
	defer cancel()
	a, format, err := src.container(ctx, lim)
	if a == nil {
		return facts.Facts{}, err
	}
	f := facts.Facts{Entries: len(a.members), Unpacked: a.unpacked}
	var ferr error
	switch format {
	case "epub":
		ferr = epubFacts(ctx, a, lim, &f)
	case "cbz", "cbr", "cb7":
		f.Pages = len(a.pictures())
		ferr = comicFacts(ctx, a, lim, &f)
	case "docx", "xlsx", "pptx":
		ferr = ooxmlFacts(ctx, a, lim, &f)
	case "odt", "ods", "odp", "odg":
		ferr = odfFacts(ctx, a, lim, &f)
	}
	if _, doc := documentThumbs[format]; doc || format == "epub" {
		// A document's parts are not what its reader cares for.
		f.Entries, f.Unpacked = 0, 0
	}
	if err == nil {
		err = ferr
	}
	return f, err
}

func (containerDecoder) Poster(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	ctx, cancel := withDeadline(ctx, lim)
	defer cancel()
	a, format, err := src.container(ctx, lim)
	if a == nil {
		return nil, err
	}
	var named []string // the members the format names as its picture
	switch format {
	case "epub":
		named = epubCover(ctx, a, lim)
	case "cbz", "cbr", "cb7":
		if m := comicCover(ctx, a, lim); m != nil {
			named = []string{m.Name}
		}
	default:
		named = documentThumbs[format]
	}
	var tried []*member
	for _, n := range named {
		if m := a.find(n); m != nil {
			tried = append(tried, m)
		}
	}
	if _, doc := documentThumbs[format]; !doc {
		tried = append(tried, a.pictures()...)
	}
	if len(tried) == 0 {
		if err == nil {
			err = fmt.Errorf("%s: %w: no picture inside", format, ErrUnsupported)
		}
		return nil, err
	}
	// A damaged first picture: the next stands in, a few at most.
	var first error
	for i, m := range tried {
		if i == 3 {
			break
		}
		img, err := decodeMember(ctx, *m, lim, enough)
		if err == nil {
			return img, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil || errors.Is(err, ErrTooManyPixels) {
			break
		}
	}
	return nil, fmt.Errorf("%s poster: %w", format, first)
}

// decodeMember decodes a picture inside a container with the picture
// decoder (its own header checks and budget), its bytes held meanwhile.
func decodeMember(ctx context.Context, m member, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	data, release, err := readMember(ctx, m, lim, lim.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	defer release()
	inner := NewSource(path.Base(cleanMemberName(m.Name)), data)
	img, _, err := inner.DecodeOriented(ctx, lim, enough)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.Name, err)
	}
	return img, nil
}

// readXML reads a small XML member into v.
func readXML(ctx context.Context, a *archive, name string, lim Limits, v any) error {
	m := a.find(name)
	if m == nil {
		return fmt.Errorf("%s: %w", name, errNoMember)
	}
	data, release, err := readMember(ctx, *m, lim, maxXMLMember)
	if err != nil {
		return err
	}
	defer release()
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%s: %w: %v", name, ErrCorrupt, err)
	}
	return nil
}

// errNoMember: a part the file should have is not there (damaged, when
// the format needs it).
var errNoMember = fmt.Errorf("%w: a part is missing", ErrCorrupt)

// optional drops the error of a part a file need not have.
func optional(err error) error {
	if errors.Is(err, errNoMember) {
		return nil
	}
	return err
}

// EPUB: META-INF/container.xml names the OPF package, whose metadata
// has the title and creator and whose manifest marks the cover
// (EPUB 3 properties="cover-image", EPUB 2 <meta name="cover">).
type epubContainer struct {
	Rootfiles []struct {
		FullPath string `xml:"full-path,attr"`
	} `xml:"rootfiles>rootfile"`
}

type epubPackage struct {
	Titles   []string `xml:"metadata>title"`
	Creators []string `xml:"metadata>creator"`
	Date     string   `xml:"metadata>date"`
	Metas    []struct {
		Name    string `xml:"name,attr"`
		Content string `xml:"content,attr"`
	} `xml:"metadata>meta"`
	Items []struct {
		ID         string `xml:"id,attr"`
		Href       string `xml:"href,attr"`
		MediaType  string `xml:"media-type,attr"`
		Properties string `xml:"properties,attr"`
	} `xml:"manifest>item"`
	Spine []struct {
		IDRef string `xml:"idref,attr"`
	} `xml:"spine>itemref"`
}

func epubOPF(ctx context.Context, a *archive, lim Limits) (*epubPackage, string, error) {
	var c epubContainer
	if err := readXML(ctx, a, "META-INF/container.xml", lim, &c); err != nil {
		return nil, "", fmt.Errorf("epub: %w", err)
	}
	if len(c.Rootfiles) == 0 {
		return nil, "", fmt.Errorf("epub: %w: no package named", ErrCorrupt)
	}
	opf := cleanMemberName(c.Rootfiles[0].FullPath)
	var p epubPackage
	if err := readXML(ctx, a, opf, lim, &p); err != nil {
		return nil, "", fmt.Errorf("epub: %w", err)
	}
	return &p, opf, nil
}

func epubFacts(ctx context.Context, a *archive, lim Limits, f *facts.Facts) error {
	p, _, err := epubOPF(ctx, a, lim)
	if err != nil {
		return err
	}
	if len(p.Titles) > 0 {
		f.Title = strings.TrimSpace(p.Titles[0])
	}
	if len(p.Creators) > 0 {
		f.Author = strings.TrimSpace(p.Creators[0])
	}
	if y, err := strconv.Atoi(firstN(strings.TrimSpace(p.Date), 4)); err == nil && y > 0 {
		f.Year = y
	}
	return nil
}

func firstN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// epubCover names the cover picture(s) the package declares.
func epubCover(ctx context.Context, a *archive, lim Limits) []string {
	p, opf, err := epubOPF(ctx, a, lim)
	if err != nil {
		return nil
	}
	href := func(h string) string { return epubHref(opf, h) }
	var out []string
	for _, it := range p.Items {
		if strings.Contains(" "+it.Properties+" ", " cover-image ") {
			out = append(out, href(it.Href))
		}
	}
	for _, m := range p.Metas {
		if strings.EqualFold(m.Name, "cover") {
			for _, it := range p.Items {
				if it.ID == m.Content {
					out = append(out, href(it.Href))
				}
			}
		}
	}
	return out
}

// epubHref is the member an href of the OPF package at opf names.
func epubHref(opf, h string) string {
	if i := strings.IndexByte(h, '#'); i >= 0 {
		h = h[:i] // a place in the chapter
	}
	if u, err := url.PathUnescape(h); err == nil {
		h = u
	}
	return path.Join(path.Dir(opf), h)
}

// comicInfo is ComicRack's ComicInfo.xml, the parts read.
type comicInfo struct {
	Title     string
	Series    string
	Number    string
	Writer    string
	Year      int
	PageCount int
	Pages     []struct {
		Image int    `xml:"Image,attr"`
		Type  string `xml:"Type,attr"`
	} `xml:"Pages>Page"`
}

func readComicInfo(ctx context.Context, a *archive, lim Limits) (*comicInfo, error) {
	var ci comicInfo
	if err := readXML(ctx, a, "ComicInfo.xml", lim, &ci); err != nil {
		return nil, err
	}
	return &ci, nil
}

func comicFacts(ctx context.Context, a *archive, lim Limits, f *facts.Facts) error {
	ci, err := readComicInfo(ctx, a, lim)
	if err != nil {
		return optional(err)
	}
	f.Title = strings.TrimSpace(ci.Title)
	if f.Title == "" && ci.Series != "" {
		f.Title = strings.TrimSpace(strings.TrimSpace(ci.Series + " " + ci.Number))
	}
	f.Author = strings.TrimSpace(ci.Writer)
	if ci.Year > 0 && ci.Year < 10000 {
		f.Year = ci.Year
	}
	if ci.PageCount > 0 {
		f.Pages = ci.PageCount
	}
	return nil
}

// comicCover is the page ComicInfo marks FrontCover (an index into the
// pictures in reading order); nil when none is marked.
func comicCover(ctx context.Context, a *archive, lim Limits) *member {
	ci, err := readComicInfo(ctx, a, lim)
	if err != nil {
		return nil
	}
	pics := a.pictures()
	for _, p := range ci.Pages {
		if strings.EqualFold(p.Type, "FrontCover") && p.Image >= 0 && p.Image < len(pics) {
			return pics[p.Image]
		}
	}
	return nil
}

// OOXML: docProps/app.xml counts pages (Word) or slides (PowerPoint);
// docProps/core.xml has the title and creator.
func ooxmlFacts(ctx context.Context, a *archive, lim Limits, f *facts.Facts) error {
	var app struct {
		Pages  int
		Slides int
	}
	err := optional(readXML(ctx, a, "docProps/app.xml", lim, &app))
	f.Pages = max(app.Pages, app.Slides, 0)
	var core struct {
		Title   string `xml:"title"`
		Creator string `xml:"creator"`
	}
	if e := optional(readXML(ctx, a, "docProps/core.xml", lim, &core)); err == nil {
		err = e
	}
	f.Title, f.Author = strings.TrimSpace(core.Title), strings.TrimSpace(core.Creator)
	return err
}

// ODF: meta.xml's document statistics count pages (text) or objects.
func odfFacts(ctx context.Context, a *archive, lim Limits, f *facts.Facts) error {
	var meta struct {
		Title   string `xml:"meta>title"`
		Creator string `xml:"meta>creator"`
		Initial string `xml:"meta>initial-creator"`
		Stats   struct {
			Pages int `xml:"page-count,attr"`
		} `xml:"meta>document-statistic"`
	}
	err := optional(readXML(ctx, a, "meta.xml", lim, &meta))
	f.Pages = max(meta.Stats.Pages, 0)
	f.Title = strings.TrimSpace(meta.Title)
	f.Author = strings.TrimSpace(meta.Initial)
	if f.Author == "" {
		f.Author = strings.TrimSpace(meta.Creator)
	}
	return err
}
