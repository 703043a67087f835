package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
)

func newXMPCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "xmp",
		Short: "XMP sidecars: write tags out (reading them in is part of every scan)",
	}
	cmd.AddCommand(newXMPWriteCmd())
	return cmd
}

type xmpWrittenJSON struct {
	jsonPath
	Sidecar  string `json:"sidecar,omitempty"`
	Keywords int    `json:"keywords"`
	Created  bool   `json:"created"`
	Changed  bool   `json:"changed"`
	Error    string `json:"error,omitempty"`
}

func newXMPWriteCmd() *cobra.Command {
	var mf modelFlags
	var asJSON, hidden bool
	cmd := &cobra.Command{
		Use:   "write LIBRARY [QUERY]",
		Short: "Write entries' tags into their XMP sidecars (dc:subject, lr:hierarchicalSubject)",
		Long: `Writes the tags of the entries matching QUERY (default: every present
entry with a tag or a sidecar) into XMP sidecars: tag names as dc:subject,
full parent chains as lr:hierarchicalSubject ("Places|France|Nice").
The sidecar is photo.jpg.xmp when it exists, else photo.xmp when it exists,
else a new photo.jpg.xmp. Other properties of an existing sidecar are kept;
its keywords stay unless they name a tag the entry does not have. Pictures
themselves are never written. Writes are atomic (temporary file + rename).`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := openSearch(cmd, args[0], mf, false)
			if err != nil {
				return err
			}
			defer ws.Close()
			var entries []store.Entry
			if len(args) == 2 {
				// Every match: as many as there are entries (a semantic
				// query sizes its candidate pool by the limit).
				n, _, err := ws.Lib.DB.CountEntries(ctx)
				if err != nil {
					return err
				}
				res, err := ws.Now().Search.Search(ctx, args[1], search.Options{Limit: max(n, 1), IncludeHidden: hidden})
				if err != nil {
					if errors.Is(err, search.ErrNoModel) {
						return fmt.Errorf("%w: xmp write needs a query of filters (tag:, type:, path:, …) or a model", err)
					}
					return queryError(cmd, args[1], err)
				}
				for _, h := range res.Hits {
					e, err := ws.Lib.DB.EntryByID(ctx, h.EntryID)
					if err != nil {
						return err
					}
					entries = append(entries, e)
				}
			} else {
				if entries, err = ws.Lib.DB.ListEntries(ctx, store.ListOptions{}); err != nil {
					return err
				}
			}
			done, err := ws.Lib.WriteXMP(ctx, entries)
			if err != nil {
				return err
			}
			return printXMPWritten(cmd, done, asJSON)
		},
	}
	mf.add(cmd)
	cmd.Flags().BoolVar(&hidden, "hidden", false, "with QUERY: include entries with hidden tags (Archived)")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"written": [{"path", "sidecar", "keywords", "created", "changed", "error"}], "changed": N, "errors": N}`)
	return cmd
}

func printXMPWritten(cmd *cobra.Command, done []library.XMPWritten, asJSON bool) error {
	out := cmd.OutOrStdout()
	list := make([]xmpWrittenJSON, 0, len(done))
	changed, failed := 0, 0
	for _, w := range done {
		if w.Changed {
			changed++
		}
		if w.Error != "" {
			failed++
		}
		if w.Sidecar == "" && w.Error == "" {
			continue // nothing to write: no tags, no sidecar
		}
		s, _ := encPathString(w.Sidecar)
		list = append(list, xmpWrittenJSON{jsonPath: encPath(w.Path), Sidecar: s, Keywords: w.Keywords,
			Created: w.Created, Changed: w.Changed, Error: w.Error})
	}
	var err error
	if failed > 0 {
		err = &exitError{code: 1, err: fmt.Errorf("xmp write: %d sidecar(s) could not be written", failed)}
	}
	if asJSON {
		if jerr := writeJSON(out, map[string]any{"written": list, "changed": changed, "errors": failed}); jerr != nil {
			return jerr
		}
		return err
	}
	for _, w := range list {
		switch {
		case w.Error != "":
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s\n", w.Path, w.Error)
		case w.Changed:
			verb := "updated"
			if w.Created {
				verb = "created"
			}
			fmt.Fprintf(out, "%-7s %s (%d keywords)\n", verb, w.Sidecar, w.Keywords)
		}
	}
	fmt.Fprintf(out, "%d sidecar(s) written, %d already up to date\n", changed, len(list)-changed-failed)
	return err
}
