-- Facts of texts (lines, encoding) and fonts (family, style, glyph
-- count), typed like the others so query terms can compare them.
ALTER TABLE entry_facts ADD COLUMN lines    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entry_facts ADD COLUMN encoding TEXT    NOT NULL DEFAULT '';
ALTER TABLE entry_facts ADD COLUMN family   TEXT    NOT NULL DEFAULT '';
ALTER TABLE entry_facts ADD COLUMN style    TEXT    NOT NULL DEFAULT '';
ALTER TABLE entry_facts ADD COLUMN glyphs   INTEGER NOT NULL DEFAULT 0;
