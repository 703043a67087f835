-- A watcher's batch of a few files must cost the same in a library of a
-- thousand entries as in one of a million: its scan reads the entries under
-- the batch's paths (the path index), looks up missing entries by content
-- (entries_fingerprint) and counts the missing ones. This partial index
-- holds only the missing entries, so counting them costs what they number,
-- not what the library does.
CREATE INDEX entries_missing ON entries(missing) WHERE missing <> 0;
