package tsgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/api"
	"github.com/tagsight/tagsight/backend/testutil"
)

// TestModelsUpToDate fails when a Go type the UI sees changed and the
// TypeScript was not regenerated: the two cannot drift.
func TestModelsUpToDate(t *testing.T) {
	root := testutil.RepoRoot(t)
	want, err := Generate(root, &api.API{}, api.Roots()...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, "frontend/src/lib/api/models.gen.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("frontend/src/lib/api/models.gen.ts is out of date: run `make types`")
	}
}

type inner struct {
	A int `json:"a"`
}

// Sample is a test shape.
type Sample struct {
	inner
	Name  string            `json:"name"`          // the name
	Note  *string           `json:"note"`          // may be null
	Opt   *int              `json:"opt,omitempty"` // may be absent
	Kind  string            `json:"kind" ts:"'a' | 'b'"`
	List  []*inner          `json:"list"`
	Map   map[string]int64  `json:"map"`
	Any   any               `json:"any,omitempty"`
	Skip  string            `json:"-"`
	Bytes []byte            `json:"bytes"`
	Tags  map[string][]bool `json:"tags"`
	priv  int
}

type sampleAPI struct{}

func (sampleAPI) Get(id int64) (Sample, error) { return Sample{}, nil }

func TestMapping(t *testing.T) {
	b, err := Generate(testutil.RepoRoot(t), sampleAPI{})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		"export interface Sample extends inner {",
		"  /** the name */\n  name: string;",
		"  note: string | null;",
		"  opt?: number;",
		"  kind: 'a' | 'b';",
		"  list: inner[];",
		"  map: Record<string, number>;",
		"  any?: unknown;",
		"  bytes: string;",
		"  tags: Record<string, boolean[]>;",
		"export interface inner {\n  a: number;\n}",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	if strings.Contains(s, "Skip") || strings.Contains(s, "priv") || strings.Contains(s, "skip") {
		t.Errorf("json:\"-\" or unexported fields came out:\n%s", s)
	}
}
