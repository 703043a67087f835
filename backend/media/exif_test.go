package media

import (
	"encoding/binary"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/testutil"
)

func fullExifTIFF() []byte {
	return buildTIFF(
		[]tiffTag{asciiTag(0x010f, "Canon"), asciiTag(0x0110, "EOS R5"), shortTag(0x0112, 6),
			asciiTag(0x0132, "2020:01:01 00:00:00")},
		[]tiffTag{
			ratTag(0x829a, 1, 250), ratTag(0x829d, 28, 10), shortTag(0x8827, 400),
			asciiTag(0x9003, "2023:07:14 18:30:05"), asciiTag(0x9011, "+02:00"),
			ratTag(0x920a, 500, 10), asciiTag(0xa434, "RF24-70mm F2.8 L IS USM"),
		},
		[]tiffTag{
			asciiTag(0x1, "S"), ratTag(0x2, 33, 1, 51, 1, 3540, 100),
			asciiTag(0x3, "W"), ratTag(0x4, 151, 1, 12, 1, 0, 1),
		},
	)
}

func TestParseExif(t *testing.T) {
	e := parseExifTIFF(fullExifTIFF())
	if e == nil {
		t.Fatal("nil exif")
	}
	if e.Make != "Canon" || e.Model != "EOS R5" || e.Lens != "RF24-70mm F2.8 L IS USM" {
		t.Errorf("make/model/lens = %q %q %q", e.Make, e.Model, e.Lens)
	}
	if e.ISO != 400 || e.FNumber != 2.8 || e.Exposure != "1/250" || e.FocalLength != 50 || e.Orientation != 6 {
		t.Errorf("iso %d f %v exp %q focal %v orient %d", e.ISO, e.FNumber, e.Exposure, e.FocalLength, e.Orientation)
	}
	if e.Taken != "2023-07-14T18:30:05+02:00" {
		t.Errorf("taken %q", e.Taken)
	}
	if e.Lat == nil || e.Lon == nil || math.Abs(*e.Lat-(-33.8598333)) > 1e-6 || math.Abs(*e.Lon-(-151.2)) > 1e-6 {
		t.Errorf("gps %v %v", e.Lat, e.Lon)
	}
}

