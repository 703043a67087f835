package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/faces"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/pathenc"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/vectors"
	"github.com/tagsight/tagsight/backend/workspace"
)

func newIndexCmd() *cobra.Command {
	var asJSON, noEmbed, timings bool
	var workers, thumb int
	var mf modelFlags
	cmd := &cobra.Command{
		Use:   "index LIBRARY",
		Short: "Create the library if needed, scan it and make thumbnails",
		Long: `Scans LIBRARY and, in the same pass, computes a CLIP vector for every
picture that lacks one (when a model is installed or given with --model)
and finds its faces (when the face models are: tagsight models pull faces).
New and changed files are indexed, moved files keep their
entries, vanished files are marked missing. Files that cannot be indexed are
reported with the reason and skipped; the exit status is still 0. Interrupt
(Ctrl+C) stops after committing finished work; the next run resumes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := workspace.Open(ctx, args[0], true, mf.ModelOptions, mf.Model != "" && !noEmbed)
			if err != nil {
				return err
			}
			defer ws.Close()
			var pr library.Reporter
			stderr := cmd.ErrOrStderr()
			if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				pr = terminalProgress(f)
			}
			if !noEmbed {
				if _, err = announceEmbedding(cmd, ws); err != nil {
					return err
				}
			}
			// One pass: every picture is decoded once for its thumbnail,
			// metadata and vector, and the model loads meanwhile.
			res, emb, err := ws.Index(ctx, library.ScanOptions{Workers: workers, ThumbSize: thumb, Report: pr}, !noEmbed)
			if pr != nil {
				fmt.Fprint(stderr, "\r\033[K")
			}
			if err != nil && !res.Cancelled {
				return err
			}
			if timings && emb != nil && emb.Timing != nil {
				t := emb.Timing
				fmt.Fprintf(stderr, "tagsight: timings: total %.2fs, model load %.2fs, %d embedded, steady %.2f img/s\n",
					res.Seconds, t.LoadSeconds, t.Embedded, t.SteadyRate)
			}
			out := cmd.OutOrStdout()
			var fr *faces.Result
			if !noEmbed && ws.Faces().Engine != nil && res.Analysis != nil {
				r := faces.FromAnalysis(ctx, ws.Lib.DB, res.Analysis)
				fr = &r
			}
			if asJSON {
				sum := jsonSummary(res)
				if emb != nil {
					sum.Embedding = &embedJSON{Result: *emb, Errors: pathErrors(emb.Errors)}
				}
				sum.Faces = fr
				if werr := writeJSON(out, sum); werr != nil {
					return werr
				}
			} else {
				printSummary(out, res)
				if emb != nil {
					fmt.Fprintf(out, "embedded %d pictures in %.1fs (%d failed); %d have vectors\n", emb.Embedded, emb.Seconds, emb.Failed, emb.Total)
					for _, e := range emb.Errors {
						p, _ := pathenc.Encode(e.Path)
						fmt.Fprintf(out, "  not embedded %s: %s\n", p, e.Error)
					}
				}
				if fr != nil {
					fmt.Fprintf(out, "faces: %d pictures analysed (%d failed); the library has %d faces in %d people\n", fr.Analysed, fr.Failed, fr.Faces, fr.People)
				}
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON summary")
	cmd.Flags().IntVar(&workers, "workers", 0, "parallel file workers (default: CPU count)")
	cmd.Flags().IntVar(&thumb, "thumb-size", 256, "thumbnail long side in pixels")
	cmd.Flags().BoolVar(&noEmbed, "no-embed", false, "scan only; do not compute CLIP vectors or find faces")
	cmd.Flags().BoolVar(&timings, "timings", false, "print model load time and steady embedding rate (benchmarks)")
	cmd.Flags().MarkHidden("timings")
	mf.add(cmd)
	return cmd
}

type errJSON struct {
	jsonPath
	Error string `json:"error"`
}

type summaryJSON struct {
	library.ScanResult
	Errors    []errJSON  `json:"errors"`
	Warnings  []errJSON  `json:"warnings"` // damaged pictures indexed from what decodes
	Embedding *embedJSON `json:"embedding,omitempty"`
	// Faces: the faces analyzer's part, when the face models are present.
	Faces *faces.Result `json:"faces,omitempty"`
}

type embedJSON struct {
	vectors.Result
	Errors []errJSON `json:"errors"`
}

func pathErrors(es []store.ScanError) []errJSON {
	out := make([]errJSON, 0, len(es))
	for _, e := range es {
		out = append(out, errJSON{jsonPath: encPath(e.Path), Error: e.Error})
	}
	return out
}

func jsonSummary(r library.ScanResult) summaryJSON {
	return summaryJSON{ScanResult: r, Errors: pathErrors(r.Errors), Warnings: pathErrors(r.Warnings)}
}

func printSummary(w io.Writer, r library.ScanResult) {
	state := "done"
	if r.Cancelled {
		state = "cancelled (run again to resume)"
	}
	fmt.Fprintf(w, "%s in %.1fs: %d indexed (%d added, %d updated, %d moved, %d unchanged), %d missing, %d skipped\n",
		state, r.Seconds, r.Indexed, r.Added, r.Updated, r.Moved, r.Unchanged, r.Missing, r.Skipped)
	for _, e := range r.Errors {
		p, _ := pathenc.Encode(e.Path)
		fmt.Fprintf(w, "  skipped %s: %s\n", p, e.Error)
	}
	for _, e := range r.Warnings {
		p, _ := pathenc.Encode(e.Path)
		fmt.Fprintf(w, "  warning %s: %s\n", p, e.Error)
	}
}

func terminalProgress(f *os.File) library.Reporter {
	return func(p library.Progress) {
		width := 100
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
			width = w
		}
		var line string
		switch p.Phase {
		case "walk":
			line = fmt.Sprintf("finding files… %d", p.Done)
		case "index":
			line = fmt.Sprintf("indexing %d/%d", p.Done, p.Total)
			if p.Rate > 0 {
				line += fmt.Sprintf("  %.1f files/s  ETA %s", p.Rate, (time.Duration(p.ETA) * time.Second).String())
			}
			if p.Errors > 0 {
				line += fmt.Sprintf("  %d skipped", p.Errors)
			}
			cur, _ := pathenc.Encode(filepath.Base(p.Current))
			line += "  " + cur
		default:
			return
		}
		if len([]rune(line)) > width-1 {
			line = string([]rune(line)[:width-1])
		}
		fmt.Fprint(f, "\r\033[K"+strings.ReplaceAll(line, "\n", " "))
	}
}
