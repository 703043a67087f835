package clip

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"time"

	"github.com/tagsight/tagsight/backend/onnxq"
	"github.com/tagsight/tagsight/backend/ort"
)

// The int8 variant of a model lives beside the fp32 files, made on the
// user's machine by Quantize, and is used only when its embeddings stay
// close to the fp32 ones (Int8Report.OK).
const (
	VisualInt8File  = "visual/model.int8.onnx"
	TextualInt8File = "textual/model.int8.onnx"
	Int8ReportFile  = "int8.json"
	// MinInt8Cosine is the lowest cosine between fp32 and int8 embeddings,
	// over the check sample, for the variant to be used.
	MinInt8Cosine = 0.99
)

// Int8Report records how an int8 variant compared with fp32.
type Int8Report struct {
	OK            bool      `json:"ok"`
	VisualCosine  float64   `json:"visual_min_cosine"`
	TextualCosine float64   `json:"textual_min_cosine"`
	VisualMB      float64   `json:"visual_mb"`
	TextualMB     float64   `json:"textual_mb"`
	Made          time.Time `json:"made"`
	Samples       int       `json:"samples"`
}

// ReadInt8Report returns the model folder's int8 report, if any.
func ReadInt8Report(dir string) (Int8Report, bool) {
	var r Int8Report
	b, err := os.ReadFile(filepath.Join(dir, Int8ReportFile))
	if err != nil || json.Unmarshal(b, &r) != nil {
		return r, false
	}
	for _, f := range []string{VisualInt8File, TextualInt8File} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return r, false
		}
	}
	return r, true
}

// usable reports whether the folder has an int8 variant that passed.
func int8Usable(dir string) bool {
	r, ok := ReadInt8Report(dir)
	return ok && r.OK
}

var checkTexts = []string{"a dog on a beach at sunset", "a red car parked in the street", "birthday cake with candles",
	"snowy mountains under a blue sky", "a cat sleeping on a sofa", "city skyline at night", "children playing football",
	"a bowl of ramen", "portrait of an old man", "a forest in autumn", "people dancing at a wedding", "a plate of sushi"}

// Quantize makes the int8 variant of the model in spec.Dir (weight MatMuls
// rewritten to DynamicQuantizeMatMul with 7-bit weights, safe on CPUs
// without VNNI), then embeds a sample of images and texts with both and
// keeps the variant only if every cosine is at least MinInt8Cosine.
// ort.Init must have succeeded.
func Quantize(ctx context.Context, spec *ModelSpec) (Int8Report, error) {
	rep := Int8Report{Made: time.Now().UTC()}
	opts := onnxq.Options{ReduceRange: true}
	vi := filepath.Join(spec.Dir, VisualInt8File)
	ti := filepath.Join(spec.Dir, TextualInt8File)
	if _, err := onnxq.QuantizeFileWith(spec.VisualPath, vi, opts); err != nil {
		return rep, fmt.Errorf("quantize %s: %w", spec.VisualPath, err)
	}
	if _, err := onnxq.QuantizeFileWith(spec.TextualPath, ti, opts); err != nil {
		os.Remove(vi)
		return rep, fmt.Errorf("quantize %s: %w", spec.TextualPath, err)
	}
	for _, f := range []struct {
		p  string
		mb *float64
	}{{vi, &rep.VisualMB}, {ti, &rep.TextualMB}} {
		if st, err := os.Stat(f.p); err == nil {
			*f.mb = float64(st.Size()) / (1 << 20)
		}
	}
	fp := NewEngine(spec, EngineOptions{Provider: ort.ProviderCPU, Precision: PrecisionFP32})
	defer fp.Close()
	q := NewEngine(spec, EngineOptions{Provider: ort.ProviderCPU, Precision: PrecisionInt8, int8Force: true})
	defer q.Close()

	r := rand.New(rand.NewSource(1))
	per := spec.Preprocess.Len()
	var imgs [][]float32
	for i := 0; i < 8; i++ {
		// Smooth random fields, normalised like real inputs.
		v := make([]float32, per)
		a, b, c := r.Float64()*6, r.Float64()*6, r.Float64()*2-1
		for j := range v {
			v[j] = float32(c + math.Sin(a*float64(j%spec.Preprocess.Width)/50)*math.Cos(b*float64(j/spec.Preprocess.Width)/50) + 0.3*r.NormFloat64())
		}
		imgs = append(imgs, v)
	}
	rep.Samples = len(imgs) + len(checkTexts)
	var err error
	if rep.VisualCosine, err = minCosine(ctx, imgs, fp.EmbedImages, q.EmbedImages); err != nil {
		return rep, err
	}
	if rep.TextualCosine, err = minCosine(ctx, checkTexts, fp.EmbedTexts, q.EmbedTexts); err != nil {
		return rep, err
	}
	rep.OK = rep.VisualCosine >= MinInt8Cosine && rep.TextualCosine >= MinInt8Cosine
	b, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(filepath.Join(spec.Dir, Int8ReportFile), b, 0o644); err != nil {
		return rep, err
	}
	return rep, nil
}

func minCosine[T any](ctx context.Context, in []T, a, b func(context.Context, []T) ([][]float32, error)) (float64, error) {
	x, err := a(ctx, in)
	if err != nil {
		return 0, err
	}
	y, err := b(ctx, in)
	if err != nil {
		return 0, err
	}
	if len(x) != len(y) {
		return 0, errors.New("int8 check: output count differs")
	}
	m := 1.0
	for i := range x {
		var d float64
		for j := range x[i] {
			d += float64(x[i][j]) * float64(y[i][j])
		}
		m = math.Min(m, d)
	}
	return m, nil
}
