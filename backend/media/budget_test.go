package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// encodePNGImage encodes any image with image/png.
func encodePNGImage(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withPNGChunk inserts a chunk right after IHDR.
func withPNGChunk(p []byte, typ string, body []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	c = append(append(c, typ...), body...)
	c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	at := 8 + 12 + 13
	return append(append(append([]byte{}, p[:at]...), c...), p[at:]...)
}

// pngHeader is a PNG whose IHDR declares w×h at depth/color type (and
// interlace) with a token IDAT: enough for a plan, not for a decode.
func pngHeader(w, h uint32, depth, ctype, interlace byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, ctype, 0, 0, interlace)
	out := []byte("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, body []byte) {
		c := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
		c = append(append(c, typ...), body...)
		out = append(out, binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))...)
	}
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01}) // an empty zlib stream
	chunk("IEND", nil)
	return out
}

func gray16(w, h int) *image.Gray16 { return image.NewGray16(image.Rect(0, 0, w, h)) }

// TestPlanDecodeBytes checks the memory planned from each format's header
// against sizes worked out by hand from the image type each decoder makes
// (image/png, x/image/tiff and so on, read in their sources).
func TestPlanDecodeBytes(t *testing.T) {
	nrgba64 := image.NewNRGBA64(image.Rect(0, 0, 100, 50))
	nrgba64.SetNRGBA64(0, 0, color.NRGBA64{A: 0x8000}) // not opaque: color type 6, 16-bit
	opaque := noisyImage(100, 50)
	translucent := alphaImage(100, 50)
	pal := image.NewPaletted(image.Rect(0, 0, 100, 50), color.Palette{color.Black, color.White})
	gray := image.NewGray(image.Rect(0, 0, 100, 50))
	var gifBuf, bmpBuf, tifBuf, tif16Buf bytes.Buffer
	if err := gif.Encode(&gifBuf, opaque, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&bmpBuf, opaque); err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(&tifBuf, opaque, nil); err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(&tif16Buf, gray16(100, 50), nil); err != nil {
		t.Fatal(err)
	}
	grayTRNS := withPNGChunk(encodePNGImage(t, gray), "tRNS", []byte{0, 0})
	webpData, err := os.ReadFile(filepath.Join("testdata", "tiny.webp")) // 40×30 lossy VP8
	if err != nil {
		t.Fatal(err)
	}
	small := encodeJPEG(t, noisyImage(800, 600))
	short100 := func(w, h int) bool { return min(w, h) >= 100 }
	var jpegWant int64 = 800 * 600 * 3 // image/jpeg: full-size Y, Cb, Cr planes at most
	if turboJPEG {
		jpegWant = 200 * 150 * 4 // DCT-scaled at 2/8 (1/8 gives a 75-pixel short side), RGBA
	}
	for _, tt := range []struct {
		name, file string
		data       []byte
		enough     func(w, h int) bool
		want       int64
	}{
		{"png 16-bit RGBA", "a.png", encodePNGImage(t, nrgba64), nil, 100 * 50 * 8},
		{"png 16-bit gray", "b.png", encodePNGImage(t, gray16(100, 50)), nil, 100 * 50 * 2},
		{"png 8-bit gray", "c.png", encodePNGImage(t, gray), nil, 100 * 50 * 1},
		{"png 8-bit gray with tRNS (decoded as NRGBA)", "d.png", grayTRNS, nil, 100 * 50 * 4},
		{"png paletted", "e.png", encodePNGImage(t, pal), nil, 100 * 50 * 1},
		{"png 8-bit RGB", "f.png", encodePNGImage(t, opaque), nil, 100 * 50 * 4},
		{"png 8-bit RGBA", "g.png", encodePNGImage(t, translucent), nil, 100 * 50 * 4},
		{"png interlaced 16-bit RGBA (passes, then the image)", "h.png", pngHeader(100, 50, 16, 6, 1), nil, 100 * 50 * 8 * 2},
		{"png bomb 17000² 16-bit RGBA", "i.png", pngHeader(17000, 17000, 16, 6, 0), nil, 17000 * 17000 * 8},
		{"gif (first frame, paletted)", "a.gif", gifBuf.Bytes(), nil, 100 * 50},
		{"bmp 24-bit (RGBA)", "a.bmp", bmpBuf.Bytes(), nil, 100 * 50 * 4},
		// One strip of the whole picture, inflated at up to 8 bytes a
		// pixel into a buffer that may double.
		{"tiff RGBA, one strip", "a.tif", tifBuf.Bytes(), nil, 100*50*4 + 100*50*8*2},
		{"tiff 16-bit gray, one strip", "b.tif", tif16Buf.Bytes(), nil, 100*50*2 + 100*50*8*2},
		{"webp lossy", "a.webp", webpData, nil, 40 * 30 * 2},
		{"jpeg", "a.jpg", small, short100, jpegWant},
		{"raw (its preview JPEG)", "a.nef", testutil.RAW(small, 1), short100, jpegWant},
	} {
		t.Run(tt.name, func(t *testing.T) {
			info, err := probeFile(bytes.NewReader(tt.data), int64(len(tt.data)), tt.file, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			enough := tt.enough
			if enough == nil {
				enough = func(w, h int) bool { return true }
			}
			src := tt.data
			var plan decodePlan
			if info.MediaType == TypeRaw {
				if src, err = rawPreview(tt.data); err == nil {
					plan, err = planJPEG(src, enough)
				}
			} else {
				plan, err = planDecode(src, info, enough)
			}
			if err != nil {
				t.Fatal(err)
			}
			if plan.bytes != tt.want {
				t.Errorf("planned %d bytes for %dx%d, want %d", plan.bytes, plan.w, plan.h, tt.want)
			}
		})
	}
	t.Run("heic", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join("testdata", "tiny.heic")) // 40×30
		if err != nil {
			t.Fatal(err)
		}
		info, err := probeFile(bytes.NewReader(data), int64(len(data)), "a.heic", DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if plan, err := planDecode(data, info, nil); err != nil || plan.bytes != 40*30*16 {
			t.Errorf("planned %d bytes (%v), want %d", plan.bytes, err, 40*30*16)
		}
	})
}

