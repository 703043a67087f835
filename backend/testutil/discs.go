package testutil

import (
	"image"
	"image/color"
	"path/filepath"
	"testing"
)

// Disc is a filled circle: the "face" the test face models find (see
// models/testmodels/README.md: a bright disc on a dark background is a
// face, and its hue is who it is).
type Disc struct {
	X, Y, R float64 // centre and radius, in pixels
	C       color.RGBA
}

// DiscsImage draws discs on a dark background: a pixel is the disc's
// colour when its centre lies inside the circle.
func DiscsImage(w, h int, discs ...Disc) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 20, 20, 25, 255
	}
	for _, d := range discs {
		for y := max(0, int(d.Y-d.R-1)); y < min(h, int(d.Y+d.R+2)); y++ {
			for x := max(0, int(d.X-d.R-1)); x < min(w, int(d.X+d.R+2)); x++ {
				dx, dy := float64(x)+0.5-d.X, float64(y)+0.5-d.Y
				if dx*dx+dy*dy <= d.R*d.R {
					img.SetRGBA(x, y, d.C)
				}
			}
		}
	}
	return img
}

// FaceModels is the test face models' folder (a YuNet-shaped disc
// detector with a fixed 640×640 input and an SFace-shaped hue recogniser);
// dynamic selects the detector with a symbolic input size.
func FaceModels(t testing.TB, dynamic bool) string {
	t.Helper()
	name := "faces"
	if dynamic {
		name = "faces-dynamic"
	}
	return filepath.Join(RepoRoot(t), "models", "testmodels", name)
}
