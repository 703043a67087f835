package ort

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

func initORT(t testing.TB) {
	t.Helper()
	if err := Init(testutil.ORTLibrary(t)); err != nil {
		t.Fatal(err)
	}
}

// Runs first in this package: loading a file that is not a library must fail clearly, and
// must not stop a later load of the real one.
func TestInitErrors(t *testing.T) {
	err := Init(filepath.Join(t.TempDir(), "libonnxruntime.so"))
	if !errors.Is(err, ErrRuntime) || !strings.Contains(err.Error(), "not found") ||
		!strings.Contains(err.Error(), RequiredRuntime) {
		t.Fatalf("missing library: %v", err)
	}
	if err := Init(""); !errors.Is(err, ErrRuntime) {
		t.Fatalf("empty path: %v", err)
	}
	if Version() == "" { // not loaded yet by this process
		junk := filepath.Join(t.TempDir(), "libonnxruntime.so")
		if err := os.WriteFile(junk, []byte("not a library"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := Init(junk)
		if !errors.Is(err, ErrRuntime) || !strings.Contains(err.Error(), "cannot load") {
			t.Fatalf("junk library: %v", err)
		}
	}
	initORT(t)
	if v := Version(); !strings.HasPrefix(v, "1.") {
		t.Fatalf("version %q", v)
	}
	initORT(t) // again: no-op
	other := filepath.Join(t.TempDir(), "libonnxruntime.so")
	if err := os.WriteFile(other, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Init(other); !errors.Is(err, ErrRuntime) || !strings.Contains(err.Error(), "already loaded") {
		t.Fatalf("second library: %v", err)
	}
}

// FindLibrary's order: an explicit path, then $TAGSIGHT_ORT_LIB, then a development
// checkout's third_party folder above the working directory.
func TestFindLibrary(t *testing.T) {
	if p, err := FindLibrary("/x/explicit.so"); err != nil || p != "/x/explicit.so" {
		t.Errorf("explicit: %q %v", p, err)
	}
	t.Setenv("TAGSIGHT_ORT_LIB", "/x/from-env.so")
	if p, err := FindLibrary(""); err != nil || p != "/x/from-env.so" {
		t.Errorf("env: %q %v", p, err)
	}
	t.Setenv("TAGSIGHT_ORT_LIB", "")
	root := t.TempDir()
	dir := filepath.Join(root, "third_party", "onnxruntime", platformDir())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, libNames()[0])
	if err := os.WriteFile(want, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(deep)
	p, err := FindLibrary("")
	if err != nil {
		t.Fatal(err)
	}
	// The executable's folders come first; the test binary has no runtime beside it.
	if p != want {
		t.Errorf("checkout: %q, want %q", p, want)
	}
}
