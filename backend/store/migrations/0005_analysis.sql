-- What each analyzer (thumbnail, metadata, CLIP vector, ...) has done for
-- each entry. An analyzer runs for an entry only when there is no row for
-- the entry's current fingerprint and the analyzer's version, so a failure
-- is remembered per content ('failed', with the reason) and not retried
-- until the content or the analyzer changes. Rows go with their entry and
-- when its content changes (store.DeleteEntries, UpdateEntry).
CREATE TABLE analysis (
    entry_id    INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    analyzer    TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    version     TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('done', 'failed')),
    error       TEXT    NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (entry_id, analyzer)
) WITHOUT ROWID;

-- Back-fill from what existing libraries have, so upgrading redoes
-- nothing. The version strings are those of the analyzers that made the
-- data (library.MetadataVersion, library.ThumbnailVersion, vectors.Version):
-- every entry a scan wrote has its metadata; a thumbnail named
-- <key>-<size>.jpg was made at that size; a vector (the most recently
-- registered model's when there are several) or a remembered embedding
-- failure for the current content is the CLIP analyzer's.
INSERT INTO analysis (entry_id, analyzer, fingerprint, version, state, error, updated_at)
SELECT id, 'metadata', fingerprint, 'm1', 'done', '', updated_at FROM entries;

INSERT INTO analysis (entry_id, analyzer, fingerprint, version, state, error, updated_at)
SELECT id, 'thumbnail', fingerprint,
       't1:' || replace(substr(thumb, instr(thumb, '-') + 1), '.jpg', ''), 'done', '', updated_at
FROM entries WHERE thumb LIKE '%-%.jpg';

INSERT OR IGNORE INTO analysis (entry_id, analyzer, fingerprint, version, state, error, updated_at)
SELECT e.id, 'clip', e.fingerprint, 'c1:' || m.key, 'done', '', e.updated_at
FROM vectors v JOIN models m ON m.id = v.model_id JOIN entries e ON e.id = v.entry_id
ORDER BY v.model_id DESC;

INSERT OR IGNORE INTO analysis (entry_id, analyzer, fingerprint, version, state, error, updated_at)
SELECT e.id, 'clip', e.fingerprint, 'c1:' || m.key, 'failed', x.error, e.updated_at
FROM embed_errors x JOIN models m ON m.id = x.model_id JOIN entries e ON e.id = x.entry_id
WHERE x.fingerprint = e.fingerprint
ORDER BY x.model_id DESC;
