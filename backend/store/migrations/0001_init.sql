-- Library schema, version 1.
-- Paths are relative to the library root, '/'-separated, stored as the raw
-- bytes of the file name (SQLite does not validate UTF-8), so names that are
-- not valid UTF-8 round-trip exactly.

CREATE TABLE entries (
    id           INTEGER PRIMARY KEY,
    path         TEXT    NOT NULL UNIQUE,
    size         INTEGER NOT NULL,
    mtime_ns     INTEGER NOT NULL,
    fingerprint  TEXT    NOT NULL,
    media_type   TEXT    NOT NULL,
    format       TEXT    NOT NULL DEFAULT '',
    mime         TEXT    NOT NULL DEFAULT '',
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    orientation  INTEGER NOT NULL DEFAULT 1,
    taken        TEXT    NOT NULL DEFAULT '',
    make         TEXT    NOT NULL DEFAULT '',
    model        TEXT    NOT NULL DEFAULT '',
    lens         TEXT    NOT NULL DEFAULT '',
    iso          INTEGER NOT NULL DEFAULT 0,
    fnumber      REAL    NOT NULL DEFAULT 0,
    exposure     TEXT    NOT NULL DEFAULT '',
    focal_length REAL    NOT NULL DEFAULT 0,
    lat          REAL,
    lon          REAL,
    thumb        TEXT    NOT NULL DEFAULT '',
    added_at     INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    missing      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX entries_fingerprint ON entries(fingerprint, size);
CREATE INDEX entries_taken ON entries(taken);
CREATE INDEX entries_media_type ON entries(media_type);

-- Files a scan could not index, with the reason; replaced on every scan so
-- the UI can list them. Keyed by path: never part of the entry set.
CREATE TABLE scan_errors (
    path      TEXT    PRIMARY KEY,
    error     TEXT    NOT NULL,
    seen_at   INTEGER NOT NULL
);

-- Tags the TagStudio way. Later migrations extend these tables; the
-- built-in tags have fixed ids so every library agrees on them.
CREATE TABLE tags (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    shorthand   TEXT    NOT NULL DEFAULT '',
    color       TEXT    NOT NULL DEFAULT '',
    is_category INTEGER NOT NULL DEFAULT 0,
    is_hidden   INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX tags_name ON tags(name COLLATE NOCASE);

CREATE TABLE tag_aliases (
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    alias  TEXT    NOT NULL,
    PRIMARY KEY (tag_id, alias)
);

CREATE TABLE tag_parents (
    child_id  INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    parent_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (child_id, parent_id)
);

CREATE TABLE entry_tags (
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (entry_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX entry_tags_tag ON entry_tags(tag_id, entry_id);

INSERT INTO tags (id, name, color, is_hidden) VALUES (1, 'Archived', 'red', 1);
INSERT INTO tags (id, name, color) VALUES (2, 'Favourite', 'yellow');
INSERT INTO tag_aliases (tag_id, alias) VALUES (2, 'Favorite');

-- Key/value settings of the library (chosen model, thumbnail size, ...).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
