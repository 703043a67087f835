package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// XMP holds the XMP properties Tagsight reads. Zero values mean absent.
type XMP struct {
	// Subjects are dc:subject keywords (flat).
	Subjects []string
	// Paths are hierarchical keywords, root first: lr:hierarchicalSubject
	// ("A|B|C") and digiKam:TagsList ("A/B/C").
	Paths [][]string
	// Rating is xmp:Rating (or MicrosoftPhoto:Rating mapped to stars),
	// 0..5; HasRating says whether one was present (0 is a valid rating).
	Rating    int
	HasRating bool
	// Taken is the date the picture was taken, in Exif.Taken's format:
	// exif:DateTimeOriginal, else photoshop:DateCreated, else xmp:CreateDate.
	Taken              string
	Title, Description string // dc:title, dc:description (x-default)

	extGUID string // xmpNote:HasExtendedXMP: the JPEG's extended packet
}

// Limits of the XMP parser: anything past them is refused (ErrXMP), so
// hostile packets cost bounded time and memory.
const (
	MaxXMPBytes   = 4 << 20
	maxXMPDepth   = 64
	maxXMPItems   = 10000 // list items kept per property
	maxXMPValue   = 4096  // bytes kept per value
	maxXMPPathLen = 32    // levels kept per hierarchical keyword
)

// ErrXMP marks XMP that is refused: too large, too deep, not well-formed,
// or carrying a DOCTYPE or entity declarations.
var ErrXMP = errors.New("invalid xmp")

// XMP namespaces.
const (
	nsRDF       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsDC        = "http://purl.org/dc/elements/1.1/"
	nsLR        = "http://ns.adobe.com/lightroom/1.0/"
	nsDigiKam   = "http://www.digikam.org/ns/1.0/"
	nsXMP       = "http://ns.adobe.com/xap/1.0/"
	nsMSPhoto   = "http://ns.microsoft.com/photo/1.0/"
	nsPhotoshop = "http://ns.adobe.com/photoshop/1.0/"
	nsExif      = "http://ns.adobe.com/exif/1.0/"
	nsXML       = "http://www.w3.org/XML/1998/namespace"
	nsXMPNote   = "http://ns.adobe.com/xmp/note/"
)

type xmpProp int

const (
	pNone xmpProp = iota
	pSubject
	pHier
	pDigiKam
	pTitle
	pDesc
	pRating
	pMSRating
	pCreate
	pPSDate
	pExifDate
	pExtGUID
)

var xmpProps = map[xml.Name]xmpProp{
	{Space: nsDC, Local: "subject"}:                              pSubject,
	{Space: nsLR, Local: "hierarchicalSubject"}:                  pHier,
	{Space: nsDigiKam, Local: "TagsList"}:                        pDigiKam,
	{Space: nsDC, Local: "title"}:                                pTitle,
	{Space: nsDC, Local: "description"}:                          pDesc,
	{Space: nsXMP, Local: "Rating"}:                              pRating,
	{Space: strings.TrimSuffix(nsMSPhoto, "/"), Local: "Rating"}: pMSRating, // as exiftool writes it
	{Space: nsMSPhoto, Local: "Rating"}:                          pMSRating,
	{Space: nsXMP, Local: "CreateDate"}:                          pCreate,
	{Space: nsPhotoshop, Local: "DateCreated"}:                   pPSDate,
	{Space: nsXMPNote, Local: "HasExtendedXMP"}:                  pExtGUID,
	{Space: nsExif, Local: "DateTimeOriginal"}:                   pExifDate,
}

// xmpRaw collects values while parsing, before they are interpreted.
type xmpRaw struct {
	lists  [pExtGUID + 1][]string
	alt    [pExtGUID + 1]string // x-default (or first) of a language alternative
	altDef [pExtGUID + 1]bool   // alt holds the x-default one
	simple [pExtGUID + 1]string
}

func (r *xmpRaw) add(p xmpProp, v, lang string, li bool) {
	v = strings.TrimSpace(strings.ToValidUTF8(v, ""))
	if len(v) > maxXMPValue {
		v = v[:maxXMPValue]
	}
	switch {
	case p == pTitle || p == pDesc:
		if v == "" || r.altDef[p] {
			return
		}
		if strings.EqualFold(lang, "x-default") || !li {
			r.alt[p], r.altDef[p] = v, true
		} else if r.alt[p] == "" {
			r.alt[p] = v
		}
	case p == pSubject || p == pHier || p == pDigiKam:
		if v != "" && len(r.lists[p]) < maxXMPItems {
			r.lists[p] = append(r.lists[p], v)
		}
	default:
		if v != "" && r.simple[p] == "" {
			r.simple[p] = v
		}
	}
}

