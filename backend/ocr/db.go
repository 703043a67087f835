package ocr

import (
	"math"
	"sort"
)

type point struct{ x, y float64 }

// dbParams are DB post-processing's settings: PaddleOCR's defaults for
// PP-OCRv4 (thresh 0.3, box_thresh 0.6, min_size 3, max_candidates 1000)
// except unclip_ratio, 2.0 rather than 1.5: with 1.5 the crop's margin
// above and below a line is so thin that the recogniser loses the spaces
// between words. 2.0 was first picked on ocr_test.go's samples, then
// checked on the held-out pages no setting was tuned on (ocrtest.HeldOut,
// docs/bench/ocr.md, 17 pages, 519 words): word accuracy for search 0.925
// at 2.0 against 0.821 at 1.5 (words run together: 13 against 27), mean
// CER 0.0768 against 0.0781 (CER ignores spaces). Options.Unclip overrides it.
type dbParams struct {
	thresh, boxThresh, unclip float64
	minSize                   float64
	maxCandidates             int
}

var defaultDB = dbParams{thresh: 0.3, boxThresh: 0.6, unclip: 2.0, minSize: 3, maxCandidates: 1000}

// dbBoxes turns the detector's probability map (w×h) into text boxes in
// the map's pixels: regions above thresh, each one's minimum-area rotated
// box, kept when the mean probability over the region's own outline
// reaches boxThresh, then grown by area×unclip/perimeter on every side.
//
// The score is PaddleOCR's score_mode "slow" (the contour's polygon), not
// its default "fast" (the minimum-area box): a line whose region bends at
// one end, as text on a busy photo's edges does, has a box taller than the
// line, and the background in that box's corners pulled a clear line
// (outline mean 0.8) under 0.6, so it was never read.
func dbBoxes(prob []float32, w, h int, p dbParams) [][4]point {
	var out [][4]point
	for _, r := range regions(prob, w, h, float32(p.thresh), p.maxCandidates) {
		box, side := miniBox(r.hull)
		if side < p.minSize {
			continue
		}
		if r.score < p.boxThresh {
			continue
		}
		box, side = unclip(box, p.unclip)
		if side < p.minSize+2 {
			continue
		}
		out = append(out, box)
	}
	return out
}

// region is one connected region of the map above the threshold: its
// convex hull (pixel indices as coordinates, as OpenCV's contours give
// them) and the mean probability over its outline filled in, row by row
// from its leftmost to its rightmost pixel (holes and all, as a filled
// contour has them).
type region struct {
	hull  []point
	score float64
}

// regions labels the 8-connected regions of prob > thresh, at most max of
// them.
func regions(prob []float32, w, h int, thresh float32, maxN int) []region {
	label := make([]int32, w*h)
	var out []region
	var stack []int
	next := int32(0)
	for start := range prob {
		if prob[start] <= thresh || label[start] != 0 {
			continue
		}
		if len(out) >= maxN {
			break
		}
		next++
		// Per row, the leftmost and rightmost pixel: all a hull needs.
		rows := map[int][2]int{}
		stack = append(stack[:0], start)
		label[start] = next
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			if r, ok := rows[y]; !ok {
				rows[y] = [2]int{x, x}
			} else {
				rows[y] = [2]int{min(r[0], x), max(r[1], x)}
			}
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= w || ny >= h {
						continue
					}
					j := ny*w + nx
					if label[j] == 0 && prob[j] > thresh {
						label[j] = next
						stack = append(stack, j)
					}
				}
			}
		}
		pts := make([]point, 0, 2*len(rows))
		var sum float64
		n := 0
		for y, r := range rows {
			pts = append(pts, point{float64(r[0]), float64(y)}, point{float64(r[1]), float64(y)})
			for _, v := range prob[y*w+r[0] : y*w+r[1]+1] {
				sum += float64(v)
			}
			n += r[1] - r[0] + 1
		}
		out = append(out, region{hull: convexHull(pts), score: sum / float64(n)})
	}
	return out
}

