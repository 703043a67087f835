package ort

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// A minimal protobuf reader and writer, for the few fields of an ONNX model that Tagsight
// reads (ReadIO) or rewrites (backend/onnxq). Fields are kept as the exact bytes they were
// read from, so a rewrite copies everything it does not change through untouched, unknown
// fields included. (google.golang.org/protobuf/encoding/protowire would do the same job;
// it is not a dependency of this module and encoding/binary is enough.)

// Protobuf wire types.
const (
	WireVarint  = 0
	WireFixed64 = 1
	WireBytes   = 2
	WireFixed32 = 5
)

// Field is one protobuf field: its number, wire type, varint value (WireVarint), and the
// span [Start, End) of its payload in the message it was read from. Data (the payload of
// WireBytes, WireFixed32 and WireFixed64 fields) and Raw (the whole encoding, tag
// included) are set by WalkFields only.
type Field struct {
	Num, Wire  int
	V          uint64
	Start, End int64
	Data, Raw  []byte
	tag        int64 // where the tag starts
}

// ScanFields calls fn for each field in [start, end) of r, in order. It reads only the
// fields' headers: payloads are skipped by offset, so a model file's weights are never read.
func ScanFields(r io.ReaderAt, start, end int64, fn func(Field) error) error {
	var buf [2 * binary.MaxVarintLen64]byte
	for pos := start; pos < end; {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), end-pos)], pos)
		if n == 0 {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("%w: %v", ErrInvalidModel, err)
		}
		tag, k := binary.Uvarint(buf[:n])
		if k <= 0 {
			return fmt.Errorf("%w: bad field tag at byte %d", ErrInvalidModel, pos)
		}
		num, wire := tag>>3, int(tag&7)
		if num == 0 || num > 1<<29-1 {
			return fmt.Errorf("%w: field number %d at byte %d", ErrInvalidModel, num, pos)
		}
		f := Field{Num: int(num), Wire: wire, tag: pos}
		p := pos + int64(k)
		switch wire {
		case WireVarint:
			v, k2 := binary.Uvarint(buf[k:n])
			if k2 <= 0 {
				return fmt.Errorf("%w: bad varint at byte %d", ErrInvalidModel, p)
			}
			f.V, f.Start, f.End = v, p, p+int64(k2)
		case WireFixed64, WireFixed32:
			size := int64(8)
			if wire == WireFixed32 {
				size = 4
			}
			if end-p < size {
				return fmt.Errorf("%w: truncated field %d", ErrInvalidModel, num)
			}
			f.Start, f.End = p, p+size
		case WireBytes:
			l, k2 := binary.Uvarint(buf[k:n])
			if k2 <= 0 {
				return fmt.Errorf("%w: bad length at byte %d", ErrInvalidModel, p)
			}
			f.Start = p + int64(k2)
			if l > uint64(end-f.Start) {
				return fmt.Errorf("%w: field %d runs past its message", ErrInvalidModel, num)
			}
			f.End = f.Start + int64(l)
		default: // groups (3, 4) are not used by ONNX; 6 and 7 do not exist
			return fmt.Errorf("%w: wire type %d at byte %d", ErrInvalidModel, wire, pos)
		}
		if err := fn(f); err != nil {
			return err
		}
		pos = f.End
	}
	return nil
}

// WalkFields calls fn for each field of the message b, in order; Data and Raw alias b.
func WalkFields(b []byte, fn func(Field) error) error {
	return ScanFields(bytes.NewReader(b), 0, int64(len(b)), func(f Field) error {
		if f.Wire != WireVarint {
			f.Data = b[f.Start:f.End]
		}
		f.Raw = b[f.tag:f.End]
		return fn(f)
	})
}

// ParseFields splits a message into its fields. The payloads alias b.
func ParseFields(b []byte) ([]Field, error) {
	var out []Field
	err := WalkFields(b, func(f Field) error {
		out = append(out, f)
		return nil
	})
	return out, err
}

// AppendTag appends a field's tag.
func AppendTag(b []byte, num, wire int) []byte {
	return binary.AppendUvarint(b, uint64(num)<<3|uint64(wire))
}

// AppendBytes appends a length-delimited field (an embedded message, bytes).
func AppendBytes(b []byte, num int, data []byte) []byte {
	b = AppendTag(b, num, WireBytes)
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

// AppendString appends a string field.
func AppendString(b []byte, num int, s string) []byte {
	b = AppendTag(b, num, WireBytes)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// AppendVarint appends a varint field.
func AppendVarint(b []byte, num int, v uint64) []byte {
	b = AppendTag(b, num, WireVarint)
	return binary.AppendUvarint(b, v)
}

// Int64s appends the values of a repeated int64 field to dst, in either encoding: one
// varint per field, or packed.
func Int64s(dst []int64, f Field) ([]int64, error) {
	switch f.Wire {
	case WireVarint:
		return append(dst, int64(f.V)), nil
	case WireBytes:
		for p := f.Data; len(p) > 0; {
			v, n := binary.Uvarint(p)
			if n <= 0 {
				return nil, fmt.Errorf("%w: bad packed varint", ErrInvalidModel)
			}
			dst = append(dst, int64(v))
			p = p[n:]
		}
		return dst, nil
	}
	return nil, fmt.Errorf("%w: int64 field with wire type %d", ErrInvalidModel, f.Wire)
}
