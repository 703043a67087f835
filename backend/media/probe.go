package media

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"time"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// Limits bound the work and memory a single file may cost.
type Limits struct {
	MaxPixels    int64 // width*height above this is refused before decoding; default 300_000_000
	MaxFileBytes int64 // files above this are not decoded; default 1 GiB
	// MaxDecodeBytes: a decode whose memory, computed from the header
	// (the file, the decoded pixels as the decoder stores them, the copies
	// and resizes made from them), exceeds this is refused before
	// decoding; default DefaultMaxDecodeBytes. The process-wide budget
	// (SetDecodeMemory) caps it too.
	MaxDecodeBytes int64
	// MaxDecodeTime bounds each program a decoder runs for a file
	// (ffprobe, ffmpeg): killed when it runs longer; default 60 s.
	MaxDecodeTime time.Duration
}

// DefaultLimits returns the limits used when a field is zero.
func DefaultLimits() Limits {
	return Limits{MaxPixels: 300_000_000, MaxFileBytes: 1 << 30, MaxDecodeBytes: DefaultMaxDecodeBytes,
		MaxDecodeTime: 60 * time.Second}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = d.MaxFileBytes
	}
	if l.MaxDecodeBytes <= 0 {
		l.MaxDecodeBytes = d.MaxDecodeBytes
	}
	if l.MaxDecodeTime <= 0 {
		l.MaxDecodeTime = d.MaxDecodeTime
	}
	return l
}

// Info is what Probe learns from a file's headers.
type Info struct {
	MediaType, Format, Mime string
	Width, Height           int   // as stored, before orientation; 0 when unknown
	Orientation             int   // EXIF orientation 1..8; 1 when absent
	Exif                    *Exif // nil when none
	// Warning, set by a decode, says the picture is damaged and only the
	// part that decodes is shown (the rest is grey), as other viewers do.
	Warning string
	// XMP is the embedded XMP packet (JPEG APP1, PNG iTXt, TIFF tag 700);
	// nil when none or when it is refused (see ParseXMP).
	XMP *XMP
}

// headRead is how much of a file Probe reads for signatures, JPEG APP
// segments and PNG chunks before the image data.
const headRead = 256 << 10

// Probe reads only headers (never the pixel data): type, dimensions and
// EXIF. A file that claims to be an image, by content or by extension, but
// whose headers are not valid yields an error wrapping ErrCorrupt; one that
// declares more than lim.MaxPixels yields ErrTooManyPixels. Malformed EXIF
// never fails a Probe: Exif is then nil or partial.
func Probe(ctx context.Context, path string, lim Limits) (Info, error) {
	s := NewSource(path, nil)
	defer s.Close()
	return s.Probe(ctx, lim)
}

