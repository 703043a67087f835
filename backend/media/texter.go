package media

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// TextUnit is one unit of a file's text as its decoder reads it: a block
// of a text file's lines, a PDF's page, an EPUB chapter, a paragraph of a
// document.
type TextUnit struct {
	Source string // "body", "pdf", "epub", "office"
	Page   int    // 1-based page, slide or chapter; 0 when the file has none
	Line   int    // 1-based first line (text) or paragraph (documents); 0 when not known
	Text   string
}

// Texter is a Decoder of a kind that has words to search (text and code,
// PDF, EPUB, office documents and spreadsheets): Text yields them unit by unit, in order,
// until yield returns an error.
type Texter interface {
	Text(ctx context.Context, src *Source, lim Limits, yield func(TextUnit) error) error
}

// TextSources are the sources Texters write: the text a file's content
// gives, which a new reading of the file replaces as a whole.
var TextSources = []string{"body", "pdf", "epub", "office"}

const (
	// MaxTextBytes caps the text kept of one file: a long book's worth.
	// Past it the rest is left out, and the file is still searchable by
	// what came first.
	MaxTextBytes = 2 << 20
	// maxTextPages caps the pages (slides, chapters) read of one file.
	maxTextPages = 2000
	// textUnitBytes: a text file's lines are kept in blocks of about
	// this much, each a unit (a hit says its first line).
	textUnitBytes = 2 << 10
)

// errTextFull stops a Texter once MaxTextBytes are kept.
var errTextFull = errors.New("text cap reached")

