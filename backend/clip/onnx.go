package clip

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/tagsight/tagsight/backend/ort"
)

// EngineOptions tune inference.
type EngineOptions struct {
	// Layout spreads picture embedding over the cores; its zero fields
	// take LayoutFor's. A Threads given here also runs the text tower
	// (which otherwise gets every core: a query runs alone).
	Layout Layout
	// Provider: auto (default), cpu, cuda, coreml or directml. When the chosen
	// provider cannot start, the engine falls back to the CPU and says why in
	// ProviderInfo.
	Provider string
	// Precision: "fp32", "int8" or "auto" (default: int8 when the folder
	// has an int8 variant that passed its check, see Quantize).
	Precision string
	int8Force bool // Quantize's check uses the variant before it passed
	cores     int  // tests: the core count LayoutFor is asked about (0: runtime.NumCPU)
}

// Precisions.
const (
	PrecisionAuto = "auto"
	PrecisionFP32 = "fp32"
	PrecisionInt8 = "int8"
)

// Engine runs a model folder's two towers. Sessions are created on first use and shared:
// Embed* may be called from several goroutines at once.
type Engine struct {
	spec        *ModelSpec
	opts        EngineOptions // opts.Layout complete
	textThreads int

	gate    ort.Gate   // Embed* calls in flight; Close waits for them
	mu      sync.Mutex // the towers and the provider
	visual  *tower
	textual *tower

	provider    ort.ProviderInfo
	providerErr error
}

// NewEngine prepares an engine for spec; nothing is loaded until the first Embed* call.
// ort.Init must have succeeded before that call.
func NewEngine(spec *ModelSpec, opts EngineOptions) *Engine {
	cores := opts.cores
	if cores <= 0 {
		cores = runtime.NumCPU()
	}
	textThreads := cores
	if opts.Layout.Threads > 0 {
		textThreads = opts.Layout.Threads
	}
	opts.Layout = opts.Layout.or(LayoutFor(cores))
	e := &Engine{spec: spec, opts: opts, textThreads: textThreads}
	e.provider, e.providerErr = ort.ResolveProvider(opts.Provider)
	return e
}

// usesInt8 reports whether the engine runs the int8 variant.
func (e *Engine) usesInt8() bool {
	switch e.opts.Precision {
	case PrecisionFP32:
		return false
	case PrecisionInt8:
		return e.opts.int8Force || int8Usable(e.spec.Dir)
	}
	return int8Usable(e.spec.Dir)
}

// Precision is "int8" when the engine runs the quantised variant, else "fp32".
func (e *Engine) Precision() string {
	if e.usesInt8() {
		return PrecisionInt8
	}
	return PrecisionFP32
}

// ProviderInfo says which execution provider runs (or will run) the model,
// and why; after a fallback to the CPU the reason says what failed.
func (e *Engine) ProviderInfo() ort.ProviderInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.provider
}

// PreferredBatch is the number of images worth passing to one EmbedImages
// call: the model's fixed batch, or Layout().Batch for dynamic-batch models. It
// loads the vision tower.
func (e *Engine) PreferredBatch() int {
	e.mu.Lock()
	t := e.visual
	e.mu.Unlock()
	if t == nil {
		// Read the batch dimension from the file rather than create the
		// session (seconds for a large model): callers ask before any
		// work, and the session should load while that work starts.
		if b, ok := e.fileBatch(); ok {
			return b
		}
	}
	t, err := e.tower(true)
	if err != nil {
		return 1
	}
	defer e.gate.Leave()
	if t.batch > 0 {
		return t.batch
	}
	return t.maxBatch
}

// fileBatch is the vision model's batch size as its file declares it
// (Layout().Batch when dynamic), without ONNX Runtime.
func (e *Engine) fileBatch() (int, bool) {
	path := e.spec.VisualPath
	if e.usesInt8() {
		path = filepath.Join(e.spec.Dir, VisualInt8File)
	}
	ins, _, err := ort.ReadIOProtobuf(path)
	if err != nil {
		return 0, false
	}
	for _, in := range ins {
		if in.Name == "image" && len(in.Dimensions) == 4 {
			if in.Dimensions[0] > 0 {
				return int(in.Dimensions[0]), true
			}
			return e.opts.Layout.Batch, true
		}
	}
	return 0, false
}

// Layout is how the engine spreads picture embedding: callers run
// Layout().Runs EmbedImages calls at once (the pipeline's inference
// workers), each of PreferredBatch images.
func (e *Engine) Layout() Layout { return e.opts.Layout }

// Spec is the model folder the engine runs.
func (e *Engine) Spec() *ModelSpec { return e.spec }

