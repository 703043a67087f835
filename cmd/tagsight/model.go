package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/tagsight/tagsight/backend/modelhub"
	"github.com/tagsight/tagsight/backend/workspace"
)

// modelFlags are the flags of every command that runs a model.
type modelFlags struct{ workspace.ModelOptions }

func (f *modelFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.Model, "model", "", "model folder (Immich layout) or the name of an installed model (default: the library's model, else "+defaultModelName()+")")
	cmd.Flags().StringVar(&f.ORTLib, "ort-lib", "", "ONNX Runtime shared library (default: $TAGSIGHT_ORT_LIB, next to the binary, or third_party/onnxruntime)")
	cmd.Flags().StringVar(&f.Provider, "provider", "", "execution provider: auto, cpu, cuda, coreml or directml (default: $TAGSIGHT_PROVIDER or auto)")
	cmd.Flags().IntVar(&f.Threads, "threads", 0, "intra-op threads per inference call (0 = tuned default)")
	cmd.Flags().StringVar(&f.FacesModel, "faces-model", "", "face models folder (a YuNet detector and an SFace recogniser) or an installed name (default: the library's, else the catalog's \"faces\" once pulled)")
	cmd.Flags().StringVar(&f.Precision, "precision", "auto", "fp32, int8 (after `tagsight models quantize`), or auto (int8 when it passed its check)")
}

func defaultModelName() string { return workspace.Catalog().Default }

func newHub() (*modelhub.Hub, error) { return workspace.Hub(os.Getenv("TAGSIGHT_MODELS_DIR")) }
