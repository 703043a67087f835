package ort

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

// The byte strings are the worked examples of protobuf's encoding guide
// (protobuf.dev/programming-guides/encoding): field 1 = 150, field 2 =
// "testing", packed field 4 = [3, 270, 86942]; and a fixed32 field 5.
var (
	exVarint = []byte{0x08, 0x96, 0x01}
	exString = []byte{0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'}
	exPacked = []byte{0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05}
	exFixed  = []byte{0x2d, 1, 2, 3, 4}
)

func TestWalkFieldsReadsTheGuidesExamples(t *testing.T) {
	msg := slices.Concat(exVarint, exString, exPacked, exFixed)
	fs, err := ParseFields(msg)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 4 {
		t.Fatalf("%d fields", len(fs))
	}
	if f := fs[0]; f.Num != 1 || f.Wire != WireVarint || f.V != 150 || f.Data != nil || !bytes.Equal(f.Raw, exVarint) {
		t.Errorf("varint: %+v", f)
	}
	if f := fs[1]; f.Num != 2 || f.Wire != WireBytes || string(f.Data) != "testing" || !bytes.Equal(f.Raw, exString) {
		t.Errorf("string: %+v", f)
	}
	if v, err := Int64s(nil, fs[2]); err != nil || !slices.Equal(v, []int64{3, 270, 86942}) {
		t.Errorf("packed: %v %v", v, err)
	}
	if v, err := Int64s([]int64{7}, fs[0]); err != nil || !slices.Equal(v, []int64{7, 150}) {
		t.Errorf("unpacked: %v %v", v, err)
	}
	if f := fs[3]; f.Num != 5 || f.Wire != WireFixed32 || !bytes.Equal(f.Data, []byte{1, 2, 3, 4}) {
		t.Errorf("fixed32: %+v", f)
	}
	// ScanFields gives the same spans without the bytes.
	var spans [][2]int64
	if err := ScanFields(bytes.NewReader(msg), 0, int64(len(msg)), func(f Field) error {
		spans = append(spans, [2]int64{f.Start, f.End})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := [][2]int64{{1, 3}, {5, 12}, {14, 20}, {21, 25}}; !slices.Equal(spans, want) {
		t.Errorf("spans %v, want %v", spans, want)
	}
}

func TestAppendWritesTheGuidesExamples(t *testing.T) {
	if got := AppendVarint(nil, 1, 150); !bytes.Equal(got, exVarint) {
		t.Errorf("varint % x", got)
	}
	if got := AppendString(nil, 2, "testing"); !bytes.Equal(got, exString) {
		t.Errorf("string % x", got)
	}
	if got := AppendBytes(nil, 4, exPacked[2:]); !bytes.Equal(got, exPacked) {
		t.Errorf("bytes % x", got)
	}
}

func TestWalkFieldsRefusesBrokenMessages(t *testing.T) {
	for name, b := range map[string][]byte{
		"truncated string": exString[:5],
		"truncated varint": exVarint[:2],
		"truncated fixed":  exFixed[:3],
		"field number 0":   {0x00, 0x01},
		"group wire type":  {0x0b},
		"huge length":      {0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
		"bad tag":          {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	} {
		if err := WalkFields(b, func(Field) error { return nil }); !errors.Is(err, ErrInvalidModel) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
