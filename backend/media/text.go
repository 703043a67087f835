package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/tagsight/tagsight/backend/facts"
)

// textDecoder reads plain text, code, markdown, CSV, JSON and logs: facts
// lines and encoding; the poster is the first lines drawn with syntax
// colours, as an editor would show them.
type textDecoder struct{}

func (textDecoder) Kind() string { return "text" }
func (textDecoder) Applies(mediaType, format string) bool {
	return mediaType == TypeDocument && (format == "" || textFormats[format])
}

// textFormats are the document formats that are text to read as it is.
var textFormats = map[string]bool{"txt": true, "md": true, "csv": true, "json": true, "log": true,
	"xml": true, "html": true, "code": true}

const (
	// textPosterRead: the poster is drawn from the file's first bytes only.
	textPosterRead = 64 << 10
	// textPosterLines, textPosterCols: what of those a tile can show.
	textPosterLines = 40
	textPosterCols  = 120
	// textChunk: the whole file is read for its facts this much at a time,
	// the context and deadline looked at between chunks.
	textChunk = 1 << 20
)

// Encodings a text is told apart by.
const (
	EncUTF8    = "UTF-8"
	EncUTF16LE = "UTF-16LE"
	EncUTF16BE = "UTF-16BE"
	EncLatin1  = "Latin-1"
)

func (textDecoder) Facts(ctx context.Context, src *Source, lim Limits) (facts.Facts, error) {
	r, size, err := src.sourceReaderAt()
	if err != nil {
		return facts.Facts{}, fmt.Errorf("text facts: %w", err)
	}
	if size == 0 {
		return facts.Facts{}, nil
	}
	if size > lim.MaxFileBytes {
		return facts.Facts{}, fmt.Errorf("text facts: %w: file exceeds %d bytes", ErrTooManyPixels, lim.MaxFileBytes)
	}
	lines, enc, err := scanText(ctx, io.NewSectionReader(r, 0, size), time.Now().Add(lim.MaxDecodeTime))
	if err != nil {
		return facts.Facts{}, fmt.Errorf("text facts: %w", err)
	}
	return facts.Facts{Lines: lines, Encoding: enc}, nil
}

