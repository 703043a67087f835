//go:build race

package main

// raceBuild: these tests run under the race detector, so the CLI they
// start is built with it too (serve, watch and two-process indexing run
// in that binary, not in the test).
const raceBuild = true
