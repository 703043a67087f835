-- TagStudio's tag ids for tags imported from a TagStudio library
-- (backend/tagstudio), so `tag_id:N` written against TagStudio still finds
-- the tag and a re-import updates the same tag instead of making another.
CREATE TABLE tagstudio_ids (
    ts_id  INTEGER PRIMARY KEY,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE
);
CREATE INDEX tagstudio_ids_tag ON tagstudio_ids(tag_id);
