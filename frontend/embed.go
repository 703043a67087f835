// Package frontend embeds the built Svelte UI (frontend/dist) so the
// desktop app and `tagsight serve` ship the same files. dist/.gitkeep is
// committed so the embed compiles on a fresh clone before any build; the
// UI then reports that it has not been built.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist is the built UI, rooted at dist/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err)
	}
	return sub
}

// Built reports whether the UI was built into dist/ before compiling.
func Built() bool {
	_, err := fs.Stat(Dist(), "index.html")
	return err == nil
}
