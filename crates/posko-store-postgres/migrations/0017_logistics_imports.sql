-- Every imported hand-over file, remembered by the SHA-256 of its bytes: the same file imported
-- twice would record every hand-over twice, so the second import is refused.
CREATE TABLE logistics_imports (
    election    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    name        TEXT NOT NULL,
    rows        BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    imported_by BIGINT REFERENCES users (id),
    PRIMARY KEY (election, sha256)
);
