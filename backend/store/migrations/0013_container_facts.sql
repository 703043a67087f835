-- Facts of archives (how many files, how many bytes unpacked, as their
-- directory declares) and of 3D models (triangles, bounding box in the
-- model's own units).
ALTER TABLE entry_facts ADD COLUMN entries   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entry_facts ADD COLUMN unpacked  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entry_facts ADD COLUMN triangles INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entry_facts ADD COLUMN size_x    REAL    NOT NULL DEFAULT 0;
ALTER TABLE entry_facts ADD COLUMN size_y    REAL    NOT NULL DEFAULT 0;
ALTER TABLE entry_facts ADD COLUMN size_z    REAL    NOT NULL DEFAULT 0;
