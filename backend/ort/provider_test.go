package ort

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestResolveProvider(t *testing.T) {
	for _, c := range []struct{ req, using, reason string }{
		{"cpu", ProviderCPU, "requested"},
		{" CUDA ", ProviderCUDA, "requested"},
		{"coreml", ProviderCoreML, "requested"},
		{"directml", ProviderDirectML, "requested"},
	} {
		got, err := resolveProvider(c.req, "/nowhere/libonnxruntime.so")
		if err != nil || got.Using != c.using || got.Reason != c.reason {
			t.Errorf("%q: %+v %v", c.req, got, err)
		}
	}
	if _, err := resolveProvider("tpu", ""); !errors.Is(err, ErrProvider) {
		t.Errorf("tpu: %v", err)
	}
	if runtime.GOOS != "linux" {
		return
	}
	// auto on Linux: CUDA only with its provider library beside the runtime.
	lib := filepath.Join(t.TempDir(), "libonnxruntime.so")
	got, err := resolveProvider("", lib)
	if err != nil || got.Requested != ProviderAuto || got.Using != ProviderCPU ||
		!strings.Contains(got.Reason, "no libonnxruntime_providers_cuda.so next to "+lib) {
		t.Errorf("auto without the CUDA provider: %+v %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(lib), "libonnxruntime_providers_cuda.so"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ = resolveProvider("auto", lib)
	_, ctl := os.Stat("/dev/nvidiactl")
	_, dev0 := os.Stat("/dev/nvidia0")
	if gpu := ctl == nil || dev0 == nil; gpu {
		if got.Using != ProviderCUDA {
			t.Errorf("auto with the CUDA provider and a GPU: %+v", got)
		}
	} else if got.Using != ProviderCPU || !strings.Contains(got.Reason, "no NVIDIA GPU device") {
		t.Errorf("auto with the CUDA provider, no GPU: %+v", got)
	}
}

// A provider that cannot start gives way to the CPU, and the reason says what failed.
func TestStartSessionFallsBack(t *testing.T) {
	info := ProviderInfo{Requested: "auto", Using: ProviderCUDA, Reason: "auto: NVIDIA GPU"}
	var tried []string
	s, err := StartSession(&info, func(p string) (*Session, error) {
		tried = append(tried, p)
		if p == ProviderCUDA {
			return nil, errors.New("libcudart.so.12: cannot open\nmore detail")
		}
		return nil, nil
	})
	if err != nil || s != nil || strings.Join(tried, ",") != "cuda,cpu" {
		t.Fatalf("tried %v: %v", tried, err)
	}
	if info.Using != ProviderCPU || info.Reason != "CUDA could not start (libcudart.so.12: cannot open); fell back to the CPU" {
		t.Errorf("after fall-back: %+v", info)
	}
	// The CPU failing is the caller's error, with nothing to fall back to.
	info = ProviderInfo{Using: ProviderCPU, Reason: "requested"}
	tried = nil
	if _, err := StartSession(&info, func(p string) (*Session, error) {
		tried = append(tried, p)
		return nil, errors.New("bad model")
	}); err == nil || len(tried) != 1 || info.Reason != "requested" {
		t.Errorf("cpu failing: %v, tried %v, %+v", err, tried, info)
	}
}
