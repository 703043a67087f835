-- Text and date fields on entries (TagStudio's fields).
CREATE TABLE entry_fields (
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    name     TEXT    NOT NULL,
    kind     TEXT    NOT NULL DEFAULT 'text', -- 'text' or 'date'
    value    TEXT    NOT NULL,
    PRIMARY KEY (entry_id, name)
) WITHOUT ROWID;

-- Suggestions the user dismissed: never suggested again for that entry.
CREATE TABLE dismissed_suggestions (
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (entry_id, tag_id)
) WITHOUT ROWID;

-- Per model, the sum and count of the vectors of each tag's entries, kept
-- up to date as tags are applied and removed, so a centroid costs one row.
CREATE TABLE tag_centroids (
    tag_id   INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    sum      BLOB    NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (tag_id, model_id)
);

CREATE INDEX tag_aliases_alias ON tag_aliases(alias COLLATE NOCASE);
CREATE INDEX tags_shorthand ON tags(shorthand COLLATE NOCASE);
CREATE INDEX tag_parents_parent ON tag_parents(parent_id, child_id);

-- The float vectors again, in a plain table: reading them back from vec0
-- is slow (a chunk scan per row), and centroids, duplicates and the
-- in-memory index need them. vec0 stays the index SQLite searches.
CREATE TABLE vectors (
    model_id  INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    entry_id  INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    embedding BLOB    NOT NULL,
    PRIMARY KEY (model_id, entry_id)
);
