-- Posko on PostgreSQL, first schema: the same tables as on SQLite. Never edit an applied
-- migration: add a new one.
-- Instants are BIGINT unix microseconds, UTC, exactly as on SQLite, so both back ends share
-- posko_store::decode.
-- Text that is ordered or ranged over is COLLATE "C": byte order, as SQLite compares, whatever
-- the database's default collation is, and the range scans of code_range can use the index.

CREATE TABLE users (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT    COLLATE "C" NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    agency        TEXT,
    region        TEXT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT  NOT NULL
);

-- Only the SHA-256 of a session token is kept: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash BYTEA  PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- The TPS register of each election. Village codes are dotted text, so a region's TPS are one
-- range of the primary key (see posko_store::code_range).
CREATE TABLE tps (
    election     TEXT             NOT NULL,
    village_code TEXT             COLLATE "C" NOT NULL CHECK (length(village_code) = 13),
    number       INTEGER          NOT NULL CHECK (number BETWEEN 1 AND 999),
    address      TEXT             NOT NULL CHECK (length(address) <= 500),
    lat          DOUBLE PRECISION,
    lon          DOUBLE PRECISION,
    voters       BIGINT           NOT NULL CHECK (voters >= 0),
    PRIMARY KEY (election, village_code, number)
);
