package media

import "image"

// SpreadFrames picks the frames of a video worth a model's pass: at most n
// (0: no cap) of them, evenly over the file, dropping each that looks like
// the one kept before it (a static shot's keyframes show the same text and
// the same faces). A keyframe costs each model a whole pass, so OCR and
// faces share this one choice.
func SpreadFrames(frames []Frame, n int) []Frame {
	if n > 0 && len(frames) > n {
		picked := make([]Frame, n)
		for i := range n {
			picked[i] = frames[i*len(frames)/n]
		}
		frames = picked
	}
	var out []Frame
	var last []uint8
	for _, f := range frames {
		sig := lookSignature(f.Image)
		if last != nil && sameLook(sig, last) {
			continue
		}
		last = sig
		out = append(out, f)
	}
	return out
}

// lookSignature is a frame's look: the grey level of each cell of a 16×16
// grid.
func lookSignature(img *image.RGBA) []uint8 {
	const g = 16
	b := img.Bounds()
	var sum, cnt [g * g]int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[(y-b.Min.Y)*img.Stride:]
		cy := (y - b.Min.Y) * g / b.Dy()
		for x := 0; x < b.Dx(); x++ {
			c := cy*g + x*g/b.Dx()
			px := row[4*x : 4*x+3]
			sum[c] += (int(px[0])*299 + int(px[1])*587 + int(px[2])*114) / 1000
			cnt[c]++
		}
	}
	out := make([]uint8, g*g)
	for i := range out {
		if cnt[i] > 0 {
			out[i] = uint8(sum[i] / cnt[i])
		}
	}
	return out
}

// sameLook says two frames' signatures are alike: no cell's grey changed
// by more than a few levels, so what is on them is the same.
func sameLook(a, b []uint8) bool {
	for i := range a {
		if d := int(a[i]) - int(b[i]); d > 4 || d < -4 {
			return false
		}
	}
	return true
}
