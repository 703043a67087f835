package faces

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/onnxq"
	"github.com/tagsight/tagsight/backend/ort"
	"github.com/tagsight/tagsight/backend/vectors"
)

// ErrNoModels: the folder has no face detector and recogniser.
var ErrNoModels = errors.New("no face models")

// ErrBadModel: a model file is not what it claims to be.
var ErrBadModel = errors.New("unusable face model")

// Models are the two model files of a faces model folder.
type Models struct {
	Dir        string
	Detector   string // relative to Dir
	Recognizer string // relative to Dir
}

// FindModels looks through a folder (and its subfolders) for a YuNet-style
// detector and an SFace-style recogniser, telling them apart by what they
// read and write, not by file name: the detector's outputs are YuNet's
// cls/obj/bbox/kps heads at strides 8, 16 and 32; the recogniser takes one
// N×3×112×112 picture and gives one N×D vector.
func FindModels(dir string) (Models, error) {
	m := Models{Dir: dir}
	var seen []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".onnx") || strings.Contains(d.Name(), ".tmp") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		ins, outs, err := ort.ReadIO(p)
		if err != nil {
			seen = append(seen, rel+" (unreadable: "+ort.FirstLine(err)+")")
			return nil
		}
		switch {
		case isDetector(ins, outs) && m.Detector == "":
			m.Detector = rel
		case isRecognizer(ins, outs) && m.Recognizer == "":
			m.Recognizer = rel
		default:
			seen = append(seen, rel)
		}
		return nil
	})
	if err != nil {
		return m, fmt.Errorf("%w in %s: %v", ErrNoModels, dir, err)
	}
	if m.Detector == "" || m.Recognizer == "" {
		what := "a detector (YuNet: outputs cls_8…kps_32)"
		if m.Detector != "" {
			what = "a recogniser (SFace: input N×3×112×112, output N×D)"
		} else if m.Recognizer == "" {
			what += " and a recogniser (SFace: input N×3×112×112, output N×D)"
		}
		other := ""
		if len(seen) > 0 {
			other = "; other .onnx files: " + strings.Join(seen, ", ")
		}
		return m, fmt.Errorf("%w in %s: found no %s%s; run `tagsight models pull faces`", ErrNoModels, dir, what, other)
	}
	return m, nil
}

func isDetector(ins, outs []ort.InputOutputInfo) bool {
	if len(ins) != 1 || len(ins[0].Dimensions) != 4 {
		return false
	}
	names := map[string]bool{}
	for _, o := range outs {
		names[o.Name] = true
	}
	for _, s := range YuNetStrides {
		c, o, b, k := yunetNames(s)
		if !names[c] || !names[o] || !names[b] || !names[k] {
			return false
		}
	}
	return true
}

func isRecognizer(ins, outs []ort.InputOutputInfo) bool {
	if len(ins) != 1 || len(outs) != 1 {
		return false
	}
	d := ins[0].Dimensions
	if len(d) != 4 || (d[1] > 0 && d[1] != 3) || (d[2] > 0 && d[2] != SFaceSize) || (d[3] > 0 && d[3] != SFaceSize) {
		return false
	}
	od := outs[0].Dimensions
	return len(od) == 2 || (len(od) == 4 && od[2] == 1 && od[3] == 1)
}

// Key identifies what the two models make: the same files anywhere give
// the same key.
func (m Models) Key() (string, error) {
	k, err := vectors.FilesKey(m.Dir, m.Detector, m.Recognizer)
	if err != nil {
		return "", err
	}
	return "f" + k, nil
}

// EngineOptions tune the sessions.
type EngineOptions struct {
	Provider string // auto, cpu, cuda, coreml, directml ("" = auto)
	Threads  int    // intra-op threads per session; 0 = 1 (the pipeline runs one picture per core)
}

// Engine runs the two models. Sessions load on first use (or Load) and
// are shared: Detect and Embed may be called from several goroutines.
type Engine struct {
	m    Models
	opts EngineOptions

	ort.Loader

	det      *ort.Session
	detIn    string
	detOuts  []string
	rec      *ort.Session
	recIn    string
	recOut   string
	recBatch int // fixed batch, 0 when dynamic
	dim      int

	gate ort.Gate
}

// NewEngine prepares an engine; ort.Init must have run.
func NewEngine(m Models, o EngineOptions) *Engine {
	if o.Threads <= 0 {
		o.Threads = 1
	}
	return &Engine{m: m, opts: o}
}

// Models are the engine's model files.
func (e *Engine) Models() Models { return e.m }

// Dim is the recogniser's vector length (after Load).
func (e *Engine) Dim() int { return e.dim }

// Load creates both sessions (once).
func (e *Engine) Load() error { return e.Loader.Load(e.opts.Provider, e.load) }

