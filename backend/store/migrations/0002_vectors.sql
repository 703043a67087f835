-- CLIP models whose vectors a library holds. Each model gets its own vec0
-- table, vec_<id>, created at run time with that model's dimension; its
-- rowid is the entry id. Vectors of two models never share a table, so a
-- search can never mix them.
CREATE TABLE models (
    id         INTEGER PRIMARY KEY,
    key        TEXT    NOT NULL UNIQUE, -- stable identity of the model files (name + content hash)
    name       TEXT    NOT NULL,
    dim        INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- Files the embedder could not read, per model, so a resumed run does not
-- retry them forever; cleared when the entry changes.
CREATE TABLE embed_errors (
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    error    TEXT    NOT NULL,
    PRIMARY KEY (entry_id, model_id)
);
