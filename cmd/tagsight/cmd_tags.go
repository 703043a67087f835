package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/tags"
)

func openTags(cmd *cobra.Command, root string) (*library.Library, *tags.Service, error) {
	lib, err := library.Open(cmd.Context(), root, library.Options{})
	if err != nil {
		return nil, nil, err
	}
	return lib, tags.New(lib.DB), nil
}

// findTag resolves a tag by name, shorthand, alias or numeric id.
func findTag(ctx context.Context, s *tags.Service, name string) (tags.Tag, error) {
	t, err := s.Find(ctx, name)
	if err == nil {
		return t, nil
	}
	if id, perr := strconv.ParseInt(name, 10, 64); perr == nil {
		return s.Get(ctx, id)
	}
	return t, err
}

func newTagCmd() *cobra.Command {
	var create bool
	cmd := &cobra.Command{
		Use:   "tag LIBRARY add|remove TAG PATH...",
		Short: "Add a tag to entries, or take it off",
		Long:  "PATHs are relative to the library or paths to files inside it. `add --create` makes the tag if it does not exist.",
		Args:  cobra.MinimumNArgs(4),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			lib, s, err := openTags(cmd, args[0])
			if err != nil {
				return err
			}
			defer lib.Close()
			verb, name := args[1], args[2]
			if verb != "add" && verb != "remove" {
				return fmt.Errorf("tag: %q is neither add nor remove", verb)
			}
			t, err := findTag(ctx, s, name)
			if err != nil && verb == "add" && create {
				t, err = s.Create(ctx, name)
			}
			if err != nil {
				return err
			}
			ids, err := entriesIndexingNew(cmd, lib, args[3:])
			if err != nil {
				return err
			}
			var n int
			if verb == "add" {
				n, err = s.Apply(ctx, t.ID, ids)
			} else {
				n, err = s.Remove(ctx, t.ID, ids)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %q: %d of %d entries changed\n", verb, t.Name, n, len(ids))
			return nil
		},
	}
	cmd.Flags().BoolVar(&create, "create", false, "create the tag if it does not exist")
	return cmd
}

func newTagsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "tags LIBRARY list|create|rename|alias|unalias|parent|unparent|color|shorthand|category|hidden|merge|delete ...",
		Short: "Manage tags",
		Long: `tags LIBRARY list [--json]
tags LIBRARY create NAME
tags LIBRARY rename NAME NEWNAME
tags LIBRARY alias NAME ALIAS          (unalias NAME ALIAS)
tags LIBRARY parent CHILD PARENT       (unparent CHILD PARENT)
tags LIBRARY color NAME COLOUR         (a palette name or #rrggbb; "none" clears)
tags LIBRARY shorthand NAME SHORT
tags LIBRARY category NAME on|off      (hidden NAME on|off)
tags LIBRARY merge FROM INTO
tags LIBRARY delete NAME`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			lib, s, err := openTags(cmd, args[0])
			if err != nil {
				return err
			}
			defer lib.Close()
			verb, rest := args[1], args[2:]
			need := map[string]int{"list": 0, "create": 1, "rename": 2, "alias": 2, "unalias": 2, "parent": 2, "unparent": 2,
				"color": 2, "colour": 2, "shorthand": 2, "category": 2, "hidden": 2, "merge": 2, "delete": 1}
			n, ok := need[verb]
			if !ok {
				return fmt.Errorf("tags: unknown action %q", verb)
			}
			if len(rest) != n {
				return fmt.Errorf("tags %s takes %d argument(s), got %d", verb, n, len(rest))
			}
			out := cmd.OutOrStdout()
			if verb == "list" {
				ts, err := s.List(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(out, ts)
				}
				byID := map[int64]string{}
				for _, t := range ts {
					byID[t.ID] = t.Name
				}
				for _, t := range ts {
					var extra []string
					if t.Shorthand != "" {
						extra = append(extra, "shorthand "+t.Shorthand)
					}
					if len(t.Aliases) > 0 {
						extra = append(extra, "aka "+strings.Join(t.Aliases, ", "))
					}
					for _, p := range t.Parents {
						extra = append(extra, "in "+byID[p])
					}
					if t.Color != "" {
						extra = append(extra, t.Color)
					}
					if t.IsHidden {
						extra = append(extra, "hidden")
					}
					if t.IsCategory {
						extra = append(extra, "category")
					}
					fmt.Fprintf(out, "%-24s %6d  %s\n", t.Name, t.Count, strings.Join(extra, "; "))
				}
				return nil
			}
			if verb == "create" {
				t, err := s.Create(ctx, rest[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "created %q (id %d)\n", t.Name, t.ID)
				return nil
			}
			t, err := findTag(ctx, s, rest[0])
			if err != nil {
				return err
			}
			onOff := func(v string) (bool, error) {
				switch strings.ToLower(v) {
				case "on", "yes", "true", "1":
					return true, nil
				case "off", "no", "false", "0":
					return false, nil
				}
				return false, fmt.Errorf("%q: use on or off", v)
			}
			switch verb {
			case "rename":
				err = s.Rename(ctx, t.ID, rest[1])
			case "alias":
				err = s.AddAlias(ctx, t.ID, rest[1])
			case "unalias":
				err = s.RemoveAlias(ctx, t.ID, rest[1])
			case "parent", "unparent", "merge":
				var other tags.Tag
				if other, err = findTag(ctx, s, rest[1]); err != nil {
					return err
				}
				switch verb {
				case "parent":
					err = s.AddParent(ctx, t.ID, other.ID)
				case "unparent":
					err = s.RemoveParent(ctx, t.ID, other.ID)
				default:
					err = s.Merge(ctx, t.ID, other.ID)
				}
			case "color", "colour":
				err = s.SetColor(ctx, t.ID, rest[1])
			case "shorthand":
				err = s.SetShorthand(ctx, t.ID, rest[1])
			case "category", "hidden":
				var on bool
				if on, err = onOff(rest[1]); err == nil {
					if verb == "category" {
						err = s.SetCategory(ctx, t.ID, on)
					} else {
						err = s.SetHidden(ctx, t.ID, on)
					}
				}
			case "delete":
				err = s.Delete(ctx, t.ID)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%s %q: done\n", verb, t.Name)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (list)")
	return cmd
}
