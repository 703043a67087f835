package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/tagstudio"
)

func newTagStudioCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tagstudio",
		Short: "Work with TagStudio libraries",
	}
	cmd.AddCommand(newTagStudioImportCmd())
	return cmd
}

type tagStudioJSON struct {
	*tagstudio.Report
	Missing   []jsonPath          `json:"missing"`
	Unmatched []jsonPath          `json:"unmatched"`
	Scan      *library.ScanResult `json:"scan,omitempty"`
}

func newTagStudioImportCmd() *cobra.Command {
	var asJSON, noIndex bool
	cmd := &cobra.Command{
		Use:   "import LIBRARY",
		Short: "Import a TagStudio library's tags, aliases, parents, colours and fields",
		Long: `LIBRARY is the folder that holds TagStudio's .TagStudio/ (ts_library.sqlite of
any DB_VERSION from 6 on, or the 9.x ts_library.json); it becomes (or already
is) a Tagsight library. The folder is indexed first (incrementally; --no-index
skips that), then TagStudio's tags are created or updated by name, keeping
TagStudio's tag ids, and its tags and text/date fields are put on the entries
at the same paths. TagStudio's files are only read. Running it again updates
and never duplicates. TagStudio entries with no file in the library (its
unlinked entries) are kept as missing entries with their tags and fields,
and listed; a file that later appears at such a path takes its entry over
on the next index.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return &exitError{code: 2, err: fmt.Errorf("tagstudio import: want one LIBRARY, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			// Fail on a missing or unreadable TagStudio library before
			// creating anything.
			if _, _, err := tagstudio.Read(ctx, args[0]); err != nil {
				return err
			}
			lib, err := library.Open(ctx, args[0], library.Options{Create: true})
			if err != nil {
				return err
			}
			defer lib.Close()
			var scan *library.ScanResult
			if !noIndex {
				res, err := lib.Scan(ctx, library.ScanOptions{})
				if err != nil {
					return fmt.Errorf("index %s: %w", args[0], err)
				}
				scan = &res
			}
			rep, err := tagstudio.Import(ctx, lib.DB, args[0])
			if err != nil {
				if rep == nil {
					return err
				}
				return errors.Join(errors.New("tagstudio import stopped part way"), err)
			}
			if asJSON {
				out := tagStudioJSON{Report: rep, Missing: []jsonPath{}, Unmatched: []jsonPath{}, Scan: scan}
				for _, p := range rep.Missing {
					out.Missing = append(out.Missing, encPath(p))
				}
				for _, p := range rep.Unmatched {
					out.Unmatched = append(out.Unmatched, encPath(p))
				}
				return writeJSON(cmd.OutOrStdout(), out)
			}
			printTagStudio(cmd.OutOrStdout(), rep)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().BoolVar(&noIndex, "no-index", false, "do not index the folder first")
	return cmd
}

func printTagStudio(w io.Writer, r *tagstudio.Report) {
	fmt.Fprintf(w, "TagStudio %s library (version %s): %s\n", r.Format, r.Version, r.Source)
	fmt.Fprintf(w, "tags: %d in TagStudio, %d added, %d changed, %d unchanged; %d aliases and %d parent links added\n",
		r.Tags, len(r.TagsAdded), len(r.TagsChanged), r.TagsUnchanged, r.AliasesAdded, r.ParentsAdded)
	fmt.Fprintf(w, "entries: %d in TagStudio, %d matched, %d missing (%d new), %d unmatched; %d tags put on entries, %d fields set (%d already so)\n",
		r.Entries, r.EntriesMatched, len(r.Missing), r.MissingAdded, len(r.Unmatched), r.LinksAdded, r.FieldsSet, r.FieldsSame)
	for _, n := range r.TagsAdded {
		fmt.Fprintf(w, "  added tag %q\n", n)
	}
	for _, n := range r.TagsChanged {
		fmt.Fprintf(w, "  changed tag %q\n", n)
	}
	for _, p := range r.Missing {
		s, _ := encPathString(p)
		fmt.Fprintf(w, "  missing (no such file in the library; kept with its tags): %s\n", s)
	}
	for _, p := range r.Unmatched {
		s, _ := encPathString(p)
		fmt.Fprintf(w, "  unmatched (not a path inside the library): %s\n", s)
	}
	for _, p := range r.NotMapped {
		fmt.Fprintf(w, "  not imported: %s: %s\n", p.What, p.Reason)
	}
}
