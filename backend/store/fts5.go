//go:build sqlite_fts5 || fts5

package store

// BuildTags are the build tags every Go build, vet and test of Tagsight
// needs (the Makefile's GOTAGS): mattn/go-sqlite3 compiles SQLite's FTS5,
// which the text index (migration 15) is made of, only with sqlite_fts5.
// Code that runs the go command itself (tests building the CLI) passes them.
const BuildTags = "sqlite_fts5"