func (e *Engine) load() error {
	detPath := filepath.Join(e.m.Dir, filepath.FromSlash(e.m.Detector))
	ins, outs, err := ort.ReadIO(detPath)
	if err != nil {
		return err
	}
	if !isDetector(ins, outs) {
		return fmt.Errorf("%w: %s: not a YuNet-style detector", ErrBadModel, detPath)
	}
	if ins[0].DataType != ort.TensorElementDataTypeFloat {
		return fmt.Errorf("%w: %s: input %q is %v, want float32", ErrBadModel, detPath, ins[0].Name, ins[0].DataType)
	}
	d := ins[0].Dimensions
	if d[1] > 0 && d[1] != 3 {
		return fmt.Errorf("%w: %s: input %q has shape %v, want [1,3,H,W]", ErrBadModel, detPath, ins[0].Name, d)
	}
	e.detIn = ins[0].Name
	// YuNet 2023mar declares a 640×640 input, but OpenCV's FaceDetectorYN
	// runs it at each picture's size padded to a multiple of 32 (it sets
	// the input shape per picture); with the size freed, ONNX Runtime does
	// the same, and a face is found where OpenCV finds it.
	detModel, err := os.ReadFile(detPath)
	if err != nil {
		return fmt.Errorf("read face detector: %w", err)
	}
	if detModel, err = onnxq.FreeDims(detModel, e.detIn, map[int]string{2: "height", 3: "width"}); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBadModel, detPath, err)
	}
	for _, s := range YuNetStrides {
		c, o, b, k := yunetNames(s)
		e.detOuts = append(e.detOuts, c, o, b, k)
	}
	recPath := filepath.Join(e.m.Dir, filepath.FromSlash(e.m.Recognizer))
	rins, routs, err := ort.ReadIO(recPath)
	if err != nil {
		return err
	}
	if !isRecognizer(rins, routs) || rins[0].DataType != ort.TensorElementDataTypeFloat || routs[0].DataType != ort.TensorElementDataTypeFloat {
		return fmt.Errorf("%w: %s: not an SFace-style recogniser (float32 N×3×112×112 in, N×D out)", ErrBadModel, recPath)
	}
	e.recIn, e.recOut = rins[0].Name, routs[0].Name
	if b := rins[0].Dimensions[0]; b > 0 {
		e.recBatch = int(b)
	}
	if od := routs[0].Dimensions; od[1] > 0 {
		e.dim = int(od[1])
	}
	if e.det, err = ort.OpenSession(&e.Provider, detPath, detModel, []string{e.detIn}, e.detOuts, e.opts.Threads); err != nil {
		return err
	}
	if err := e.probeDetector(); err != nil {
		e.det.Destroy()
		e.det = nil
		return fmt.Errorf("%w: %s: %v", ErrBadModel, detPath, err)
	}
	if e.rec, err = ort.OpenSession(&e.Provider, recPath, nil, []string{e.recIn}, []string{e.recOut}, e.opts.Threads); err != nil {
		e.det.Destroy()
		e.det = nil
		return err
	}
	if e.dim == 0 {
		// A symbolic output width: ask the model once.
		v, err := e.embed(context.Background(), []*image.RGBA{image.NewRGBA(image.Rect(0, 0, SFaceSize, SFaceSize))})
		if err != nil {
			return err
		}
		e.dim = len(v[0])
	}
	return nil
}

// probeSize is a picture size no YuNet export declares (not square, not
// 640): a detector whose graph is tied to its declared size fails on it.
const probeW, probeH = 96, 64

// probeDetector runs the detector once on a blank probeW×probeH input and
// checks that every output has exactly the grid's size, so that a graph
// tied to its declared size (a Reshape to fixed sizes) is refused at load
// rather than on every picture.
func (e *Engine) probeDetector() error {
	raw, err := e.runDetector(context.Background(), make([]float32, 3*probeW*probeH), probeW, probeH)
	if err != nil {
		return fmt.Errorf("the detector does not run at other sizes than it declares, as OpenCV runs it: %v", ort.FirstLine(err))
	}
	for _, s := range YuNetStrides {
		n := (probeW / s) * (probeH / s)
		c, o, b, k := yunetNames(s)
		for _, want := range []struct {
			name string
			per  int
		}{{c, 1}, {o, 1}, {b, 4}, {k, 10}} {
			if got := len(raw[want.name]); got != n*want.per {
				return fmt.Errorf("at %dx%d the detector's %q has %d values, want %d: its graph is tied to the size it declares",
					probeW, probeH, want.name, got, n*want.per)
			}
		}
	}
	return nil
}

// Close releases the sessions once the calls in flight are over.
func (e *Engine) Close() {
	e.gate.Close(func() error { return ort.DestroySessions(e.det, e.rec) })
}

// Detection is a face found by Detect, in the coordinates of the picture
// given to it.
type Detection = Face

