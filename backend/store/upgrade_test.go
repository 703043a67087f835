package store

import (
	"context"
	"fmt"
	"testing"
)

// TestUpgradeFromEveryVersion writes a library at each earlier schema
// version, with entries, a tag and a tag link in it, opens it with this
// build and checks every migration ran and the data came through: same
// ids, same paths, the link kept, and a new entry takes a fresh id. A new
// migration is covered from every version before it without editing this.
func TestUpgradeFromEveryVersion(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v < len(ms); v++ {
		t.Run(fmt.Sprintf("from_%d", v), func(t *testing.T) {
			ctx := context.Background()
			p, exec, done := oldLibrary(t, v)
			for _, id := range []int64{3, 8} {
				exec(`INSERT INTO entries(id, path, size, mtime_ns, fingerprint, media_type, added_at, updated_at)
					VALUES (?, ?, 10, 20, ?, 'image', 1, 2)`, id, fmt.Sprintf("dir/p%d.jpg", id), fmt.Sprintf("fp%d", id))
			}
			exec(`INSERT INTO tags(id, name) VALUES (50, 'Holiday')`)
			exec(`INSERT INTO entry_tags(entry_id, tag_id) VALUES (8, 50)`)
			done()

			db, err := Open(ctx, p)
			if err != nil {
				t.Fatalf("open a version-%d library: %v", v, err)
			}
			defer db.Close()
			var uv int
			db.pool.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&uv)
			if uv != len(ms) {
				t.Errorf("user_version %d after opening, want %d", uv, len(ms))
			}
			for _, id := range []int64{3, 8} {
				e, err := db.EntryByID(ctx, id)
				if err != nil || e.Path != fmt.Sprintf("dir/p%d.jpg", id) {
					t.Errorf("entry %d: %+v %v", id, e, err)
				}
			}
			var n int
			db.pool.QueryRowContext(ctx, `SELECT COUNT(*) FROM entry_tags WHERE entry_id = 8 AND tag_id = 50`).Scan(&n)
			if n != 1 {
				t.Error("the tag link was lost")
			}
			// Counts kept by triggers start from the library as it was.
			if tg, err := db.TagByID(ctx, 50); err != nil || tg.Count != 1 {
				t.Errorf("Holiday counts %d entries (%v), want 1", tg.Count, err)
			}
			// Ids are never reused: delete the newest, add one.
			if _, err := db.DeleteEntries(ctx, []int64{8}); err != nil {
				t.Fatal(err)
			}
			if tg, err := db.TagByID(ctx, 50); err != nil || tg.Count != 0 {
				t.Errorf("Holiday counts %d entries after its one went (%v), want 0", tg.Count, err)
			}
			res, err := db.pool.ExecContext(ctx, `INSERT INTO entries(path, size, mtime_ns, fingerprint, media_type, added_at, updated_at)
				VALUES ('new.jpg', 1, 1, 'fpn', 'image', 1, 1)`)
			if err != nil {
				t.Fatal(err)
			}
			if id, _ := res.LastInsertId(); id <= 8 {
				t.Errorf("new entry got id %d: ids must not be reused", id)
			}
		})
	}
}
