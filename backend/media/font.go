package media

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/tagsight/tagsight/backend/facts"
)

// fontDecoder reads TrueType and OpenType fonts (and collections, whose
// first font stands for them), WOFF unwrapped to them first: facts the
// family, style and glyph count; the poster "Aa" drawn in the font.
type fontDecoder struct{}

func (fontDecoder) Kind() string                          { return "font" }
func (fontDecoder) Applies(mediaType, format string) bool { return mediaType == TypeFont }

// maxFontBytes: the largest font file read (a full CJK collection is
// about 100 MB); more is no font worth drawing.
const maxFontBytes = 256 << 20

// readFont reads the font file and unwraps it to sfnt bytes, the memory
// reserved for both (the caller releases it).
func readFont(ctx context.Context, src *Source, lim Limits) ([]byte, string, func(), error) {
	r, size, err := src.sourceReaderAt()
	if err != nil {
		return nil, "", nil, err
	}
	if size == 0 {
		return nil, "", nil, fmt.Errorf("%w: %w", ErrCorrupt, ErrEmpty)
	}
	if size > min(maxFontBytes, lim.MaxFileBytes) {
		return nil, "", nil, fmt.Errorf("%w: font file of %d bytes", ErrTooManyPixels, size)
	}
	release, err := reserve(ctx, size, lim.MaxDecodeBytes, "a font file")
	if err != nil {
		return nil, "", nil, err
	}
	data := make([]byte, size)
	if _, err := r.ReadAt(data, 0); err != nil && err != io.EOF {
		release()
		return nil, "", nil, err
	}
	format := "ttf"
	if len(data) >= 4 {
		_, format = sniffFont(data)
	}
	var unwrap func([]byte, int64) ([]byte, error)
	switch format {
	case "woff":
		unwrap = unwrapWOFF
	case "woff2":
		unwrap = unwrapWOFF2
	default:
		return data, format, release, nil
	}
	// The unwrapped size is declared in the header: reserved before any
	// table is inflated, so a bomb is refused by what it claims.
	total, err := woffTotal(data)
	if err != nil {
		release()
		return nil, format, nil, err
	}
	if total > maxFontBytes {
		release()
		return nil, format, nil, fmt.Errorf("%w: %s declares %d bytes unpacked", ErrTooManyPixels, format, total)
	}
	more, err := reserve(ctx, total, lim.MaxDecodeBytes-size, "an unpacked font")
	if err != nil {
		release()
		return nil, format, nil, err
	}
	out, err := unwrap(data, total)
	release()
	if errors.Is(err, errWOFF2Glyf) {
		return out, format, more, err // names still to read from it
	}
	if err != nil {
		more()
		return nil, format, nil, err
	}
	return out, format, more, nil
}

// parseFont parses sfnt bytes: a font, or a collection's first font.
func parseFont(data []byte) (*sfnt.Font, error) {
	if len(data) >= 4 && string(data[:4]) == "ttcf" {
		c, err := sfnt.ParseCollection(data)
		if err != nil {
			return nil, err
		}
		return c.Font(0)
	}
	return sfnt.Parse(data)
}

func (fontDecoder) Facts(ctx context.Context, src *Source, lim Limits) (facts.Facts, error) {
	data, format, release, err := readFont(ctx, src, lim)
	if errors.Is(err, errWOFF2Glyf) {
		defer release()
		return woffNameFacts(data), fmt.Errorf("font facts: %w", err)
	}
	if err != nil {
		return facts.Facts{}, fmt.Errorf("font facts: %w", err)
	}
	defer release()
	f, err := parseFont(data)
	if err != nil {
		return facts.Facts{}, fmt.Errorf("font facts: %w: %s: %v", ErrCorrupt, format, err)
	}
	var b sfnt.Buffer
	name := func(ids ...sfnt.NameID) string {
		for _, id := range ids {
			if s, err := f.Name(&b, id); err == nil && s != "" {
				return s
			}
		}
		return ""
	}
	return facts.Facts{
		Family: name(sfnt.NameIDTypographicFamily, sfnt.NameIDFamily),
		Style:  name(sfnt.NameIDTypographicSubfamily, sfnt.NameIDSubfamily),
		Glyphs: f.NumGlyphs(),
	}, nil
}

// fontSample is what the poster draws, as font managers do.
const fontSample = "Aa"

func (fontDecoder) Poster(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	data, format, release, err := readFont(ctx, src, lim)
	if err != nil {
		if release != nil {
			release()
		}
		return nil, fmt.Errorf("font poster: %w", err)
	}
	defer release()
	f, err := parseFont(data)
	if err != nil {
		return nil, fmt.Errorf("font poster: %w: %s: %v", ErrCorrupt, format, err)
	}
	side := posterSide(enough)
	more, err := reserve(ctx, rgbaBytes(side, side), lim.MaxDecodeBytes, "a font's poster")
	if err != nil {
		return nil, err
	}
	defer more()
	img, err := drawSample(f, side)
	if err != nil {
		return nil, fmt.Errorf("font poster: %w: %v", ErrCorrupt, err)
	}
	return img, nil
}