// Close waits for Embed* calls in flight, then releases both sessions. Later calls fail
// with ErrClosed.
func (e *Engine) Close() error {
	return e.gate.Close(func() error {
		e.mu.Lock()
		defer e.mu.Unlock()
		var ss []*ort.Session
		for _, t := range []**tower{&e.visual, &e.textual} {
			if *t != nil {
				ss = append(ss, (*t).sessions...)
				*t = nil
			}
		}
		return ort.DestroySessions(ss...)
	})
}

// EmbedImages embeds preprocessed images (each PreprocessConfig.Len() values, CHW) and
// returns one L2-normalised vector per image.
func (e *Engine) EmbedImages(ctx context.Context, images [][]float32) ([][]float32, error) {
	t, err := e.tower(true)
	if err != nil {
		return nil, err
	}
	defer e.gate.Leave()
	per := e.spec.Preprocess.Len()
	for i, img := range images {
		if len(img) != per {
			return nil, fmt.Errorf("embed images: image %d has %d values, want %d", i, len(img), per)
		}
	}
	return t.run(ctx, len(images), nil, func(dst any, pos, i int) {
		copy(dst.([]float32)[pos*per:], images[i])
	})
}

// LoadVision creates the vision sessions now rather than on the first
// EmbedImages, so that a caller can overlap it (seconds for a large
// model) with other work; EmbedImages calls meanwhile wait for it.
func (e *Engine) LoadVision() error {
	if _, err := e.tower(true); err != nil {
		return err
	}
	e.gate.Leave()
	return nil
}

// EmbedTexts tokenizes and embeds texts, one L2-normalised vector per text.
func (e *Engine) EmbedTexts(ctx context.Context, texts []string) ([][]float32, error) {
	t, err := e.tower(false)
	if err != nil {
		return nil, err
	}
	defer e.gate.Leave()
	n := e.spec.ContextLength
	enc := make([][]int32, len(texts))
	lens := make([]int, len(texts))
	for i, s := range texts {
		enc[i], lens[i] = e.spec.Tokenizer.EncodeLen(s)
	}
	return t.run(ctx, len(texts), func(i int) int { return lens[i] }, func(dst any, pos, i int) {
		ids := enc[i]
		switch d := dst.(type) {
		case []int32:
			copy(d[pos*n:], ids)
		case []int64:
			for j, id := range ids {
				d[pos*n+j] = int64(id)
			}
		}
	})
}

// tower returns a loaded tower and counts the caller in: it must call
// e.gate.Leave when its Run calls are over.
func (e *Engine) tower(visual bool) (*tower, error) {
	var t *tower
	err := e.gate.Enter(func() error {
		e.mu.Lock()
		defer e.mu.Unlock()
		slot := &e.textual
		if visual {
			slot = &e.visual
		}
		if *slot == nil {
			loaded, err := e.openTower(visual)
			if err != nil {
				return err
			}
			*slot = loaded
		}
		t = *slot
		return nil
	})
	return t, err
}

// tower is a model's ONNX sessions (one, or Layout.Sessions for the
// vision tower) and the shape of their input.
type tower struct {
	sessions []*ort.Session
	mu       sync.Mutex
	inFlight []int // runs in progress per session
	in, out  string
	mask     string // the text tower's attention_mask input, "" when it has none
	inType   ort.TensorElementDataType
	inDims   []int64 // per-item dims (without batch)
	batch    int     // fixed batch size, 0 when dynamic
	maxBatch int
	embedDim int
}

