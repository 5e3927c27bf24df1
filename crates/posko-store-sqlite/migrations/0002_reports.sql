-- Reports from citizens, their sealed reporters, evidence with its chain of custody, requests to
-- unseal an identity, API clients and the audit log's hash chain.

CREATE TABLE api_clients (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    token_hash BLOB    NOT NULL UNIQUE,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE reports (
    id               INTEGER PRIMARY KEY,
    tracking_code    TEXT    NOT NULL UNIQUE,
    election         TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('laporan', 'informasi_awal')),
    status           TEXT    NOT NULL DEFAULT 'diterima',
    channel          TEXT    NOT NULL CHECK (channel IN ('web', 'api')),
    client_id        INTEGER REFERENCES api_clients (id),
    -- 'web' or 'api:<client id>': idempotency keys are unique per client.
    idempotency_scope TEXT,
    idempotency_key  TEXT,
    subject_category TEXT    NOT NULL,
    subject_name     TEXT    NOT NULL,
    subject_position TEXT    NOT NULL,
    subject_unit     TEXT    NOT NULL,
    subject_mac      BLOB,
    violation        TEXT    NOT NULL,
    description      TEXT    NOT NULL CHECK (length(description) <= 5000),
    region_code      TEXT    NOT NULL,
    tps_number       INTEGER CHECK (tps_number BETWEEN 1 AND 999),
    place            TEXT    NOT NULL,
    lat              REAL,
    lon              REAL,
    happened_on      TEXT    NOT NULL,
    happened_time    TEXT,
    learned_on       TEXT    NOT NULL,
    late             INTEGER NOT NULL CHECK (late IN (0, 1)),
    received_at      INTEGER NOT NULL,
    UNIQUE (idempotency_scope, idempotency_key)
) STRICT;
CREATE INDEX reports_by_received ON reports (received_at);
CREATE INDEX reports_by_region ON reports (region_code);
CREATE INDEX reports_by_subject ON reports (subject_mac);

-- Apart from the report: the reporter's identity, encrypted, and keyed hashes to find it again.
CREATE TABLE reporter_identities (
    report_id  INTEGER PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
    sealed     BLOB NOT NULL,
    nik_mac    BLOB,
    phone_mac  BLOB,
    email_mac  BLOB
) STRICT;
CREATE INDEX identities_by_nik ON reporter_identities (nik_mac);
CREATE INDEX identities_by_phone ON reporter_identities (phone_mac);
CREATE INDEX identities_by_email ON reporter_identities (email_mac);

-- Content-addressed: one row per distinct file, however many reports carry it.
CREATE TABLE evidence_blobs (
    sha256  TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
    mime    TEXT    NOT NULL,
    size    INTEGER NOT NULL,
    bytes   BLOB    NOT NULL,
    display BLOB
) STRICT;

CREATE TABLE report_evidence (
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    sha256    TEXT    NOT NULL REFERENCES evidence_blobs (sha256),
    position  INTEGER NOT NULL,
    filename  TEXT    NOT NULL,
    PRIMARY KEY (report_id, position)
) STRICT;

CREATE TABLE custody_events (
    id        INTEGER PRIMARY KEY,
    sha256    TEXT    NOT NULL REFERENCES evidence_blobs (sha256),
    report_id INTEGER NOT NULL REFERENCES reports (id),
    at        INTEGER NOT NULL,
    actor     INTEGER REFERENCES users (id),
    action    TEXT    NOT NULL,
    note      TEXT    NOT NULL
) STRICT;
CREATE INDEX custody_by_file ON custody_events (sha256, id);

CREATE TABLE unseal_requests (
    id           INTEGER PRIMARY KEY,
    report_id    INTEGER NOT NULL REFERENCES reports (id),
    requested_by INTEGER NOT NULL REFERENCES users (id),
    reason       TEXT    NOT NULL CHECK (length(reason) BETWEEN 10 AND 1000),
    requested_at INTEGER NOT NULL,
    approved_by  INTEGER REFERENCES users (id),
    approved_at  INTEGER
) STRICT;
CREATE INDEX unseal_by_report ON unseal_requests (report_id);

-- Append-only; each entry carries the hash of the one before (see posko_store::audit_hash).
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     INTEGER,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
) STRICT;
