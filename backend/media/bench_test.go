package media

import (
	"bytes"
	"context"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// Benchmarks for a 12 MP (4000x3000, 4:2:0) JPEG. "Stdlib" is image/jpeg at
// full size plus Catmull-Rom (what a noturbo build does); "Scaled" is the
// public API (libjpeg-turbo DCT scaling when built with cgo).
//
//	go test -run=^$ -bench=Decode -benchtime=20x ./backend/media/

func benchFile(b *testing.B) string {
	return writeFile(b, b.TempDir(), "big.jpg", jpeg12MP(b))
}

func BenchmarkDecode12MPStdlib(b *testing.B) {
	p := benchFile(b)
	b.Run("short224", func(b *testing.B) {
		for b.Loop() {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			img, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			w, h := img.Bounds().Dx(), img.Bounds().Dy()
			tw, th := scaleDims(w, h, 224, min(w, h))
			resize(img, tw, th)
		}
	})
	b.Run("thumb256", func(b *testing.B) {
		for b.Loop() {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			img, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			w, h := img.Bounds().Dx(), img.Bounds().Dy()
			tw, th := scaleDims(w, h, 256, max(w, h))
			var out bytes.Buffer
			if err := jpeg.Encode(&out, resize(img, tw, th), &jpeg.Options{Quality: 85}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecode12MPScaled(b *testing.B) {
	p := benchFile(b)
	b.Run("short224", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := DecodeScaled(context.Background(), p, 224, Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("thumb256", func(b *testing.B) {
		dst := filepath.Join(b.TempDir(), "t.jpg")
		for b.Loop() {
			if _, err := Thumbnail(context.Background(), p, dst, 256, Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
