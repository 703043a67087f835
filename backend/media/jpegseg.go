package media

import "encoding/binary"

// jpegSegments walks the marker segments of a JPEG's header bytes h, from
// SOI up to the first scan, calling each with a segment's marker and
// payload (after its length) until each returns false. It returns the
// offset of the start-of-scan marker, or -1 when the walk ended before one
// (h is not a JPEG, a segment runs past h, the image ends, or each stopped).
func jpegSegments(h []byte, each func(marker byte, seg []byte) bool) (sos int) {
	if len(h) < 4 || h[0] != 0xff || h[1] != 0xd8 {
		return -1
	}
	p := 2
	for p+4 <= len(h) {
		if h[p] != 0xff {
			return -1
		}
		m := h[p+1]
		switch {
		case m == 0xff: // fill byte
			p++
			continue
		case m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7): // no length
			p += 2
			continue
		case m == 0xda:
			return p
		case m == 0xd9:
			return -1
		}
		l := int(binary.BigEndian.Uint16(h[p+2:]))
		if l < 2 || p+2+l > len(h) {
			return -1
		}
		if !each(m, h[p+4:p+2+l]) {
			return -1
		}
		p += 2 + l
	}
	return -1
}