// TestDecodeBombRefused: a PNG that declares 17000² 16-bit RGBA (289 MP,
// under the pixel cap) would decode to 2.3 GB: it is refused before any
// pixel is decoded, by every entry point, and leaves the budget whole.
func TestDecodeBombRefused(t *testing.T) {
	p := writeFile(t, t.TempDir(), "bomb.png", pngHeader(17000, 17000, 16, 6, 0))
	decoded := 0
	decodedHook = func(w, h int) { decoded++ }
	defer func() { decodedHook = nil }()
	ctx := context.Background()
	if _, _, err := DecodeScaled(ctx, p, 224, Limits{}); !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("DecodeScaled: %v, want ErrTooManyPixels", err)
	}
	if _, _, err := DecodeOriented(ctx, p, Limits{}, func(w, h int) bool { return true }); !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("DecodeOriented: %v, want ErrTooManyPixels", err)
	}
	dst := filepath.Join(t.TempDir(), "t.jpg")
	if _, err := Thumbnail(ctx, p, dst, 1600, Limits{}); !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("Thumbnail: %v, want ErrTooManyPixels", err)
	}
	if decoded != 0 {
		t.Errorf("%d decodes ran", decoded)
	}
	assertBudgetWhole(t)
}

// TestDecodeBudgetLimits: what a 12 MP photo at full size needs fits the
// default with room to spare; a 100 MP 16-bit PNG does not; a lower
// Limits.MaxDecodeBytes refuses sooner.
func TestDecodeBudgetLimits(t *testing.T) {
	dir := t.TempDir()
	var reserved int64
	decodeStartHook = func(n int64) { reserved = n }
	defer func() { decodeStartHook = nil }()
	full := func(w, h int) bool { return true }
	ctx := context.Background()
	// A 12 MP 16-bit RGBA PNG header: the plan is reserved, then the
	// token IDAT fails to decode.
	p12 := writeFile(t, dir, "12mp.png", pngHeader(4000, 3000, 16, 6, 0))
	if _, _, err := DecodeOriented(ctx, p12, Limits{}, full); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("12 MP header: %v, want ErrCorrupt after reserving", err)
	}
	// 8 bytes a pixel decoded, then RGBA and its oriented copy.
	if want := int64(4000*3000*(8+4+4)) + int64(len(pngHeader(4000, 3000, 16, 6, 0))); reserved != want || reserved > DefaultMaxDecodeBytes/4 {
		t.Errorf("12 MP 16-bit PNG reserved %d, want %d (under a quarter of the default)", reserved, want)
	}
	p100 := writeFile(t, dir, "100mp.png", pngHeader(10000, 10000, 16, 2, 0))
	if _, _, err := DecodeOriented(ctx, p100, Limits{}, full); !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("100 MP 16-bit PNG: %v, want ErrTooManyPixels", err)
	}
	if _, _, err := DecodeOriented(ctx, p12, Limits{MaxDecodeBytes: 100 << 20}, full); !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("12 MP 16-bit PNG under a 100 MiB limit: %v, want ErrTooManyPixels", err)
	}
	assertBudgetWhole(t)
}