// ParseXMP reads an XMP packet (with or without the xpacket wrapper).
// It refuses (ErrXMP) packets over MaxXMPBytes, nested deeper than 64
// elements, with a DOCTYPE or entity declaration, or not well-formed.
// A packet without any property Tagsight reads gives an empty XMP.
func ParseXMP(data []byte) (*XMP, error) {
	if len(data) > MaxXMPBytes {
		return nil, fmt.Errorf("%w: %d bytes, over the %d limit", ErrXMP, len(data), MaxXMPBytes)
	}
	// The trailing padding of an xpacket can be NULs in some writers.
	data = bytes.TrimRight(data, "\x00 \t\r\n")
	type frame struct {
		prop  xmpProp
		li    bool
		lang  string
		child bool
	}
	var stack []frame
	var raw xmpRaw
	var text strings.Builder
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") || strings.EqualFold(label, "us-ascii") {
			return r, nil
		}
		return nil, fmt.Errorf("encoding %q", label)
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrXMP, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, fmt.Errorf("%w: DOCTYPE or entity declaration (%.40q)", ErrXMP, string(t))
		case xml.StartElement:
			if len(stack) >= maxXMPDepth {
				return nil, fmt.Errorf("%w: nested deeper than %d elements", ErrXMP, maxXMPDepth)
			}
			text.Reset()
			f := frame{}
			if len(stack) > 0 {
				parent := &stack[len(stack)-1]
				parent.child = true
				f.prop = parent.prop
				f.lang = parent.lang
			}
			if p, ok := xmpProps[t.Name]; ok && p != pNone {
				f.prop = p
			}
			if t.Name.Space == nsRDF && t.Name.Local == "li" {
				f.li = true
			}
			for _, a := range t.Attr {
				if a.Name.Space == nsXML && a.Name.Local == "lang" {
					f.lang = a.Value
					continue
				}
				// Simple properties written as attributes of rdf:Description.
				if p, ok := xmpProps[a.Name]; ok && p != pNone && p != pSubject && p != pHier && p != pDigiKam {
					raw.add(p, a.Value, "", false)
				}
			}
			stack = append(stack, f)
		case xml.CharData:
			if text.Len() < maxXMPValue {
				text.Write(t)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("%w: unbalanced", ErrXMP)
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if f.prop != pNone && !f.child {
				isProp := xmpProps[t.Name] == f.prop
				if f.li || isProp {
					raw.add(f.prop, text.String(), f.lang, f.li)
				}
			}
			text.Reset()
		}
	}
	return raw.interpret(), nil
}

func (r *xmpRaw) interpret() *XMP {
	x := &XMP{Subjects: dedupe(r.lists[pSubject]), Title: r.alt[pTitle], Description: r.alt[pDesc], extGUID: r.simple[pExtGUID]}
	seen := map[string]bool{}
	addPath := func(s, sep string) {
		var p []string
		for _, part := range strings.Split(s, sep) {
			if part = strings.Join(strings.Fields(part), " "); part != "" && len(p) < maxXMPPathLen {
				p = append(p, part)
			}
		}
		k := strings.ToLower(strings.Join(p, "\x00"))
		if len(p) > 0 && !seen[k] {
			seen[k] = true
			x.Paths = append(x.Paths, p)
		}
	}
	for _, s := range r.lists[pHier] {
		addPath(s, "|")
	}
	for _, s := range r.lists[pDigiKam] {
		addPath(s, "/")
	}
	if v, err := strconv.ParseFloat(r.simple[pRating], 64); err == nil && r.simple[pRating] != "" {
		// -1 means "rejected" in xmp:Rating: no stars.
		x.Rating, x.HasRating = max(0, min(5, int(v+0.5))), true
	} else if v, err := strconv.Atoi(r.simple[pMSRating]); err == nil {
		// MicrosoftPhoto:Rating is a percentage: 1, 25, 50, 75, 99.
		switch {
		case v <= 0:
			x.Rating = 0
		case v < 25:
			x.Rating = 1
		case v < 50:
			x.Rating = 2
		case v < 75:
			x.Rating = 3
		case v < 99:
			x.Rating = 4
		default:
			x.Rating = 5
		}
		x.HasRating = true
	}
	for _, p := range []xmpProp{pExifDate, pPSDate, pCreate} {
		if t := formatXMPDate(r.simple[p]); t != "" {
			x.Taken = t
			break
		}
	}
	return x
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = strings.Join(strings.Fields(s), " ")
		if k := strings.ToLower(s); s != "" && !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

// formatXMPDate turns an XMP date ("2023-05-01T10:20:30+02:00", with or
// without seconds, fraction or zone, or just a date) into Exif.Taken's
// format; "" when it is not a date.
func formatXMPDate(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04Z07:00", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			out := t.Format("2006-01-02T15:04:05")
			if strings.ContainsAny(s[10:], "+-Z") {
				out += t.Format("-07:00")
			}
			return out
		}
	}
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02T15:04:05")
		}
	}
	// EXIF style, as some writers put in XMP.
	return formatTaken(s, "")
}

