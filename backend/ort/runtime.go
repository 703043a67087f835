package ort

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	onnx "github.com/yalue/onnxruntime_go"
)

// ONNX Runtime is one process-wide environment, loaded from a shared library at run time
// (onnxruntime_go dlopens it; nothing of ORT is needed at build time).
var (
	runtimeMu   sync.Mutex
	runtimePath string
)

// RequiredRuntime names the ONNX Runtime this build works with (onnxruntime_go v1.27.0 asks
// for C API 24).
const RequiredRuntime = "ONNX Runtime 1.24 or newer"

// Init loads the ONNX Runtime shared library at libPath (libonnxruntime.so.1,
// onnxruntime.dll, libonnxruntime.dylib) and creates the environment. Calling it again with
// the same path does nothing; with another path it fails.
func Init(libPath string) error {
	runtimeMu.Lock()
	defer runtimeMu.Unlock()
	if libPath == "" {
		return fmt.Errorf("%w: no library path given: point Tagsight at %s's shared library "+
			"(libonnxruntime.so.1 / onnxruntime.dll / libonnxruntime.dylib)", ErrRuntime, RequiredRuntime)
	}
	st, err := os.Stat(libPath)
	if err != nil || st.IsDir() {
		return fmt.Errorf("%w: %s not found: install %s and set its shared library path "+
			"(scripts/fetch-ort.sh puts it in third_party/onnxruntime/)", ErrRuntime, libPath, RequiredRuntime)
	}
	if onnx.IsInitialized() {
		if libPath == runtimePath {
			return nil
		}
		return fmt.Errorf("%w: already loaded from %s, cannot switch to %s", ErrRuntime, runtimePath, libPath)
	}
	onnx.SetSharedLibraryPath(libPath)
	if err := onnx.InitializeEnvironment(onnx.WithLogLevelError()); err != nil {
		return fmt.Errorf("%w: cannot load %s: %v: it must be %s built for this OS and CPU",
			ErrRuntime, libPath, err, RequiredRuntime)
	}
	runtimePath = libPath
	return nil
}

// FindAndInit locates the runtime (FindLibrary) and loads it (Init): what
// every user of a model does first. It returns the library's path.
func FindAndInit(explicit string) (string, error) {
	lib, err := FindLibrary(explicit)
	if err != nil {
		return "", err
	}
	return lib, Init(lib)
}

// Initialized reports whether Init has loaded the runtime.
func Initialized() bool { return onnx.IsInitialized() }

// Version is the loaded ONNX Runtime's version, "" before Init.
func Version() string {
	runtimeMu.Lock()
	defer runtimeMu.Unlock()
	if !onnx.IsInitialized() {
		return ""
	}
	return onnx.GetVersion()
}

// libraryPath is the path Init loaded, "" before.
func libraryPath() string {
	runtimeMu.Lock()
	defer runtimeMu.Unlock()
	return runtimePath
}

// libNames are the ONNX Runtime shared library's names per OS.
func libNames() []string {
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

// FindLibrary locates the ONNX Runtime shared library: the explicit path,
// else $TAGSIGHT_ORT_LIB, else next to the executable (and ../lib,
// ../lib/tagsight, ../Frameworks for installed apps), else
// third_party/onnxruntime/<os>-<arch>/ below the working directory or the
// executable's folders (a development checkout), else the system's.
func FindLibrary(explicit string) (string, error) {
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
		dirs = append(dirs, checkoutDirs(d)...)
	}
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, checkoutDirs(wd)...)
	}
	dirs = append(dirs, "/usr/lib", "/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/opt/homebrew/lib")
	for _, d := range dirs {
		for _, n := range libNames() {
			p := filepath.Join(d, n)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%w: %s shared library not found: put %s next to the tagsight binary, "+
		"set TAGSIGHT_ORT_LIB or pass --ort-lib (developers: make setup fetches it into third_party/onnxruntime/)",
		ErrRuntime, RequiredRuntime, libNames()[0])
}

// checkoutDirs are third_party/onnxruntime/<os>-<arch> in dir and every folder above it.
func checkoutDirs(dir string) []string {
	var dirs []string
	for up := dir; ; up = filepath.Dir(up) {
		dirs = append(dirs, filepath.Join(up, "third_party", "onnxruntime", platformDir()))
		if filepath.Dir(up) == up {
			return dirs
		}
	}
}
