package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	goexif "github.com/rwcarlsen/goexif/exif"
	"github.com/rwcarlsen/goexif/mknote"
	"github.com/rwcarlsen/goexif/tiff"
)

// Nikon's maker notes are read (the sanitizer vets them first); Canon's
// parser is not registered: it files Canon's own focal-length array under
// the standard FocalLength name, and Canon's notes hold their values at
// offsets into the outer TIFF, which the sanitizer does not follow (canonISO
// reads the one Canon value Tagsight needs itself).
func init() { goexif.RegisterParsers(mknote.NikonV3) }

// Exif holds the EXIF fields Tagsight uses. Zero values mean absent.
type Exif struct {
	Taken       string // "2006-01-02T15:04:05", plus "±hh:mm" when OffsetTimeOriginal exists; "" when absent
	Make        string
	Model       string
	Lens        string
	ISO         int
	FNumber     float64
	Exposure    string // "1/250" below a second, else seconds such as "2.5"
	FocalLength float64
	Lat, Lon    *float64 // signed decimal degrees
	Orientation int      // 1..8, 0 when absent or invalid
}

const (
	// maxExifBytes bounds the TIFF structure handed to goexif. A JPEG APP1
	// segment holds at most 64 KiB; TIFF-based RAW files keep their IFDs near
	// the start, so the first MiB is enough for the fields we read.
	maxExifBytes = 1 << 20
	// maxTagBytes bounds the sum of out-of-line tag values goexif may copy
	// and expand (it turns each value into []int64 or [][]int64, up to ~5x).
	maxTagBytes = 1 << 20
	// maxIFDs bounds how many directories the validator visits.
	maxIFDs = 16
)

var errBadTIFF = errors.New("malformed tiff structure")

// tiffTypeSize is the byte size of each TIFF data type (0 = unknown type).
var tiffTypeSize = [13]uint64{0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8}

// Tags that point at sub-IFDs which goexif follows.
const (
	tagExifIFD    = 0x8769
	tagGPSIFD     = 0x8825
	tagInteropIFD = 0xa005
	tagOffsetTime = 0x9011 // OffsetTimeOriginal, unknown to goexif
	tagOffsetAny  = 0x9010 // OffsetTime (for DateTime)
	tagMakerNote  = 0x927C
	tagHidden     = 0xFEFE // an id goexif maps to no field
)

// tiffSanitizer validates a TIFF/EXIF structure and rewrites, in its own
// copy, whatever could make goexif loop, panic or allocate without bound:
// the IFD chain is cut after IFD1, sub-IFD pointers to bad or repeated
// directories are dropped, and tags whose values are out of range, of an
// unknown type, or over the byte budget are turned into harmless 1-byte
// UNDEFINED tags. What survives is a structure goexif reads in bounded
// time and memory, so malformed EXIF degrades to partial EXIF.
type tiffSanitizer struct {
	b        []byte
	bo       binary.ByteOrder
	visited  map[uint32]bool
	budget   uint64
	offsets  map[uint16]string
	nVisited int
	// note is where a maker note nothing in goexif reads lies in b
	// (Canon's), for canonISO; n == 0 when there is none.
	note struct{ off, n uint64 }
}

func (s *tiffSanitizer) u16(off uint64) uint16 { return s.bo.Uint16(s.b[off:]) }
func (s *tiffSanitizer) u32(off uint64) uint32 { return s.bo.Uint32(s.b[off:]) }

// dirOK reports whether a whole IFD (count, entries, next offset) fits.
func (s *tiffSanitizer) dirOK(off uint32) bool {
	o := uint64(off)
	if o < 8 || o+2 > uint64(len(s.b)) {
		return false
	}
	n := uint64(s.u16(o))
	if n >= 0x8000 { // goexif reads the count as int16
		return false
	}
	return o+2+12*n+4 <= uint64(len(s.b))
}

