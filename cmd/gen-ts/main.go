// Command gen-ts writes frontend/src/lib/api/models.gen.ts from the Go
// types the UI sees (package tsgen). Run it from the repository root
// (make types); a test fails while the file is out of date.
package main

import (
	"fmt"
	"os"

	"github.com/tagsight/tagsight/backend/api"
	"github.com/tagsight/tagsight/backend/tsgen"
)

// Out is where the generated file goes, relative to the repository root.
const Out = "frontend/src/lib/api/models.gen.ts"

func main() {
	b, err := tsgen.Generate(".", &api.API{}, api.Roots()...)
	if err == nil {
		err = os.WriteFile(Out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-ts:", err)
		os.Exit(1)
	}
	fmt.Println("wrote", Out)
}
