-- Reports from citizens, their sealed reporters, evidence with its chain of custody, requests to
-- unseal an identity, API clients and the audit log's hash chain: the tables of SQLite's
-- 0002_reports.sql in PostgreSQL types, with the same constraints. As there, instants are BIGINT
-- unix microseconds and civil dates and times are ISO text ('2024-11-18', '09:30:00'), so both
-- back ends read back through posko_store::decode.

CREATE TABLE api_clients (
    id                BIGINT           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              TEXT             NOT NULL,
    token_hash        BYTEA            NOT NULL UNIQUE,
    active            BOOLEAN          NOT NULL DEFAULT TRUE,
    created_at        BIGINT           NOT NULL
);

CREATE TABLE reports (
    id                BIGINT           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tracking_code     TEXT             NOT NULL UNIQUE,
    election          TEXT             NOT NULL,
    kind              TEXT             NOT NULL CHECK (kind IN ('laporan', 'informasi_awal')),
    status            TEXT             NOT NULL DEFAULT 'diterima',
    channel           TEXT             NOT NULL CHECK (channel IN ('web', 'api')),
    client_id         BIGINT           REFERENCES api_clients (id),
    -- 'web' or 'api:<client id>': idempotency keys are unique per client. Inserts use the
    -- UNIQUE below as their ON CONFLICT target, so a racing retry finds the first report.
    idempotency_scope TEXT,
    idempotency_key   TEXT,
    subject_category  TEXT             NOT NULL,
    subject_name      TEXT             NOT NULL,
    subject_position  TEXT             NOT NULL,
    subject_unit      TEXT             NOT NULL,
    subject_mac       BYTEA,
    violation         TEXT             NOT NULL,
    description       TEXT             NOT NULL CHECK (length(description) <= 5000),
    region_code       TEXT             COLLATE "C" NOT NULL,
    tps_number        BIGINT           CHECK (tps_number BETWEEN 1 AND 999),
    place             TEXT             NOT NULL,
    lat               DOUBLE PRECISION,
    lon               DOUBLE PRECISION,
    happened_on       TEXT             NOT NULL,
    happened_time     TEXT,
    learned_on        TEXT             NOT NULL,
    late              BOOLEAN          NOT NULL,
    received_at       BIGINT           NOT NULL,
    UNIQUE (idempotency_scope, idempotency_key)
);
CREATE INDEX reports_by_received ON reports (received_at);
CREATE INDEX reports_by_region ON reports (region_code);
CREATE INDEX reports_by_subject ON reports (subject_mac);

-- Apart from the report: the reporter's identity, encrypted, and keyed hashes to find it again.
CREATE TABLE reporter_identities (
    report_id         BIGINT           PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
    sealed            BYTEA            NOT NULL,
    nik_mac           BYTEA,
    phone_mac         BYTEA,
    email_mac         BYTEA
);
CREATE INDEX identities_by_nik ON reporter_identities (nik_mac);
CREATE INDEX identities_by_phone ON reporter_identities (phone_mac);
CREATE INDEX identities_by_email ON reporter_identities (email_mac);

-- Content-addressed: one row per distinct file, however many reports carry it.
CREATE TABLE evidence_blobs (
    sha256            TEXT             PRIMARY KEY CHECK (length(sha256) = 64),
    mime              TEXT             NOT NULL,
    size              BIGINT           NOT NULL,
    bytes             BYTEA            NOT NULL,
    display           BYTEA
);

CREATE TABLE report_evidence (
    report_id         BIGINT           NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    sha256            TEXT             NOT NULL REFERENCES evidence_blobs (sha256),
    position          BIGINT           NOT NULL,
    filename          TEXT             NOT NULL,
    PRIMARY KEY (report_id, position)
);

CREATE TABLE custody_events (
    id                BIGINT           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256            TEXT             NOT NULL REFERENCES evidence_blobs (sha256),
    report_id         BIGINT           NOT NULL REFERENCES reports (id),
    at                BIGINT           NOT NULL,
    actor             BIGINT           REFERENCES users (id),
    action            TEXT             NOT NULL,
    note              TEXT             NOT NULL
);
CREATE INDEX custody_by_file ON custody_events (sha256, id);

CREATE TABLE unseal_requests (
    id                BIGINT           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id         BIGINT           NOT NULL REFERENCES reports (id),
    requested_by      BIGINT           NOT NULL REFERENCES users (id),
    reason            TEXT             NOT NULL CHECK (length(reason) BETWEEN 10 AND 1000),
    requested_at      BIGINT           NOT NULL,
    approved_by       BIGINT           REFERENCES users (id),
    approved_at       BIGINT
);
CREATE INDEX unseal_by_report ON unseal_requests (report_id);

-- Append-only; each entry carries the hash of the one before (see posko_store::audit_hash).
-- Appends from all app servers take one advisory lock (reports.rs), so the chain never forks.
CREATE TABLE audit_log (
    seq               BIGINT           PRIMARY KEY,
    at                BIGINT           NOT NULL,
    actor             BIGINT,
    action            TEXT             NOT NULL,
    subject           TEXT             NOT NULL,
    detail            TEXT             NOT NULL,
    prev_hash         TEXT             NOT NULL,
    hash              TEXT             NOT NULL
);
