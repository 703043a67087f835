-- Tags an entry got from its XMP (embedded, or its .xmp sidecar): when the
-- XMP stops naming one, the next metadata analysis takes it off again. A
-- tag the entry already had when its XMP first named it is not listed here,
-- so it is never taken off because of the XMP.
CREATE TABLE entry_xmp_tags (
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (entry_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX entry_xmp_tags_tag ON entry_xmp_tags(tag_id);
