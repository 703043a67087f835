package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/pathenc"
	"github.com/tagsight/tagsight/backend/store"
)

func newLsCmd() *cobra.Command {
	var asJSON, missing bool
	var sort string
	var limit, offset int
	cmd := &cobra.Command{
		Use:   "ls LIBRARY",
		Short: "List the library's entries",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			lib, err := library.Open(ctx, args[0], library.Options{})
			if err != nil {
				return err
			}
			defer lib.Close()
			es, err := lib.DB.ListEntries(ctx, store.ListOptions{Limit: limit, Offset: offset, IncludeMissing: missing, OrderBy: sort})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				list := make([]lsEntry, 0, len(es))
				for _, e := range es {
					list = append(list, toLs(e))
				}
				return writeJSON(out, list)
			}
			for _, e := range es {
				p, _ := pathenc.Encode(e.Path)
				w, h := e.DisplaySize()
				dims := ""
				if w > 0 {
					dims = fmt.Sprintf("%dx%d", w, h)
				}
				flag := ""
				if e.Missing {
					flag = " (missing)"
				}
				fmt.Fprintf(out, "%-6s %-10s %s%s\n", e.MediaType, dims, p, flag)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&missing, "missing", false, "include entries whose file is gone")
	cmd.Flags().StringVar(&sort, "sort", "path", "path, taken, added or size")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many entries (0 = all)")
	cmd.Flags().IntVar(&offset, "offset", 0, "skip this many entries")
	return cmd
}

func newInfoCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info LIBRARY PATH",
		Short: "Show one entry: file facts, EXIF and tags",
		Long:  "PATH is relative to the library, or a path to a file inside it.",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			lib, err := library.Open(ctx, args[0], library.Options{})
			if err != nil {
				return err
			}
			defer lib.Close()
			e, err := findEntry(cmd, lib, args[1])
			if err != nil {
				return err
			}
			tags, err := lib.DB.TagNames(ctx, e.ID)
			if err != nil {
				return err
			}
			info := toInfo(e, tags, lib.Derived().Path(library.Thumbs, e.Thumb))
			f, err := lib.DB.Facts(ctx, e.ID)
			if err != nil {
				return err
			}
			if !f.IsZero() {
				info.Facts = &f
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, info)
			}
			p, _ := pathenc.Encode(e.Path)
			fmt.Fprintf(out, "%s\n  %s %s, %d bytes, %dx%d\n", p, e.MediaType, e.Format, e.Size, info.Width, info.Height)
			if e.Taken != "" {
				fmt.Fprintf(out, "  taken %s\n", e.Taken)
			}
			if info.Camera != nil {
				fmt.Fprintf(out, "  camera %s\n", strings.TrimSpace(*info.Camera+" "+e.Lens))
			}
			if e.Lat != nil && e.Lon != nil {
				fmt.Fprintf(out, "  GPS %.6f, %.6f\n", *e.Lat, *e.Lon)
			}
			if f.Duration > 0 || f.Codec != "" {
				fmt.Fprintf(out, "  %s, %.1f s, %g fps, %d kb/s\n", f.Codec, f.Duration, f.FPS, f.Bitrate/1000)
			}
			if len(tags) > 0 {
				fmt.Fprintf(out, "  tags %v\n", tags)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// entriesIndexingNew finds the entries of paths, indexing first the files
// that are on disk inside the library but not recorded yet (just copied
// or moved, before a watching process saw them): a user names a file, not
// a database row.
func entriesIndexingNew(cmd *cobra.Command, lib *library.Library, args []string) ([]int64, error) {
	ids := make([]int64, len(args))
	var fresh []string // library-relative paths to index
	var at []int       // their places in ids
	for i, p := range args {
		n, err := lib.Resolve(cmd.Context(), p, library.UserPath)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if n.Found() {
			ids[i] = n.Entry.ID
			continue
		}
		fresh, at = append(fresh, n.Rel), append(at, i)
	}
	if len(fresh) == 0 {
		return ids, nil
	}
	res, err := lib.Scan(cmd.Context(), library.ScanOptions{Only: fresh})
	if err != nil {
		return nil, fmt.Errorf("index new files: %w", err)
	}
	for j, rel := range fresh {
		e, err := lib.DB.EntryByPath(cmd.Context(), rel)
		if err != nil {
			for _, se := range res.Errors {
				if se.Path == rel {
					return nil, fmt.Errorf("%s: cannot be indexed: %s", args[at[j]], se.Error)
				}
			}
			return nil, fmt.Errorf("%s: %w", args[at[j]], err)
		}
		ids[at[j]] = e.ID
	}
	return ids, nil
}

// findEntry is the entry of a file a user named (library.Library.Resolve):
// a library-relative path, or a path on disk (relative to the working
// folder, or absolute) that leads inside the library.
func findEntry(cmd *cobra.Command, lib *library.Library, arg string) (store.Entry, error) {
	n, err := lib.Resolve(cmd.Context(), arg, library.UserPath)
	if err == nil && !n.Found() {
		err = fmt.Errorf("%w: %s (not indexed yet)", store.ErrNotFound, n.Rel)
	}
	return n.Entry, err
}
