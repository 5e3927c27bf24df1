-- Every imported hand-over file, remembered by the SHA-256 of its bytes: the same file imported
-- twice would record every hand-over twice, so the second import is refused.
CREATE TABLE logistics_imports (
    election    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    name        TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    imported_by INTEGER REFERENCES users (id),
    PRIMARY KEY (election, sha256)
) STRICT;
