package store

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func mustTag(t *testing.T, db *DB, name string) int64 {
	t.Helper()
	id, err := db.CreateTag(context.Background(), name, 0)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustExec(t *testing.T, db *DB, q string, args ...any) {
	t.Helper()
	if _, err := db.pool.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestMergeTagsMovesEveryLink(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	ids, m, from := seed(t, db) // from tags a, b, c; vectors [1 1] [2 1] [3 1]
	into := mustTag(t, db, "into")
	parent, child, loop := mustTag(t, db, "parent"), mustTag(t, db, "child"), mustTag(t, db, "loop")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.AddTagAlias(ctx, from, "old alias"))
	must(db.AddTagParent(ctx, from, parent))
	must(db.AddTagParent(ctx, child, from))
	// into's child is from's parent: the merge closes a loop.
	must(db.AddTagParent(ctx, from, loop))
	must(db.AddTagParent(ctx, loop, into))
	must(db.DismissSuggestions(ctx, from, ids[:1]))
	if _, err := db.ApplyTag(ctx, into, ids[2:]); err != nil {
		t.Fatal(err)
	}

	must(db.MergeTags(ctx, from, into))
	if _, err := db.TagByID(ctx, from); !errors.Is(err, ErrNotFound) {
		t.Fatalf("from still there: %v", err)
	}
	got, err := db.TagByID(ctx, into)
	must(err)
	if got.Count != 3 {
		t.Errorf("into carries %d entries, want 3", got.Count)
	}
	if !slices.Equal(got.Aliases, []string{"old alias", "t"}) {
		t.Errorf("aliases %q, want from's alias and name", got.Aliases)
	}
	slices.Sort(got.Parents)
	if want := []int64{parent, loop}; !slices.Equal(got.Parents, want) {
		t.Errorf("parents %v, want %v", got.Parents, want)
	}
	if c, _ := db.TagByID(ctx, child); !slices.Equal(c.Parents, []int64{into}) {
		t.Errorf("child's parents %v, want [%d]", c.Parents, into)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM tag_parents WHERE child_id = parent_id`); n != 0 {
		t.Errorf("%d self-links", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM dismissed_suggestions WHERE tag_id=? AND entry_id=?`, into, ids[0]); n != 1 {
		t.Errorf("dismissal not moved")
	}
	if sum, n := centroid(t, db, m, into); n != 3 || !slices.Equal(sum, []float32{6, 3}) {
		t.Errorf("centroid %v/%d, want [6 3]/3", sum, n)
	}

	var missing *MissingTagError
	if err := db.MergeTags(ctx, 999, into); !errors.As(err, &missing) || missing.ID != 999 {
		t.Errorf("merging a missing tag: %v", err)
	}
	if err := db.MergeTags(ctx, into, 998); !errors.As(err, &missing) || missing.ID != 998 {
		t.Errorf("merging into a missing tag: %v", err)
	}
}

// A failure late in a merge (here, deleting from) leaves every link where
// it was: the merge is one transaction.
func TestMergeTagsIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	ids, m, from := seed(t, db)
	into := mustTag(t, db, "into")
	parent := mustTag(t, db, "parent")
	if err := db.AddTagParent(ctx, from, parent); err != nil {
		t.Fatal(err)
	}
	if err := db.AddTagAlias(ctx, from, "old"); err != nil {
		t.Fatal(err)
	}
	if err := db.DismissSuggestions(ctx, from, ids[:1]); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `CREATE TRIGGER no_delete BEFORE DELETE ON tags WHEN old.id = `+itoa(from)+` BEGIN SELECT RAISE(ABORT, 'refused'); END`)
	if err := db.MergeTags(ctx, from, into); err == nil {
		t.Fatal("merge succeeded despite the trigger")
	}
	for _, q := range []string{
		`SELECT COUNT(*) FROM entry_tags WHERE tag_id=?`,
		`SELECT COUNT(*) FROM tag_aliases WHERE tag_id=?`,
		`SELECT COUNT(*) FROM tag_parents WHERE child_id=?`,
		`SELECT COUNT(*) FROM dismissed_suggestions WHERE tag_id=?`,
		`SELECT COUNT(*) FROM tag_centroids WHERE tag_id=?`,
	} {
		if n := count(t, db, q, into); n != 0 {
			t.Errorf("%s: %d rows for into after a failed merge", q, n)
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM entry_tags WHERE tag_id=?`, from); n != 3 {
		t.Errorf("from lost entries: %d", n)
	}
	if _, n := centroid(t, db, m, from); n != 3 {
		t.Errorf("from's centroid count %d", n)
	}
}

func itoa(n int64) string {
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestApplyRemoveTag(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	ids, m, _ := seed(t, db)
	tag := mustTag(t, db, "new")
	if err := db.DismissSuggestions(ctx, tag, ids); err != nil {
		t.Fatal(err)
	}
	changed, err := db.ApplyTag(ctx, tag, append(ids[:2:2], ids[0], 12345))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changed, ids[:2]) {
		t.Errorf("applied to %v, want %v (no repeat, no unknown entry)", changed, ids[:2])
	}
	if sum, n := centroid(t, db, m, tag); n != 2 || !slices.Equal(sum, []float32{3, 2}) {
		t.Errorf("centroid %v/%d after apply", sum, n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM dismissed_suggestions WHERE tag_id=?`, tag); n != 1 {
		t.Errorf("%d dismissals left, want 1 (the entry that did not get the tag)", n)
	}
	changed, err = db.RemoveTag(ctx, tag, ids)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changed, ids[:2]) {
		t.Errorf("removed from %v, want %v", changed, ids[:2])
	}
	if _, n := centroid(t, db, m, tag); n != 0 {
		t.Errorf("centroid count %d after removing all", n)
	}
	var missing *MissingTagError
	if _, err := db.ApplyTag(ctx, 999, ids); !errors.As(err, &missing) {
		t.Errorf("apply of a missing tag: %v", err)
	}

	// A failure on the last entry applies the tag to none.
	mustExec(t, db, `CREATE TRIGGER no_c BEFORE INSERT ON entry_tags WHEN new.entry_id = `+itoa(ids[2])+` BEGIN SELECT RAISE(ABORT, 'refused'); END`)
	if _, err := db.ApplyTag(ctx, tag, ids); err == nil {
		t.Fatal("apply succeeded despite the trigger")
	}
	if n := count(t, db, `SELECT COUNT(*) FROM entry_tags WHERE tag_id=?`, tag); n != 0 {
		t.Errorf("%d entries tagged after a failed apply", n)
	}
	if _, n := centroid(t, db, m, tag); n != 0 {
		t.Errorf("centroid count %d after a failed apply", n)
	}
}

