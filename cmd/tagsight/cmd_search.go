package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagsight/tagsight/backend/query"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/workspace"
)

func openSearch(cmd *cobra.Command, root string, mf modelFlags, needModel bool) (*workspace.Workspace, error) {
	return workspace.Open(cmd.Context(), root, false, mf.ModelOptions, needModel)
}

type resultJSON struct {
	jsonPath
	Score *float64  `json:"score,omitempty"`
	Text  *textJSON `json:"text,omitempty"`
}

// textJSON is where a result's words matched: the snippet marks them
// between U+E000 and U+E001, as the API's does.
type textJSON struct {
	Snippet string `json:"snippet"`
	Source  string `json:"source"`
	Page    int    `json:"page,omitempty"`
	Line    int    `json:"line,omitempty"`
}

// textLine is a text hit for a terminal: its place, and the snippet with
// the matched words in [brackets], on one line.
func textLine(t *textJSON) string {
	where := t.Source
	if t.Page > 0 {
		where += fmt.Sprintf(" p. %d", t.Page)
	} else if t.Line > 0 {
		where += fmt.Sprintf(" line %d", t.Line)
	}
	s := strings.NewReplacer(store.HitOpen, "[", store.HitClose, "]", "\n", " ", "\r", " ", "\t", " ").Replace(t.Snippet)
	return where + ": " + s
}

func printResults(cmd *cobra.Command, res search.Result, asJSON bool) error {
	out := cmd.OutOrStdout()
	list := make([]resultJSON, 0, len(res.Hits))
	for _, h := range res.Hits {
		r := resultJSON{jsonPath: encPath(h.Path)}
		if t := h.Text; t != nil {
			r.Text = &textJSON{Snippet: t.Snippet, Source: t.Source, Page: t.Page, Line: t.Line}
		}
		if !math.IsNaN(h.Score) {
			sc := h.Score
			r.Score = &sc
		}
		list = append(list, r)
	}
	if asJSON {
		body := map[string]any{"results": list, "total": res.Total}
		if res.Semantic && res.Cutoff >= 0 {
			body["cutoff"] = res.Cutoff
		}
		if res.Note != "" {
			body["note"] = res.Note
		}
		if res.FromText > 0 || res.FromMeaning > 0 {
			body["from_text"], body["from_meaning"] = res.FromText, res.FromMeaning
		}
		return writeJSON(out, body)
	}
	if res.Note != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "tagsight: "+res.Note)
	}
	for i, r := range list {
		if res.Semantic && i == res.Cutoff && res.Cutoff > 0 {
			fmt.Fprintln(out, "  ---- less relevant below ----")
		}
		if r.Score != nil {
			fmt.Fprintf(out, "%.4f  %s\n", *r.Score, r.Path)
		} else {
			fmt.Fprintln(out, r.Path)
		}
		if r.Text != nil {
			fmt.Fprintln(out, "        "+textLine(r.Text))
		}
	}
	return nil
}

// queryError prints a syntax error with a caret under its column.
func queryError(cmd *cobra.Command, q string, err error) error {
	var se *query.SyntaxError
	if errors.As(err, &se) {
		stderr := cmd.ErrOrStderr()
		fmt.Fprintf(stderr, "  %s\n  %*s%s\n", q, se.Col-1, "", repeat("^", max(se.Len, 1)))
		return &exitError{code: 2, err: fmt.Errorf("query: %w", err)}
	}
	return err
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}

