package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"

	"github.com/andybalholm/brotli"

	"github.com/tagsight/tagsight/backend/facts"
)

// errWOFF2Glyf: a WOFF2 font whose glyph outlines are stored transformed
// (most TrueType WOFF2 files). Rebuilding them is not done here: the
// font's names and glyph count are read, it gets no poster, and it is
// reported so.
var errWOFF2Glyf = errors.New("woff2 with transformed glyph outlines: facts only, not drawn")

// woff2Tags are the tags a WOFF2 table directory names by index.
var woff2Tags = [...]string{"cmap", "head", "hhea", "hmtx", "maxp", "name", "OS/2", "post", "cvt ", "fpgm",
	"glyf", "loca", "prep", "CFF ", "VORG", "EBDT", "EBLC", "gasp", "hdmx", "kern", "LTSH", "PCLT", "VDMX",
	"vhea", "vmtx", "BASE", "GDEF", "GPOS", "GSUB", "EBSC", "JSTF", "MATH", "CBDT", "CBLC", "COLR", "CPAL",
	"SVG ", "sbix", "acnt", "avar", "bdat", "bloc", "bsln", "cvar", "fdsc", "feat", "fmtx", "fvar", "gvar",
	"hsty", "just", "lcar", "mort", "morx", "opbd", "prop", "trak", "Zapf", "Silf", "Glat", "Gloc", "Feat", "Sill"}

// unwrapWOFF2 rebuilds the sfnt a WOFF2 file wraps: its one Brotli stream
// inflated to no more than the tables declare. Tables stored transformed
// are left out; when glyf is one of them the sfnt comes back with
// errWOFF2Glyf (its names and glyph count still read by woffNameFacts).
func unwrapWOFF2(b []byte, total int64) ([]byte, error) {
	bad := func(what string) error { return fmt.Errorf("%w: woff2: %s", ErrCorrupt, what) }
	if len(b) < 48 {
		return nil, bad("header cut short")
	}
	flavor := binary.BigEndian.Uint32(b[4:8])
	if flavor == 0x74746366 { // ttcf
		return nil, fmt.Errorf("%w: woff2 font collection", ErrUnsupported)
	}
	n := int(binary.BigEndian.Uint16(b[12:14]))
	compressed := int64(binary.BigEndian.Uint32(b[20:24]))
	type table struct {
		tag         string
		orig, store uint32
		transformed bool
	}
	tables := make([]table, 0, n)
	r := bytes.NewReader(b[48:])
	var stream int64
	for range n {
		flags, err := r.ReadByte()
		if err != nil {
			return nil, bad("table directory cut short")
		}
		var t table
		if flags&0x3f == 0x3f {
			var tag [4]byte
			if _, err := io.ReadFull(r, tag[:]); err != nil {
				return nil, bad("table directory cut short")
			}
			t.tag = string(tag[:])
		} else {
			t.tag = woff2Tags[flags&0x3f]
		}
		version := flags >> 6
		if t.orig, err = base128(r); err != nil {
			return nil, bad(err.Error())
		}
		t.store = t.orig
		if t.tag == "glyf" || t.tag == "loca" {
			t.transformed = version != 3
		} else {
			t.transformed = version != 0
		}
		if t.transformed {
			if t.store, err = base128(r); err != nil {
				return nil, bad(err.Error())
			}
		}
		stream += int64(t.store)
		if stream > total {
			return nil, bad("tables larger than the size declared")
		}
		tables = append(tables, t)
	}
	start := int64(len(b)) - int64(r.Len())
	if start+compressed > int64(len(b)) {
		return nil, bad("compressed data out of the file")
	}
	// One byte more than declared tells a stream that lies.
	data, err := io.ReadAll(io.LimitReader(brotli.NewReader(bytes.NewReader(b[start:start+compressed])), stream+1))
	if err != nil || int64(len(data)) != stream {
		return nil, bad("data does not inflate to the declared size")
	}
	kept, glyf := 0, false
	for _, t := range tables {
		if t.transformed {
			glyf = glyf || t.tag == "glyf"
			continue
		}
		kept++
	}
	out := make([]byte, 12+16*kept, total+int64(12+16*kept))
	binary.BigEndian.PutUint32(out, flavor)
	binary.BigEndian.PutUint16(out[4:], uint16(kept))
	at, i := 0, 0
	for _, t := range tables {
		part := data[at : at+int(t.store)]
		at += int(t.store)
		if t.transformed {
			continue
		}
		rec := out[12+16*i:]
		copy(rec, t.tag)
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], t.orig)
		out = append(out, part...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		i++
	}
	if glyf {
		return out, errWOFF2Glyf
	}
	return out, nil
}

// base128 reads WOFF2's UIntBase128.
func base128(r io.ByteReader) (uint32, error) {
	var v uint32
	for i := range 5 {
		c, err := r.ReadByte()
		if err != nil {
			return 0, errors.New("number cut short")
		}
		if (i == 0 && c == 0x80) || v&0xfe000000 != 0 {
			return 0, errors.New("bad number")
		}
		v = v<<7 | uint32(c&0x7f)
		if c&0x80 == 0 {
			return v, nil
		}
	}
	return 0, errors.New("number too long")
}

// woffNameFacts reads a font's family, style and glyph count straight
// from its name and maxp tables, for an sfnt the font parser cannot take
// whole (a WOFF2 without its glyph outlines).
func woffNameFacts(s []byte) facts.Facts {
	var f facts.Facts
	if len(s) < 12 {
		return f
	}
	n := int(binary.BigEndian.Uint16(s[4:6]))
	tableOf := func(tag string) []byte {
		for i := range n {
			rec := 12 + 16*i
			if rec+16 > len(s) {
				return nil
			}
			if string(s[rec:rec+4]) == tag {
				off, l := int64(binary.BigEndian.Uint32(s[rec+8:])), int64(binary.BigEndian.Uint32(s[rec+12:]))
				if off+l <= int64(len(s)) {
					return s[off : off+l]
				}
			}
		}
		return nil
	}
	if m := tableOf("maxp"); len(m) >= 6 {
		f.Glyphs = int(binary.BigEndian.Uint16(m[4:6]))
	}
	t := tableOf("name")
	if len(t) < 6 {
		return f
	}
	count, strOff := int(binary.BigEndian.Uint16(t[2:4])), int(binary.BigEndian.Uint16(t[4:6]))
	names := map[uint16]string{}
	for i := range count {
		rec := 6 + 12*i
		if rec+12 > len(t) {
			break
		}
		platform, id := binary.BigEndian.Uint16(t[rec:]), binary.BigEndian.Uint16(t[rec+6:])
		l, off := int(binary.BigEndian.Uint16(t[rec+8:])), strOff+int(binary.BigEndian.Uint16(t[rec+10:]))
		if off+l > len(t) || names[id] != "" && platform != 3 {
			continue
		}
		raw := t[off : off+l]
		if platform == 3 || platform == 0 {
			u := make([]uint16, len(raw)/2)
			for j := range u {
				u[j] = binary.BigEndian.Uint16(raw[2*j:])
			}
			names[id] = string(utf16.Decode(u))
		} else if names[id] == "" {
			names[id] = string(bytes.ToValidUTF8(raw, nil))
		}
	}
	pick := func(ids ...uint16) string {
		for _, id := range ids {
			if names[id] != "" {
				return names[id]
			}
		}
		return ""
	}
	f.Family, f.Style = pick(16, 1), pick(17, 2)
	return f
}
