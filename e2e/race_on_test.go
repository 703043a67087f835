//go:build e2e && race

package e2e

// raceBuild: the suite runs under the race detector, so the tagsight it
// builds (when TAGSIGHT_BIN is not given) is built with it too.
const raceBuild = true
