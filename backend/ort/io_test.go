package ort

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// testONNXFiles are the repository's test models (CLIP towers with int32 and int64 ids,
// static and dynamic batch, an attention mask; the face stand-ins) and, when
// TAGSIGHT_CLIP_BENCH_MODEL names one, a real model folder.
func testONNXFiles(t testing.TB) []string {
	root := filepath.Join(testutil.RepoRoot(t), "models", "testmodels")
	var files []string
	for _, m := range []string{"colour", "colour-int64", "colour-b1", "colour-mask"} {
		for _, f := range []string{"visual/model.onnx", "textual/model.onnx"} {
			files = append(files, filepath.Join(root, m, filepath.FromSlash(f)))
		}
	}
	faces, err := filepath.Glob(filepath.Join(root, "faces*", "*", "*.onnx"))
	if err != nil || len(faces) == 0 {
		t.Fatalf("no face test models: %v", err)
	}
	files = append(files, faces...)
	if dir := os.Getenv("TAGSIGHT_CLIP_BENCH_MODEL"); dir != "" {
		files = append(files, filepath.Join(dir, "visual", "model.onnx"), filepath.Join(dir, "textual", "model.onnx"))
	}
	return files
}

// Our protobuf reading agrees with ONNX Runtime's own.
func TestReadIOMatchesRuntime(t *testing.T) {
	initORT(t)
	for _, p := range testONNXFiles(t) {
		gotIn, gotOut, err := ReadIOProtobuf(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		wantIn, wantOut, err := IOFromRuntime(p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotIn, wantIn) || !reflect.DeepEqual(gotOut, wantOut) {
			t.Errorf("%s:\n got %v %v\nwant %v %v", p, gotIn, gotOut, wantIn, wantOut)
		}
	}
}

func TestReadIOErrors(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("not protobuf at all"), {0x3a, 0xff, 0xff, 0x01}} {
		if _, _, err := parseIO(bytes.NewReader(data), int64(len(data))); err == nil {
			t.Errorf("%q accepted", data)
		}
	}
	// A file that is no model: ReadIO asks ONNX Runtime, whose error it returns.
	initORT(t)
	junk := filepath.Join(t.TempDir(), "junk.onnx")
	if err := os.WriteFile(junk, []byte("not protobuf at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadIO(junk); err == nil {
		t.Error("junk file accepted")
	}
}

func FuzzParseIO(f *testing.F) {
	for _, p := range testONNXFiles(f) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 4096 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		parseIO(bytes.NewReader(data), int64(len(data)))
	})
}