func TestFormatHelpers(t *testing.T) {
	for _, tt := range []struct {
		num, den int64
		want     string
	}{{1, 250, "1/250"}, {10, 1250, "1/125"}, {5, 2, "2.5"}, {30, 1, "30"}, {1, 3, "1/3"}} {
		if got := formatExposure(tt.num, tt.den); got != tt.want {
			t.Errorf("formatExposure(%d/%d) = %q, want %q", tt.num, tt.den, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, off, want string }{
		{"2023:07:14 18:30:05", "", "2023-07-14T18:30:05"},
		{"2023:07:14 18:30:05", "-05:00", "2023-07-14T18:30:05-05:00"},
		{"2023:07:14 18:30:05", "garbage", "2023-07-14T18:30:05"},
		{"0000:00:00 00:00:00", "", ""},
		{"    :  :     :  :  ", "", ""},
	} {
		if got := formatTaken(tt.in, tt.off); got != tt.want {
			t.Errorf("formatTaken(%q, %q) = %q, want %q", tt.in, tt.off, got, tt.want)
		}
	}
}

// TestMalformedExif: each case must return quickly without panicking; when
// IFD0 itself is sound, the fields in it must survive (partial EXIF).
func TestMalformedExif(t *testing.T) {
	le := binary.LittleEndian
	base := func() []byte { return buildTIFF([]tiffTag{asciiTag(0x010f, "Make1"), shortTag(0x0112, 3)}, nil, nil) }
	// Offsets in base: IFD0 at 8 with 2 entries; next-IFD pointer at 8+2+24 = 34.
	const next0 = 8 + 2 + 2*12
	tests := []struct {
		name     string
		data     func() []byte
		wantMake string // "" = nil or anything
	}{
		{"ifd0 offset past end", func() []byte { b := base(); le.PutUint32(b[4:], 1<<30); return b }, ""},
		{"ifd0 offset into header", func() []byte { b := base(); le.PutUint32(b[4:], 2); return b }, ""},
		{"value offset past end", func() []byte { b := base(); le.PutUint32(b[8+2+8:], 0xfffffff0); return b }, ""},
		{"ifd loop to self", func() []byte { b := base(); le.PutUint32(b[next0:], 8); return b }, "Make1"},
		{"ifd1 loops to ifd0", func() []byte {
			b := base()
			le.PutUint32(b[next0:], uint32(len(b)))
			b = append(b, 0, 0) // IFD1: zero entries
			b = le.AppendUint32(b, 8)
			return b
		}, "Make1"},
		{"next ifd past end", func() []byte { b := base(); le.PutUint32(b[next0:], 0x7fffffff); return b }, "Make1"},
		{"exif pointer to itself", func() []byte {
			b := buildTIFF([]tiffTag{asciiTag(0x010f, "Make1")}, []tiffTag{shortTag(0x8827, 100)}, nil)
			// Exif IFD at 8+2+24+4 = 38; point its only tag at itself as an Exif pointer.
			le.PutUint16(b[38+2:], 0x8769)
			le.PutUint16(b[38+4:], 4)
			le.PutUint32(b[38+10:], 38)
			return b
		}, "Make1"},
		{"exif pointer to ifd0", func() []byte {
			b := buildTIFF([]tiffTag{asciiTag(0x010f, "Make1")}, []tiffTag{shortTag(0x8827, 100)}, nil)
			le.PutUint32(b[8+2+12+8:], 8)
			return b
		}, "Make1"},
		{"exif pointer past end", func() []byte {
			b := buildTIFF([]tiffTag{asciiTag(0x010f, "Make1")}, []tiffTag{shortTag(0x8827, 100)}, nil)
			le.PutUint32(b[8+2+12+8:], 1<<31)
			return b
		}, "Make1"},
		{"count overflow bomb", func() []byte {
			// LONG x 0x40000001 wraps to 4 bytes in goexif's uint32 maths and
			// would make it allocate 8 GiB of []int64.
			b := base()
			le.PutUint16(b[8+2+12+2:], 4)
			le.PutUint32(b[8+2+12+4:], 0x40000001)
			return b
		}, "Make1"},
		{"rational count bomb", func() []byte {
			b := base()
			le.PutUint16(b[8+2+12+2:], 5)
			le.PutUint32(b[8+2+12+4:], 0x20000000)
			return b
		}, "Make1"},
		{"unknown type", func() []byte { b := base(); le.PutUint16(b[8+2+2:], 99); return b }, ""},
		{"zero count", func() []byte { b := base(); le.PutUint32(b[8+2+12+4:], 0); return b }, "Make1"},
		{"negative entry count", func() []byte { b := base(); le.PutUint16(b[8:], 0x9000); return b }, ""},
		{"gps zero denominators", func() []byte {
			return buildTIFF([]tiffTag{asciiTag(0x010f, "Make1")}, nil, []tiffTag{
				asciiTag(0x1, "N"), ratTag(0x2, 1, 0, 1, 0, 1, 0), asciiTag(0x3, "E"), ratTag(0x4, 1, 0, 0, 0, 0, 0)})
		}, "Make1"},
		{"gps short rational", func() []byte {
			return buildTIFF([]tiffTag{asciiTag(0x010f, "Make1")}, nil, []tiffTag{
				asciiTag(0x1, "N"), ratTag(0x2, 1, 1), asciiTag(0x3, "E"), ratTag(0x4, 1, 1)})
		}, "Make1"},
		{"truncated", func() []byte { return fullExifTIFF()[:60] }, ""},
		{"header only", func() []byte { return []byte("II*\x00") }, ""},
		{"big endian garbage", func() []byte { return []byte("MM\x00*\x00\x00\x00\x08\xff\xff\xff\xff") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan *Exif, 1)
			go func() { done <- parseExifTIFF(tt.data()) }()
			select {
			case e := <-done:
				if tt.wantMake != "" && (e == nil || e.Make != tt.wantMake) {
					t.Errorf("got %+v, want Make %q kept", e, tt.wantMake)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("parseExifTIFF hung")
			}
		})
	}
}

func TestJPEGExifLocator(t *testing.T) {
	jpg := encodeJPEG(t, noisyImage(16, 16))
	tiffData := fullExifTIFF()
	with := withAPP1(t, jpg, tiffData)
	if got := jpegExifTIFF(with); string(got) != string(tiffData) {
		t.Fatalf("APP1 payload not found")
	}
	if jpegExifTIFF(jpg) != nil {
		t.Fatal("found EXIF in a JPEG without one")
	}
	// A segment length running past the buffer must not be followed.
	bad := append([]byte{}, with...)
	bad[4], bad[5] = 0xff, 0xff
	if jpegExifTIFF(bad[:100]) != nil {
		t.Fatal("followed a segment past the end")
	}
}

// TestExifWorstCaseBounded: the largest structure sanitizeTIFF lets through
// (1 MiB, 32767 tags all pointing at the same bytes) must still be cheap.
func TestExifWorstCaseBounded(t *testing.T) {
	le := binary.LittleEndian
	const n = 0x7fff
	b := make([]byte, maxExifBytes)
	copy(b, "II*\x00\x08\x00\x00\x00")
	le.PutUint16(b[8:], n)
	for i := 0; i < n; i++ {
		e := 10 + 12*i
		le.PutUint16(b[e:], uint16(0x100+i))
		le.PutUint16(b[e+2:], 1)      // BYTE
		le.PutUint32(b[e+4:], 64<<10) // 64 KiB each: the budget stops this
		le.PutUint32(b[e+8:], 8)
	}
	// The budget bounds the work: measured by bytes allocated
	// (deterministic), not by time. Reading every entry's 64 KiB would
	// allocate 2 GiB.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	parseExifTIFF(b)
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
		t.Errorf("parsing allocated %d MiB: the budget did not stop it", got>>20)
	}
}

// Nikon's maker note fills the ISO and lens standard EXIF lacks; what the
// standard fields say wins; a maker note nothing reads, or a hostile one,
// costs the rest of the EXIF nothing.
func TestNikonMakerNote(t *testing.T) {
	note := func(tags ...testutil.Tag) testutil.Tag {
		return testutil.Undefined(0x927C, testutil.NikonMakerNote(tags))
	}
	nikon := func(exif ...testutil.Tag) []byte {
		return testutil.TIFF([]testutil.Tag{
			testutil.ASCII(0x010F, "NIKON CORPORATION"),
			testutil.ASCII(0x0110, "NIKON D750"),
			testutil.Pointer(0x8769, append([]testutil.Tag{testutil.ASCII(0x9003, "2021:04:01 09:15:00")}, exif...)),
		})
	}
	iso := testutil.Shorts(0x0002, 0, 1600)
	lens := testutil.Rationals(0x0084, [2]uint32{24, 1}, [2]uint32{70, 1}, [2]uint32{28, 10}, [2]uint32{28, 10})
	for _, tt := range []struct {
		name      string
		tiff      []byte
		iso       int
		lens, day string
	}{
		{"maker note only", nikon(note(iso, lens)), 1600, "24-70mm f/2.8", "2021-04-01T09:15:00"},
		{"standard fields win", nikon(note(iso, lens), testutil.Short(0x8827, 800), testutil.ASCII(0xA434, "AF-S 24-70mm f/2.8E")), 800, "AF-S 24-70mm f/2.8E", "2021-04-01T09:15:00"},
		{"zoom with a variable aperture", nikon(note(testutil.Rationals(0x0084, [2]uint32{18, 1}, [2]uint32{55, 1}, [2]uint32{35, 10}, [2]uint32{56, 10}))), 0, "18-55mm f/3.5-5.6", "2021-04-01T09:15:00"},
		{"an unknown maker's note", nikon(testutil.Undefined(0x927C, []byte("SONY DSC \x00\x00\x00garbage-garbage"))), 0, "", "2021-04-01T09:15:00"},
		{"a note too short", nikon(testutil.Undefined(0x927C, []byte("Nikon\x00\x02"))), 0, "", "2021-04-01T09:15:00"},
		{"a note whose TIFF is broken", nikon(testutil.Undefined(0x927C, append([]byte("Nikon\x00\x02\x10\x00\x00MM\x00*\xff\xff\xff\xf0"), make([]byte, 16)...))), 0, "", "2021-04-01T09:15:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := parseExifTIFF(tt.tiff)
			if e == nil {
				t.Fatal("no EXIF at all")
			}
			if e.ISO != tt.iso || e.Lens != tt.lens || e.Taken != tt.day || e.Make != "NIKON CORPORATION" {
				t.Errorf("got ISO %d lens %q taken %q make %q; want %d %q %q", e.ISO, e.Lens, e.Taken, e.Make, tt.iso, tt.lens, tt.day)
			}
		})
	}
	// A maker-note value claiming 4 G entries is cut by the sanitizer, not
	// allocated by goexif.
	huge := testutil.NikonMakerNote([]testutil.Tag{iso})
	inner := huge[10:]
	// IFD0 of the inner TIFF: count (2 bytes) then the first entry; its
	// count field is at 8+2+4.
	binary.BigEndian.PutUint32(inner[8+2+4:], 0xFFFFFFF0)
	e := parseExifTIFF(nikon(testutil.Undefined(0x927C, huge)))
	if e == nil || e.Make != "NIKON CORPORATION" || e.ISO != 0 {
		t.Errorf("hostile maker note: %+v", e)
	}
}