// assertBudgetWhole fails when a decode kept part of the process budget.
func assertBudgetWhole(t *testing.T) {
	t.Helper()
	b := decodeMemory.Load()
	if !b.sem.TryAcquire(b.size) {
		t.Fatal("the decode budget was not given back")
	}
	b.sem.Release(b.size)
}

// TestDecodeBudgetSerialises: two decodes that together exceed the
// process budget never overlap; two that fit run together; a waiting
// decode gives up when its context ends; one larger than the budget is
// refused at once instead of waiting.
func TestDecodeBudgetSerialises(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.png", encodePNGImage(t, noisyImage(200, 100)))
	b := writeFile(t, dir, "b.png", encodePNGImage(t, noisyImage(200, 100)))
	full := func(w, h int) bool { return true }
	ctx := context.Background()
	var need int64
	decodeStartHook = func(n int64) { need = n }
	if _, _, err := DecodeOriented(ctx, a, Limits{}, full); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		decodeStartHook, budgetWaitHook = nil, nil
		SetDecodeMemory(0)
	})

	// run decodes a and b concurrently; a's decode holds its share until
	// the test lets it go.
	type event struct {
		what string
		n    int64
	}
	run := func(ctxB context.Context) (events chan event, letA chan struct{}, errA, errB chan error) {
		events, letA = make(chan event, 8), make(chan struct{})
		errA, errB = make(chan error, 1), make(chan error, 1)
		var once sync.Once
		decodeStartHook = func(n int64) {
			events <- event{"start", n}
			once.Do(func() { <-letA }) // only the first decode to start holds
		}
		budgetWaitHook = func(n int64) { events <- event{"wait", n} }
		go func() {
			_, _, err := DecodeOriented(ctx, a, Limits{}, full)
			errA <- err
		}()
		if e := <-events; e.what != "start" {
			t.Fatalf("first decode: %s", e.what)
		}
		go func() {
			_, _, err := DecodeOriented(ctxB, b, Limits{}, full)
			errB <- err
		}()
		return events, letA, errA, errB
	}

	t.Run("together over the budget: one after the other", func(t *testing.T) {
		SetDecodeMemory(need * 3 / 2)
		events, letA, errA, errB := run(ctx)
		if e := <-events; e.what != "wait" {
			t.Fatalf("second decode did %s while the first held its memory", e.what)
		}
		close(letA)
		if err := <-errA; err != nil {
			t.Fatal(err)
		}
		if e := <-events; e.what != "start" {
			t.Fatalf("second decode: %s", e.what)
		}
		if err := <-errB; err != nil {
			t.Fatal(err)
		}
		assertBudgetWhole(t)
	})
	t.Run("together within the budget: at once", func(t *testing.T) {
		SetDecodeMemory(need * 2)
		events, letA, errA, errB := run(ctx)
		e := <-events // b starts while a holds, or waits
		close(letA)
		if e.what != "start" {
			t.Errorf("second decode did %s, want start", e.what)
		}
		if err := <-errA; err != nil {
			t.Fatal(err)
		}
		if err := <-errB; err != nil {
			t.Fatal(err)
		}
		assertBudgetWhole(t)
	})
	t.Run("a waiting decode honours its context", func(t *testing.T) {
		SetDecodeMemory(need * 3 / 2)
		ctxB, cancel := context.WithCancel(ctx)
		events, letA, errA, errB := run(ctxB)
		if e := <-events; e.what != "wait" {
			t.Fatalf("second decode: %s", e.what)
		}
		cancel()
		if err := <-errB; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled waiting decode: %v", err)
		}
		close(letA)
		if err := <-errA; err != nil {
			t.Fatal(err)
		}
		assertBudgetWhole(t)
	})
	t.Run("larger than the whole budget: refused, not queued", func(t *testing.T) {
		SetDecodeMemory(need - 1)
		waited := false
		budgetWaitHook = func(int64) { waited = true }
		decodeStartHook = nil
		if _, _, err := DecodeOriented(ctx, a, Limits{}, full); !errors.Is(err, ErrTooManyPixels) {
			t.Errorf("%v, want ErrTooManyPixels", err)
		}
		if waited {
			t.Error("waited for memory it can never get")
		}
	})
}
