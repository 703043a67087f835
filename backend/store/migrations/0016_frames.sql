-- Video moments (issue 21): a video's keyframes that the frames analyzer
-- kept for a CLIP model, each with its time, its vector (sqlite-vec's
-- float32 layout, like vectors.embedding) and its small JPEG (relative to
-- .tagsight/frames). Frames depend on the model (near-duplicates are
-- dropped by their vectors), so each model has its own. They go with
-- their entry and with its content (store.dropVectors). Search keeps them
-- in memory beside the entry vectors: the change log's 'frames' rows say
-- whose changed, as 'vector' rows do for entry vectors.
CREATE TABLE frames (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id  INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    model_id  INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    at_ms     INTEGER NOT NULL,
    thumb     TEXT    NOT NULL DEFAULT '',
    embedding BLOB    NOT NULL
);
CREATE INDEX frames_entry ON frames(entry_id, model_id, at_ms);
CREATE INDEX frames_model ON frames(model_id);

CREATE TRIGGER changes_frames_ins AFTER INSERT ON frames BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NEW.entry_id, 'frames'); END;
CREATE TRIGGER changes_frames_del AFTER DELETE ON frames BEGIN
    INSERT INTO changes(entry_id, what) VALUES (OLD.entry_id, 'frames'); END;