func probeFile(f io.ReaderAt, size int64, name string, lim Limits) (Info, error) {
	head := make([]byte, min(size, SniffLen))
	if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
		return Info{}, fmt.Errorf("probe: read: %w", err)
	}
	mt, format := Sniff(head, name)
	info := Info{MediaType: mt, Format: format, Mime: mimeOf(format), Orientation: 1}
	if size == 0 {
		if claimsImage(name) {
			return info, fmt.Errorf("probe: %w: %w", ErrCorrupt, ErrEmpty)
		}
		return info, nil
	}
	if mt != TypeImage && mt != TypeRaw {
		if claimsImage(name) {
			what := "unrecognised content"
			if format != "" {
				what = "content is " + format
			}
			return info, fmt.Errorf("probe: %w: %s, not an image", ErrCorrupt, what)
		}
		return info, nil
	}
	if format == "jpeg" || format == "png" || format == "heic" || format == "avif" {
		head = make([]byte, min(size, headRead))
		if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
			return info, fmt.Errorf("probe: read: %w", err)
		}
	}

	w, h, err := imageSize(f, size, format, head)
	if err != nil {
		return info, fmt.Errorf("probe %s: %w: %v", format, ErrCorrupt, err)
	}
	info.Width, info.Height = w, h
	if int64(w)*int64(h) > lim.MaxPixels {
		return info, fmt.Errorf("probe: %w: %dx%d exceeds %d pixels", ErrTooManyPixels, w, h, lim.MaxPixels)
	}

	var tiffData []byte
	switch {
	case format == "jpeg":
		tiffData = jpegExifTIFF(head)
	case format == "png":
		tiffData = pngExifTIFF(head)
	case format == "webp":
		tiffData = webpExifTIFF(f, size)
	case format == "heic" || format == "avif":
		tiffData = heifExifTIFF(head, f, size)
	case format == "tiff" || mt == TypeRaw:
		b := make([]byte, min(size, maxExifBytes))
		if n, _ := f.ReadAt(b, 0); n >= 8 && (string(b[:2]) == "II" || string(b[:2]) == "MM") {
			tiffData = b[:n]
			// ORF and RW2 are TIFF with their own magic; goexif wants 42.
			if string(b[:2]) == "II" {
				copy(tiffData[2:4], "*\x00")
			} else {
				copy(tiffData[2:4], "\x00*")
			}
		}
	}
	if tiffData != nil {
		info.Exif = parseExifTIFF(tiffData)
		if info.Exif != nil && info.Exif.Orientation != 0 {
			info.Orientation = info.Exif.Orientation
		}
		if format == "heic" || format == "avif" {
			// HEIF carries its rotation in irot/imir, which the decoder
			// applies; the EXIF copy must not turn the picture again.
			info.Orientation = 1
		}
	}
	var packet []byte
	switch {
	case format == "jpeg":
		packet = jpegXMP(head)
	case format == "png":
		packet = pngXMP(f, size)
	case format == "tiff" || mt == TypeRaw:
		packet = tiffXMP(f, size)
	case format == "heic" || format == "avif":
		packet = heifXMP(head, f, size)
	}
	if packet != nil {
		info.XMP, _ = ParseXMP(packet) // bad XMP never fails a Probe
		if x := info.XMP; x != nil && x.extGUID != "" && format == "jpeg" {
			if head, err := jpegHeadUpTo(f, size, head); err == nil {
				if ext, err := ParseXMP(jpegExtendedXMP(head, x.extGUID)); err == nil {
					info.XMP = x.Merge(ext)
				}
			}
		}
	}
	return info, nil
}

// jpegHeadUpTo returns the JPEG's first bytes, enough for extended XMP
// (at most MaxXMPBytes plus segment overhead): head when it already holds
// the whole file.
func jpegHeadUpTo(f io.ReaderAt, size int64, head []byte) ([]byte, error) {
	n := min(size, MaxXMPBytes+MaxXMPBytes/64+(1<<16))
	if int64(len(head)) >= n {
		return head, nil
	}
	b := make([]byte, n)
	if _, err := f.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, err
	}
	return b, nil
}

// imageSize returns the stored dimensions from headers only. Formats whose
// headers we do not parse report 0x0 without error.
func imageSize(f io.ReaderAt, size int64, format string, head []byte) (w, h int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("header parser panicked: %v", r)
		}
	}()
	var decodeConfig func(io.Reader) (image.Config, error)
	switch format {
	case "jpeg":
		decodeConfig = jpeg.DecodeConfig
	case "png":
		decodeConfig = png.DecodeConfig
	case "gif":
		decodeConfig = gif.DecodeConfig
	case "bmp":
		decodeConfig = bmp.DecodeConfig
	case "webp":
		decodeConfig = webp.DecodeConfig
	case "tiff":
		cfg, err := tiff.DecodeConfig(io.NewSectionReader(f, 0, size)) // uses ReadAt, no full read
		if err != nil {
			return 0, 0, err
		}
		return checkDims(cfg.Width, cfg.Height)
	case "heic", "avif":
		w, h := ispeSize(head)
		return w, h, nil
	case "psd":
		if len(head) >= 22 {
			return checkDims(int(binary.BigEndian.Uint32(head[18:22])), int(binary.BigEndian.Uint32(head[14:18])))
		}
		return 0, 0, fmt.Errorf("short header")
	default:
		return 0, 0, nil
	}
	cfg, err := decodeConfig(bufio.NewReader(io.NewSectionReader(f, 0, size)))
	if err != nil {
		return 0, 0, err
	}
	return checkDims(cfg.Width, cfg.Height)
}

func checkDims(w, h int) (int, int, error) {
	if w <= 0 || h <= 0 {
		return 0, 0, fmt.Errorf("invalid dimensions %dx%d", w, h)
	}
	return w, h, nil
}

