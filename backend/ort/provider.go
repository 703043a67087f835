package ort

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	onnx "github.com/yalue/onnxruntime_go"
)

// Execution providers Tagsight knows. "auto" picks per platform.
const (
	ProviderAuto     = "auto"
	ProviderCPU      = "cpu"
	ProviderCUDA     = "cuda"
	ProviderCoreML   = "coreml"
	ProviderDirectML = "directml"
)

// ProviderInfo says which execution provider runs a model, and why.
type ProviderInfo struct {
	Requested string `json:"requested"`
	Using     string `json:"using"`
	Reason    string `json:"reason"`
}

func (p ProviderInfo) String() string {
	return fmt.Sprintf("%s (%s)", strings.ToUpper(p.Using), p.Reason)
}

// ResolveProvider decides which execution provider a new session tries
// first (requested: auto, cpu, cuda, coreml, directml; "" = auto) for the
// loaded runtime, and says why.
func ResolveProvider(requested string) (ProviderInfo, error) {
	return resolveProvider(requested, libraryPath())
}

func resolveProvider(requested, libPath string) (ProviderInfo, error) {
	req := strings.ToLower(strings.TrimSpace(requested))
	if req == "" {
		req = ProviderAuto
	}
	info := ProviderInfo{Requested: req}
	switch req {
	case ProviderCPU:
		info.Using, info.Reason = ProviderCPU, "requested"
	case ProviderCUDA, ProviderCoreML, ProviderDirectML:
		info.Using, info.Reason = req, "requested"
	case ProviderAuto:
		switch runtime.GOOS {
		case "darwin":
			info.Using, info.Reason = ProviderCoreML, "auto: macOS"
		case "windows":
			info.Using, info.Reason = ProviderDirectML, "auto: Windows"
		default:
			if ok, why := cudaUsable(libPath); ok {
				info.Using, info.Reason = ProviderCUDA, "auto: "+why
			} else {
				info.Using, info.Reason = ProviderCPU, "auto: CUDA not used: "+why
			}
		}
	default:
		return info, fmt.Errorf("%w %q: use auto, cpu, cuda, coreml or directml", ErrProvider, requested)
	}
	return info, nil
}

// cudaUsable checks what the CUDA provider needs before trying it: ONNX
// Runtime's CUDA provider library beside the runtime, and an NVIDIA GPU.
func cudaUsable(libPath string) (bool, string) {
	if runtime.GOOS != "linux" {
		return false, "CUDA is offered on Linux only"
	}
	prov := filepath.Join(filepath.Dir(libPath), "libonnxruntime_providers_cuda.so")
	if _, err := os.Stat(prov); err != nil {
		return false, "no libonnxruntime_providers_cuda.so next to " + libPath + " (docs/INSTALL.md explains the CUDA set-up)"
	}
	if _, err := os.Stat("/dev/nvidiactl"); err != nil {
		if _, err := os.Stat("/dev/nvidia0"); err != nil {
			return false, "no NVIDIA GPU device (/dev/nvidia0)"
		}
	}
	return true, "NVIDIA GPU and CUDA provider present"
}

// appendProvider adds p to the session options.
func appendProvider(opts *onnx.SessionOptions, p string) error {
	switch p {
	case ProviderCPU:
		return nil
	case ProviderCUDA:
		co, err := onnx.NewCUDAProviderOptions()
		if err != nil {
			return err
		}
		defer co.Destroy()
		if err := co.Update(map[string]string{"device_id": "0"}); err != nil {
			return err
		}
		return opts.AppendExecutionProviderCUDA(co)
	case ProviderCoreML:
		return opts.AppendExecutionProviderCoreMLV2(map[string]string{"MLComputeUnits": "ALL"})
	case ProviderDirectML:
		return opts.AppendExecutionProviderDirectML(0)
	}
	return fmt.Errorf("%w %q", ErrProvider, p)
}
