package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

func bmffBox(typ string, body ...[]byte) []byte {
	b := bytes.Join(body, nil)
	out := binary.BigEndian.AppendUint32(nil, uint32(len(b)+8))
	return append(append(out, typ...), b...)
}

func fullBox(typ string, version byte, body ...[]byte) []byte {
	return bmffBox(typ, append([][]byte{{version, 0, 0, 0}}, body...)...)
}

func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// heifWithExif is a HEIF header whose Exif item (iinf + iloc) lives in mdat.
func heifWithExif(tiff []byte) []byte {
	payload := append(u32(0), tiff...)
	build := func(mdatOff uint32) []byte {
		ftyp := bmffBox("ftyp", []byte("heic"), u32(0), []byte("mif1heic"))
		meta := fullBox("meta", 0,
			fullBox("hdlr", 0, u32(0), []byte("pict"), make([]byte, 13)),
			fullBox("pitm", 0, u16(1)),
			fullBox("iinf", 0, u16(2),
				fullBox("infe", 2, u16(1), u16(0), []byte("hvc1\x00")),
				fullBox("infe", 2, u16(2), u16(0), []byte("Exif\x00"))),
			fullBox("iloc", 0, []byte{0x44, 0x00}, u16(1), u16(2), u16(0), u16(1), u32(mdatOff), u32(uint32(len(payload)))),
			bmffBox("iprp",
				bmffBox("ipco", fullBox("ispe", 0, u32(64), u32(48))),
				fullBox("ipma", 0, u32(1), u16(1), []byte{1, 0x81})))
		return append(ftyp, meta...)
	}
	head := build(0)
	head = build(uint32(len(head) + 8))
	return append(head, bmffBox("mdat", payload)...)
}

func TestHEIFExif(t *testing.T) {
	data := heifWithExif(testutil.CameraExif(6))
	tiff := heifExifTIFF(data, bytes.NewReader(data), int64(len(data)))
	if tiff == nil {
		t.Fatal("no EXIF found in the HEIF")
	}
	p := writeFile(t, t.TempDir(), "IMG_0001.HEIC", data)
	info, err := Probe(context.Background(), p, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != "heic" || info.Width != 64 || info.Height != 48 || info.Exif == nil ||
		info.Exif.Taken != "2023-06-15T14:30:05" || info.Exif.Make != "Canon" || info.Exif.Lat == nil {
		t.Fatalf("info %+v exif %+v", info, info.Exif)
	}
	if info.Orientation != 1 {
		t.Errorf("HEIF orientation %d: irot is the decoder's, EXIF's must not turn it again", info.Orientation)
	}
	// Cut, lying or looping structures find nothing and never panic.
	for i := 0; i < len(data); i += 7 {
		heifExifTIFF(data[:i], bytes.NewReader(data[:i]), int64(i))
	}
	bad := append([]byte{}, data...)
	binary.BigEndian.PutUint32(bad[len(bad)-len(testutil.CameraExif(6))-4:], 0xFFFFFF00) // TIFF offset past the end
	if heifExifTIFF(bad, bytes.NewReader(bad), int64(len(bad))) != nil {
		t.Error("accepted an Exif offset past the end")
	}
}