// Text reads the file's words through its kind's decoder, under
// Limits.MaxDecodeTime, at most MaxTextBytes of them (the units past the
// cap are dropped, the one that crosses it cut). A kind with no words
// returns ErrUnsupported.
func (s *Source) Text(ctx context.Context, lim Limits, yield func(TextUnit) error) error {
	d, _, err := s.decoder(ctx, lim)
	if err != nil {
		return err
	}
	t, ok := d.(Texter)
	if !ok {
		return fmt.Errorf("text: %w: %s files have no text to read", ErrUnsupported, d.Kind())
	}
	lim = lim.withDefaults()
	ctx, cancel := withDeadline(ctx, lim)
	defer cancel()
	left := MaxTextBytes
	err = t.Text(ctx, s, lim, func(u TextUnit) error {
		u.Text = strings.TrimSpace(strings.ToValidUTF8(u.Text, ""))
		if u.Text == "" {
			return nil
		}
		if len(u.Text) > left {
			u.Text = cutUTF8(u.Text, left)
		}
		left -= len(u.Text)
		if err := yield(u); err != nil {
			return err
		}
		if left <= 0 {
			return errTextFull
		}
		return nil
	})
	if errors.Is(err, errTextFull) {
		return nil
	}
	if err != nil && ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("text: %w: read for longer than %s", ErrCorrupt, lim.MaxDecodeTime)
	}
	return err
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Text yields a text file's lines in blocks of about textUnitBytes, each
// with its first line's number, decoded from the encoding its facts found.
func (textDecoder) Text(ctx context.Context, src *Source, lim Limits, yield func(TextUnit) error) error {
	f, err := src.Facts(ctx, lim)
	if err != nil {
		return err
	}
	r, size, err := src.sourceReaderAt()
	if err != nil {
		return fmt.Errorf("text: %w", err)
	}
	// Twice the cap: UTF-16 takes two bytes for what UTF-8 writes in one.
	head := make([]byte, min(size, 2*MaxTextBytes))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return fmt.Errorf("text: %w", err)
	}
	s := strings.ReplaceAll(decodeText(head, f.Encoding), "\r\n", "\n")
	var b strings.Builder
	first, line := 1, 1
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		err := yield(TextUnit{Source: "body", Line: first, Text: b.String()})
		b.Reset()
		return err
	}
	for s != "" {
		if err := ctx.Err(); err != nil {
			return err
		}
		l, rest, _ := strings.Cut(s, "\n")
		s = rest
		if b.Len() == 0 {
			first = line
		}
		b.WriteString(l)
		b.WriteByte('\n')
		line++
		if b.Len() >= textUnitBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// Text yields each page's text layer (a scanned page has none), page by
// page in one PDFium instance.
func (pdfDecoder) Text(ctx context.Context, src *Source, lim Limits, yield func(TextUnit) error) error {
	return withPDF(ctx, src, lim, 0, func(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT) error {
		n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc})
		if err != nil {
			return fmt.Errorf("%w: page count: %v", ErrCorrupt, err)
		}
		for i := 0; i < min(n.PageCount, maxTextPages); i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			t, err := inst.GetPageText(&requests.GetPageText{Page: requests.Page{ByIndex: &requests.PageByIndex{Document: doc, Index: i}}})
			if err != nil {
				continue // one damaged page: the others still have their words
			}
			if err := yield(TextUnit{Source: "pdf", Page: i + 1, Text: t.Text}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Text yields an e-book's chapters, a document's paragraphs and a
// spreadsheet's rows, read from the XML inside the zip as a stream.
func (containerDecoder) Text(ctx context.Context, src *Source, lim Limits, yield func(TextUnit) error) error {
	a, format, err := src.container(ctx, lim)
	if a == nil {
		return err
	}
	switch format {
	case "docx":
		return memberText(ctx, a, "word/document.xml", lim, wordXML, 0, "office", yield)
	case "pptx":
		for i := 1; i <= maxTextPages; i++ {
			name := fmt.Sprintf("ppt/slides/slide%d.xml", i)
			if a.find(name) == nil {
				break
			}
			if err := memberText(ctx, a, name, lim, slideXML, i, "office", yield); err != nil {
				return err
			}
		}
		return nil
	case "xlsx":
		return xlsxText(ctx, a, lim, yield)
	case "ods":
		return odsText(ctx, a, lim, yield)
	case "odt", "odp":
		return memberText(ctx, a, "content.xml", lim, odfXML, 0, "office", yield)
	case "epub":
		return epubText(ctx, a, lim, yield)
	}
	return fmt.Errorf("%s: %w: no text read from this format", format, ErrUnsupported)
}

// memberText streams one XML member's text through xmlText.
func memberText(ctx context.Context, a *archive, name string, lim Limits, spec xmlSpec, page int, source string, yield func(TextUnit) error) error {
	r, closeMember, err := streamMember(ctx, a, name, lim)
	if err != nil {
		return err
	}
	defer closeMember()
	return xmlText(r, spec, func(pg, para int, text string) error {
		if page > 0 {
			pg = page
		}
		return yield(TextUnit{Source: source, Page: pg, Line: para, Text: text})
	})
}

// epubText yields the chapters in the spine's order, the chapter's
// place in it as its page.
func epubText(ctx context.Context, a *archive, lim Limits, yield func(TextUnit) error) error {
	p, opf, err := epubOPF(ctx, a, lim)
	if err != nil {
		return err
	}
	hrefs := map[string]string{}
	for _, it := range p.Items {
		hrefs[it.ID] = it.Href
	}
	for i, ref := range p.Spine {
		if i == maxTextPages {
			break
		}
		href, ok := hrefs[ref.IDRef]
		if !ok {
			continue
		}
		name := epubHref(opf, href)
		err := memberText(ctx, a, name, lim, xhtmlXML, i+1, "epub", yield)
		if err != nil && !errors.Is(err, errNoMember) {
			return err
		}
	}
	return nil
}

// xmlSpec says how an XML vocabulary lays out its text: the elements
// whose text is kept (none listed: all), the elements that end a
// paragraph, those that start a page, and those whose text is no
// reading (scripts, styles).
type xmlSpec struct {
	text  map[string]bool
	para  map[string]bool
	page  map[string]bool
	skip  map[string]bool
	space map[string]bool // elements that stand for a space or a tab
	html  bool            // HTML's named entities (&nbsp;) are known
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

var (
	// WordprocessingML: w:t runs in w:p paragraphs; w:tab, w:br.
	wordXML = xmlSpec{text: set("t"), para: set("p"), space: set("tab", "br", "cr")}
	// PresentationML: a:t runs in a:p paragraphs.
	slideXML = xmlSpec{text: set("t"), para: set("p"), space: set("br")}
	// ODF: text:p and text:h paragraphs; an ODP's slides are draw:page.
	odfXML = xmlSpec{para: set("p", "h"), page: set("page"), skip: set("annotation", "tracked-changes"),
		space: set("s", "tab", "line-break")}
	// XHTML chapters.
	xhtmlXML = xmlSpec{para: set("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "br", "blockquote", "pre", "dd", "dt"),
		skip: set("script", "style", "head"), html: true}
)

// maxParaBytes: a paragraph longer than this is kept as several units.
const maxParaBytes = 8 << 10

// xmlText streams an XML document's character data and yields it one
// paragraph at a time, with its page (1-based, 0 when the vocabulary has
// none) and its paragraph number. The decoder is Go's: no DTD is read and
// no entity is expanded beyond XML's own (and HTML's named ones when the
// spec says), so a hostile file cannot make it grow; nor can nesting
// (maxXMLDepth).
func xmlText(r io.Reader, spec xmlSpec, yield func(page, para int, text string) error) error {
	x := newXMLStream(r)
	d := x.d
	if spec.html {
		d.Entity = xml.HTMLEntity
		d.AutoClose = xml.HTMLAutoClose
	}
	var b strings.Builder
	page, para, depthText, depthSkip := 0, 0, 0, 0
	emit := func() error {
		t := strings.Join(strings.Fields(b.String()), " ")
		b.Reset()
		if t == "" {
			return nil
		}
		para++
		return yield(page, para, t)
	}
	for {
		tok, err := x.token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if e := emit(); e != nil {
				return e
			}
			if errors.Is(err, errXMLDepth) || errors.Is(err, errXMLToken) {
				return err
			}
			return fmt.Errorf("%w: xml: %v", ErrCorrupt, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := t.Name.Local
			switch {
			case spec.skip[n]:
				depthSkip++
			case spec.page[n]:
				if err := emit(); err != nil {
					return err
				}
				page++
			case spec.text[n]:
				depthText++
			case spec.space[n]:
				b.WriteByte(' ')
			}
		case xml.EndElement:
			n := t.Name.Local
			switch {
			case spec.skip[n]:
				depthSkip = max(depthSkip-1, 0)
			case spec.text[n]:
				depthText = max(depthText-1, 0)
			}
			if spec.para[n] {
				if err := emit(); err != nil {
					return err
				}
			}
		case xml.CharData:
			if depthSkip > 0 || (spec.text != nil && depthText == 0) {
				continue
			}
			b.Write(t)
			if b.Len() > maxParaBytes {
				if err := emit(); err != nil {
					return err
				}
			}
		}
	}
	return emit()
}
