package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tagsight/tagsight/backend/workspace"
)

func newEmbedCmd() *cobra.Command {
	var mf modelFlags
	var image, text string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "embed --model DIR (--image FILE | --text TEXT)",
		Short: "Print the CLIP embedding of a picture or a text",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (image == "") == (text == "") {
				return fmt.Errorf("give exactly one of --image FILE or --text TEXT")
			}
			ctx := cmd.Context()
			dir, err := workspace.ResolveModelDir(ctx, mf.Model, nil, "")
			if err != nil {
				return err
			}
			m, err := workspace.LoadModel(dir, mf.ModelOptions)
			if err != nil {
				return err
			}
			defer m.Engine.Close()
			var vec []float32
			if text != "" {
				vec, err = m.EmbedText(ctx, text)
			} else if vec, err = m.EmbedFile(ctx, image); err != nil {
				err = fmt.Errorf("%s: %w", image, err)
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, map[string]any{"embedding": vec})
			}
			parts := make([]string, len(vec))
			for i, v := range vec {
				parts[i] = fmt.Sprintf("%.6f", v)
			}
			fmt.Fprintln(out, strings.Join(parts, " "))
			return nil
		},
	}
	mf.add(cmd)
	cmd.Flags().StringVar(&image, "image", "", "a picture file")
	cmd.Flags().StringVar(&text, "text", "", "a text")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"embedding": [...]}`)
	return cmd
}

// announceEmbedding says whether the index command can embed (a model is
// loaded), remembers the model given on the command line, and says which
// model and provider will run.
func announceEmbedding(cmd *cobra.Command, ws *workspace.Workspace) (bool, error) {
	stderr := cmd.ErrOrStderr()
	if f := ws.Faces(); f.Engine != nil {
		fmt.Fprintf(stderr, "tagsight: finding faces with %s\n", f.Dir)
	}
	if ws.Now().Model == nil {
		fmt.Fprintf(stderr, "tagsight: pictures not embedded (%v)\n", ws.Now().ModelErr)
		return false, nil
	}
	if err := ws.RememberModel(cmd.Context()); err != nil {
		return false, err
	}
	m := ws.Now().Model
	fmt.Fprintf(stderr, "tagsight: embedding with %s (%s) on %s\n", m.Dir, m.Engine.Precision(), m.Engine.ProviderInfo())
	return true, nil
}
