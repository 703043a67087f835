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
-- Partial indexes, holding present entries only: an index led by missing
-- would look, to a planner without statistics, like the best way into
-- entries for any query that says missing = 0, joins included, and walk
-- every present entry where one row was wanted.
CREATE INDEX entries_present_path ON entries(path) WHERE missing = 0;
CREATE INDEX entries_present_taken ON entries(taken) WHERE missing = 0;
CREATE INDEX entries_present_added ON entries(added_at) WHERE missing = 0;
CREATE INDEX entries_present_size ON entries(size) WHERE missing = 0;

-- The pictures still to embed are counted for the library's header after
-- every change: the pictures a model embeds (embeddable) and, per model,
-- how many of them have its vector (embedded) are kept by triggers, and
-- the few whose embedding failed are counted from embed_errors. The
-- condition is store.embeddable's, written out in each trigger for the row
-- at hand.
CREATE TABLE embed_counts (
    model_id INTEGER PRIMARY KEY, -- 0: every model's embeddable pictures
    n        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO embed_counts(model_id, n)
SELECT 0, COUNT(*) FROM entries WHERE missing=0 AND media_type IN ('image','raw') AND thumb<>'';
INSERT INTO embed_counts(model_id, n)
SELECT m.id, (SELECT COUNT(*) FROM vectors v JOIN entries e ON e.id = v.entry_id WHERE v.model_id = m.id
              AND e.missing=0 AND e.media_type IN ('image','raw') AND e.thumb<>'')
FROM models m;

CREATE TRIGGER embed_counts_models_ins AFTER INSERT ON models BEGIN
    INSERT OR IGNORE INTO embed_counts(model_id, n) VALUES (NEW.id, 0); END;
CREATE TRIGGER embed_counts_models_del AFTER DELETE ON models BEGIN
    DELETE FROM embed_counts WHERE model_id = OLD.id; END;
CREATE TRIGGER embed_counts_entries_ins AFTER INSERT ON entries
    WHEN NEW.missing=0 AND NEW.media_type IN ('image','raw') AND NEW.thumb<>'' BEGIN
    UPDATE embed_counts SET n = n + 1 WHERE model_id = 0; END;
-- Before the row goes: its vectors cascade after, when the entry can no
-- longer be read (the vectors' trigger then counts nothing).
CREATE TRIGGER embed_counts_entries_del BEFORE DELETE ON entries
    WHEN OLD.missing=0 AND OLD.media_type IN ('image','raw') AND OLD.thumb<>'' BEGIN
    UPDATE embed_counts SET n = n - 1
        WHERE model_id = 0 OR model_id IN (SELECT model_id FROM vectors WHERE entry_id = OLD.id); END;
CREATE TRIGGER embed_counts_entries_upd AFTER UPDATE OF missing, media_type, thumb ON entries
    WHEN (OLD.missing=0 AND OLD.media_type IN ('image','raw') AND OLD.thumb<>'')
      <> (NEW.missing=0 AND NEW.media_type IN ('image','raw') AND NEW.thumb<>'') BEGIN
    UPDATE embed_counts SET n = n + (CASE WHEN NEW.missing=0 AND NEW.media_type IN ('image','raw') AND NEW.thumb<>'' THEN 1 ELSE -1 END)
        WHERE model_id = 0 OR model_id IN (SELECT model_id FROM vectors WHERE entry_id = NEW.id); END;
-- Before the insert: an INSERT OR REPLACE of a vector the entry already
-- has replaces it without firing the delete trigger, and must add nothing.
CREATE TRIGGER embed_counts_vectors_ins BEFORE INSERT ON vectors BEGIN
    UPDATE embed_counts SET n = n + 1 WHERE model_id = NEW.model_id
        AND EXISTS (SELECT 1 FROM entries e WHERE e.id = NEW.entry_id
                    AND e.missing=0 AND e.media_type IN ('image','raw') AND e.thumb<>'')
        AND NOT EXISTS (SELECT 1 FROM vectors WHERE model_id = NEW.model_id AND entry_id = NEW.entry_id); END;
CREATE TRIGGER embed_counts_vectors_del AFTER DELETE ON vectors BEGIN
    UPDATE embed_counts SET n = n - 1 WHERE model_id = OLD.model_id
        AND EXISTS (SELECT 1 FROM entries e WHERE e.id = OLD.entry_id
                    AND e.missing=0 AND e.media_type IN ('image','raw') AND e.thumb<>''); END;
