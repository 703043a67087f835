package ocr

import (
	"context"
	"fmt"
	"image"
	"math"
	"path/filepath"
	"sort"

	"github.com/tagsight/tagsight/backend/ort"
)

// Options tune the engine.
type Options struct {
	Provider string // auto, cpu, cuda, coreml, directml ("" = auto)
	Threads  int    // intra-op threads per session; 0 = 1 (the pipeline runs one picture per core)
	// MaxSide is the detector's longest side (PaddleOCR's limit_side_len,
	// 960); larger pictures are scaled down to it.
	MaxSide int
	// MaxWords caps the boxes read per picture (500): a picture of
	// thousands of specks costs no more than that.
	MaxWords int
	// MinScore drops readings the recogniser is less sure of (PaddleOCR's
	// drop_score, 0.5).
	MinScore float32
	// Unclip is how far the detector's boxes grow before they are cut
	// out (PaddleOCR's unclip_ratio; 0 = defaultDB's, see db.go).
	Unclip float64
}

// Word is one box of text read in a picture.
type Word struct {
	Text  string
	Score float32 // the recogniser's mean confidence, 0..1
	// Quad is the rotated box (top-left, top-right, bottom-right,
	// bottom-left) and Box its axis-aligned bounds, both normalised to the
	// picture (0..1, top-left origin).
	Quad [4][2]float32
	Box  Rect
}

// Rect is an axis-aligned box normalised to the picture.
type Rect struct{ X, Y, W, H float32 }

const (
	clsHeight, clsWidth = 48, 192 // PaddleOCR's cls_image_shape
	clsThresh           = 0.9
	recBatch, clsBatch  = 6, 6
	recBaseRatio        = 320.0 / 48 // rec_image_shape 3,48,320: the narrowest batch
	recMaxRatio         = 40         // a wider line is squeezed to 40:1
)

// Engine runs the three models. Sessions load on first use (or Load) and
// are shared: Read may be called from several goroutines.
type Engine struct {
	m    Models
	opts Options

	ort.Loader

	det, cls, rec    *ort.Session
	detIn, detOut    string
	clsIn, clsOut    string
	recIn, recOut    string
	clsH, clsW, recH int
	chars            []string // index = class; 0 is the CTC blank
	gate             ort.Gate
}

// NewEngine prepares an engine; ort.Init must have run.
func NewEngine(m Models, o Options) *Engine {
	if o.Threads <= 0 {
		o.Threads = 1
	}
	if o.MaxSide <= 0 {
		o.MaxSide = 960
	}
	if o.MaxWords <= 0 {
		o.MaxWords = 500
	}
	if o.MinScore == 0 {
		o.MinScore = 0.5
	}
	return &Engine{m: m, opts: o}
}

// Models are the engine's model files.
func (e *Engine) Models() Models { return e.m }

// Load creates the sessions (once).
func (e *Engine) Load() error { return e.Loader.Load(e.opts.Provider, e.load) }