func (s *tiffSanitizer) neutralize(entry uint64) {
	s.bo.PutUint16(s.b[entry+2:], 7) // UNDEFINED
	s.bo.PutUint32(s.b[entry+4:], 1) // one byte, stored inline
}

// walk validates the directory at off (which must satisfy dirOK) and,
// recursively, the sub-IFDs its pointer tags name.
func (s *tiffSanitizer) walk(off uint32, depth int) {
	s.visited[off] = true
	s.nVisited++
	o := uint64(off)
	n := uint64(s.u16(o))
	for i := uint64(0); i < n; i++ {
		e := o + 2 + 12*i
		id, typ, count := s.u16(e), s.u16(e+2), uint64(s.u32(e+4))
		size := uint64(0)
		if int(typ) < len(tiffTypeSize) {
			size = tiffTypeSize[typ]
		}
		valLen := size * count
		if valLen == 0 {
			s.neutralize(e)
			continue
		}
		valOff := e + 8
		if valLen > 4 {
			valOff = uint64(s.u32(e + 8))
			if valOff+valLen > uint64(len(s.b)) || valLen > s.budget {
				s.neutralize(e)
				continue
			}
			s.budget -= valLen
		}
		if id == tagMakerNote {
			if !s.makerNote(valOff, valLen) {
				// A maker note goexif does not read (or a broken one): hide
				// it from goexif's maker-note parsers.
				s.bo.PutUint16(s.b[e:], tagHidden)
				s.note.off, s.note.n = valOff, valLen
			}
			continue
		}
		if (id == tagOffsetTime || id == tagOffsetAny) && typ == 2 {
			s.offsets[id] = strings.TrimRight(string(s.b[valOff:valOff+valLen]), "\x00 ")
		}
		if id == tagExifIFD || id == tagGPSIFD || id == tagInteropIFD {
			var sub uint32
			switch typ {
			case 1, 6:
				sub = uint32(s.b[valOff])
			case 3, 8:
				sub = uint32(s.u16(valOff))
			case 4, 9:
				sub = s.u32(valOff)
			default:
				continue // goexif ignores a non-integer pointer
			}
			if s.visited[sub] {
				continue // goexif decodes it once more, without following it further
			}
			if depth >= 3 || s.nVisited >= maxIFDs || !s.dirOK(sub) {
				s.neutralize(e)
				continue
			}
			s.walk(sub, depth+1)
		}
	}
}

// makerNote keeps a maker note goexif reads (Nikon's type 3: a
// self-contained TIFF after a 10-byte header) once its TIFF is sanitized in
// place like the outer one; it reports false for any other.
func (s *tiffSanitizer) makerNote(off, n uint64) bool {
	if n < 18 || off+n > uint64(len(s.b)) || string(s.b[off:off+6]) != "Nikon\x00" || s.b[off+6] != 2 {
		return false
	}
	inner := s.b[off+10 : off+n]
	clean, _, err := sanitizeTIFF(inner)
	if err != nil || len(clean) != len(inner) {
		return false
	}
	copy(inner, clean)
	return true
}

// sanitizeTIFF returns a repaired copy of a TIFF structure (starting with
// "II*\0" or "MM\0*") that is safe to hand to goexif, plus the offset-time
// strings goexif does not know about.
func sanitizeTIFF(in []byte) ([]byte, map[uint16]string, error) {
	s, err := sanitize(in)
	if err != nil {
		return nil, nil, err
	}
	return s.b, s.offsets, nil
}

