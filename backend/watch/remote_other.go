//go:build !linux

package watch

// remoteFS: network drives are only recognised on Linux; elsewhere a drive
// whose events do not arrive can be polled by choice (Options.Mode "poll").
func remoteFS(string) (string, bool) { return "", false }
