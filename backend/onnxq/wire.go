package onnxq

import (
	"encoding/binary"
	"fmt"
)

// A minimal protobuf reader and writer. Fields are kept as the exact bytes they were read
// from, so everything this package does not rewrite is copied through untouched, unknown
// fields included. (google.golang.org/protobuf/encoding/protowire would do the same job;
// it is not a dependency of this module and encoding/binary is enough.)

const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// field is one protobuf field: its number, wire type, varint value (wireVarint) or payload
// (wireBytes, wireFixed32, wireFixed64), and raw, the whole encoding including the tag.
type field struct {
	num  int
	wire int
	v    uint64
	data []byte
	raw  []byte
}

// parseFields splits a message into its fields. The payloads alias b.
func parseFields(b []byte) ([]field, error) {
	var out []field
	err := walkFields(b, func(f field) error {
		out = append(out, f)
		return nil
	})
	return out, err
}

// walkFields calls fn for each field of the message b, in order, without collecting them.
func walkFields(b []byte, fn func(field) error) error {
	for pos := 0; pos < len(b); {
		start := pos
		tag, n := binary.Uvarint(b[pos:])
		if n <= 0 {
			return fmt.Errorf("%w: bad field tag at byte %d", ErrInvalid, pos)
		}
		pos += n
		num, wire := tag>>3, int(tag&7)
		if num == 0 || num > 1<<29-1 {
			return fmt.Errorf("%w: field number %d at byte %d", ErrInvalid, num, start)
		}
		f := field{num: int(num), wire: wire}
		switch wire {
		case wireVarint:
			v, n := binary.Uvarint(b[pos:])
			if n <= 0 {
				return fmt.Errorf("%w: bad varint at byte %d", ErrInvalid, pos)
			}
			f.v = v
			pos += n
		case wireFixed64, wireFixed32:
			size := 8
			if wire == wireFixed32 {
				size = 4
			}
			if len(b)-pos < size {
				return fmt.Errorf("%w: truncated field %d", ErrInvalid, num)
			}
			f.data = b[pos : pos+size]
			pos += size
		case wireBytes:
			l, n := binary.Uvarint(b[pos:])
			if n <= 0 {
				return fmt.Errorf("%w: bad length at byte %d", ErrInvalid, pos)
			}
			pos += n
			if l > uint64(len(b)-pos) {
				return fmt.Errorf("%w: field %d runs past its message", ErrInvalid, num)
			}
			f.data = b[pos : pos+int(l)]
			pos += int(l)
		default: // groups (3, 4) are not used by ONNX; 6 and 7 do not exist
			return fmt.Errorf("%w: wire type %d at byte %d", ErrInvalid, wire, start)
		}
		f.raw = b[start:pos]
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

func appendTag(b []byte, num, wire int) []byte {
	return binary.AppendUvarint(b, uint64(num)<<3|uint64(wire))
}

func appendBytesField(b []byte, num int, data []byte) []byte {
	b = appendTag(b, num, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

func appendStringField(b []byte, num int, s string) []byte {
	b = appendTag(b, num, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendVarintField(b []byte, num int, v uint64) []byte {
	b = appendTag(b, num, wireVarint)
	return binary.AppendUvarint(b, v)
}

// int64s reads a repeated int64 field in either encoding: one varint per field, or packed.
func appendInt64s(dst []int64, f field) ([]int64, error) {
	switch f.wire {
	case wireVarint:
		return append(dst, int64(f.v)), nil
	case wireBytes:
		for p := f.data; len(p) > 0; {
			v, n := binary.Uvarint(p)
			if n <= 0 {
				return nil, fmt.Errorf("%w: bad packed varint", ErrInvalid)
			}
			dst = append(dst, int64(v))
			p = p[n:]
		}
		return dst, nil
	}
	return nil, fmt.Errorf("%w: int64 field with wire type %d", ErrInvalid, f.wire)
}
