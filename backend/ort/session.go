package ort

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"

	onnx "github.com/yalue/onnxruntime_go"
)

// onnxruntime_go's types, under this package so that callers need no other import.
type (
	Session                = onnx.DynamicAdvancedSession
	SessionOptions         = onnx.SessionOptions
	RunOptions             = onnx.RunOptions
	GraphOptimizationLevel = onnx.GraphOptimizationLevel
	Value                  = onnx.Value
	Shape                  = onnx.Shape
	TensorData             = onnx.TensorData
	Tensor[T TensorData]   = onnx.Tensor[T]
	TensorElementDataType  = onnx.TensorElementDataType
	InputOutputInfo        = onnx.InputOutputInfo
)

// The element types Tagsight's models take and give.
const (
	TensorElementDataTypeFloat = onnx.TensorElementDataTypeFloat
	TensorElementDataTypeInt32 = onnx.TensorElementDataTypeInt32
	TensorElementDataTypeInt64 = onnx.TensorElementDataTypeInt64
)

// Graph optimisation levels, for SessionConfig.Tune (ONNX Runtime's default is all).
const (
	GraphOptimizationLevelDisableAll     = onnx.GraphOptimizationLevelDisableAll
	GraphOptimizationLevelEnableBasic    = onnx.GraphOptimizationLevelEnableBasic
	GraphOptimizationLevelEnableExtended = onnx.GraphOptimizationLevelEnableExtended
)

// NewShape is a tensor shape of the given dimensions.
func NewShape(dims ...int64) Shape { return onnx.NewShape(dims...) }

// NewTensor wraps data (not copied) as a tensor of shape s.
func NewTensor[T TensorData](s Shape, data []T) (*Tensor[T], error) { return onnx.NewTensor(s, data) }

// SessionConfig is how a session runs.
type SessionConfig struct {
	// Provider is a resolved execution provider (cpu, cuda, coreml,
	// directml; see ResolveProvider): no fall-back happens here.
	Provider string
	// Threads is the number of intra-op threads; 0 lets ONNX Runtime choose (all cores).
	Threads int
	// Tune, when set, changes the options last (benchmarks try graph
	// optimisation levels with it).
	Tune func(*SessionOptions) error
}

// NewSession creates a session for the model file at path, reading inputs in and writing
// outputs out, the way every Tagsight model runs (see SessionConfig).
func NewSession(path string, in, out []string, c SessionConfig) (*Session, error) {
	opts, err := sessionOptions(c)
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	return onnx.NewDynamicAdvancedSession(path, in, out, opts)
}

// NewSessionData is NewSession for a model held in memory (one rewritten
// on load, as the face detector is).
func NewSessionData(model []byte, in, out []string, c SessionConfig) (*Session, error) {
	opts, err := sessionOptions(c)
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	return onnx.NewDynamicAdvancedSessionWithONNXData(model, in, out, opts)
}

func sessionOptions(c SessionConfig) (*onnx.SessionOptions, error) {
	opts, err := onnx.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("session options: %w", err)
	}
	if c.Threads > 0 {
		if err := opts.SetIntraOpNumThreads(c.Threads); err != nil {
			opts.Destroy()
			return nil, fmt.Errorf("session options: %w", err)
		}
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		opts.Destroy()
		return nil, fmt.Errorf("session options: %w", err)
	}
	// Spinning threads steal the cores that decoding and the other tower need.
	for _, k := range []string{"session.intra_op.allow_spinning", "session.inter_op.allow_spinning"} {
		if err := opts.AddSessionConfigEntry(k, "0"); err != nil {
			opts.Destroy()
			return nil, fmt.Errorf("session option %s: %w", k, err)
		}
	}
	if err := appendProvider(opts, c.Provider); err != nil {
		opts.Destroy()
		return nil, fmt.Errorf("%s provider: %w", c.Provider, err)
	}
	if c.Tune != nil {
		if err := c.Tune(opts); err != nil {
			opts.Destroy()
			return nil, fmt.Errorf("session options: %w", err)
		}
	}
	return opts, nil
}

// StartSession creates a session with create on info.Using; when that
// provider cannot start, it creates it on the CPU instead and records in
// info what failed, so that what the user is shown says why the CPU runs.
func StartSession(info *ProviderInfo, create func(provider string) (*Session, error)) (*Session, error) {
	s, err := create(info.Using)
	if err != nil && info.Using != ProviderCPU {
		info.Reason = fmt.Sprintf("%s could not start (%v); fell back to the CPU", strings.ToUpper(info.Using), FirstLine(err))
		info.Using = ProviderCPU
		s, err = create(ProviderCPU)
	}
	return s, err
}

// CancellableRun returns run options that stop a Run in progress (not only
// the next one) when ctx is cancelled, and release, to call once the runs
// are over. The cancel callback may still be running when the runs end, so
// it and release take turns.
func CancellableRun(ctx context.Context) (*RunOptions, func(), error) {
	ro, err := onnx.NewRunOptions()
	if err != nil {
		return nil, nil, err
	}
	var mu sync.Mutex
	done := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			ro.Terminate()
		}
	})
	return ro, func() {
		stop()
		mu.Lock()
		done = true
		mu.Unlock()
		ro.Destroy()
	}, nil
}

// FirstLine is an error's first line, shortened: ONNX Runtime's errors run
// to many lines, and a fall-back reason or a list of unreadable files shows one.
func FirstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// L2Normalize scales v to unit length in place (a zero vector stays zero):
// what embedding models' outputs are compared as.
func L2Normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
}