func sanitize(in []byte) (*tiffSanitizer, error) {
	if len(in) > maxExifBytes {
		in = in[:maxExifBytes]
	}
	if len(in) < 8 {
		return nil, errBadTIFF
	}
	s := &tiffSanitizer{visited: map[uint32]bool{}, budget: maxTagBytes, offsets: map[uint16]string{}}
	switch string(in[:4]) {
	case "II*\x00":
		s.bo = binary.LittleEndian
	case "MM\x00*":
		s.bo = binary.BigEndian
	default:
		return nil, errBadTIFF
	}
	s.b = bytes.Clone(in)
	ifd0 := s.u32(4)
	if !s.dirOK(ifd0) {
		return nil, errBadTIFF
	}
	s.walk(ifd0, 0)
	next0 := uint64(ifd0) + 2 + 12*uint64(s.u16(uint64(ifd0)))
	ifd1 := s.u32(next0)
	if ifd1 != 0 {
		if s.visited[ifd1] || !s.dirOK(ifd1) {
			s.bo.PutUint32(s.b[next0:], 0)
		} else {
			s.walk(ifd1, 0)
			// goexif reads only IFD0 and IFD1: end the chain there.
			s.bo.PutUint32(s.b[uint64(ifd1)+2+12*uint64(s.u16(uint64(ifd1))):], 0)
		}
	}
	return s, nil
}

// parseExifTIFF extracts Exif from a TIFF structure. It never panics; on
// malformed input it returns partial data or nil.
func parseExifTIFF(tiffData []byte) (ex *Exif) {
	s, err := sanitize(tiffData)
	if err != nil {
		return nil
	}
	defer func() {
		if recover() != nil { // goexif has panicked on bad data before; keep what we have
			ex = nil
		}
	}()
	x, err := goexif.Decode(bytes.NewReader(s.b))
	if x == nil || (err != nil && goexif.IsCriticalError(err)) {
		return nil
	}
	ex = fromGoexif(x, s.offsets)
	// Canon's compacts often give their ISO only in the maker note
	// (exiftool, like us, lets the standard field win).
	if ex != nil && ex.ISO == 0 && strings.HasPrefix(ex.Make, "Canon") && s.note.n > 0 {
		ex.ISO = canonISO(s.b, s.bo, s.note.off, s.note.n)
	}
	return ex
}

// canonISO reads the ISO from a Canon maker note (an IFD at off, n bytes
// long, whose values' offsets count from the TIFF's start) the way
// exiftool's Canon.pm does: CameraSettings' (tag 1) CameraISO at index 16
// when it is a number, else ShotInfo's (tag 4) BaseISO × AutoISO / 100
// (indexes 2 and 1). 0 when the note holds neither.
func canonISO(b []byte, bo binary.ByteOrder, off, n uint64) int {
	if n < 2 || off+n > uint64(len(b)) {
		return 0
	}
	count := uint64(bo.Uint16(b[off:]))
	if 2+12*count > n {
		return 0
	}
	// table returns tag id's int16 array when it is one and passes
	// exiftool's check (its first value is its length in bytes).
	table := func(id uint16) []int16 {
		for i := uint64(0); i < count; i++ {
			e := off + 2 + 12*i
			if bo.Uint16(b[e:]) != id {
				continue
			}
			typ, cnt := bo.Uint16(b[e+2:]), uint64(bo.Uint32(b[e+4:]))
			if typ != 3 && typ != 8 || cnt == 0 || cnt > 1024 {
				return nil
			}
			val := e + 8
			if cnt > 2 {
				val = uint64(bo.Uint32(b[e+8:]))
			}
			if val+2*cnt > uint64(len(b)) || uint64(bo.Uint16(b[val:])) != 2*cnt {
				return nil
			}
			v := make([]int16, cnt)
			for k := range v {
				v[k] = int16(bo.Uint16(b[val+2*uint64(k):]))
			}
			return v
		}
		return nil
	}
	if cs := table(0x0001); len(cs) > 16 {
		switch v := uint16(cs[16]); {
		case v == 0x7fff:
		case v&0x4000 != 0:
			if iso := int(v & 0x3fff); iso > 0 {
				return iso
			}
		default:
			if iso, ok := canonISOCodes[v]; ok {
				return iso
			}
		}
	}
	if si := table(0x0004); len(si) > 2 && si[2] != 0 {
		auto := math.Exp2(float64(si[1])/32) * 100
		base := math.Exp2(float64(si[2])/32) * 100 / 32
		if iso := math.Round(base * auto / 100); iso >= 1 && iso < 10_000_000 {
			return int(iso)
		}
	}
	return 0
}