func newSearchCmd() *cobra.Command {
	var mf modelFlags
	var opt search.Options
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "search LIBRARY QUERY",
		Short: "Search with the query language and by meaning",
		Long: `QUERY mixes the query language and free words:
  dog on the beach type:image taken:2023 NOT tag:archived
Words that are not tags or prefixed terms are a semantic query (needs a model).
AND OR NOT ( ) "quotes"; ~"forced semantic"; +2:"weighted" -"negative".
Prefixes and keywords:
` + query.PrefixHelp(),
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ss, err := openSearch(cmd, args[0], mf, false)
			if err != nil {
				return err
			}
			defer ss.Close()
			res, err := ss.Now().Search.Search(cmd.Context(), args[1], opt)
			if err != nil {
				if errors.Is(err, search.ErrNoModel) {
					return fmt.Errorf("%w: run `tagsight models pull %s`, then `tagsight index %s`", err, defaultModelName(), args[0])
				}
				return queryError(cmd, args[1], err)
			}
			if res.Semantic {
				if n, _ := ss.Lib.DB.CountVectors(cmd.Context(), ss.Now().StoreModel); n == 0 {
					fmt.Fprintf(cmd.ErrOrStderr(), "tagsight: no picture has a vector for this model yet: run `tagsight index %s`\n", args[0])
				}
			}
			return printResults(cmd, res, asJSON)
		},
	}
	mf.add(cmd)
	cmd.Flags().IntVar(&opt.Limit, "limit", 50, "number of results")
	cmd.Flags().IntVar(&opt.Offset, "offset", 0, "skip this many results")
	cmd.Flags().StringVar(&opt.Sort, "sort", "", "taken, -taken, added, name, size, random (default: relevance, or path)")
	cmd.Flags().BoolVar(&opt.IncludeHidden, "hidden", false, "include entries with hidden tags (Archived)")
	cmd.Flags().BoolVar(&opt.IncludeMissing, "missing", false, "include entries whose file is gone (as TagStudio's search does)")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"results": [{"path", "score"}], "cutoff": N}`)
	return cmd
}

func newSimilarCmd() *cobra.Command {
	var mf modelFlags
	var opt search.Options
	var asJSON bool
	var filter string
	cmd := &cobra.Command{
		Use:   "similar LIBRARY PATH",
		Short: "More like this: pictures similar to an entry or to any picture file",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ss, err := openSearch(cmd, args[0], mf, true)
			if err != nil {
				return err
			}
			defer ss.Close()
			var res search.Result
			if e, ferr := findEntry(cmd, ss.Lib, args[1]); ferr == nil {
				res, err = ss.Now().Search.Similar(ctx, e.ID, filter, opt)
			} else if st, serr := os.Stat(args[1]); serr == nil && !st.IsDir() {
				res, err = ss.Now().Search.SimilarFile(ctx, args[1], filter, opt)
			} else {
				return ferr
			}
			if err != nil {
				return queryError(cmd, filter, err)
			}
			return printResults(cmd, res, asJSON)
		},
	}
	mf.add(cmd)
	cmd.Flags().IntVar(&opt.Limit, "limit", 50, "number of results")
	cmd.Flags().StringVar(&filter, "filter", "", "restrict to entries matching this query (filters only)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newSuggestCmd() *cobra.Command {
	var mf modelFlags
	var asJSON bool
	var forTag, dismiss, accept string
	var limit int
	cmd := &cobra.Command{
		Use:   "suggest LIBRARY [PATH]",
		Short: "Suggest tags for an entry, or (--tag) the pictures that look like a tag",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ss, err := openSearch(cmd, args[0], mf, true)
			if err != nil {
				return err
			}
			defer ss.Close()
			out := cmd.OutOrStdout()
			if forTag != "" {
				t, err := findTag(ctx, ss.Tags, forTag)
				if err != nil {
					return err
				}
				hits, err := ss.Now().Search.BatchSuggest(ctx, t.ID, limit)
				if err != nil {
					return err
				}
				return printResults(cmd, search.Result{Hits: hits, Total: len(hits), Cutoff: -1}, asJSON)
			}
			if len(args) != 2 {
				return errors.New("suggest needs a PATH, or --tag NAME")
			}
			e, err := findEntry(cmd, ss.Lib, args[1])
			if err != nil {
				return err
			}
			for _, name := range []string{dismiss, accept} {
				if name == "" {
					continue
				}
				t, err := findTag(ctx, ss.Tags, name)
				if err != nil {
					return err
				}
				if name == dismiss {
					err = ss.Tags.Dismiss(ctx, t.ID, []int64{e.ID})
				} else {
					_, err = ss.Tags.Apply(ctx, t.ID, []int64{e.ID})
				}
				if err != nil {
					return err
				}
			}
			sugs, err := ss.Now().Search.Suggest(ctx, e.ID, limit)
			if err != nil {
				return err
			}
			type sj struct {
				Tag      string   `json:"tag"`
				Score    float64  `json:"score"`
				Reason   string   `json:"reason"`
				Sources  []string `json:"sources"`
				Examples []string `json:"examples"`
			}
			list := make([]sj, 0, len(sugs))
			for _, s := range sugs {
				j := sj{Tag: s.Tag.Name, Score: s.Score, Reason: s.Reason, Sources: s.Sources, Examples: []string{}}
				for _, x := range s.Examples {
					p, _ := encPathString(x.Path)
					j.Examples = append(j.Examples, p)
				}
				list = append(list, j)
			}
			if asJSON {
				return writeJSON(out, map[string]any{"suggestions": list})
			}
			for _, s := range list {
				fmt.Fprintf(out, "%-20s %.2f  %s\n", s.Tag, s.Score, s.Reason)
			}
			return nil
		},
	}
	mf.add(cmd)
	cmd.Flags().StringVar(&forTag, "tag", "", "list the pictures that look like this tag and lack it")
	cmd.Flags().StringVar(&dismiss, "dismiss", "", "never suggest this tag for PATH again, then list the rest")
	cmd.Flags().StringVar(&accept, "accept", "", "apply this suggested tag to PATH, then list the rest")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many (default: 10 tags / 500 pictures)")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"suggestions": [{"tag", "score", "reason"}]}`)
	return cmd
}

