package media

import "image"

// orientedSize returns the displayed size of a w×h stored image.
func orientedSize(w, h, orientation int) (int, int) {
	if orientation >= 5 && orientation <= 8 {
		return h, w
	}
	return w, h
}

// applyOrientation returns src transformed so that it displays upright for
// the given EXIF orientation (1..8; anything else is treated as 1 and src is
// returned unchanged). libjpeg-turbo and the Go decoders ignore EXIF, so
// every decode path goes through here.
//
//	1 identity        2 mirror horizontal      3 rotate 180
//	4 mirror vertical 5 transpose              6 rotate 90 clockwise
//	7 transverse      8 rotate 90 counter-clockwise
func applyOrientation(src *image.RGBA, orientation int) *image.RGBA {
	if orientation < 2 || orientation > 8 {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := orientedSize(w, h, orientation)
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	// srcAt maps a destination pixel to the source pixel it shows.
	var srcAt func(x, y int) (int, int)
	switch orientation {
	case 2:
		srcAt = func(x, y int) (int, int) { return w - 1 - x, y }
	case 3:
		srcAt = func(x, y int) (int, int) { return w - 1 - x, h - 1 - y }
	case 4:
		srcAt = func(x, y int) (int, int) { return x, h - 1 - y }
	case 5:
		srcAt = func(x, y int) (int, int) { return y, x }
	case 6:
		srcAt = func(x, y int) (int, int) { return y, h - 1 - x }
	case 7:
		srcAt = func(x, y int) (int, int) { return w - 1 - y, h - 1 - x }
	case 8:
		srcAt = func(x, y int) (int, int) { return w - 1 - y, x }
	}
	for y := 0; y < dh; y++ {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+dw*4]
		for x := 0; x < dw; x++ {
			sx, sy := srcAt(x, y)
			si := (sy)*src.Stride + sx*4 + (b.Min.Y*src.Stride + b.Min.X*4)
			copy(row[x*4:x*4+4], src.Pix[si:si+4])
		}
	}
	return dst
}