func (e *Engine) load() error {
	path := func(rel string) string { return filepath.Join(e.m.Dir, filepath.FromSlash(rel)) }
	dict, err := readDict(path(e.m.Dictionary))
	if err != nil {
		return fmt.Errorf("ocr dictionary: %w", err)
	}
	e.chars = append([]string{""}, dict...)
	if e.m.Space {
		e.chars = append(e.chars, " ")
	}
	open := func(rel string, in, out *string, check func(in, out ort.InputOutputInfo) error) (*ort.Session, error) {
		p := path(rel)
		ins, outs, err := ort.ReadIO(p)
		if err != nil {
			return nil, err
		}
		if len(ins) != 1 || len(outs) != 1 || ins[0].DataType != ort.TensorElementDataTypeFloat || outs[0].DataType != ort.TensorElementDataTypeFloat {
			return nil, fmt.Errorf("%w: %s: want one float32 input and output", ErrBadModel, p)
		}
		if err := check(ins[0], outs[0]); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadModel, p, err)
		}
		*in, *out = ins[0].Name, outs[0].Name
		return ort.OpenSession(&e.Provider, p, nil, []string{*in}, []string{*out}, e.opts.Threads)
	}
	channels3 := func(d ort.Shape) error {
		if len(d) != 4 || (d[1] > 0 && d[1] != 3) {
			return fmt.Errorf("input shape %v, want N×3×H×W", d)
		}
		return nil
	}
	if e.det, err = open(e.m.Detector, &e.detIn, &e.detOut, func(in, out ort.InputOutputInfo) error {
		if err := channels3(in.Dimensions); err != nil {
			return err
		}
		if d := in.Dimensions; d[2] > 0 || d[3] > 0 {
			return fmt.Errorf("input shape %v: the detector must take any height and width", d)
		}
		return nil
	}); err != nil {
		return err
	}
	if e.m.Classifier != "" {
		if e.cls, err = open(e.m.Classifier, &e.clsIn, &e.clsOut, func(in, out ort.InputOutputInfo) error {
			if err := channels3(in.Dimensions); err != nil {
				return err
			}
			e.clsH, e.clsW = clsHeight, clsWidth
			if d := in.Dimensions; d[2] > 0 && d[3] > 0 {
				e.clsH, e.clsW = int(d[2]), int(d[3])
			}
			return nil
		}); err != nil {
			e.closeSessions()
			return err
		}
	}
	if e.rec, err = open(e.m.Recognizer, &e.recIn, &e.recOut, func(in, out ort.InputOutputInfo) error {
		if err := channels3(in.Dimensions); err != nil {
			return err
		}
		if in.Dimensions[2] <= 0 {
			return fmt.Errorf("input shape %v: the recogniser's height must be fixed", in.Dimensions)
		}
		e.recH = int(in.Dimensions[2])
		if c := out.Dimensions[len(out.Dimensions)-1]; c > 0 && int(c) != len(e.chars) {
			return fmt.Errorf("%d classes, the dictionary %s gives %d", c, e.m.Dictionary, len(e.chars))
		}
		return nil
	}); err != nil {
		e.closeSessions()
		return err
	}
	return nil
}

func (e *Engine) closeSessions() error {
	err := ort.DestroySessions(e.det, e.cls, e.rec)
	e.det, e.cls, e.rec = nil, nil, nil
	return err
}

// Close releases the sessions once the calls in flight are over.
func (e *Engine) Close() { e.gate.Close(e.closeSessions) }