// scanText counts a text's lines (a last line without its newline counts)
// and tells its encoding: a BOM says UTF-8 or UTF-16; else UTF-8 when every
// byte sequence is valid UTF-8, Latin-1 when not. NUL bytes outside UTF-16
// mean it is not text at all.
func scanText(ctx context.Context, r io.Reader, deadline time.Time) (lines int, enc string, err error) {
	buf := make([]byte, textChunk)
	var carry []byte // an unfinished UTF-8 sequence, or an odd UTF-16 byte
	enc = EncUTF8
	first, last := true, byte('\n')
	var lastUnit uint16 = '\n'
	valid := true
	for {
		if err := ctx.Err(); err != nil {
			return 0, "", err
		}
		if time.Now().After(deadline) {
			return 0, "", fmt.Errorf("%w: read for longer than the time allowed", ErrCorrupt)
		}
		n, rerr := io.ReadFull(r, buf)
		b := buf[:n]
		if first && n > 0 {
			first = false
			switch {
			case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
				b = b[3:]
			case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
				enc, b = EncUTF16LE, b[2:]
			case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
				enc, b = EncUTF16BE, b[2:]
			}
		}
		if enc == EncUTF16LE || enc == EncUTF16BE {
			b = append(carry, b...)
			carry = nil
			if len(b)%2 == 1 {
				carry = []byte{b[len(b)-1]}
				b = b[:len(b)-1]
			}
			for i := 0; i+1 < len(b); i += 2 {
				u := uint16(b[i]) | uint16(b[i+1])<<8
				if enc == EncUTF16BE {
					u = uint16(b[i])<<8 | uint16(b[i+1])
				}
				if u == '\n' {
					lines++
				}
				lastUnit = u
			}
		} else if len(b) > 0 {
			if bytes.IndexByte(b, 0) >= 0 {
				return 0, "", fmt.Errorf("%w: binary content, not text", ErrCorrupt)
			}
			lines += bytes.Count(b, []byte{'\n'})
			last = b[len(b)-1]
			if valid {
				v := b
				if carry != nil {
					v = append(carry, b...)
					carry = nil
				}
				// Keep a sequence cut by the chunk's end for the next one.
				if i := lastRuneStart(v); i >= 0 && !utf8.FullRune(v[i:]) {
					carry = append([]byte(nil), v[i:]...)
					v = v[:i]
				}
				valid = utf8.Valid(v)
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return 0, "", rerr
		}
	}
	if enc == EncUTF16LE || enc == EncUTF16BE {
		if lastUnit != '\n' {
			lines++
		}
		return lines, enc, nil
	}
	if !valid || len(carry) > 0 {
		enc = EncLatin1
	}
	if last != '\n' {
		lines++
	}
	return lines, enc, nil
}

// lastRuneStart is the index of the last byte that starts a UTF-8
// sequence within the last 4 bytes, -1 when none does.
func lastRuneStart(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-4; i-- {
		if utf8.RuneStart(b[i]) {
			return i
		}
	}
	return -1
}

// decodeText turns a text's first bytes into UTF-8 by its encoding; a
// sequence cut at the end is dropped.
func decodeText(b []byte, enc string) string {
	var out []byte
	switch enc {
	case EncUTF16LE, EncUTF16BE:
		e := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
		if enc == EncUTF16BE {
			e = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
		}
		out, _ = e.NewDecoder().Bytes(b[:len(b)&^1])
	case EncLatin1:
		// Latin-1 as Windows writes it: the C1 range holds €, “ ” and such.
		out, _ = charmap.Windows1252.NewDecoder().Bytes(b)
	default:
		out = bytes.TrimPrefix(b, []byte{0xef, 0xbb, 0xbf})
	}
	return strings.ToValidUTF8(string(out), "")
}

// textHead is what of a text the poster shows: its first lines, tabs
// expanded, each cut to the columns a tile shows.
func textHead(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.SplitN(s, "\n", textPosterLines+1)
	if len(lines) > textPosterLines {
		lines = lines[:textPosterLines]
	}
	for i, l := range lines {
		l = strings.ReplaceAll(l, "\t", "    ")
		if utf8.RuneCountInString(l) > textPosterCols {
			l = string([]rune(l)[:textPosterCols])
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// textStyle: a light editor theme, so a text tile reads as a page.
const textStyle = "github"

var monoFont = sync.OnceValues(func() (*opentype.Font, error) { return opentype.Parse(gomono.TTF) })

// posterSide is the side of a square poster drawn from vectors: the
// smallest from 256 to 1024 that enough accepts (512 when it says nothing).
func posterSide(enough func(w, h int) bool) int {
	if enough == nil {
		return 512
	}
	for s := 256; s < 1024; s += 64 {
		if enough(s, s) {
			return s
		}
	}
	return 1024
}

func (d textDecoder) Poster(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	f, err := src.Facts(ctx, lim)
	if err != nil {
		return nil, err
	}
	r, size, err := src.sourceReaderAt()
	if err != nil {
		return nil, fmt.Errorf("text poster: %w", err)
	}
	if size == 0 {
		return nil, fmt.Errorf("text poster: %w: %w", ErrUnsupported, ErrEmpty)
	}
	head := make([]byte, min(size, textPosterRead))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("text poster: %w", err)
	}
	side := posterSide(enough)
	release, err := reserve(ctx, rgbaBytes(side, side)+int64(len(head))*8, lim.MaxDecodeBytes, "a text's poster")
	if err != nil {
		return nil, err
	}
	defer release()
	img, err := drawText(ctx, textHead(decodeText(head, f.Encoding)), src.Path, side)
	if err != nil {
		return nil, fmt.Errorf("text poster: %w", err)
	}
	return img, nil
}

// drawText draws text on a side×side page, coloured by the lexer that
// the file's name (else its content) calls for.
func drawText(ctx context.Context, text, name string, side int) (*image.RGBA, error) {
	lexer := lexers.Match(name)
	if lexer == nil {
		lexer = lexers.Analyse(text)
	}
	if lexer == nil {
		lexer = lexers.Fallback
	}
	lexer = chroma.Coalesce(lexer)
	style := styles.Get(textStyle)
	tokens, err := lexer.Tokenise(nil, text)
	if err != nil {
		return nil, fmt.Errorf("lex: %w", err)
	}
	mono, err := monoFont()
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	size := float64(side) / 26
	face, err := opentype.NewFace(mono, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	defer face.Close()
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	bg := color.RGBA{0xff, 0xff, 0xff, 0xff}
	if b := style.Get(chroma.Background).Background; b.IsSet() {
		bg = color.RGBA{b.Red(), b.Green(), b.Blue(), 0xff}
	}
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	margin := fixed.I(side / 32)
	lineH := fixed.Int26_6(float64(face.Metrics().Height) * 1.15)
	dr := &font.Drawer{Dst: img, Face: face}
	dr.Dot = fixed.Point26_6{X: margin, Y: margin + face.Metrics().Ascent}
	bottom := fixed.I(side)
	for tok := tokens(); tok != chroma.EOF; tok = tokens() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e := style.Get(tok.Type)
		c := color.RGBA{0x24, 0x29, 0x2e, 0xff}
		if e.Colour.IsSet() {
			c = color.RGBA{e.Colour.Red(), e.Colour.Green(), e.Colour.Blue(), 0xff}
		}
		dr.Src = image.NewUniform(c)
		for i, part := range strings.Split(tok.Value, "\n") {
			if i > 0 {
				dr.Dot = fixed.Point26_6{X: margin, Y: dr.Dot.Y + lineH}
			}
			if dr.Dot.Y-face.Metrics().Ascent > bottom {
				return img, nil
			}
			if dr.Dot.X < bottom {
				dr.DrawString(part)
			}
		}
	}
	return img, nil
}
