//go:build !(sqlite_fts5 || fts5)

package store

// Built without FTS5, a library would fail to open at its text index
// (migration 15) at run time; this stops the build instead, with the fix
// as the compiler's message.
var _ int = "Tagsight needs SQLite FTS5: build with -tags sqlite_fts5 (make does; see README, Develop)"
