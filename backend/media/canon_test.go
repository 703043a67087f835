package media

import (
	"context"
	"flag"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

var updateCanon = flag.Bool("update-canon", false, "rewrite testdata/canon/*.jpg (then run exiftool on them again)")

// canonCase builds a JPEG whose EXIF has a Canon maker note (a plain IFD,
// offsets from the TIFF's start) with CameraSettings (tag 1: index 0 its
// length in bytes, index 16 CameraISO) and ShotInfo (tag 4: index 1
// AutoISO, index 2 BaseISO).
func canonCase(t testing.TB, make string, cameraISO uint16, autoISO, baseISO int16, csLen uint16, exif ...testutil.Tag) []byte {
	cs := make_(17, csLen)
	cs[16] = cameraISO
	si := make_(4, 8)
	si[1], si[2] = uint16(autoISO), uint16(baseISO)
	tiff := testutil.TIFF([]testutil.Tag{
		testutil.ASCII(0x010F, make),
		testutil.ASCII(0x0110, "Canon PowerShot A95"),
		testutil.Pointer(0x8769, append([]testutil.Tag{
			testutil.ASCII(0x9003, "2005:07:14 10:20:30"),
			testutil.IFDMakerNote([]testutil.Tag{testutil.Shorts(0x0001, cs...), testutil.Shorts(0x0004, si...)}),
		}, exif...)),
	})
	return testutil.JPEG(t, testutil.Solid(16, 12, color.RGBA{90, 120, 150, 255}), tiff)
}

// make_ is n int16s whose first (exiftool's check) is length bytes.
func make_(n int, length uint16) []uint16 {
	v := make([]uint16, n)
	v[0] = length
	return v
}

// Canon compacts carry their ISO only in the maker note. The expected
// values are exiftool 12.57's reading of the committed fixtures (its
// composite ISO, printed rounded; auto.jpg's is 282.842712474619 with -n):
//
//	exiftool -ISO testdata/canon/*.jpg
//
// (made with `go test ./backend/media -run TestCanonMakerNoteISO -update-canon`).
func TestCanonMakerNoteISO(t *testing.T) {
	for _, tt := range []struct {
		file string
		jpeg func() []byte
		iso  int // exiftool's ISO; 0 where it prints none
	}{
		// CameraISO 15 is "Auto": BaseISO 160 (100) × AutoISO 48 (282.8%).
		{"auto.jpg", func() []byte { return canonCase(t, "Canon", 15, 48, 160, 34) }, 283},
		// A CameraISO code (18 = 200) wins over ShotInfo's 400.
		{"code.jpg", func() []byte { return canonCase(t, "Canon", 18, 0, 224, 34) }, 200},
		// Bit 14 set: the number itself.
		{"number.jpg", func() []byte { return canonCase(t, "Canon", 0x4000|1250, 0, 224, 34) }, 1250},
		// The standard field wins.
		{"standard.jpg", func() []byte { return canonCase(t, "Canon", 15, 48, 160, 34, testutil.Short(0x8827, 800)) }, 800},
		// The same note under another make is not Canon's.
		{"not-canon.jpg", func() []byte { return canonCase(t, "Kodak", 15, 48, 160, 34) }, 0},
		// A CameraSettings whose length is wrong is not read; "n/a"
		// (0x7fff) and a zero BaseISO give nothing either.
		{"bad-length.jpg", func() []byte { return canonCase(t, "Canon", 18, 0, 0, 30) }, 0},
		{"none.jpg", func() []byte { return canonCase(t, "Canon", 0x7fff, 48, 0, 34) }, 0},
	} {
		t.Run(tt.file, func(t *testing.T) {
			p := filepath.Join("testdata", "canon", tt.file)
			if *updateCanon {
				if err := os.WriteFile(p, tt.jpeg(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			info, err := Probe(context.Background(), p, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if info.Exif == nil {
				t.Fatal("no EXIF")
			}
			if info.Exif.ISO != tt.iso {
				t.Errorf("ISO %d, want %d (exiftool)", info.Exif.ISO, tt.iso)
			}
			if info.Exif.Taken != "2005-07-14T10:20:30" {
				t.Errorf("the rest of the EXIF lost: taken %q", info.Exif.Taken)
			}
		})
	}
}
