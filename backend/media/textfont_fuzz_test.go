package media

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"
)

// The text, font and SVG parsers take outside data: none may panic, hang
// or allocate past what the input declares within the limits.

func FuzzScanText(f *testing.F) {
	for _, s := range []string{"a\nb", "\xff\xfex\x00\n\x00", "\xfe\xff\x00x", "caf\xe9\n", "\xef\xbb\xbfz", "a\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lines, enc, err := scanText(context.Background(), bytes.NewReader(b), time.Now().Add(time.Minute))
		if err == nil && (lines < 0 || lines > len(b)+1 || enc == "") {
			t.Fatalf("lines %d enc %q for %d bytes", lines, enc, len(b))
		}
		_ = textHead(decodeText(b, enc))
	})
}

func FuzzFont(f *testing.F) {
	if ttf, err := os.ReadFile("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"); err == nil {
		f.Add(makeWOFF(&testing.T{}, ttf))
	}
	f.Add([]byte("wOFF\x00\x01\x00\x00\x00\x00\x00\x40\x00\x01\x00\x00\x00\x00\x01\x00"))
	f.Add([]byte("wOF2\x00\x01\x00\x00\x00\x00\x00\x40\x00\x01\x00\x00\x00\x00\x01\x00\x00\x00\x00\x10"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 44 {
			return
		}
		total, err := woffTotal(b)
		if err != nil || total > 1<<20 {
			return
		}
		if s, err := unwrapWOFF(b, total); err == nil {
			_, _ = parseFont(s)
		}
		if len(b) >= 48 {
			s, _ := unwrapWOFF2(b, total)
			_ = woffNameFacts(s)
		}
		_ = woffNameFacts(b)
	})
}

func FuzzSVG(f *testing.F) {
	f.Add([]byte(`<svg width="2" height="1" viewBox="0 0 2 1"><rect width="1" height="1" fill="red"/></svg>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><svg/>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = checkSVG(context.Background(), b)
	})
}
