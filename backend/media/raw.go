package media

import (
	"encoding/binary"
	"fmt"
)

// rawPreview finds the largest JPEG that a TIFF-based camera RAW file
// (CR2, NEF, ARW, DNG, ORF, RW2, PEF, …) carries for display, since decoding
// the sensor data itself needs a RAW developer. It looks at every IFD of
// the main chain and their SubIFDs: a JPEGInterchangeFormat pair, or a
// single-strip JPEG-compressed (6, or 7 with YCbCr/RGB photometric) image.
// Offsets are checked against the data and IFD loops are cut.
func rawPreview(b []byte) ([]byte, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("%w: too short for a TIFF RAW", ErrCorrupt)
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("%w: RAW is not TIFF-based", ErrUnsupported)
	}
	var best []byte
	seen := map[uint32]bool{}
	consider := func(off, n uint64) {
		if n < 4 || off+n > uint64(len(b)) || b[off] != 0xFF || b[off+1] != 0xD8 {
			return
		}
		if n > uint64(len(best)) {
			best = b[off : off+n]
		}
	}
	var walk func(off uint32, depth int)
	walk = func(off uint32, depth int) {
		for hops := 0; off != 0 && depth < 4 && hops < 64; hops++ {
			if seen[off] || uint64(off)+2 > uint64(len(b)) {
				return
			}
			seen[off] = true
			n := uint64(bo.Uint16(b[off:]))
			end := uint64(off) + 2 + 12*n
			if end+4 > uint64(len(b)) {
				return
			}
			var jpegOff, jpegLen, compression, photometric, stripOff, stripLen uint64
			strips := 0
			var subs []uint32
			for i := uint64(0); i < n; i++ {
				e := uint64(off) + 2 + 12*i
				tag, typ, count := bo.Uint16(b[e:]), bo.Uint16(b[e+2:]), bo.Uint32(b[e+4:])
				val := uint64(bo.Uint32(b[e+8:]))
				if typ == 3 { // SHORT, left-justified in the value field
					val = uint64(bo.Uint16(b[e+8:]))
				}
				switch tag {
				case 0x0201:
					jpegOff = val
				case 0x0202:
					jpegLen = val
				case 0x0103:
					compression = val
				case 0x0106:
					photometric = val
				case 0x0111:
					stripOff, strips = val, int(count)
				case 0x0117:
					stripLen = val
				case 0x014A: // SubIFDs
					if count == 1 {
						subs = append(subs, uint32(val))
					} else if p := uint64(val); p+4*uint64(count) <= uint64(len(b)) && count <= 16 {
						for k := uint64(0); k < uint64(count); k++ {
							subs = append(subs, bo.Uint32(b[p+4*k:]))
						}
					}
				}
			}
			if jpegOff > 0 && jpegLen > 0 {
				consider(jpegOff, jpegLen)
			}
			if strips == 1 && (compression == 6 || compression == 7 && (photometric == 6 || photometric == 2)) {
				consider(stripOff, stripLen)
			}
			for _, s := range subs {
				walk(s, depth+1)
			}
			off = bo.Uint32(b[end:])
		}
	}
	walk(bo.Uint32(b[4:]), 0)
	if best == nil {
		return nil, fmt.Errorf("%w: no embedded JPEG preview in this RAW", ErrUnsupported)
	}
	return best, nil
}
