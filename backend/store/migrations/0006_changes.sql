-- A log of what changed, written by triggers so that no writer (this
-- process, the CLI, a second window, `tagsight serve`) can forget it. A
-- process that has the library open reads the rows after the last seq it
-- saw (store.Feed) to follow other processes' changes incrementally: the
-- in-memory vector index takes the new vectors, the grid refreshes once.
-- Old rows are pruned (store.Feed); a reader whose cursor fell behind the
-- oldest row reloads everything.
--   what: 'entry'  an entry was added, changed (content, path, missing) or deleted
--         'vector' an entry's vector (any model) was stored or dropped
--         'tags'   an entry's tags or fields changed
--         'tagdefs' a tag, alias or parent link changed (entry_id NULL)
CREATE TABLE changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id INTEGER,
    what     TEXT NOT NULL
);

CREATE TRIGGER changes_entries_ins AFTER INSERT ON entries BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NEW.id, 'entry'); END;
CREATE TRIGGER changes_entries_upd AFTER UPDATE ON entries BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NEW.id, 'entry'); END;
CREATE TRIGGER changes_entries_del AFTER DELETE ON entries BEGIN
    INSERT INTO changes(entry_id, what) VALUES (OLD.id, 'entry'); END;

CREATE TRIGGER changes_vectors_ins AFTER INSERT ON vectors BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NEW.entry_id, 'vector'); END;
CREATE TRIGGER changes_vectors_upd AFTER UPDATE ON vectors BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NEW.entry_id, 'vector'); END;
CREATE TRIGGER changes_vectors_del AFTER DELETE ON vectors BEGIN
    INSERT INTO changes(entry_id, what) VALUES (OLD.entry_id, 'vector'); END;

CREATE TRIGGER changes_entry_tags_ins AFTER INSERT ON entry_tags BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NEW.entry_id, 'tags'); END;
CREATE TRIGGER changes_entry_tags_del AFTER DELETE ON entry_tags BEGIN
    INSERT INTO changes(entry_id, what) VALUES (OLD.entry_id, 'tags'); END;
CREATE TRIGGER changes_entry_fields_ins AFTER INSERT ON entry_fields BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NEW.entry_id, 'tags'); END;
CREATE TRIGGER changes_entry_fields_upd AFTER UPDATE ON entry_fields BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NEW.entry_id, 'tags'); END;
CREATE TRIGGER changes_entry_fields_del AFTER DELETE ON entry_fields BEGIN
    INSERT INTO changes(entry_id, what) VALUES (OLD.entry_id, 'tags'); END;

CREATE TRIGGER changes_tags_ins AFTER INSERT ON tags BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NULL, 'tagdefs'); END;
CREATE TRIGGER changes_tags_upd AFTER UPDATE ON tags BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NULL, 'tagdefs'); END;
CREATE TRIGGER changes_tags_del AFTER DELETE ON tags BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NULL, 'tagdefs'); END;
CREATE TRIGGER changes_tag_aliases_ins AFTER INSERT ON tag_aliases BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NULL, 'tagdefs'); END;
CREATE TRIGGER changes_tag_aliases_del AFTER DELETE ON tag_aliases BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NULL, 'tagdefs'); END;
CREATE TRIGGER changes_tag_parents_ins AFTER INSERT ON tag_parents BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NULL, 'tagdefs'); END;
CREATE TRIGGER changes_tag_parents_del AFTER DELETE ON tag_parents BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NULL, 'tagdefs'); END;
