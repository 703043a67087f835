package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagsight/tagsight/backend/clip"
	"github.com/tagsight/tagsight/backend/faces"
	"github.com/tagsight/tagsight/backend/modelhub"
	"github.com/tagsight/tagsight/backend/ocr"
	"github.com/tagsight/tagsight/backend/workspace"
)

func newModelsCmd() *cobra.Command {
	var catalogFile string
	hub := func() (*modelhub.Hub, error) {
		h, err := newHub()
		if err != nil || catalogFile == "" {
			return h, err
		}
		b, err := os.ReadFile(catalogFile)
		if err != nil {
			return nil, err
		}
		if h.Catalog, err = modelhub.ParseCatalog(b); err != nil {
			return nil, err
		}
		return h, nil
	}
	cmd := &cobra.Command{Use: "models", Short: "List, download and check models (CLIP for search by meaning, faces for people)"}
	cmd.PersistentFlags().StringVar(&catalogFile, "catalog", "", "use this catalog JSON instead of the built-in one")
	list := &cobra.Command{
		Use: "list", Short: "List the catalog's models and whether they are installed", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := hub()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "models folder: %s\n", h.Dir)
			for _, m := range h.Catalog.Models {
				state := "not installed"
				if h.Installed(m.Name) {
					state = "installed"
				}
				def := ""
				if m.Name == h.Catalog.Default {
					def = " (default)"
				}
				size := ""
				if n := m.Size(); n > 0 {
					size = fmt.Sprintf(", %.0f MB", float64(n)/1e6)
				}
				fmt.Fprintf(out, "  %-30s %-14s %-6s %s%s%s\n", m.Name, state, m.KindOf(), m.Title, def, size)
			}
			return nil
		},
	}
	pull := &cobra.Command{
		Use: "pull NAME", Short: "Download a model (resumes an interrupted download)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := hub()
			if err != nil {
				return err
			}
			stderr := cmd.ErrOrStderr()
			if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				h.Report = func(p modelhub.Progress) { fmt.Fprint(f, "\r\033[K"+bar(p)) }
			}
			dir, err := h.Pull(cmd.Context(), args[0])
			if h.Report != nil {
				fmt.Fprintln(stderr)
			}
			if err != nil {
				return err
			}
			if err := checkModelDir(h, args[0], dir); err != nil {
				return fmt.Errorf("downloaded, but the model folder is not usable: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "installed %s in %s\n", args[0], dir)
			if man, err := modelhub.ReadManifest(dir); err == nil {
				fmt.Fprintln(cmd.OutOrStdout(), "checked against: "+checkSummary(man))
			}
			return nil
		},
	}
	var verifyJSON bool
	verify := &cobra.Command{
		Use:   "verify NAME",
		Short: "Check an installed model's files and say what each was checked against",
		Long: `Check an installed model's files against the catalog's sha256, else the
sha256 the server announced when the file was downloaded (kept in the
model's manifest), else the catalog's size. A file with none of these is
reported as unchecked: nothing vouches for it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := hub()
			if err != nil {
				return err
			}
			rep, verr := h.Verify(args[0])
			if rep.Model == "" {
				return verr
			}
			out := cmd.OutOrStdout()
			if verifyJSON {
				if err := writeJSON(out, rep); err != nil {
					return err
				}
			} else {
				printVerify(out, rep)
			}
			if verr != nil {
				return verr
			}
			return checkModelDir(h, args[0], rep.Dir)
		},
	}
	verify.Flags().BoolVar(&verifyJSON, "json", false, "print the report as JSON")
	var mf modelFlags
	quantize := &cobra.Command{
		Use:   "quantize NAME|DIR",
		Short: "Make a faster int8 variant of a model, kept only if it matches fp32 (cosine ≥ 0.99)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := workspace.ResolveModelDir(cmd.Context(), args[0], nil, "")
			if err != nil {
				return err
			}
			mf.Precision = clip.PrecisionFP32
			m, err := workspace.LoadModel(dir, mf.ModelOptions)
			if err != nil {
				return err
			}
			m.Engine.Close()
			rep, err := clip.Quantize(cmd.Context(), m.Spec)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "int8 variant: vision %.0f MB (min cosine to fp32 %.4f), text %.0f MB (%.4f)\n",
				rep.VisualMB, rep.VisualCosine, rep.TextualMB, rep.TextualCosine)
			if !rep.OK {
				fmt.Fprintf(out, "not used: below %.2f; Tagsight keeps using fp32\n", clip.MinInt8Cosine)
			} else {
				fmt.Fprintln(out, "used from now on (--precision fp32 to override)")
			}
			return nil
		},
	}
	mf.add(quantize)
	cmd.AddCommand(list, pull, verify, quantize)
	return cmd
}

// checkModelDir checks that an installed catalog model's folder is usable
// as what it is: a CLIP model folder, or a face detector and recogniser.
func checkModelDir(h *modelhub.Hub, name, dir string) error {
	if e, err := h.Catalog.Find(name); err == nil && e.KindOf() == modelhub.KindFaces {
		_, err := faces.FindModels(dir)
		return err
	}
	if e, err := h.Catalog.Find(name); err == nil && e.KindOf() == modelhub.KindOCR {
		_, err := ocr.FindModels(dir)
		return err
	}
	_, err := clip.LoadModelDir(dir)
	return err
}

// checkSummary counts a manifest's files by what checked them, e.g.
// "server sha256 2, nothing 4".
func checkSummary(m modelhub.Manifest) string {
	var parts []string
	for _, c := range []modelhub.Check{modelhub.CheckCatalogSHA256, modelhub.CheckServerSHA256, modelhub.CheckSize, modelhub.CheckNone} {
		n := 0
		for _, f := range m.Files {
			if f.Check == c {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.Label(), n))
		}
	}
	return strings.Join(parts, ", ")
}

func printVerify(w io.Writer, rep modelhub.Report) {
	fmt.Fprintf(w, "%s (%s)\n", rep.Model, rep.Dir)
	if !rep.Manifest {
		fmt.Fprintf(w, "  no %s: installed before Tagsight kept one, or copied in; only the catalog's checksums can be used\n", modelhub.ManifestName)
	}
	for _, f := range rep.Files {
		line := fmt.Sprintf("  %-32s %-15s %s", f.Path, f.Check.Label(), f.Result)
		if f.Detail != "" {
			line += ": " + f.Detail
		}
		fmt.Fprintln(w, line)
	}
	switch n := rep.Unchecked(); {
	case !rep.OK:
		fmt.Fprintf(w, "%s: FAILED\n", rep.Model)
	case n > 0:
		fmt.Fprintf(w, "%s: ok, but %d of %d files were checked against nothing\n", rep.Model, n, len(rep.Files))
	default:
		fmt.Fprintf(w, "%s: ok\n", rep.Model)
	}
}

func bar(p modelhub.Progress) string {
	const width = 30
	mb := float64(p.Done) / (1 << 20)
	if p.Total <= 0 {
		return fmt.Sprintf("%s  %.1f MB  %.1f MB/s", p.File, mb, p.BytesPerS/(1<<20))
	}
	frac := float64(p.Done) / float64(p.Total)
	if frac > 1 {
		frac = 1
	}
	n := int(frac * width)
	b := make([]rune, width)
	for i := range b {
		b[i] = '░'
		if i < n {
			b[i] = '█'
		}
	}
	return fmt.Sprintf("%s %3.0f%%  %.1f/%.1f MB  %.1f MB/s  %s", string(b), frac*100, mb, float64(p.Total)/(1<<20), p.BytesPerS/(1<<20), p.File)
}