// Keywords are the XMP's keywords as tag paths, root first: every
// hierarchical keyword, plus each flat dc:subject that is not already a
// part of one (Lightroom and digiKam list a hierarchy's names in
// dc:subject too).
func (x *XMP) Keywords() [][]string {
	if x == nil {
		return nil
	}
	out := append([][]string(nil), x.Paths...)
	inPath := map[string]bool{}
	for _, p := range x.Paths {
		for _, n := range p {
			inPath[strings.ToLower(n)] = true
		}
	}
	for _, s := range x.Subjects {
		if !inPath[strings.ToLower(s)] {
			out = append(out, []string{s})
		}
	}
	return out
}

// Merge fills what x lacks from o, and unions the keywords: x (a
// sidecar) wins over o (the embedded packet).
func (x *XMP) Merge(o *XMP) *XMP {
	switch {
	case x == nil:
		return o
	case o == nil:
		return x
	}
	m := *x
	m.Subjects = dedupe(append(append([]string(nil), x.Subjects...), o.Subjects...))
	m.Paths = append(append([][]string(nil), x.Paths...), o.Paths...)
	if !m.HasRating {
		m.Rating, m.HasRating = o.Rating, o.HasRating
	}
	if m.Taken == "" {
		m.Taken = o.Taken
	}
	if m.Title == "" {
		m.Title = o.Title
	}
	if m.Description == "" {
		m.Description = o.Description
	}
	return &m
}

// ReadXMPFile parses an XMP sidecar, refusing one over MaxXMPBytes without
// reading it.
func ReadXMPFile(path string) (*XMP, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file", ErrXMP)
	}
	if st.Size() > MaxXMPBytes {
		return nil, fmt.Errorf("%w: %d bytes, over the %d limit", ErrXMP, st.Size(), MaxXMPBytes)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxXMPBytes+1))
	if err != nil {
		return nil, err
	}
	return ParseXMP(b)
}

// jpegXMPPrefix starts the APP1 segment holding a JPEG's XMP packet.
const jpegXMPPrefix = "http://ns.adobe.com/xap/1.0/\x00"

// jpegXMP returns the packet of the first XMP APP1 segment in the JPEG
// header bytes h, or nil. Extended XMP (split over further APP1 segments)
// is not read: keywords, rating and dates live in the main packet.
func jpegXMP(h []byte) (packet []byte) {
	jpegSegments(h, func(m byte, seg []byte) bool {
		if m == 0xe1 && bytes.HasPrefix(seg, []byte(jpegXMPPrefix)) {
			packet = seg[len(jpegXMPPrefix):]
			return false
		}
		return true
	})
	return packet
}

// jpegExtXMPPrefix starts the APP1 segments holding a JPEG's extended XMP.
const jpegExtXMPPrefix = "http://ns.adobe.com/xmp/extension/\x00"

