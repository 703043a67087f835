package media

import (
	"bytes"
	"encoding/binary"
	"io"
)

// heifExifTIFF finds the Exif item of a HEIF/AVIF file (meta → iinf names
// it, iloc says where its bytes are) and returns the TIFF block inside it.
// Only items stored in the file itself (construction method 0) are read,
// at most maxExifBytes; every offset is checked.
func heifExifTIFF(head []byte, f io.ReaderAt, size int64) []byte {
	meta := bmffFind(bmffChildren(head), "meta")
	if len(meta) < 4 {
		return nil
	}
	mb := bmffChildren(meta[4:])
	id, ok := exifItemID(bmffFind(mb, "iinf"))
	if !ok {
		return nil
	}
	off, n, ok := ilocExtent(bmffFind(mb, "iloc"), id)
	if !ok || n < 8 || off >= uint64(size) || n > maxExifBytes || off+n > uint64(size) {
		return nil
	}
	b := make([]byte, n)
	if _, err := f.ReadAt(b, int64(off)); err != nil && err != io.EOF {
		return nil
	}
	// The payload starts with the offset of the TIFF header after it.
	skip := uint64(binary.BigEndian.Uint32(b))
	if 4+skip+8 > n {
		return nil
	}
	t := b[4+skip:]
	if string(t[:4]) != "II*\x00" && string(t[:4]) != "MM\x00*" {
		return nil
	}
	return t
}

// itemID reads iinf's item entries (infe version 2 or 3) for the first
// item whose type and the rest of its entry (name, content type) match.
func itemID(iinf []byte, match func(typ string, rest []byte) bool) (uint32, bool) {
	if len(iinf) < 6 {
		return 0, false
	}
	p := 6 // version/flags, entry count (u16 for version 0)
	if iinf[0] != 0 {
		p = 8
	}
	for _, e := range bmffChildren(iinf[p:]) {
		if e.typ != "infe" || len(e.body) < 4 {
			continue
		}
		v, body := e.body[0], e.body[4:]
		var id uint32
		switch {
		case v == 2 && len(body) >= 8:
			id, body = uint32(binary.BigEndian.Uint16(body)), body[4:]
		case v == 3 && len(body) >= 10:
			id, body = binary.BigEndian.Uint32(body), body[6:]
		default:
			continue
		}
		if match(string(body[:4]), body[4:]) {
			return id, true
		}
	}
	return 0, false
}

// exifItemID finds the Exif item.
func exifItemID(iinf []byte) (uint32, bool) {
	return itemID(iinf, func(typ string, _ []byte) bool { return typ == "Exif" })
}

// heifXMP finds the XMP item of a HEIF/AVIF file (an item of type "mime"
// with content type application/rdf+xml) and returns its bytes, at most
// MaxXMPBytes; every offset is checked.
func heifXMP(head []byte, f io.ReaderAt, size int64) []byte {
	meta := bmffFind(bmffChildren(head), "meta")
	if len(meta) < 4 {
		return nil
	}
	mb := bmffChildren(meta[4:])
	id, ok := xmpItemID(bmffFind(mb, "iinf"))
	if !ok {
		return nil
	}
	off, n, ok := ilocExtent(bmffFind(mb, "iloc"), id)
	if !ok || n == 0 || off >= uint64(size) || n > MaxXMPBytes || off+n > uint64(size) {
		return nil
	}
	b := make([]byte, n)
	if _, err := f.ReadAt(b, int64(off)); err != nil && err != io.EOF {
		return nil
	}
	return b
}

// xmpItemID finds the XMP item: a "mime" item (name, then content type,
// each NUL-ended) of content type application/rdf+xml.
func xmpItemID(iinf []byte) (uint32, bool) {
	return itemID(iinf, func(typ string, rest []byte) bool {
		if typ != "mime" {
			return false
		}
		z := bytes.IndexByte(rest, 0) // item name
		if z < 0 {
			return false
		}
		rest = rest[z+1:]
		if z = bytes.IndexByte(rest, 0); z >= 0 {
			rest = rest[:z]
		}
		return string(rest) == "application/rdf+xml"
	})
}

// ilocExtent returns the file offset and length of an item stored in one
// extent (or several contiguous ones) by construction method 0.
func ilocExtent(iloc []byte, item uint32) (off, n uint64, ok bool) {
	if len(iloc) < 8 {
		return 0, 0, false
	}
	v := iloc[0]
	b := iloc[4:]
	offSize, lenSize := int(b[0]>>4), int(b[0]&15)
	baseSize, idxSize := int(b[1]>>4), int(b[1]&15)
	if v == 0 {
		idxSize = 0
	}
	p := 2
	read := func(size int) (uint64, bool) {
		if p+size > len(b) {
			return 0, false
		}
		var x uint64
		switch size {
		case 0:
		case 4:
			x = uint64(binary.BigEndian.Uint32(b[p:]))
		case 8:
			x = binary.BigEndian.Uint64(b[p:])
		case 2:
			x = uint64(binary.BigEndian.Uint16(b[p:]))
		default:
			return 0, false
		}
		p += size
		return x, true
	}
	countSize := 2
	if v == 2 {
		countSize = 4
	}
	count, okc := read(countSize)
	if !okc || count > 1<<16 {
		return 0, 0, false
	}
	for i := uint64(0); i < count; i++ {
		id, ok1 := read(countSize)
		method := uint64(0)
		if v == 1 || v == 2 {
			m, okm := read(2)
			if !okm {
				return 0, 0, false
			}
			method = m & 15
		}
		_, ok2 := read(2) // data reference index
		base, ok3 := read(baseSize)
		extents, ok4 := read(2)
		if !ok1 || !ok2 || !ok3 || !ok4 || extents > 1024 {
			return 0, 0, false
		}
		var start, total uint64
		contiguous := true
		for e := uint64(0); e < extents; e++ {
			if _, ok := read(idxSize); !ok {
				return 0, 0, false
			}
			eo, oko := read(offSize)
			el, okl := read(lenSize)
			if !oko || !okl {
				return 0, 0, false
			}
			if e == 0 {
				start = base + eo
			} else if base+eo != start+total {
				contiguous = false
			}
			total += el
		}
		if uint32(id) == item {
			return start, total, method == 0 && contiguous && extents > 0
		}
	}
	return 0, 0, false
}
