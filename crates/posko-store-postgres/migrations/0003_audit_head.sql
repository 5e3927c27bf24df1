-- The audit chain's head, kept beside the chain and written in the same transaction as each
-- entry (see SQLite's 0003_audit_head.sql). One row, id = 1.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT   NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
SELECT 1, seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1;
