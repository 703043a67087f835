package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/pathenc"
	"github.com/tagsight/tagsight/backend/watch"
	"github.com/tagsight/tagsight/backend/workspace"
)

// watchFlags choose how a library's folder is watched (serve, watch).
type watchFlags struct {
	mode      string
	pollEvery time.Duration
}

func (f *watchFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.mode, "watch", "auto", "how to notice changes on disk: auto (change events; a periodic rescan where they cannot be had), poll (rescan every --poll-every), off")
	cmd.Flags().DurationVar(&f.pollEvery, "poll-every", 30*time.Second, "how often to rescan (size and mtime) when polling")
}

func (f *watchFlags) options() (watch.Options, error) {
	o := watch.Options{PollEvery: f.pollEvery}
	switch f.mode {
	case "auto", "":
	case "poll", "off":
		o.Mode = f.mode
	default:
		return o, &exitError{code: 2, err: fmt.Errorf("--watch %q: want auto, poll or off", f.mode)}
	}
	return o, nil
}

// describeWatch is one line on how the folder is watched.
func describeWatch(s watch.Watching) string {
	switch s.Mode {
	case watch.ModeEvents:
		if s.Folders == 1 {
			return "watching 1 folder for changes"
		}
		return fmt.Sprintf("watching %d folders for changes", s.Folders)
	case watch.ModePolling:
		line := fmt.Sprintf("rescanning every %s: %s", time.Duration(s.Every*float64(time.Second)), s.Reason)
		if s.Folders > 0 {
			line += fmt.Sprintf(" (change events still come from %d folders)", s.Folders)
		}
		if s.Fix != "" {
			line += "\n  to fix: " + s.Fix
		}
		return line
	}
	return "not watching: " + s.Reason
}

// watchEvent is a line of `watch --json`.
type watchEvent struct {
	Time   string          `json:"time"`
	Event  string          `json:"event"` // "status", "batch", "error"
	Status *watch.Watching `json:"status,omitempty"`
	Paths  int             `json:"paths,omitempty"`
	Rescan bool            `json:"rescan,omitempty"`
	Result *summaryJSON    `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
}

func newWatchCmd() *cobra.Command {
	var mf modelFlags
	var wf watchFlags
	var asJSON, noIndex bool
	cmd := &cobra.Command{
		Use:   "watch LIBRARY",
		Short: "Keep a library indexed as files appear, change, move or vanish (headless)",
		Long: `Indexes LIBRARY, then watches every folder in it (new folders too, minus
what .tagsight/ignore names) and runs the same analysis as the app on what
changed: new and changed pictures get thumbnails, metadata and vectors,
moved ones keep their tags, deleted ones are marked missing. Bursts (a card
copy) are one batch; a file still being copied waits until it is complete.
Where change events cannot be had (the system's watch limit, a network
drive) it rescans periodically and says why. One line per batch (--json:
one JSON object per line). Ctrl+C stops.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			wo, err := wf.options()
			if err != nil {
				return err
			}
			ws, err := workspace.Open(ctx, args[0], true, mf.ModelOptions, mf.Model != "")
			if err != nil {
				return err
			}
			defer ws.Close()
			out := cmd.OutOrStdout()
			var mu sync.Mutex // lines from the watcher's goroutines
			say := func(ev watchEvent, text string) {
				mu.Lock()
				defer mu.Unlock()
				if asJSON {
					ev.Time = time.Now().Format(time.RFC3339)
					writeJSONLine(out, ev)
				} else {
					fmt.Fprintf(out, "%s  %s\n", time.Now().Format("15:04:05"), text)
				}
			}
			live, err := ws.Live(workspace.LiveOptions{
				Watch: wo,
				Indexed: func(b watch.Batch, res library.ScanResult, err error) {
					if err != nil && !res.Cancelled {
						say(watchEvent{Event: "error", Error: err.Error()}, "error: "+err.Error())
						return
					}
					if res.Added+res.Updated+res.Moved+len(res.Errors) == 0 && b.Rescan {
						return // a quiet poll
					}
					what := fmt.Sprintf("%d changed paths", len(b.Paths))
					if b.Rescan {
						what = "rescan (" + b.Why + ")"
					}
					sum := jsonSummary(res)
					say(watchEvent{Event: "batch", Paths: len(b.Paths), Rescan: b.Rescan, Result: &sum}, what+": "+batchLine(res))
					if !asJSON {
						for _, e := range res.Errors {
							p, _ := pathenc.Encode(e.Path)
							say(watchEvent{}, "  skipped "+p+": "+e.Error)
						}
					}
				},
				Status: func(s watch.Watching) {
					say(watchEvent{Event: "status", Status: &s}, describeWatch(s))
				},
			})
			if err != nil {
				return err
			}
			defer live.Close() // Close may run twice: it is idempotent
			// Watch first, then catch up: a file written during the
			// catch-up scan is either scanned or seen as a change.
			if !noIndex {
				if _, err := announceEmbedding(cmd, ws); err != nil {
					return err
				}
				res, _, err := ws.Index(ctx, library.ScanOptions{}, true)
				if err != nil {
					if res.Cancelled {
						return nil
					}
					return err
				}
				sum := jsonSummary(res)
				say(watchEvent{Event: "batch", Rescan: true, Result: &sum}, "caught up: "+batchLine(res))
			}
			<-ctx.Done()
			live.Close()
			if !asJSON {
				fmt.Fprintln(out, "stopped")
			}
			return nil
		},
	}
	mf.add(cmd)
	wf.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per line")
	cmd.Flags().BoolVar(&noIndex, "no-index", false, "do not scan the whole library before watching")
	return cmd
}

// batchLine sums up what a batch did.
func batchLine(r library.ScanResult) string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{r.Added, "added"}, {r.Updated, "updated"}, {r.Moved, "moved"}, {r.Skipped, "skipped"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing new")
	}
	return fmt.Sprintf("%s; %d indexed, %d missing (%.1fs)", strings.Join(parts, ", "), r.Indexed, r.Missing, r.Seconds)
}

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
