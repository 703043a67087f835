package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/workspace"
)

func newFacesCmd() *cobra.Command {
	var mf modelFlags
	var asJSON, off, on bool
	var workers int
	cmd := &cobra.Command{
		Use:   "faces LIB [--off|--on]",
		Short: "Find the faces in an indexed library's pictures (runs or resumes the faces analyzer) and group them into people",
		Long: `Find the faces in the library's pictures with the face models (tagsight
models pull faces, or --faces-model DIR) and put each in a person as it
goes. Pictures already analysed are skipped, so an interrupted run resumes
where it stopped. New pictures also get their faces when tagsight index
(or the app, or tagsight serve) indexes them.

--off turns faces off for this library (indexing then skips them; what was
found stays); --on turns them on again and runs.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if off && on {
				return fmt.Errorf("--off and --on contradict each other")
			}
			ws, err := workspace.Open(cmd.Context(), args[0], false, mf.ModelOptions, false)
			if err != nil {
				return err
			}
			defer ws.Close()
			if off || on {
				if err := ws.SetFacesOn(cmd.Context(), on); err != nil {
					return err
				}
				if off {
					fmt.Fprintln(cmd.OutOrStdout(), "faces are off for this library")
					return nil
				}
			}
			if f := ws.Faces(); f.Engine == nil {
				return f.Err
			}
			stderr := cmd.ErrOrStderr()
			var report func(done, total int, cur string)
			if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				start := time.Now()
				report = func(done, total int, cur string) {
					fmt.Fprintf(f, "\r\033[Kfaces: %d/%d pictures (%.0fs) %s", done, total, time.Since(start).Seconds(), cur)
				}
			}
			res, err := ws.RunFaces(cmd.Context(), workers, report)
			if report != nil {
				fmt.Fprintln(stderr)
			}
			for _, e := range res.Errors {
				fmt.Fprintf(stderr, "tagsight: %s: %s\n", e.Path, e.Error)
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, map[string]any{"faces": res.Faces, "people": res.People, "analysed": res.Analysed, "failed": res.Failed})
			}
			fmt.Fprintf(out, "%d pictures analysed (%d failed); the library has %d faces in %d people\n", res.Analysed, res.Failed, res.Faces, res.People)
			return nil
		},
	}
	mf.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"faces":N,"people":M,...}`)
	cmd.Flags().IntVar(&workers, "workers", 0, "pictures analysed at once (default: CPU count)")
	cmd.Flags().BoolVar(&off, "off", false, "turn faces off for this library")
	cmd.Flags().BoolVar(&on, "on", false, "turn faces on again for this library, then run")
	return cmd
}

type personJSON struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Faces   int    `json:"faces"`
	Entries int    `json:"entries"`
	Hidden  bool   `json:"hidden,omitempty"`
}

func newPeopleCmd() *cobra.Command {
	var mf modelFlags
	var asJSON, hidden bool
	cmd := &cobra.Command{
		Use:   "people LIB list|name ID NAME|merge INTO FROM|split FACE|reject FACE|hide ID|show ID|recluster",
		Short: "List, name, merge and split the people the faces analyzer found",
		Long: `People are groups of faces. Naming one gives it a tag in the People
category, so the pictures are found with person:NAME (or tag:NAME).

  list              people (id, name, faces, pictures); unnamed faces count as "nobody"
  name ID NAME      name a person (a name another person has merges them)
  merge INTO FROM   fold person FROM into person INTO
  split FACE        take face FACE out of its person into a person of its own
  reject FACE       "not this person": FACE leaves its person for good
  hide ID, show ID  hide a person from the People view, or show them again
  recluster         group every face again (what you named, merged or split stays)`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := workspace.Open(ctx, args[0], false, mf.ModelOptions, false)
			if err != nil {
				return err
			}
			defer ws.Close()
			db := ws.Lib.DB
			op, rest := args[1], args[2:]
			need := map[string]int{"list": 0, "name": 2, "merge": 2, "split": 1, "reject": 1, "hide": 1, "show": 1, "recluster": 0}
			n, ok := need[op]
			if !ok {
				return fmt.Errorf("unknown people command %q: use list, name, merge, split, reject, hide, show or recluster", op)
			}
			if len(rest) != n {
				return fmt.Errorf("people %s takes %d argument(s), got %d", op, n, len(rest))
			}
			id := func(i int) (int64, error) {
				v, err := strconv.ParseInt(rest[i], 10, 64)
				if err != nil || v <= 0 {
					return 0, fmt.Errorf("%q is not an id (a whole number from `tagsight people LIB list`)", rest[i])
				}
				return v, nil
			}
			var target int64
			switch op {
			case "list":
				return printPeople(cmd, db, hidden, asJSON)
			case "name":
				p, err := id(0)
				if err != nil {
					return err
				}
				if target, err = db.NamePerson(ctx, p, rest[1]); err != nil {
					return err
				}
			case "merge":
				a, err := id(0)
				if err != nil {
					return err
				}
				b, err := id(1)
				if err != nil {
					return err
				}
				if err := db.MergePeople(ctx, a, b); err != nil {
					return err
				}
				target = a
			case "split":
				f, err := id(0)
				if err != nil {
					return err
				}
				if target, err = db.SplitFace(ctx, f); err != nil {
					return err
				}
			case "reject":
				f, err := id(0)
				if err != nil {
					return err
				}
				return db.RejectFace(ctx, f)
			case "hide", "show":
				p, err := id(0)
				if err != nil {
					return err
				}
				return db.HidePerson(ctx, p, op == "hide")
			case "recluster":
				if _, err := ws.Recluster(ctx, nil); err != nil {
					return err
				}
				return printPeople(cmd, db, hidden, asJSON)
			}
			p, err := db.PersonByID(ctx, target)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), toPersonJSON(p))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d %s: %d faces in %d pictures\n", p.ID, nameOr(p.Name), p.Faces, p.Entries)
			return nil
		},
	}
	mf.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&hidden, "hidden", false, "list hidden people too")
	return cmd
}

func nameOr(n string) string {
	if n == "" {
		return "(unnamed)"
	}
	return n
}

func toPersonJSON(p store.Person) personJSON {
	return personJSON{ID: p.ID, Name: p.Name, Faces: p.Faces, Entries: p.Entries, Hidden: p.Hidden}
}

func printPeople(cmd *cobra.Command, db *store.DB, hidden, asJSON bool) error {
	ctx := cmd.Context()
	ps, err := db.People(ctx, hidden)
	if err != nil {
		return err
	}
	loose, err := db.UnassignedFaces(ctx, 0)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if asJSON {
		list := make([]personJSON, 0, len(ps))
		for _, p := range ps {
			list = append(list, toPersonJSON(p))
		}
		return writeJSON(out, map[string]any{"people": list, "unassigned": len(loose)})
	}
	for _, p := range ps {
		h := ""
		if p.Hidden {
			h = " (hidden)"
		}
		fmt.Fprintf(out, "%6d  %-24s %4d faces in %4d pictures%s\n", p.ID, nameOr(p.Name), p.Faces, p.Entries, h)
	}
	fmt.Fprintf(out, "%d faces in nobody yet\n", len(loose))
	return nil
}