func TestTagEditsAndLookups(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	ids, _, tag := seed(t, db)
	other := mustTag(t, db, "Other")
	if _, err := db.CreateTag(ctx, "OTHER", 0); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate name: %v", err)
	}
	if err := db.RenameTag(ctx, other, "T"); !errors.Is(err, ErrExists) {
		t.Errorf("rename onto a taken name: %v", err)
	}
	if err := db.SetTagHidden(ctx, 999, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("edit of a missing tag: %v", err)
	}
	if err := db.DeleteTag(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete of a missing tag: %v", err)
	}
	if err := db.SetTagShorthand(ctx, other, "o"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddTagAlias(ctx, tag, "o"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddTagAlias(ctx, other, "t"); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]int64{"t": {tag, other}, "O": {other, tag}, "nothing": nil} {
		if got, err := db.TagIDsByName(ctx, name); err != nil || !slices.Equal(got, want) {
			t.Errorf("TagIDsByName(%q) = %v %v, want %v", name, got, err, want)
		}
	}
	err := db.AddTagParent(ctx, tag, other)
	if err != nil {
		t.Fatal(err)
	}
	var cycle *TagCycleError
	if err := db.AddTagParent(ctx, other, tag); !errors.As(err, &cycle) || cycle.Child != "Other" || cycle.Parent != "t" {
		t.Errorf("cycle: %v", err)
	}
	var missing *MissingTagError
	if err := db.AddTagParent(ctx, tag, 999); !errors.As(err, &missing) || missing.ID != 999 {
		t.Errorf("missing parent: %v", err)
	}
	ts, err := db.TagsOfEntry(ctx, ids[0])
	if err != nil || len(ts) != 1 || ts[0].ID != tag || !slices.Equal(ts[0].Parents, []int64{other}) {
		t.Errorf("TagsOfEntry = %+v %v", ts, err)
	}
	if err := db.SetEntryField(ctx, ids[0], Field{Name: "when", Kind: "date", Value: "2024-01-02"}); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteEntryField(ctx, ids[0], "note"); err != nil {
		t.Fatal(err)
	}
	fs, err := db.EntryFields(ctx, ids[0])
	if err != nil || !slices.Equal(fs, []Field{{"when", "date", "2024-01-02"}}) {
		t.Errorf("fields %+v %v", fs, err)
	}
}
