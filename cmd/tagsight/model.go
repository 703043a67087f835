package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tagsight/tagsight/backend/clip"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/modelhub"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/vectors"
	"github.com/tagsight/tagsight/models"
)

// modelFlags are the flags of every command that runs a model.
type modelFlags struct {
	model    string
	ortLib   string
	provider  string
	threads   int
	precision string
}

func (f *modelFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.model, "model", "", "model folder (Immich layout) or the name of an installed model (default: the library's model, else "+defaultModelName()+")")
	cmd.Flags().StringVar(&f.ortLib, "ort-lib", "", "ONNX Runtime shared library (default: $TAGSIGHT_ORT_LIB, next to the binary, or third_party/onnxruntime)")
	cmd.Flags().StringVar(&f.provider, "provider", "", "execution provider: auto, cpu, cuda, coreml or directml (default: $TAGSIGHT_PROVIDER or auto)")
	cmd.Flags().IntVar(&f.threads, "threads", 0, "intra-op threads per inference call (0 = tuned default)")
	cmd.Flags().StringVar(&f.precision, "precision", "auto", "fp32, int8 (after `tagsight models quantize`), or auto (int8 when it passed its check)")
}

func defaultModelName() string {
	c, err := modelhub.ParseCatalog(models.Catalog)
	if err != nil {
		return "?"
	}
	return c.Default
}

func newHub() (*modelhub.Hub, error) {
	c, err := modelhub.ParseCatalog(models.Catalog)
	if err != nil {
		return nil, err
	}
	dir, err := modelhub.DefaultDir()
	if err != nil {
		return nil, err
	}
	return &modelhub.Hub{Dir: dir, Catalog: c}, nil
}

// errNoModel says how to get a model.
var errNoModel = errors.New("no CLIP model")

// resolveModelDir turns --model (a folder or an installed model's name),
// else the library's setting, else the catalog default if installed, into
// a folder.
func resolveModelDir(ctx context.Context, flag string, lib *library.Library) (string, error) {
	name := flag
	if name == "" && lib != nil {
		name, _ = lib.DB.Setting(ctx, "model", "")
	}
	if name == "" {
		name = defaultModelName()
	}
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return filepath.Abs(name)
	}
	hub, err := newHub()
	if err != nil {
		return "", err
	}
	if hub.Installed(name) {
		return hub.ModelDir(name), nil
	}
	return "", fmt.Errorf("%w: %q is neither a model folder nor an installed model; run `tagsight models pull %s` or pass --model DIR",
		errNoModel, name, defaultModelName())
}

// loadedModel is a model ready to run.
type loadedModel struct {
	spec   *clip.ModelSpec
	engine *clip.Engine
	dir    string
}

func loadModel(dir string, f modelFlags, batch int) (*loadedModel, error) {
	spec, err := clip.LoadModelDir(dir)
	if err != nil {
		return nil, err
	}
	lib, err := clip.FindRuntime(f.ortLib)
	if err != nil {
		return nil, err
	}
	if err := clip.InitRuntime(lib); err != nil {
		return nil, err
	}
	provider := f.provider
	if provider == "" {
		provider = os.Getenv("TAGSIGHT_PROVIDER")
	}
	eng := clip.NewEngine(spec, clip.EngineOptions{IntraOpThreads: f.threads, MaxBatch: batch, Provider: provider, Precision: f.precision})
	return &loadedModel{spec: spec, engine: eng, dir: dir}, nil
}

// register makes sure the library knows the model and has its vector table.
func (m *loadedModel) register(ctx context.Context, db *store.DB) (store.Model, error) {
	key, err := vectors.ModelKey(m.dir)
	if err != nil {
		return store.Model{}, err
	}
	return db.EnsureModel(ctx, key, filepath.Base(m.dir), m.spec.EmbedDim)
}
