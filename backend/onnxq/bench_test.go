package onnxq

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestBenchCLIP measures a CLIP model folder (Immich layout) before and after quantization:
// speed per image / per text query with 1 and 2 intra-op threads at batch 1 and 8, and the
// cosine between float and int8 embeddings. It only runs when asked:
//
//	/usr/bin/python3 models/make_test_models.py /tmp/vitb32d --arch vitb32 --random --dynamic-batch
//	TAGSIGHT_ONNXQ_BENCH_MODEL=/tmp/vitb32d go test -run BenchCLIP -v -timeout 30m ./backend/onnxq
func TestBenchCLIP(t *testing.T) {
	dir := os.Getenv("TAGSIGHT_ONNXQ_BENCH_MODEL")
	if dir == "" {
		t.Skip("set TAGSIGHT_ONNXQ_BENCH_MODEL to a CLIP model folder to measure it")
	}
	initORT(t)
	tmp := t.TempDir()
	const vocab = 49408 // CLIP's BPE: BOS 49406, EOS 49407
	var rows []string
	for _, tower := range []string{"visual", "textual"} {
		src := filepath.Join(dir, tower, "model.onnx")
		dst := filepath.Join(tmp, tower+".int8.onnx")
		dst7 := filepath.Join(tmp, tower+".int7.onnx")
		start := time.Now()
		rep, err := QuantizeFileWith(src, dst, Options{})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("%s: quantized %d of %d MatMul/Gemm in %.1f s, %.1f MB -> %.1f MB\n", tower,
			rep.Quantized, rep.MatMuls, time.Since(start).Seconds(), float64(rep.BytesBefore)/1e6, float64(rep.BytesAfter)/1e6)

		// Accuracy: 20 random inputs, one at a time.
		fp32, int8 := openSession(t, src, 2), openSession(t, dst, 2)
		rng := rand.New(rand.NewPCG(7, 7))
		var cos []float64
		for range 20 {
			in := randomInputs(fp32, 1, rng, vocab)
			want, got := fp32.run(t, in)[0], int8.run(t, in)[0]
			cos = append(cos, rowCosines(want, got, len(want))...)
		}
		mean := 0.0
		for _, c := range cos {
			mean += c
		}
		mean /= float64(len(cos))
		fmt.Printf("%s: cosine fp32 vs int8 over %d inputs: mean %.5f, min %.5f\n", tower, len(cos), mean, slices.Min(cos))
		if _, err := QuantizeFileWith(src, dst7, Options{ReduceRange: true}); err != nil {
			t.Fatal(err)
		}
		int7 := openSession(t, dst7, 2)
		rng = rand.New(rand.NewPCG(7, 7))
		cos = cos[:0]
		for range 20 {
			in := randomInputs(fp32, 1, rng, vocab)
			want, got := fp32.run(t, in)[0], int7.run(t, in)[0]
			cos = append(cos, rowCosines(want, got, len(want))...)
		}
		mean = 0
		for _, c := range cos {
			mean += c
		}
		mean /= float64(len(cos))
		fmt.Printf("%s: cosine fp32 vs 7-bit (ReduceRange) over %d inputs: mean %.5f, min %.5f\n", tower, len(cos), mean, slices.Min(cos))

		// Speed: fp32 and int8 runs interleaved, median of the rounds.
		for _, threads := range []int{1, 2} {
			fp32, int8 := openSession(t, src, threads), openSession(t, dst, threads)
			for _, batch := range []int{1, 8} {
				in := randomInputs(fp32, batch, rng, vocab)
				fp32.run(t, in) // warm up
				int8.run(t, in)
				rounds := 9
				if batch > 1 {
					rounds = 3
				}
				var tf, tq []float64
				for range rounds {
					s := time.Now()
					fp32.run(t, in)
					tf = append(tf, float64(time.Since(s).Microseconds())/1000/float64(batch))
					s = time.Now()
					int8.run(t, in)
					tq = append(tq, float64(time.Since(s).Microseconds())/1000/float64(batch))
				}
				mf, mq := median(tf), median(tq)
				rows = append(rows, fmt.Sprintf("| %s | %d | %d | %.1f | %.1f | %.2f× |", tower, threads, batch, mf, mq, mf/mq))
			}
		}
	}
	fmt.Println("| tower | intra-op threads | batch | fp32 ms/item | int8 ms/item | speed-up |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Println(r)
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
