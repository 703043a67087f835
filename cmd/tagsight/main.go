// Command tagsight is Tagsight's headless face: the same core as the desktop
// app, driven from a terminal or a script. It needs no GTK or WebKit.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tagsight/tagsight/backend/media"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

// exitError carries a specific exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	err := root.ExecuteContext(ctx)
	media.ClosePDF()
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "tagsight:", err)
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		os.Exit(ee.code)
	case errors.Is(err, context.Canceled):
		os.Exit(130)
	}
	os.Exit(1)
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "tagsight",
		Short:         "Organise photos and files with tags and local AI search",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newIndexCmd(), newLsCmd(), newInfoCmd(), newEmbedCmd(), newSearchCmd(), newModelsCmd(), newTagCmd(), newTagsCmd(), newSimilarCmd(), newSuggestCmd(), newDupesCmd(), newServeCmd(), newWatchCmd(), newTagStudioCmd(), newXMPCmd(), newFacesCmd(), newPeopleCmd())
	return root
}