func encPathString(p string) (string, bool) {
	j := encPath(p)
	return j.Path, j.Escaped
}

func newDupesCmd() *cobra.Command {
	var mf modelFlags
	var asJSON bool
	var threshold float64
	cmd := &cobra.Command{
		Use:   "dupes LIBRARY",
		Short: "Find exact (same content) and near duplicates (similar vectors)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ss, err := openSearch(cmd, args[0], mf, false)
			if err != nil {
				return err
			}
			defer ss.Close()
			// Progress on a terminal only, on stderr, so --json stays clean.
			var progress func(done, total int)
			if f, ok := cmd.ErrOrStderr().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				progress = func(done, total int) {
					fmt.Fprintf(f, "\r\033[Kcomparing pictures… %d%%", 100*done/max(total, 1))
				}
				defer fmt.Fprint(f, "\r\033[K")
			}
			groups, err := ss.Now().Search.Duplicates(cmd.Context(), threshold, progress)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			type gj struct {
				Kind       string     `json:"kind"`
				Keeper     jsonPath   `json:"keeper"`
				Paths      []jsonPath `json:"paths"`
				Similarity float64    `json:"similarity"`
			}
			list := make([]gj, 0, len(groups))
			for _, g := range groups {
				j := gj{Kind: g.Kind, Keeper: encPath(g.Paths[0]), Similarity: g.Similarity}
				for _, p := range g.Paths {
					j.Paths = append(j.Paths, encPath(p))
				}
				list = append(list, j)
			}
			if asJSON {
				return writeJSON(out, map[string]any{"groups": list})
			}
			for _, g := range list {
				fmt.Fprintf(out, "%s (%.3f):\n", g.Kind, g.Similarity)
				for i, p := range g.Paths {
					mark := "  "
					if i == 0 {
						mark = "* "
					}
					fmt.Fprintf(out, "  %s%s\n", mark, p.Path)
				}
			}
			return nil
		},
	}
	mf.add(cmd)
	cmd.Flags().Float64Var(&threshold, "threshold", 0.98, "cosine similarity for near duplicates")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"groups": [{"kind", "keeper", "paths", "similarity"}]}`)
	return cmd
}
