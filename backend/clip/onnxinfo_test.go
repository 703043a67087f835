package clip

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	ort "github.com/yalue/onnxruntime_go"
)

func testONNXFiles(t testing.TB) []string {
	var files []string
	for _, m := range []string{"colour", "colour-int64", "colour-b1"} {
		for _, f := range []string{VisualModelFile, TextualModelFile} {
			files = append(files, filepath.Join(testModelDir(t, m), f))
		}
	}
	if dir := os.Getenv("TAGSIGHT_CLIP_BENCH_MODEL"); dir != "" {
		files = append(files, filepath.Join(dir, VisualModelFile), filepath.Join(dir, TextualModelFile))
	}
	return files
}

// Our protobuf reading agrees with ONNX Runtime's own.
func TestReadONNXIOMatchesRuntime(t *testing.T) {
	initORT(t)
	for _, p := range testONNXFiles(t) {
		gotIn, gotOut, err := readONNXIO(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		wantIn, wantOut, err := ort.GetInputOutputInfo(p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotIn, wantIn) || !reflect.DeepEqual(gotOut, wantOut) {
			t.Errorf("%s:\n got %v %v\nwant %v %v", p, gotIn, gotOut, wantIn, wantOut)
		}
	}
}

func TestReadONNXIOErrors(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("not protobuf at all"), {0x3a, 0xff, 0xff, 0x01}} {
		if _, _, err := parseONNXIO(bytes.NewReader(data), int64(len(data))); err == nil {
			t.Errorf("%q accepted", data)
		}
	}
}

func FuzzParseONNXIO(f *testing.F) {
	for _, p := range testONNXFiles(f)[:6] {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 4096 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		parseONNXIO(bytes.NewReader(data), int64(len(data)))
	})
}
