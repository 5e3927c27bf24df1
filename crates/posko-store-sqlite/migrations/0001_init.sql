-- Posko on SQLite, first schema. Never edit an applied migration: add a new one.
-- Instants are INTEGER unix microseconds, UTC.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    agency        TEXT,
    region        TEXT,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    INTEGER NOT NULL
) STRICT;

-- Only the SHA-256 of a session token is kept: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- The TPS register of each election. Village codes are dotted text, so a region's TPS are one
-- range of the primary key (see posko_store::code_range).
CREATE TABLE tps (
    election     TEXT    NOT NULL,
    village_code TEXT    NOT NULL CHECK (length(village_code) = 13),
    number       INTEGER NOT NULL CHECK (number BETWEEN 1 AND 999),
    address      TEXT    NOT NULL CHECK (length(address) <= 500),
    lat          REAL,
    lon          REAL,
    voters       INTEGER NOT NULL CHECK (voters >= 0),
    PRIMARY KEY (election, village_code, number)
) STRICT, WITHOUT ROWID;
