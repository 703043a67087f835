package clip

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
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

// runtimeLibNames are the ONNX Runtime shared library's names per OS.
func runtimeLibNames() []string {
	switch runtime.GOOS {
	case "windows":
		return []string{"onnxruntime.dll"}
	case "darwin":
		return []string{"libonnxruntime.dylib", "libonnxruntime.1.24.1.dylib"}
	}
	return []string{"libonnxruntime.so", "libonnxruntime.so.1", "libonnxruntime.so.1.24.1"}
}

func platformDir() string {
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	if arch == "" {
		arch = runtime.GOARCH
	}
	// scripts/fetch-ort.sh's folder names: linux-x64, darwin-arm64, windows-x64.
	return runtime.GOOS + "-" + arch
}

// FindRuntime locates the ONNX Runtime shared library: the explicit path,
// else $TAGSIGHT_ORT_LIB, else next to the executable (and ../lib,
// ../lib/tagsight, ../Frameworks for installed apps), else
// third_party/onnxruntime/<os>-<arch>/ below the working directory or the
// executable's folders (a development checkout), else the system's.
func FindRuntime(explicit string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	if env := os.Getenv("TAGSIGHT_ORT_LIB"); env != "" {
		return env, nil
	}
	var dirs []string
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		d := filepath.Dir(exe)
		dirs = append(dirs, d, filepath.Join(d, "..", "lib"), filepath.Join(d, "..", "lib", "tagsight"),
			filepath.Join(d, "..", "Frameworks"))
		for up := d; ; up = filepath.Dir(up) {
			dirs = append(dirs, filepath.Join(up, "third_party", "onnxruntime", platformDir()))
			if filepath.Dir(up) == up {
				break
			}
		}
	}
	if wd, err := os.Getwd(); err == nil {
		for up := wd; ; up = filepath.Dir(up) {
			dirs = append(dirs, filepath.Join(up, "third_party", "onnxruntime", platformDir()))
			if filepath.Dir(up) == up {
				break
			}
		}
	}
	dirs = append(dirs, "/usr/lib", "/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/opt/homebrew/lib")
	for _, d := range dirs {
		for _, n := range runtimeLibNames() {
			p := filepath.Join(d, n)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%w: %s shared library not found: put %s next to the tagsight binary, "+
		"set TAGSIGHT_ORT_LIB or pass --ort-lib (developers: make setup fetches it into third_party/onnxruntime/)",
		ErrRuntime, RequiredRuntime, runtimeLibNames()[0])
}

// ErrProvider: an unknown execution provider name.
var ErrProvider = errors.New("unknown execution provider")

// resolveProvider decides which provider to try first and says why.
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
func appendProvider(opts *ort.SessionOptions, p string) error {
	switch p {
	case ProviderCPU:
		return nil
	case ProviderCUDA:
		co, err := ort.NewCUDAProviderOptions()
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
