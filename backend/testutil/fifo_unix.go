//go:build unix

package testutil

import (
	"syscall"
	"testing"
)

// mkfifo makes a named pipe; it reports whether the system has them.
func mkfifo(t testing.TB, path string) bool {
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	return true
}
