package testutil

import (
	"fmt"
	"testing"
)

// recorder is a testing.TB that notes a Fatalf or Skip instead of ending
// the test.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Fatalf(f string, args ...any) { r.fatal = fmt.Sprintf(f, args...) }
func (r *recorder) Skip(args ...any)             { r.skip = fmt.Sprint(args...) }

// A missing program skips a test on a developer's machine and fails it
// where RequireToolsEnv is set (CI); a program on PATH does neither.
func TestNeedToolsFailsOnCI(t *testing.T) {
	const absent = "tagsight-no-such-program"
	t.Setenv(RequireToolsEnv, "")
	r := &recorder{TB: t}
	NeedTools(r, absent)
	if r.skip == "" || r.fatal != "" {
		t.Fatalf("without %s: skip %q, fatal %q; want a skip", RequireToolsEnv, r.skip, r.fatal)
	}
	t.Setenv(RequireToolsEnv, "1")
	r = &recorder{TB: t}
	NeedTools(r, absent)
	if r.fatal == "" || r.skip != "" {
		t.Fatalf("with %s: skip %q, fatal %q; want a failure", RequireToolsEnv, r.skip, r.fatal)
	}
	r = &recorder{TB: t}
	NeedTools(r, "sh")
	if r.fatal != "" || r.skip != "" {
		t.Fatalf("sh is on PATH: skip %q, fatal %q", r.skip, r.fatal)
	}
}
