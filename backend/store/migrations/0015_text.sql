-- The words in files: one row per unit of text (a block of lines of a
-- text file, a PDF's page, an EPUB chapter, an OCR'd word with its box,
-- …), where it was found, for search to say so. Two FTS5 indexes over
-- them, both external-content (the words are stored once, here):
-- text_fts splits words (diacritics removed: "cafe" finds "café"), and
-- text_tri holds the trigrams of the units in scripts written without
-- spaces (cjk = 1: Chinese, Japanese, Thai, …), where a word is any run of
-- characters. The triggers keep both in step with the rows, the cascade
-- from a deleted entry included.
CREATE TABLE text_units (
    id       INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    source   TEXT    NOT NULL, -- body, pdf, epub, office, xmp, ocr
    page     INTEGER NOT NULL DEFAULT 0, -- 1-based; 0 when the file has no pages
    line     INTEGER NOT NULL DEFAULT 0, -- 1-based; 0 when not known
    at_ms    INTEGER NOT NULL DEFAULT 0, -- into a video
    box_x    REAL, box_y REAL, box_w REAL, box_h REAL, -- on the picture, 0..1; NULL when none
    cjk      INTEGER NOT NULL DEFAULT 0,
    text     TEXT    NOT NULL
);
CREATE INDEX text_units_entry ON text_units(entry_id, source);

CREATE VIRTUAL TABLE text_fts USING fts5(text, content='text_units', content_rowid='id',
    tokenize="unicode61 remove_diacritics 2");
CREATE VIRTUAL TABLE text_tri USING fts5(text, content='text_units', content_rowid='id',
    tokenize="trigram");

CREATE TRIGGER text_units_ai AFTER INSERT ON text_units BEGIN
    INSERT INTO text_fts(rowid, text) VALUES (new.id, new.text);
    INSERT INTO text_tri(rowid, text) SELECT new.id, new.text WHERE new.cjk;
END;
CREATE TRIGGER text_units_ad AFTER DELETE ON text_units BEGIN
    INSERT INTO text_fts(text_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO text_tri(text_tri, rowid, text) SELECT 'delete', old.id, old.text WHERE old.cjk;
END;
CREATE TRIGGER text_units_au AFTER UPDATE ON text_units BEGIN
    INSERT INTO text_fts(text_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO text_tri(text_tri, rowid, text) SELECT 'delete', old.id, old.text WHERE old.cjk;
    INSERT INTO text_fts(rowid, text) VALUES (new.id, new.text);
    INSERT INTO text_tri(rowid, text) SELECT new.id, new.text WHERE new.cjk;
END;
