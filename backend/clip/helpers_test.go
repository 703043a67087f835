package clip

import (
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

func repoRoot(t testing.TB) string { return testutil.RepoRoot(t) }

func testModelDir(t testing.TB, name string) string {
	return filepath.Join(repoRoot(t), "models", "testmodels", name)
}
