//go:build !linux

package api

import "testing"

// watchFolders needs inotify; elsewhere the tests rely on their checks of
// the folders' contents alone.
func watchFolders(t *testing.T, dirs ...string) func() []string {
	return func() []string { return nil }
}
