-- The audit chain's head, kept beside the chain and written in the same transaction as each
-- entry: removing the newest entries breaks the match between the two, which `posko audit
-- verify` reports. (One row, id = 1.)
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash)
SELECT 1, seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1;
