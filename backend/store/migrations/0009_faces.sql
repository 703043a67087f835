-- People and their faces (the faces analyzer, issue 13).
--
-- A person is a group of faces. Unnamed people are clusters the faces
-- analyzer found; naming one gives it a tag (in the "People" category), so
-- the query language, the tag hierarchy and suggestions work on people as
-- on any tag. Deleting the tag leaves the person unnamed.
CREATE TABLE people (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tag_id     INTEGER UNIQUE REFERENCES tags(id) ON DELETE SET NULL,
    hidden     INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL DEFAULT 0
);

-- One detected face. The box and landmarks are fractions (0..1) of the
-- picture as shown (orientation applied), so they hold at any display
-- size. The embedding is the recogniser's L2-normalised vector; the vec0
-- table vec_faces (created at run time with the recogniser's dimension,
-- rowid = face id) is the index KNN searches. A face goes with its entry,
-- and with its entry's content (store.dropVectors).
--   pinned: the user put the face where it is (named, merged, split off):
--           a full re-cluster keeps it there.
CREATE TABLE faces (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id   INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,
    landmarks  BLOB    NOT NULL, -- 10 float32: (x, y) of eyes, nose, mouth corners
    score      REAL    NOT NULL,
    quality    REAL    NOT NULL,
    embedding  BLOB    NOT NULL,
    crop       TEXT    NOT NULL DEFAULT '', -- face crop JPEG, relative to .tagsight/faces
    person_id  INTEGER REFERENCES people(id) ON DELETE SET NULL,
    pinned     INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX faces_entry ON faces(entry_id);
CREATE INDEX faces_person ON faces(person_id);

-- "Not this person": the face is never put in that person again, by the
-- incremental assignment or a re-cluster.
CREATE TABLE face_rejections (
    face_id   INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (face_id, person_id)
) WITHOUT ROWID;

-- The change log (0006) learns of faces and people too:
--   'faces'  an entry's faces were stored, dropped or moved between people
--   'people' a person was made, named, hidden or removed (entry_id NULL)
CREATE TRIGGER changes_faces_ins AFTER INSERT ON faces BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NEW.entry_id, 'faces'); END;
CREATE TRIGGER changes_faces_upd AFTER UPDATE OF person_id ON faces BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NEW.entry_id, 'faces'); END;
CREATE TRIGGER changes_faces_del AFTER DELETE ON faces BEGIN
    INSERT INTO changes(entry_id, what) VALUES (OLD.entry_id, 'faces'); END;
CREATE TRIGGER changes_people_ins AFTER INSERT ON people BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NULL, 'people'); END;
CREATE TRIGGER changes_people_upd AFTER UPDATE ON people BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NULL, 'people'); END;
CREATE TRIGGER changes_people_del AFTER DELETE ON people BEGIN
    INSERT INTO changes(entry_id, what) VALUES (NULL, 'people'); END;