// Detect finds faces in img as OpenCV's FaceDetectorYN finds them: the
// picture is scaled so its long side is at most maxSide, zero-padded right
// and bottom to a multiple of 32, run through the detector at that size
// (not on a canvas of the size the model declares), decoded, and filtered
// with NMS (IoU 0.3, top 5000: yunet.py's defaults). Boxes and landmarks
// come back in img's pixels.
func (e *Engine) Detect(ctx context.Context, img *image.RGBA, maxSide int, scoreThreshold float32) ([]Detection, error) {
	if err := e.gate.Enter(e.Load); err != nil {
		return nil, err
	}
	defer e.gate.Leave()
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return nil, nil
	}
	small := img
	if maxSide > 0 && max(w, h) > maxSide {
		small = media.ScaleLong(img, maxSide)
	}
	sw, sh := small.Bounds().Dx(), small.Bounds().Dy()
	// The scale actually applied on each axis.
	sx, sy := float64(sw)/float64(w), float64(sh)/float64(h)
	tensor, padW, padH := YuNetInput(small)
	raw, err := e.runDetector(ctx, tensor, padW, padH)
	if err != nil {
		return nil, err
	}
	if err := CheckYuNetOutputs(raw, padW, padH); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	found := NMS(DecodeYuNet(raw, padW, padH, scoreThreshold), YuNetDefaultNMSThreshold, YuNetDefaultTopK)
	for i := range found {
		f := &found[i]
		f.X, f.W = f.X/float32(sx), f.W/float32(sx)
		f.Y, f.H = f.Y/float32(sy), f.H/float32(sy)
		for k := range f.Landmarks {
			f.Landmarks[k][0] /= float32(sx)
			f.Landmarks[k][1] /= float32(sy)
		}
		// Boxes stop at the picture's edges.
		x1, y1 := min(f.X+f.W, float32(w)), min(f.Y+f.H, float32(h))
		f.X, f.Y = max(f.X, 0), max(f.Y, 0)
		f.W, f.H = x1-f.X, y1-f.Y
	}
	kept := found[:0]
	for _, f := range found {
		if f.W > 0 && f.H > 0 {
			kept = append(kept, f)
		}
	}
	return kept, nil
}

// runDetector runs the detector on a 1×3×h×w input and returns its
// outputs by name.
func (e *Engine) runDetector(ctx context.Context, tensor []float32, w, h int) (map[string][]float32, error) {
	in, err := ort.NewTensor(ort.NewShape(1, 3, int64(h), int64(w)), tensor)
	if err != nil {
		return nil, fmt.Errorf("detector input: %w", err)
	}
	defer in.Destroy()
	outs := make([]ort.Value, len(e.detOuts))
	if err := ort.Run(ctx, e.det, []ort.Value{in}, outs); err != nil {
		return nil, fmt.Errorf("face detector: %w", err)
	}
	defer destroyAll(outs)
	raw := map[string][]float32{}
	for i, o := range outs {
		t, ok := o.(*ort.Tensor[float32])
		if !ok {
			return nil, fmt.Errorf("%w: detector output %q is not float32", ErrBadModel, e.detOuts[i])
		}
		raw[e.detOuts[i]] = append([]float32(nil), t.GetData()...)
	}
	return raw, nil
}

func destroyAll(vs []ort.Value) {
	for _, v := range vs {
		if v != nil {
			v.Destroy()
		}
	}
}

// Embed runs the recogniser on aligned 112×112 crops and returns their
// L2-normalised vectors.
func (e *Engine) Embed(ctx context.Context, crops []*image.RGBA) ([][]float32, error) {
	if err := e.gate.Enter(e.Load); err != nil {
		return nil, err
	}
	defer e.gate.Leave()
	return e.embed(ctx, crops)
}

func (e *Engine) embed(ctx context.Context, crops []*image.RGBA) ([][]float32, error) {
	const plane = 3 * SFaceSize * SFaceSize
	step := len(crops)
	if e.recBatch > 0 {
		step = e.recBatch
	}
	var out [][]float32
	for start := 0; start < len(crops); start += step {
		n := min(step, len(crops)-start)
		rows := n
		if e.recBatch > 0 {
			rows = e.recBatch
		}
		buf := make([]float32, rows*plane)
		for i := 0; i < n; i++ {
			t := SFaceInput(crops[start+i])
			if t == nil {
				return nil, errors.New("face crop is not 112×112")
			}
			copy(buf[i*plane:], t)
		}
		in, err := ort.NewTensor(ort.NewShape(int64(rows), 3, SFaceSize, SFaceSize), buf)
		if err != nil {
			return nil, err
		}
		outs := []ort.Value{nil}
		err = ort.Run(ctx, e.rec, []ort.Value{in}, outs)
		in.Destroy()
		if err != nil {
			return nil, fmt.Errorf("face recogniser: %w", err)
		}
		t, ok := outs[0].(*ort.Tensor[float32])
		if !ok {
			destroyAll(outs)
			return nil, fmt.Errorf("%w: recogniser output is not float32", ErrBadModel)
		}
		data := t.GetData()
		if len(data)%rows != 0 || len(data) == 0 {
			destroyAll(outs)
			return nil, fmt.Errorf("%w: recogniser gave %d values for %d faces", ErrBadModel, len(data), rows)
		}
		d := len(data) / rows
		for i := 0; i < n; i++ {
			v := append([]float32(nil), data[i*d:(i+1)*d]...)
			ort.L2Normalize(v)
			out = append(out, v)
		}
		destroyAll(outs)
	}
	return out, nil
}