// jpegExtendedXMP reassembles the extended XMP packet whose GUID the main
// packet names (xmpNote:HasExtendedXMP) from the APP1 segments in the
// JPEG header bytes h: each holds the GUID (32 hex digits), the full
// length and its offset. nil unless every byte is there and the whole is
// at most MaxXMPBytes.
func jpegExtendedXMP(h []byte, guid string) []byte {
	if len(guid) != 32 {
		return nil
	}
	var buf []byte
	filled, bad := 0, false
	jpegSegments(h, func(m byte, seg []byte) bool {
		if m != 0xe1 || !bytes.HasPrefix(seg, []byte(jpegExtXMPPrefix)) {
			return true
		}
		seg = seg[len(jpegExtXMPPrefix):]
		if len(seg) < 40 || string(seg[:32]) != guid {
			return true
		}
		full, off := binary.BigEndian.Uint32(seg[32:]), binary.BigEndian.Uint32(seg[36:])
		data := seg[40:]
		if full == 0 || full > MaxXMPBytes || (buf != nil && int(full) != len(buf)) || uint64(off)+uint64(len(data)) > uint64(full) {
			bad = true
			return false
		}
		if buf == nil {
			buf = make([]byte, full)
		}
		// Segments are disjoint in a valid file; a repeat is counted once
		// more and the length check below then fails safe.
		filled += copy(buf[off:], data)
		return true
	})
	if bad || buf == nil || filled != len(buf) {
		return nil
	}
	return buf
}

// pngXMP returns the text of the iTXt chunk "XML:com.adobe.xmp", hopping
// chunk headers through the whole file (writers put it before or after
// the image data) without reading the image data.
func pngXMP(r io.ReaderAt, size int64) []byte {
	var hdr [8]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil || string(hdr[:]) != "\x89PNG\r\n\x1a\n" {
		return nil
	}
	const key = "XML:com.adobe.xmp\x00"
	for off, n := int64(8), 0; off+8 <= size && n < 4096; n++ {
		if _, err := r.ReadAt(hdr[:], off); err != nil {
			return nil
		}
		l := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:8])
		if typ == "IEND" || off+12+l > size {
			return nil
		}
		if typ == "iTXt" && l > int64(len(key)) {
			if l > MaxXMPBytes+256 {
				return nil
			}
			b := make([]byte, l)
			if _, err := r.ReadAt(b, off+8); err != nil {
				return nil
			}
			if string(b[:len(key)]) == key {
				return itxtText(b[len(key):])
			}
		}
		off += 12 + l
	}
	return nil
}

// itxtText is the text of an iTXt chunk after its keyword: compression
// flag and method, language tag, translated keyword, then the (possibly
// zlib-compressed, inflated here to at most MaxXMPBytes+1) text.
func itxtText(b []byte) []byte {
	if len(b) < 2 {
		return nil
	}
	comp := b[0] == 1
	b = b[2:]
	for i := 0; i < 2; i++ {
		z := bytes.IndexByte(b, 0)
		if z < 0 {
			return nil
		}
		b = b[z+1:]
	}
	if !comp {
		return b
	}
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, MaxXMPBytes+1))
	if err != nil {
		return nil
	}
	return out
}

// tiffXMP returns the XMP packet of TIFF tag 700 in IFD0 of a TIFF-based
// file (TIFF, DNG and most RAW formats), or nil.
func tiffXMP(r io.ReaderAt, size int64) []byte {
	var h [8]byte
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return nil
	}
	var bo binary.ByteOrder
	switch string(h[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil
	}
	ifd := int64(bo.Uint32(h[4:]))
	var cnt [2]byte
	if ifd < 8 || ifd+2 > size {
		return nil
	}
	if _, err := r.ReadAt(cnt[:], ifd); err != nil {
		return nil
	}
	n := int64(bo.Uint16(cnt[:]))
	if ifd+2+12*n > size {
		return nil
	}
	ents := make([]byte, 12*n)
	if _, err := r.ReadAt(ents, ifd+2); err != nil {
		return nil
	}
	for i := int64(0); i < n; i++ {
		e := ents[12*i:]
		if bo.Uint16(e) != 700 {
			continue
		}
		typ, count := bo.Uint16(e[2:]), int64(bo.Uint32(e[4:]))
		if (typ != 1 && typ != 7) || count <= 4 || count > MaxXMPBytes {
			return nil
		}
		off := int64(bo.Uint32(e[8:]))
		if off+count > size {
			return nil
		}
		b := make([]byte, count)
		if _, err := r.ReadAt(b, off); err != nil {
			return nil
		}
		return b
	}
	return nil
}