// canonISOCodes are CameraISO's numeric codes (Canon.pm's isoLookup; 14
// and 15 are "Auto High" and "Auto", which name no number).
var canonISOCodes = map[uint16]int{16: 50, 17: 100, 18: 200, 19: 400, 20: 800}

func fromGoexif(x *goexif.Exif, offsets map[uint16]string) *Exif {
	e := &Exif{}
	str := func(n goexif.FieldName) string {
		t, err := x.Get(n)
		if err != nil {
			return ""
		}
		v, err := t.StringVal()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(strings.ToValidUTF8(v, ""))
	}
	first := func(n goexif.FieldName) *tiff.Tag {
		t, err := x.Get(n)
		if err != nil || t.Count == 0 {
			return nil
		}
		return t
	}
	rat := func(n goexif.FieldName) (num, den int64, ok bool) {
		t := first(n)
		if t == nil {
			return 0, 0, false
		}
		num, den, err := t.Rat2(0)
		if err != nil || den == 0 || num < 0 || den < 0 {
			return 0, 0, false
		}
		return num, den, true
	}
	e.Make, e.Model = str(goexif.Make), str(goexif.Model)
	e.Lens = str(goexif.LensModel)
	if t := first(goexif.ISOSpeedRatings); t != nil {
		if v, err := t.Int(0); err == nil && v > 0 {
			e.ISO = v
		}
	}
	// Where standard EXIF lacks them, Nikon's maker note (goexif's mknote)
	// carries the ISO and the lens's focal and aperture range.
	if t := first(mknote.ISOSpeed); e.ISO == 0 && t != nil && t.Count >= 2 {
		if v, err := t.Int(1); err == nil && v > 0 && v < 10_000_000 {
			e.ISO = v
		}
	}
	if t := first(mknote.Lens); e.Lens == "" && t != nil && t.Count == 4 {
		e.Lens = lensRange(t)
	}
	if n, d, ok := rat(goexif.FNumber); ok {
		e.FNumber = round2(float64(n) / float64(d))
	}
	if n, d, ok := rat(goexif.FocalLength); ok {
		e.FocalLength = round2(float64(n) / float64(d))
	}
	if n, d, ok := rat(goexif.ExposureTime); ok && n > 0 {
		e.Exposure = formatExposure(n, d)
	}
	if t := first(goexif.Orientation); t != nil {
		if v, err := t.Int(0); err == nil && v >= 1 && v <= 8 {
			e.Orientation = v
		}
	}
	if s, off := str(goexif.DateTimeOriginal), offsets[tagOffsetTime]; s != "" {
		e.Taken = formatTaken(s, off)
	} else if s := str(goexif.DateTimeDigitized); s != "" {
		e.Taken = formatTaken(s, "")
	} else if s := str(goexif.DateTime); s != "" {
		e.Taken = formatTaken(s, offsets[tagOffsetAny])
	}
	if lat, lon, err := x.LatLong(); err == nil && validCoord(lat, 90) && validCoord(lon, 180) &&
		!(lat == 0 && lon == 0) {
		e.Lat, e.Lon = &lat, &lon
	}
	if *e == (Exif{}) {
		return nil
	}
	return e
}

// lensRange describes a lens by its focal and aperture range (Nikon's
// maker note 0x0084: min/max focal length, min/max f-number), as
// "18-55mm f/3.5-5.6" or "50mm f/1.8"; "" when the values make no sense.
func lensRange(t *tiff.Tag) string {
	var v [4]float64
	for i := range v {
		n, d, err := t.Rat2(i)
		if err != nil || d <= 0 || n <= 0 {
			return ""
		}
		v[i] = float64(n) / float64(d)
	}
	num := func(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }
	focal, ap := num(v[0]), "f/"+num(v[2])
	if v[1] > v[0] {
		focal += "-" + num(v[1])
	}
	focal += "mm"
	if v[3] > v[2] {
		ap += "-" + num(v[3])
	}
	return focal + " " + ap
}