// Read finds and reads the text in img, in reading order.
func (e *Engine) Read(ctx context.Context, img *image.RGBA) ([]Word, error) {
	if err := e.gate.Enter(e.Load); err != nil {
		return nil, err
	}
	defer e.gate.Leave()
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 4 || h < 4 {
		return nil, nil
	}
	boxes, err := e.detect(ctx, img)
	if err != nil {
		return nil, err
	}
	if len(boxes) > e.opts.MaxWords {
		boxes = boxes[:e.opts.MaxWords]
	}
	crops := make([]fimg, len(boxes))
	for i, q := range boxes {
		cw := int(math.Max(dist(q[0], q[1]), dist(q[2], q[3])))
		ch := int(math.Max(dist(q[0], q[3]), dist(q[1], q[2])))
		c := warp(img, q, max(cw, 1), max(ch, 1))
		if float64(c.h)/float64(c.w) >= 1.5 {
			c = c.rot90()
		}
		crops[i] = c
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if e.cls != nil {
		if err := e.classify(ctx, crops); err != nil {
			return nil, err
		}
	}
	texts, scores, err := e.recognize(ctx, crops)
	if err != nil {
		return nil, err
	}
	var words []Word
	for i, q := range boxes {
		if texts[i] == "" || scores[i] < e.opts.MinScore {
			continue
		}
		wd := Word{Text: texts[i], Score: scores[i]}
		x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for k, p := range q {
			wd.Quad[k] = [2]float32{float32(p.x / float64(w)), float32(p.y / float64(h))}
			x0, y0, x1, y1 = math.Min(x0, p.x), math.Min(y0, p.y), math.Max(x1, p.x), math.Max(y1, p.y)
		}
		wd.Box = Rect{X: float32(x0 / float64(w)), Y: float32(y0 / float64(h)), W: float32((x1 - x0) / float64(w)), H: float32((y1 - y0) / float64(h))}
		words = append(words, wd)
	}
	return words, nil
}

func dist(a, b point) float64 { return math.Hypot(a.x-b.x, a.y-b.y) }

// detect runs the detector on img scaled so its long side is at most
// MaxSide and each side a multiple of 32, and returns the text boxes in
// img's pixels, in reading order.
func (e *Engine) detect(ctx context.Context, img *image.RGBA) ([][4]point, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ratio := 1.0
	if long := max(w, h); long > e.opts.MaxSide {
		ratio = float64(e.opts.MaxSide) / float64(long)
	}
	to32 := func(n int) int { return max(int(math.Round(float64(n)*ratio/32))*32, 32) }
	rw, rh := to32(w), to32(h)
	small := resize(rgbaRow(img), w, h, rw, rh)
	// PaddleOCR's NormalizeImage on a BGR picture: ImageNet mean/std in B, G, R order.
	mean := [3]float32{0.485, 0.456, 0.406}
	std := [3]float32{0.229, 0.224, 0.225}
	plane := rw * rh
	t := make([]float32, 3*plane)
	for i := 0; i < plane; i++ {
		for c := 0; c < 3; c++ {
			v := small.p[i*3+(2-c)] / 255 // channel c of BGR
			t[c*plane+i] = (v - mean[c]) / std[c]
		}
	}
	small = fimg{}
	out, shape, err := e.run(ctx, e.det, t, ort.NewShape(1, 3, int64(rh), int64(rw)))
	if err != nil {
		return nil, fmt.Errorf("text detector: %w", err)
	}
	if len(shape) != 4 || int(shape[2]) != rh || int(shape[3]) != rw || len(out) != plane {
		return nil, fmt.Errorf("%w: the detector gave %v for a %dx%d input", ErrBadModel, shape, rw, rh)
	}
	p := defaultDB
	if e.opts.Unclip > 0 {
		p.unclip = e.opts.Unclip
	}
	boxes := dbBoxes(out, rw, rh, p)
	sx, sy := float64(w)/float64(rw), float64(h)/float64(rh)
	kept := boxes[:0]
	for _, q := range boxes {
		for k := range q {
			q[k].x = math.Min(math.Max(math.Round(q[k].x*sx), 0), float64(w-1))
			q[k].y = math.Min(math.Max(math.Round(q[k].y*sy), 0), float64(h-1))
		}
		if int(dist(q[0], q[1])) <= 3 || int(dist(q[0], q[3])) <= 3 {
			continue
		}
		kept = append(kept, q)
	}
	readingOrder(kept)
	return kept, nil
}

// run runs a one-input, one-output session, stopped when ctx is cancelled.
func (e *Engine) run(ctx context.Context, s *ort.Session, data []float32, shape ort.Shape) ([]float32, ort.Shape, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	in, err := ort.NewTensor(shape, data)
	if err != nil {
		return nil, nil, err
	}
	defer in.Destroy()
	outs := []ort.Value{nil}
	if err := ort.Run(ctx, s, []ort.Value{in}, outs); err != nil {
		return nil, nil, err
	}
	defer outs[0].Destroy()
	t, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, nil, fmt.Errorf("%w: output is not float32", ErrBadModel)
	}
	return append([]float32(nil), t.GetData()...), append(ort.Shape(nil), t.GetShape()...), nil
}

// fill writes crop c, scaled to height h and its aspect's width (at most
// maxW), into the n-th h×W slot of t, normalised to -1..1 in B, G, R
// order; the rest of the slot stays 0 (PaddleOCR pads with zeros).
func fill(t []float32, n int, c fimg, h, W int) {
	rw := min(int(math.Ceil(float64(h)*float64(c.w)/float64(c.h))), W)
	rw = max(rw, 1)
	s := c.resized(rw, h)
	plane := h * W
	base := n * 3 * plane
	for y := 0; y < h; y++ {
		for x := 0; x < rw; x++ {
			p := s.p[(y*rw+x)*3:]
			for ch := 0; ch < 3; ch++ {
				t[base+ch*plane+y*W+x] = (p[2-ch]/255 - 0.5) / 0.5
			}
		}
	}
}

