//go:build !unix

package testutil

import "testing"

// mkfifo: no named pipes here.
func mkfifo(t testing.TB, path string) bool { return false }
