package testutil

import (
	"os"
	"os/exec"
	"testing"
)

// RequireToolsEnv, when set (.ci/run sets it), turns a missing program
// or system file into a failure: scripts/setup.sh installs everything the
// tests run, so on CI a missing one is a broken setup, never a reason to
// skip the video, PDF or font paths.
const RequireToolsEnv = "TAGSIGHT_REQUIRE_TOOLS"

// NeedTools skips the test when one of the programs is not on PATH (a
// developer's machine without ffmpeg), or fails it where RequireToolsEnv
// is set.
func NeedTools(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			Missing(t, p+" not installed (scripts/setup.sh installs it)")
		}
	}
}

// Missing skips the test for a prerequisite this machine lacks, said in
// why, or fails it where RequireToolsEnv is set.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireToolsEnv) != "" {
		t.Fatalf("%s, and %s is set", why, RequireToolsEnv)
		return
	}
	t.Skip(why)
}
