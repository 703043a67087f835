package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/pathenc"
	"github.com/tagsight/tagsight/backend/vectors"
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
				return errors.New("give exactly one of --image FILE or --text TEXT")
			}
			ctx := cmd.Context()
			dir, err := resolveModelDir(ctx, mf.model, nil)
			if err != nil {
				return err
			}
			m, err := loadModel(dir, mf, 1)
			if err != nil {
				return err
			}
			defer m.engine.Close()
			var vec []float32
			if text != "" {
				vs, err := m.engine.EmbedTexts(ctx, []string{text})
				if err != nil {
					return err
				}
				vec = vs[0]
			} else {
				img, _, err := media.DecodeScaled(ctx, image, m.spec.Preprocess.MinShort(), media.DefaultLimits())
				if err != nil {
					return fmt.Errorf("%s: %w", image, err)
				}
				in, err := m.spec.Preprocess.Preprocess(img)
				if err != nil {
					return err
				}
				vs, err := m.engine.EmbedImages(ctx, [][]float32{in})
				if err != nil {
					return err
				}
				vec = vs[0]
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

// embedLibrary runs the embedding pipeline for the index command.
func embedLibrary(cmd *cobra.Command, lib *library.Library, mf modelFlags, explicit bool) (*vectors.Result, error) {
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()
	dir, err := resolveModelDir(ctx, mf.model, lib)
	if err != nil {
		if !explicit && errors.Is(err, errNoModel) {
			fmt.Fprintf(stderr, "tagsight: pictures not embedded (no model installed): run `tagsight models pull %s` for search by meaning\n", defaultModelName())
			return nil, nil
		}
		return nil, err
	}
	m, err := loadModel(dir, mf, 16)
	if err != nil {
		return nil, err
	}
	defer m.engine.Close()
	sm, err := m.register(ctx, lib.DB)
	if err != nil {
		return nil, err
	}
	if mf.model != "" {
		lib.DB.SetSetting(ctx, "model", mf.model)
	}
	var report func(vectors.Progress)
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		report = func(p vectors.Progress) {
			if p.Phase != "embed" {
				fmt.Fprint(f, "\r\033[K")
				return
			}
			cur, _ := pathenc.Encode(p.Current)
			fmt.Fprintf(f, "\r\033[Kembedding %d/%d  %.1f img/s  ETA %s  %s", p.Done, p.Total, p.Rate,
				(time.Duration(p.ETA) * time.Second).String(), cur)
		}
	}
	info := m.engine.ProviderInfo()
	fmt.Fprintf(stderr, "tagsight: embedding with %s (%s) on %s\n", dir, m.engine.Precision(), info)
	res, err := vectors.Run(ctx, lib.DB, lib.Abs, sm, m.engine, m.spec.Preprocess, vectors.Options{
		MinShort: m.spec.Preprocess.MinShort(),
		Batch:    m.engine.PreferredBatch(),
		Report:   report,
	})
	return &res, err
}