// drawSample draws fontSample centred on a white side×side square. A
// glyph outline the font cannot give (broken tables) fails it.
func drawSample(f *sfnt.Font, side int) (img *image.RGBA, err error) {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: float64(side) * 0.45, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, err
	}
	defer face.Close()
	var b sfnt.Buffer
	for _, r := range fontSample {
		x, err := f.GlyphIndex(&b, r)
		if err != nil {
			return nil, err
		}
		if _, err := f.LoadGlyph(&b, x, fixed.I(side), nil); err != nil {
			return nil, fmt.Errorf("glyph %q: %w", r, err)
		}
	}
	img = image.NewRGBA(image.Rect(0, 0, side, side))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	bounds, adv := font.BoundString(face, fontSample)
	w, h := (bounds.Max.X - bounds.Min.X).Ceil(), (bounds.Max.Y - bounds.Min.Y).Ceil()
	if adv <= 0 || w <= 0 || h <= 0 {
		return nil, fmt.Errorf("%q has no outline in the font", fontSample)
	}
	dr := &font.Drawer{Dst: img, Src: image.NewUniform(color.RGBA{0x20, 0x20, 0x20, 0xff}), Face: face}
	dr.Dot = fixed.Point26_6{
		X: fixed.I((side-w)/2) - bounds.Min.X,
		Y: fixed.I((side-h)/2) - bounds.Min.Y,
	}
	dr.DrawString(fontSample)
	return img, nil
}

// woffTotal is the sfnt size a WOFF or WOFF2 header declares.
func woffTotal(b []byte) (int64, error) {
	if len(b) < 44 {
		return 0, fmt.Errorf("%w: woff header cut short", ErrCorrupt)
	}
	return int64(binary.BigEndian.Uint32(b[16:20])), nil
}

// unwrapWOFF rebuilds the sfnt a WOFF 1 file wraps: each table inflated
// (zlib) to its declared length, never more than total in all.
func unwrapWOFF(b []byte, total int64) ([]byte, error) {
	bad := func(what string) error { return fmt.Errorf("%w: woff: %s", ErrCorrupt, what) }
	flavor := binary.BigEndian.Uint32(b[4:8])
	n := int(binary.BigEndian.Uint16(b[12:14]))
	if n == 0 || 44+20*n > len(b) {
		return nil, bad("table directory out of the file")
	}
	type table struct {
		tag, sum     uint32
		data         []byte
		off, compLen uint32
		origLen      uint32
	}
	tables := make([]table, n)
	want := int64(12 + 16*n)
	for i := range tables {
		d := b[44+20*i:]
		t := table{tag: binary.BigEndian.Uint32(d), off: binary.BigEndian.Uint32(d[4:]),
			compLen: binary.BigEndian.Uint32(d[8:]), origLen: binary.BigEndian.Uint32(d[12:]),
			sum: binary.BigEndian.Uint32(d[16:])}
		if int64(t.off)+int64(t.compLen) > int64(len(b)) || t.compLen > t.origLen {
			return nil, bad("table out of the file")
		}
		want += (int64(t.origLen) + 3) &^ 3
		if want > total+3*int64(n) {
			return nil, bad("tables larger than the size declared")
		}
		tables[i] = t
	}
	out := make([]byte, 12+16*n, want)
	binary.BigEndian.PutUint32(out, flavor)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	sr, es := 1, 0
	for sr*2 <= n {
		sr, es = sr*2, es+1
	}
	binary.BigEndian.PutUint16(out[6:], uint16(sr*16))
	binary.BigEndian.PutUint16(out[8:], uint16(es))
	binary.BigEndian.PutUint16(out[10:], uint16(n*16-sr*16))
	for i, t := range tables {
		raw := b[t.off : t.off+t.compLen]
		if t.compLen < t.origLen {
			zr, err := zlib.NewReader(bytes.NewReader(raw))
			if err != nil {
				return nil, bad(err.Error())
			}
			// One byte more than declared tells a table that lies.
			dec, err := io.ReadAll(io.LimitReader(zr, int64(t.origLen)+1))
			if err != nil || len(dec) != int(t.origLen) {
				return nil, bad("table does not inflate to its declared size")
			}
			raw = dec
		}
		rec := out[12+16*i:]
		binary.BigEndian.PutUint32(rec, t.tag)
		binary.BigEndian.PutUint32(rec[4:], t.sum)
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], t.origLen)
		out = append(out, raw...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out, nil
}
