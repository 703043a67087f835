-- Entry ids are never reused. Without AUTOINCREMENT SQLite gives a new row
-- the largest id + 1, so a file added after the last entry was deleted got
-- that entry's id, and with it whatever still pointed at the id (a vector
-- left in a vec0 table, which has no foreign key). entries is rebuilt the
-- way SQLite documents (https://www.sqlite.org/lang_altertable.html, "other
-- kinds of table schema changes"): store runs migrations with foreign keys
-- off, so dropping the old table cascades nothing and the tables that
-- reference entries(id) keep their rows; foreign_key_check runs before the
-- commit. Ids are copied as they are. The store's Go step for this version
-- (migrate_steps.go) then drops vec0 rows of entries that no longer exist,
-- keeps their ids from coming back and rebuilds the tag centroids.

CREATE TABLE entries_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
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

INSERT INTO entries_new (id, path, size, mtime_ns, fingerprint, media_type, format, mime, width, height,
    orientation, taken, make, model, lens, iso, fnumber, exposure, focal_length, lat, lon, thumb,
    added_at, updated_at, missing)
SELECT id, path, size, mtime_ns, fingerprint, media_type, format, mime, width, height,
    orientation, taken, make, model, lens, iso, fnumber, exposure, focal_length, lat, lon, thumb,
    added_at, updated_at, missing
FROM entries;

DROP TABLE entries;
ALTER TABLE entries_new RENAME TO entries;

CREATE INDEX entries_fingerprint ON entries(fingerprint, size);
CREATE INDEX entries_taken ON entries(taken);
CREATE INDEX entries_media_type ON entries(media_type);

-- Rows of the plain tables that point at entries that are gone (possible
-- only where foreign keys were ever off).
DELETE FROM entry_tags WHERE entry_id NOT IN (SELECT id FROM entries);
DELETE FROM entry_fields WHERE entry_id NOT IN (SELECT id FROM entries);
DELETE FROM dismissed_suggestions WHERE entry_id NOT IN (SELECT id FROM entries);
DELETE FROM embed_errors WHERE entry_id NOT IN (SELECT id FROM entries);
DELETE FROM vectors WHERE entry_id NOT IN (SELECT id FROM entries);
