package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// RepoRoot walks up from the test's folder to the folder holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test folder")
		}
		dir = parent
	}
}

// ORTLibrary is the ONNX Runtime library tests use: $TAGSIGHT_ORT_LIB, else
// the copy scripts/fetch-ort.sh puts under third_party/. Tests fail without
// it (make test installs it); they never skip.
func ORTLibrary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("TAGSIGHT_ORT_LIB"); p != "" {
		return p
	}
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	p := filepath.Join(RepoRoot(t), "third_party", "onnxruntime", runtime.GOOS+"-"+arch, "libonnxruntime.so")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("no ONNX Runtime: set TAGSIGHT_ORT_LIB or run scripts/fetch-ort.sh (make setup does) (%v)", err)
	}
	return p
}

// OCRModels is the folder of the PP-OCRv4 models tests read:
// $TAGSIGHT_OCR_MODELS, else third_party/ocr-models/ (scripts/fetch-ocr-models.sh,
// which make setup runs). Tests fail without it; they never skip.
func OCRModels(t testing.TB) string {
	t.Helper()
	p := os.Getenv("TAGSIGHT_OCR_MODELS")
	if p == "" {
		p = filepath.Join(RepoRoot(t), "third_party", "ocr-models")
	}
	if _, err := os.Stat(filepath.Join(p, "ppocr_keys_v1.txt")); err != nil {
		t.Fatalf("no OCR models: set TAGSIGHT_OCR_MODELS or run scripts/fetch-ocr-models.sh (make setup does) (%v)", err)
	}
	return p
}
