-- The calls the UI waits on must not grow with the library.
--
-- A tag's count (its present entries) is kept by triggers instead of being
-- counted over entry_tags on every tag list: the list then costs what the
-- tags number. Every way an entry_tags row or an entry's presence changes
-- is covered: a link added or removed (also by a cascade), an entry
-- deleted (counted before its links cascade away: after, the entry is gone
-- and the link's trigger cannot tell it was present), an entry turning
-- missing or back.
CREATE TABLE tag_counts (
    tag_id INTEGER PRIMARY KEY REFERENCES tags(id) ON DELETE CASCADE,
    n      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO tag_counts(tag_id, n)
SELECT t.id, (SELECT COUNT(*) FROM entry_tags et JOIN entries e ON e.id = et.entry_id
              WHERE et.tag_id = t.id AND e.missing = 0)
FROM tags t;

CREATE TRIGGER tag_counts_tags_ins AFTER INSERT ON tags BEGIN
    INSERT OR IGNORE INTO tag_counts(tag_id, n) VALUES (NEW.id, 0); END;
CREATE TRIGGER tag_counts_links_ins AFTER INSERT ON entry_tags BEGIN
    UPDATE tag_counts SET n = n + 1 WHERE tag_id = NEW.tag_id
        AND EXISTS (SELECT 1 FROM entries WHERE id = NEW.entry_id AND missing = 0); END;
CREATE TRIGGER tag_counts_links_del AFTER DELETE ON entry_tags BEGIN
    UPDATE tag_counts SET n = n - 1 WHERE tag_id = OLD.tag_id
        AND EXISTS (SELECT 1 FROM entries WHERE id = OLD.entry_id AND missing = 0); END;
CREATE TRIGGER tag_counts_links_upd AFTER UPDATE ON entry_tags BEGIN
    UPDATE tag_counts SET n = n - 1 WHERE tag_id = OLD.tag_id
        AND EXISTS (SELECT 1 FROM entries WHERE id = OLD.entry_id AND missing = 0);
    UPDATE tag_counts SET n = n + 1 WHERE tag_id = NEW.tag_id
        AND EXISTS (SELECT 1 FROM entries WHERE id = NEW.entry_id AND missing = 0); END;
CREATE TRIGGER tag_counts_entries_del BEFORE DELETE ON entries WHEN OLD.missing = 0 BEGIN
    UPDATE tag_counts SET n = n - 1 WHERE tag_id IN (SELECT tag_id FROM entry_tags WHERE entry_id = OLD.id); END;
CREATE TRIGGER tag_counts_entries_missing AFTER UPDATE OF missing ON entries
    WHEN (OLD.missing = 0) <> (NEW.missing = 0) BEGIN
    UPDATE tag_counts SET n = n + (CASE WHEN NEW.missing = 0 THEN 1 ELSE -1 END)
        WHERE tag_id IN (SELECT tag_id FROM entry_tags WHERE entry_id = NEW.id); END;

-- The grid's sorts read a page in index order instead of sorting every
-- match, and skip to a deep offset inside the index: every search asks for
-- present entries (missing = 0), then orders by one of these columns with
-- the id (the rowid, the last column of every index) as the tie-break.
-- (missing, path) covers the default sort's page entirely: a deep page of
-- the whole library costs milliseconds, not a read of every row before it.
CREATE INDEX entries_missing_path ON entries(missing, path);
CREATE INDEX entries_missing_taken ON entries(missing, taken);
CREATE INDEX entries_missing_added ON entries(missing, added_at);
CREATE INDEX entries_missing_size ON entries(missing, size);

-- The pictures still to embed are counted for the library's header after
-- every change: this partial index holds only the entries a model embeds
-- (the condition is store.embeddable's, term for term), so the count reads
-- it and not every row of entries.
CREATE INDEX entries_embeddable ON entries(fingerprint)
    WHERE missing=0 AND media_type IN ('image','raw') AND thumb<>'';
