-- Facts a file's kind's decoder reads beyond what every entry has (a
-- video's duration and codec, a document's pages, a song's artist): one
-- row per entry that has any, typed columns so query terms can compare
-- them (duration:>2m, pages:>10). What fits the entries' own columns
-- (width, height, date, camera, place) is written there too.
CREATE TABLE entry_facts (
    entry_id    INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    duration    REAL    NOT NULL DEFAULT 0, -- seconds
    codec       TEXT    NOT NULL DEFAULT '',
    audio_codec TEXT    NOT NULL DEFAULT '',
    width       INTEGER NOT NULL DEFAULT 0, -- as displayed
    height      INTEGER NOT NULL DEFAULT 0,
    fps         REAL    NOT NULL DEFAULT 0,
    bitrate     INTEGER NOT NULL DEFAULT 0, -- bits per second
    rotation    INTEGER NOT NULL DEFAULT 0, -- degrees clockwise
    sample_rate INTEGER NOT NULL DEFAULT 0,
    channels    INTEGER NOT NULL DEFAULT 0,
    created     TEXT    NOT NULL DEFAULT '',
    lat         REAL,
    lon         REAL,
    make        TEXT    NOT NULL DEFAULT '',
    model       TEXT    NOT NULL DEFAULT '',
    pages       INTEGER NOT NULL DEFAULT 0,
    title       TEXT    NOT NULL DEFAULT '',
    artist      TEXT    NOT NULL DEFAULT '',
    album       TEXT    NOT NULL DEFAULT '',
    author      TEXT    NOT NULL DEFAULT '',
    genre       TEXT    NOT NULL DEFAULT '',
    year        INTEGER NOT NULL DEFAULT 0,
    track       INTEGER NOT NULL DEFAULT 0
);