func (e *Engine) openTower(visual bool) (*tower, error) {
	if !ort.Initialized() {
		return nil, fmt.Errorf("%w: call ort.Init with the path of %s's shared library first",
			ort.ErrRuntime, ort.RequiredRuntime)
	}
	path, wantIn := e.spec.TextualPath, "text"
	if visual {
		path, wantIn = e.spec.VisualPath, "image"
	}
	if e.usesInt8() {
		path = filepath.Join(e.spec.Dir, TextualInt8File)
		if visual {
			path = filepath.Join(e.spec.Dir, VisualInt8File)
		}
	}
	ins, outs, err := ort.ReadIO(path)
	if err != nil {
		return nil, err
	}
	t := &tower{maxBatch: e.opts.Layout.Batch, embedDim: e.spec.EmbedDim}
	// A text tower may also take an attention mask (M-CLIP's XLM-R does);
	// its ids input is then "input_ids" rather than "text".
	var maskInfo *ort.InputOutputInfo
	if !visual && len(ins) > 1 {
		var rest []ort.InputOutputInfo
		for i := range ins {
			if ins[i].Name == "attention_mask" {
				maskInfo = &ins[i]
			} else {
				rest = append(rest, ins[i])
			}
		}
		ins = rest
		if maskInfo != nil && len(ins) > 1 {
			for _, in := range ins {
				if in.Name == "input_ids" {
					wantIn = "input_ids"
				}
			}
		}
	}
	inInfo, err := pick(ins, wantIn, "input")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(ins) > 1 {
		var names []string
		for _, in := range ins {
			if in.Name != inInfo.Name {
				names = append(names, in.Name)
			}
		}
		return nil, fmt.Errorf("%s: %w: inputs %v are not supported (only %q and an optional attention_mask)", path, ErrBadModel, names, inInfo.Name)
	}
	if maskInfo != nil {
		if maskInfo.DataType != inInfo.DataType {
			return nil, fmt.Errorf("%s: %w: attention_mask is %v but %s is %v", path, ErrBadModel, maskInfo.DataType, inInfo.Name, inInfo.DataType)
		}
		t.mask = maskInfo.Name
	}
	outInfo, err := pick(outs, "embedding", "output")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.in, t.out, t.inType = inInfo.Name, outInfo.Name, inInfo.DataType
	if outInfo.DataType != ort.TensorElementDataTypeFloat {
		return nil, fmt.Errorf("%s: %w: output %q is %v, want float32", path, ErrBadModel, outInfo.Name, outInfo.DataType)
	}
	if od := outInfo.Dimensions; len(od) != 2 || (od[1] > 0 && int(od[1]) != e.spec.EmbedDim) {
		return nil, fmt.Errorf("%s: %w: output %q has shape %v, want [N,%d] (config.json embed_dim)",
			path, ErrBadModel, outInfo.Name, od, e.spec.EmbedDim)
	}
	dims := inInfo.Dimensions
	if visual {
		want := []int64{3, int64(e.spec.Preprocess.Height), int64(e.spec.Preprocess.Width)}
		if inInfo.DataType != ort.TensorElementDataTypeFloat {
			return nil, fmt.Errorf("%s: %w: input %q is %v, want float32", path, ErrBadModel, t.in, inInfo.DataType)
		}
		if !dimsMatch(dims, want) {
			return nil, fmt.Errorf("%s: %w: input %q has shape %v, want [N,%d,%d,%d] (preprocess_cfg.json size)",
				path, ErrBadModel, t.in, dims, want[0], want[1], want[2])
		}
		t.inDims = want
	} else {
		want := []int64{int64(e.spec.ContextLength)}
		if inInfo.DataType != ort.TensorElementDataTypeInt32 && inInfo.DataType != ort.TensorElementDataTypeInt64 {
			return nil, fmt.Errorf("%s: %w: input %q is %v, want int32 or int64", path, ErrBadModel, t.in, inInfo.DataType)
		}
		if !dimsMatch(dims, want) {
			return nil, fmt.Errorf("%s: %w: input %q has shape %v, want [N,%d] (config.json text_cfg.context_length)",
				path, ErrBadModel, t.in, dims, want[0])
		}
		t.inDims = want
	}
	if dims[0] > 0 {
		t.batch = int(dims[0])
	}
	if e.providerErr != nil {
		return nil, e.providerErr
	}
	threads, n := e.textThreads, 1
	if visual {
		threads, n = e.opts.Layout.Threads, e.opts.Layout.Sessions
	}
	inNames := []string{t.in}
	if t.mask != "" {
		inNames = append(inNames, t.mask)
	}
	for i := 0; i < n; i++ {
		s, err := ort.OpenSession(&e.provider, path, nil, inNames, []string{t.out}, threads)
		if err != nil {
			ort.DestroySessions(t.sessions...)
			return nil, err
		}
		t.sessions = append(t.sessions, s)
	}
	t.inFlight = make([]int, n)
	return t, nil
}

func pick(infos []ort.InputOutputInfo, name, what string) (ort.InputOutputInfo, error) {
	for _, in := range infos {
		if in.Name == name {
			return in, nil
		}
	}
	if len(infos) == 1 {
		return infos[0], nil
	}
	names := make([]string, len(infos))
	for i, in := range infos {
		names[i] = in.Name
	}
	return ort.InputOutputInfo{}, fmt.Errorf("%w: no %s named %q among %v", ErrBadModel, what, name, names)
}

// dimsMatch checks [batch, want...], where a model dimension <= 0 is symbolic.
func dimsMatch(dims []int64, want []int64) bool {
	if len(dims) != len(want)+1 {
		return false
	}
	for i, w := range want {
		if d := dims[i+1]; d > 0 && d != w {
			return false
		}
	}
	return true
}