func validCoord(v, limit float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && math.Abs(v) <= limit
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func formatExposure(num, den int64) string {
	if num < den {
		return fmt.Sprintf("1/%d", int64(math.Round(float64(den)/float64(num))))
	}
	return strconv.FormatFloat(float64(num)/float64(den), 'f', -1, 64)
}

// formatTaken turns EXIF "2006:01:02 15:04:05" into RFC 3339 without zone,
// or with the zone when an OffsetTime string ("+02:00") is valid.
func formatTaken(s, offset string) string {
	s = strings.TrimSpace(s)
	if len(s) > 19 {
		s = s[:19] // drop sub-second or garbage suffixes
	}
	t, err := time.Parse("2006:01:02 15:04:05", s)
	if err != nil {
		if t, err = time.Parse("2006-01-02 15:04:05", s); err != nil {
			return ""
		}
	}
	out := t.Format("2006-01-02T15:04:05")
	if z, err := time.Parse("-07:00", strings.TrimSpace(offset)); err == nil && offset != "" {
		out += z.Format("-07:00")
	}
	return out
}

// jpegExifTIFF returns the TIFF part of the first "Exif\0\0" APP1 segment in
// the JPEG header bytes h, or nil. It stops at the first scan.
func jpegExifTIFF(h []byte) (tiff []byte) {
	jpegSegments(h, func(m byte, seg []byte) bool {
		if m == 0xe1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			tiff = seg[6:]
			return false
		}
		return true
	})
	return tiff
}

// pngExifTIFF returns the payload of an eXIf chunk found before the image
// data, or nil.
func pngExifTIFF(h []byte) []byte {
	if len(h) < 8 || string(h[:8]) != "\x89PNG\r\n\x1a\n" {
		return nil
	}
	for p := 8; p+8 <= len(h); {
		l := uint64(binary.BigEndian.Uint32(h[p:]))
		typ := string(h[p+4 : p+8])
		if typ == "IDAT" || typ == "IEND" || uint64(p)+12+l > uint64(len(h)) {
			return nil
		}
		if typ == "eXIf" {
			return h[p+8 : p+8+int(l)]
		}
		p += 12 + int(l)
	}
	return nil
}

// webpExifTIFF finds the EXIF chunk of a WebP file by hopping chunk
// headers, so image data is never read.
func webpExifTIFF(r io.ReaderAt, size int64) []byte {
	var hdr [8]byte
	for off := int64(12); off+8 <= size; {
		if _, err := r.ReadAt(hdr[:], off); err != nil {
			return nil
		}
		l := int64(binary.LittleEndian.Uint32(hdr[4:]))
		if string(hdr[:4]) == "EXIF" {
			if l > maxExifBytes || off+8+l > size {
				return nil
			}
			b := make([]byte, l)
			if _, err := r.ReadAt(b, off+8); err != nil {
				return nil
			}
			return bytes.TrimPrefix(b, []byte("Exif\x00\x00"))
		}
		off += 8 + l + l&1
	}
	return nil
}

// CameraName is how a camera is shown: its model alone when the model
// already names the maker ("Canon EOS 40D", not "Canon Canon EOS 40D";
// "NIKON D750" for make "NIKON CORPORATION": the make's first word is
// compared, whatever its case), else the make and the model.
func CameraName(maker, model string) string {
	maker, model = strings.TrimSpace(maker), strings.TrimSpace(model)
	if maker == "" || model == "" {
		return maker + model
	}
	first, _, _ := strings.Cut(maker, " ")
	if len(model) >= len(first) && strings.EqualFold(model[:len(first)], first) {
		// A whole word: "GoPro" is not the start of "GoProfessional".
		if r, _ := utf8.DecodeRuneInString(model[len(first):]); r == utf8.RuneError || !unicode.IsLetter(r) {
			return model
		}
	}
	return maker + " " + model
}