// The camera line names the maker once (issue 20: "Canon Canon EOS 40D").
// Make and model pairs as cameras write them.
func TestCameraName(t *testing.T) {
	for _, tt := range []struct{ make, model, want string }{
		{"Canon", "Canon EOS 40D", "Canon EOS 40D"},
		{"NIKON CORPORATION", "NIKON D750", "NIKON D750"},
		{"Leica Camera AG", "LEICA Q2", "LEICA Q2"},
		{"SAMSUNG", "SAMSUNG-SM-G930F", "SAMSUNG-SM-G930F"},
		{"FUJIFILM", "X-T3", "FUJIFILM X-T3"},
		{"Apple", "iPhone 12 Pro", "Apple iPhone 12 Pro"},
		{"OLYMPUS IMAGING CORP.", "E-M5", "OLYMPUS IMAGING CORP. E-M5"},
		{"GoPro", "GoProfessional", "GoPro GoProfessional"},
		{"Canon", "", "Canon"},
		{"", "Pixel 7", "Pixel 7"},
		{" Canon ", " Canon PowerShot A95 ", "Canon PowerShot A95"},
		{"", "", ""},
	} {
		if got := CameraName(tt.make, tt.model); got != tt.want {
			t.Errorf("CameraName(%q, %q) = %q, want %q", tt.make, tt.model, got, tt.want)
		}
	}
}
