package ocr

import (
	"image"
	"math"
)

// fimg is a picture as interleaved R, G, B floats in 0..255: what crops
// and model inputs are made from.
type fimg struct {
	w, h int
	p    []float32
}

func newFimg(w, h int) fimg { return fimg{w: w, h: h, p: make([]float32, w*h*3)} }

// rgbaRow writes row y of img as floats into dst (3 per pixel).
func rgbaRow(img *image.RGBA) func(y int, dst []float32) {
	b := img.Bounds()
	return func(y int, dst []float32) {
		off := img.PixOffset(b.Min.X, b.Min.Y+y)
		row := img.Pix[off : off+b.Dx()*4]
		for x := 0; x < b.Dx(); x++ {
			dst[x*3], dst[x*3+1], dst[x*3+2] = float32(row[x*4]), float32(row[x*4+1]), float32(row[x*4+2])
		}
	}
}

func (f fimg) row(y int, dst []float32) { copy(dst, f.p[y*f.w*3:(y+1)*f.w*3]) }

// taps are one output sample's source indices and weights.
type taps struct {
	first int
	w     []float32
}

// filterTaps are the triangle-filter taps mapping n source samples onto
// m: bilinear when enlarging, widened by the shrink factor when shrinking
// so that every source pixel counts (plain bilinear skips pixels and
// aliases thin strokes away).
func filterTaps(n, m int) []taps {
	scale := float64(n) / float64(m)
	support := math.Max(scale, 1)
	out := make([]taps, m)
	for i := range out {
		c := (float64(i) + 0.5) * scale
		lo := max(int(math.Floor(c-support)), 0)
		hi := min(int(math.Ceil(c+support)), n-1)
		var ws []float32
		var sum float64
		for j := lo; j <= hi; j++ {
			d := math.Abs((float64(j) + 0.5 - c) / support)
			wt := 1 - d
			if wt < 0 {
				wt = 0
			}
			ws = append(ws, float32(wt))
			sum += wt
		}
		if sum == 0 { // a single sample exactly between taps
			j := min(max(int(c), 0), n-1)
			out[i] = taps{first: j, w: []float32{1}}
			continue
		}
		for k := range ws {
			ws[k] /= float32(sum)
		}
		out[i] = taps{first: lo, w: ws}
	}
	return out
}

// resize scales a sw×sh picture read row by row to dw×dh, horizontally
// first: only the source's rows and one dw-wide intermediate are held.
func resize(row func(y int, dst []float32), sw, sh, dw, dh int) fimg {
	xt, yt := filterTaps(sw, dw), filterTaps(sh, dh)
	mid := make([]float32, dw*sh*3)
	src := make([]float32, sw*3)
	for y := 0; y < sh; y++ {
		row(y, src)
		o := mid[y*dw*3 : (y+1)*dw*3]
		for x, t := range xt {
			var r, g, b float32
			for k, wt := range t.w {
				s := (t.first + k) * 3
				r += wt * src[s]
				g += wt * src[s+1]
				b += wt * src[s+2]
			}
			o[x*3], o[x*3+1], o[x*3+2] = r, g, b
		}
	}
	out := newFimg(dw, dh)
	for y, t := range yt {
		o := out.p[y*dw*3 : (y+1)*dw*3]
		for k, wt := range t.w {
			s := mid[(t.first+k)*dw*3 : (t.first+k+1)*dw*3]
			for i := range o {
				o[i] += wt * s[i]
			}
		}
	}
	return out
}

func (f fimg) resized(dw, dh int) fimg {
	if dw == f.w && dh == f.h {
		return f
	}
	return resize(f.row, f.w, f.h, dw, dh)
}

// rot90 turns f a quarter counter-clockwise (numpy's rot90), rot180 half.
func (f fimg) rot90() fimg {
	out := newFimg(f.h, f.w)
	for y := 0; y < f.h; y++ {
		for x := 0; x < f.w; x++ {
			// (x, y) goes to (y, w-1-x)
			d := ((f.w-1-x)*out.w + y) * 3
			s := (y*f.w + x) * 3
			copy(out.p[d:d+3], f.p[s:s+3])
		}
	}
	return out
}

func (f fimg) rot180() fimg {
	out := newFimg(f.w, f.h)
	n := f.w * f.h
	for i := 0; i < n; i++ {
		copy(out.p[(n-1-i)*3:(n-i)*3], f.p[i*3:i*3+3])
	}
	return out
}

// warp cuts the quadrilateral q (top-left, top-right, bottom-right,
// bottom-left, in img's pixels) out of img as an upright w×h picture:
// each output pixel is mapped back through the perspective transform and
// sampled bilinearly, edges repeated.
func warp(img *image.RGBA, q [4]point, w, h int) fimg {
	dst := [4]point{{0, 0}, {float64(w), 0}, {float64(w), float64(h)}, {0, float64(h)}}
	m, ok := homography(dst, q)
	out := newFimg(w, h)
	if !ok {
		return out
	}
	b := img.Bounds()
	iw, ih := b.Dx(), b.Dy()
	at := func(x, y int) []uint8 {
		x, y = min(max(x, 0), iw-1), min(max(y, 0), ih-1)
		o := img.PixOffset(b.Min.X+x, b.Min.Y+y)
		return img.Pix[o : o+3]
	}
	for v := 0; v < h; v++ {
		for u := 0; u < w; u++ {
			fu, fv := float64(u), float64(v)
			z := m[6]*fu + m[7]*fv + 1
			sx := (m[0]*fu + m[1]*fv + m[2]) / z
			sy := (m[3]*fu + m[4]*fv + m[5]) / z
			x0, y0 := math.Floor(sx), math.Floor(sy)
			ax, ay := float32(sx-x0), float32(sy-y0)
			xi, yi := int(x0), int(y0)
			p00, p10, p01, p11 := at(xi, yi), at(xi+1, yi), at(xi, yi+1), at(xi+1, yi+1)
			o := out.p[(v*w+u)*3:]
			for c := 0; c < 3; c++ {
				top := float32(p00[c])*(1-ax) + float32(p10[c])*ax
				bot := float32(p01[c])*(1-ax) + float32(p11[c])*ax
				o[c] = top*(1-ay) + bot*ay
			}
		}
	}
	return out
}

// homography is the perspective transform taking the four points from to
// the four points to (8 coefficients, the ninth is 1), by Gaussian
// elimination; false when the points are degenerate.
func homography(from, to [4]point) ([8]float64, bool) {
	var a [8][9]float64
	for i := 0; i < 4; i++ {
		x, y, u, v := from[i].x, from[i].y, to[i].x, to[i].y
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -x * u, -y * u, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -x * v, -y * v, v}
	}
	for c := 0; c < 8; c++ {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return [8]float64{}, false
		}
		a[c], a[p] = a[p], a[c]
		for r := 0; r < 8; r++ {
			if r == c {
				continue
			}
			f := a[r][c] / a[c][c]
			for k := c; k < 9; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	var m [8]float64
	for i := range m {
		m[i] = a[i][8] / a[i][i]
	}
	return m, true
}