// ispeSize returns the "ispe" (image spatial extent) of the primary item
// of a HEIF/AVIF file (meta → pitm, iprp → ipco + ipma), falling back to the
// largest ispe present. Only the header bytes are read; every length is
// checked against them.
func ispeSize(head []byte) (w, h int) {
	children, find := bmffChildren, bmffFind
	meta := find(children(head), "meta")
	if len(meta) < 4 {
		return 0, 0
	}
	mb := children(meta[4:]) // full box: skip version/flags
	var ispes [][2]int
	var props []box
	if iprp := find(mb, "iprp"); iprp != nil {
		ib := children(iprp)
		props = children(find(ib, "ipco"))
		for _, p := range props {
			if p.typ == "ispe" && len(p.body) >= 12 {
				ww, hh := binary.BigEndian.Uint32(p.body[4:]), binary.BigEndian.Uint32(p.body[8:])
				if ww < 1<<30 && hh < 1<<30 {
					ispes = append(ispes, [2]int{int(ww), int(hh)})
				}
			}
		}
		pitm := find(mb, "pitm")
		ipma := find(ib, "ipma")
		if primary, ok := pitmID(pitm); ok && len(ipma) >= 8 {
			if w, h, ok := primaryISPE(ipma, primary, props); ok {
				return w, h
			}
		}
	}
	var best int64
	for _, s := range ispes {
		if a := int64(s[0]) * int64(s[1]); a > best {
			best, w, h = a, s[0], s[1]
		}
	}
	return w, h
}

func pitmID(b []byte) (uint32, bool) {
	switch {
	case len(b) >= 6 && b[0] == 0:
		return uint32(binary.BigEndian.Uint16(b[4:])), true
	case len(b) >= 8:
		return binary.BigEndian.Uint32(b[4:]), true
	}
	return 0, false
}

type box struct {
	typ  string
	body []byte
}

// bmffChildren splits an ISO-BMFF payload into boxes; a box whose size
// runs past the data ends the list.
func bmffChildren(b []byte) []box {
	var out []box
	for len(b) >= 8 && len(out) < 1024 {
		n := uint64(binary.BigEndian.Uint32(b))
		hdr := uint64(8)
		if n == 1 && len(b) >= 16 {
			n, hdr = binary.BigEndian.Uint64(b[8:]), 16
		} else if n == 0 {
			n = uint64(len(b))
		}
		if n < hdr || n > uint64(len(b)) {
			break
		}
		out = append(out, box{string(b[4:8]), b[hdr:n]})
		b = b[n:]
	}
	return out
}

func bmffFind(bs []box, typ string) []byte {
	for _, b := range bs {
		if b.typ == typ {
			return b.body
		}
	}
	return nil
}

func primaryISPE(ipma []byte, primary uint32, props []box) (int, int, bool) {
	version, flags := ipma[0], ipma[3]
	n := binary.BigEndian.Uint32(ipma[4:])
	p := 8
	for i := uint32(0); i < n; i++ {
		var id uint32
		if version < 1 {
			if p+2 > len(ipma) {
				return 0, 0, false
			}
			id, p = uint32(binary.BigEndian.Uint16(ipma[p:])), p+2
		} else {
			if p+4 > len(ipma) {
				return 0, 0, false
			}
			id, p = binary.BigEndian.Uint32(ipma[p:]), p+4
		}
		if p >= len(ipma) {
			return 0, 0, false
		}
		cnt := int(ipma[p])
		p++
		for j := 0; j < cnt; j++ {
			var idx int
			if flags&1 != 0 {
				if p+2 > len(ipma) {
					return 0, 0, false
				}
				idx, p = int(binary.BigEndian.Uint16(ipma[p:])&0x7fff), p+2
			} else {
				if p >= len(ipma) {
					return 0, 0, false
				}
				idx, p = int(ipma[p]&0x7f), p+1
			}
			if id == primary && idx >= 1 && idx <= len(props) {
				if pr := props[idx-1]; pr.typ == "ispe" && len(pr.body) >= 12 {
					w, h := binary.BigEndian.Uint32(pr.body[4:]), binary.BigEndian.Uint32(pr.body[8:])
					if w > 0 && h > 0 && w < 1<<30 && h < 1<<30 {
						return int(w), int(h), true
					}
				}
			}
		}
	}
	return 0, 0, false
}