// classify turns upside-down crops (the classifier's class 1, "180",
// above clsThresh) the right way up.
func (e *Engine) classify(ctx context.Context, crops []fimg) error {
	for start := 0; start < len(crops); start += clsBatch {
		n := min(clsBatch, len(crops)-start)
		t := make([]float32, n*3*e.clsH*e.clsW)
		for i := 0; i < n; i++ {
			fill(t, i, crops[start+i], e.clsH, e.clsW)
		}
		out, shape, err := e.run(ctx, e.cls, t, ort.NewShape(int64(n), 3, int64(e.clsH), int64(e.clsW)))
		if err != nil {
			return fmt.Errorf("angle classifier: %w", err)
		}
		if len(shape) != 2 || int(shape[0]) != n || shape[1] != 2 || len(out) != 2*n {
			return fmt.Errorf("%w: the classifier gave %v for %d crops", ErrBadModel, shape, n)
		}
		for i := 0; i < n; i++ {
			if out[2*i+1] > out[2*i] && out[2*i+1] > clsThresh {
				crops[start+i] = crops[start+i].rot180()
			}
		}
	}
	return nil
}

// recognize reads each crop scaled to the recogniser's height and its own
// width, padded on the right to at least 320:48 (PaddleOCR's
// resize_norm_img). Only crops that pad to the same width share a batch:
// a crop padded out to a wider neighbour's width reads differently (the
// grey padding after a line costs it the spaces between its words), so
// what a crop reads never depends on the other crops in the picture, as
// with PaddleOCR's text_recognition_batch_size of 1, while the many short
// crops of a page still run together.
func (e *Engine) recognize(ctx context.Context, crops []fimg) ([]string, []float32, error) {
	texts, scores := make([]string, len(crops)), make([]float32, len(crops))
	h := e.recH
	slot := func(c fimg) int { return recWidth(c, h) }
	idx := make([]int, len(crops))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return slot(crops[idx[a]]) < slot(crops[idx[b]]) })
	for start := 0; start < len(idx); {
		W := slot(crops[idx[start]])
		n := 1
		for n < recBatch && start+n < len(idx) && slot(crops[idx[start+n]]) == W {
			n++
		}
		batch := idx[start : start+n]
		start += n
		t := make([]float32, n*3*h*W)
		for k, i := range batch {
			fill(t, k, crops[i], h, W)
		}
		out, shape, err := e.run(ctx, e.rec, t, ort.NewShape(int64(n), 3, int64(h), int64(W)))
		if err != nil {
			return nil, nil, fmt.Errorf("text recogniser: %w", err)
		}
		if len(shape) != 3 || int(shape[0]) != n || int(shape[2]) != len(e.chars) {
			return nil, nil, fmt.Errorf("%w: the recogniser gave %v for %d crops and %d classes", ErrBadModel, shape, n, len(e.chars))
		}
		steps, classes := int(shape[1]), int(shape[2])
		for k, i := range batch {
			texts[i], scores[i] = ctcGreedy(out[k*steps*classes:(k+1)*steps*classes], steps, classes, e.chars)
		}
	}
	return texts, scores, nil
}

// recWidth is the width of the recogniser's input for crop c at height h:
// the crop's own aspect, at least 320:48, at most recMaxRatio.
func recWidth(c fimg, h int) int {
	r := math.Min(math.Max(float64(c.w)/float64(c.h), recBaseRatio), recMaxRatio)
	return int(float64(h) * r)
}

// ctcGreedy decodes one line: the best class at each step, repeats
// collapsed, blanks (class 0) dropped; the score is the mean probability
// of the characters kept.
func ctcGreedy(probs []float32, steps, classes int, chars []string) (string, float32) {
	var text []byte
	var sum float32
	n, prev := 0, -1
	for s := 0; s < steps; s++ {
		row := probs[s*classes : (s+1)*classes]
		best, bp := 0, row[0]
		for c, p := range row {
			if p > bp {
				best, bp = c, p
			}
		}
		if best != 0 && best != prev {
			text = append(text, chars[best]...)
			sum += bp
			n++
		}
		prev = best
	}
	if n == 0 {
		return "", 0
	}
	return string(text), sum / float32(n)
}