// run embeds n items; fill writes item i at row pos of the batch buffer (a []float32,
// []int32 or []int64 matching the input's element type). lengths gives item i's
// number of real tokens, for towers that take an attention mask.
func (t *tower) run(ctx context.Context, n int, lengths func(i int) int, fill func(dst any, pos, i int)) ([][]float32, error) {
	out := make([][]float32, 0, n)
	step := t.maxBatch
	if t.batch > 0 {
		step = t.batch
	}
	per := 1
	for _, d := range t.inDims {
		per *= int(d)
	}
	ro, release, err := ort.CancellableRun(ctx)
	if err != nil {
		return nil, fmt.Errorf("run options: %w", err)
	}
	defer release()

	for start := 0; start < n; start += step {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		count := min(step, n-start)
		rows := count
		if t.batch > 0 {
			rows = t.batch // a fixed batch is padded with zero rows
		}
		shape := append(ort.NewShape(int64(rows)), t.inDims...)
		var input ort.Value
		switch t.inType {
		case ort.TensorElementDataTypeFloat:
			buf := make([]float32, rows*per)
			for p := 0; p < count; p++ {
				fill(buf, p, start+p)
			}
			input, err = ort.NewTensor(shape, buf)
		case ort.TensorElementDataTypeInt32:
			buf := make([]int32, rows*per)
			for p := 0; p < count; p++ {
				fill(buf, p, start+p)
			}
			input, err = ort.NewTensor(shape, buf)
		default:
			buf := make([]int64, rows*per)
			for p := 0; p < count; p++ {
				fill(buf, p, start+p)
			}
			input, err = ort.NewTensor(shape, buf)
		}
		if err != nil {
			return nil, fmt.Errorf("input tensor: %w", err)
		}
		inputs := []ort.Value{input}
		if t.mask != "" {
			m, err := maskTensor(shape, t.inType, count, per, func(p int) int { return lengths(start + p) })
			if err != nil {
				input.Destroy()
				return nil, fmt.Errorf("mask tensor: %w", err)
			}
			inputs = append(inputs, m)
		}
		outputs := []ort.Value{nil}
		i := t.acquire()
		err = t.sessions[i].RunWithOptions(inputs, outputs, ro)
		t.release(i)
		for _, in := range inputs {
			in.Destroy()
		}
		if err != nil {
			if outputs[0] != nil {
				outputs[0].Destroy()
			}
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			return nil, fmt.Errorf("run: %w", err)
		}
		res, ok := outputs[0].(*ort.Tensor[float32])
		if !ok {
			outputs[0].Destroy()
			return nil, fmt.Errorf("%w: output %q is not a float32 tensor", ErrBadModel, t.out)
		}
		if s := res.GetShape(); len(s) != 2 || s[0] != int64(rows) || s[1] != int64(t.embedDim) {
			res.Destroy()
			return nil, fmt.Errorf("%w: output %q has shape %v, want [%d,%d]", ErrBadModel, t.out, s, rows, t.embedDim)
		}
		data := res.GetData()
		for p := 0; p < count; p++ {
			v := make([]float32, t.embedDim)
			copy(v, data[p*t.embedDim:])
			ort.L2Normalize(v)
			out = append(out, v)
		}
		res.Destroy()
	}
	return out, nil
}

// acquire picks the session with the fewest runs in progress (Run is
// safe to call concurrently on one session, so with more runs than
// sessions they share) and counts the caller in; release counts it out.
func (t *tower) acquire() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	best := 0
	for i, n := range t.inFlight {
		if n < t.inFlight[best] {
			best = i
		}
	}
	t.inFlight[best]++
	return best
}

func (t *tower) release(i int) {
	t.mu.Lock()
	t.inFlight[i]--
	t.mu.Unlock()
}

// maskTensor builds an attention mask shaped like the ids: 1 for the first
// length(p) positions of row p, 0 for padding (and for the zero rows that
// fill a fixed batch).
func maskTensor(shape ort.Shape, typ ort.TensorElementDataType, count, per int, length func(p int) int) (ort.Value, error) {
	rows := int(shape[0])
	if typ == ort.TensorElementDataTypeInt32 {
		buf := make([]int32, rows*per)
		for p := 0; p < count; p++ {
			for j := 0; j < min(length(p), per); j++ {
				buf[p*per+j] = 1
			}
		}
		return ort.NewTensor(shape, buf)
	}
	buf := make([]int64, rows*per)
	for p := 0; p < count; p++ {
		for j := 0; j < min(length(p), per); j++ {
			buf[p*per+j] = 1
		}
	}
	return ort.NewTensor(shape, buf)
}