// convexHull is Andrew's monotone chain, counter-clockwise, no repeats.
func convexHull(pts []point) []point {
	sort.Slice(pts, func(i, j int) bool {
		if pts[i].x != pts[j].x {
			return pts[i].x < pts[j].x
		}
		return pts[i].y < pts[j].y
	})
	u := pts[:0:0]
	for _, p := range pts {
		if len(u) > 0 && u[len(u)-1] == p {
			continue
		}
		u = append(u, p)
	}
	if len(u) < 3 {
		return u
	}
	cross := func(o, a, b point) float64 { return (a.x-o.x)*(b.y-o.y) - (a.y-o.y)*(b.x-o.x) }
	hull := make([]point, 0, 2*len(u))
	for _, p := range u {
		for len(hull) >= 2 && cross(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	lower := len(hull) + 1
	for i := len(u) - 2; i >= 0; i-- {
		p := u[i]
		for len(hull) >= lower && cross(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	return hull[:len(hull)-1]
}

// rotRect is a rotated rectangle: centre, unit axis u (v is u turned a
// quarter), half-lengths along each.
type rotRect struct {
	c      point
	u      point
	hu, hv float64
}

func (r rotRect) corners() [4]point {
	v := point{-r.u.y, r.u.x}
	at := func(a, b float64) point {
		return point{r.c.x + a*r.u.x + b*v.x, r.c.y + a*r.u.y + b*v.y}
	}
	return [4]point{at(-r.hu, -r.hv), at(r.hu, -r.hv), at(r.hu, r.hv), at(-r.hu, r.hv)}
}

// minAreaRect is the smallest rotated rectangle around the hull: one of
// its sides lies on a hull edge (rotating calipers, tried edge by edge).
func minAreaRect(hull []point) rotRect {
	switch len(hull) {
	case 0:
		return rotRect{u: point{1, 0}}
	case 1:
		return rotRect{c: hull[0], u: point{1, 0}}
	}
	best, bestArea := rotRect{}, math.Inf(1)
	for i := range hull {
		a, b := hull[i], hull[(i+1)%len(hull)]
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		u := point{dx / l, dy / l}
		v := point{-u.y, u.x}
		minU, maxU, minV, maxV := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		for _, p := range hull {
			pu, pv := p.x*u.x+p.y*u.y, p.x*v.x+p.y*v.y
			minU, maxU = math.Min(minU, pu), math.Max(maxU, pu)
			minV, maxV = math.Min(minV, pv), math.Max(maxV, pv)
		}
		if area := (maxU - minU) * (maxV - minV); area < bestArea {
			cu, cv := (minU+maxU)/2, (minV+maxV)/2
			best = rotRect{c: point{cu*u.x + cv*v.x, cu*u.y + cv*v.y}, u: u, hu: (maxU - minU) / 2, hv: (maxV - minV) / 2}
			bestArea = area
		}
	}
	return best
}

// miniBox is the hull's minimum-area box with its corners in reading
// order (top-left, top-right, bottom-right, bottom-left as PaddleOCR's
// get_mini_boxes orders them) and its shorter side.
func miniBox(hull []point) ([4]point, float64) {
	r := minAreaRect(hull)
	return order(r.corners()), 2 * math.Min(r.hu, r.hv)
}

// order sorts a box's corners: of the two leftmost, the upper is
// top-left; of the two rightmost, the upper is top-right.
func order(c [4]point) [4]point {
	s := c
	sort.Slice(s[:], func(i, j int) bool { return s[i].x < s[j].x })
	tl, bl := s[0], s[1]
	if bl.y < tl.y {
		tl, bl = bl, tl
	}
	tr, br := s[2], s[3]
	if br.y < tr.y {
		tr, br = br, tr
	}
	return [4]point{tl, tr, br, bl}
}

// unclip grows a box by area×ratio/perimeter on every side (what
// PaddleOCR's round-joined polygon offset gives for a rectangle, whose
// minimum-area box it then takes).
func unclip(box [4]point, ratio float64) ([4]point, float64) {
	wu := math.Hypot(box[1].x-box[0].x, box[1].y-box[0].y)
	hv := math.Hypot(box[3].x-box[0].x, box[3].y-box[0].y)
	if wu == 0 || hv == 0 {
		return box, 0
	}
	d := wu * hv * ratio / (2 * (wu + hv))
	u := point{(box[1].x - box[0].x) / wu, (box[1].y - box[0].y) / wu}
	c := point{(box[0].x + box[2].x) / 2, (box[0].y + box[2].y) / 2}
	r := rotRect{c: c, u: u, hu: wu/2 + d, hv: hv/2 + d}
	return order(r.corners()), 2 * math.Min(r.hu, r.hv)
}

// readingOrder sorts boxes top to bottom, then left to right within a
// line (boxes whose tops are within 10 pixels), as PaddleOCR's
// sorted_boxes does.
func readingOrder(boxes [][4]point) {
	sort.SliceStable(boxes, func(i, j int) bool {
		if boxes[i][0].y != boxes[j][0].y {
			return boxes[i][0].y < boxes[j][0].y
		}
		return boxes[i][0].x < boxes[j][0].x
	})
	for i := 0; i < len(boxes)-1; i++ {
		for j := i; j >= 0; j-- {
			if math.Abs(boxes[j+1][0].y-boxes[j][0].y) < 10 && boxes[j+1][0].x < boxes[j][0].x {
				boxes[j], boxes[j+1] = boxes[j+1], boxes[j]
			} else {
				break
			}
		}
	}
}
