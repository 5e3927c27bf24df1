-- Faster hand-over imports and roll-ups (issue 7): narrower hand-over rows, a narrower index.
-- A hand-over goes one stage down into the sender's own area, so the sender is the office of
-- that stage above the receiver's place (`Stage::office_above`): it is read back from the
-- receiver's place instead of being kept on each of millions of rows, and the stores refuse a
-- hand-over whose sender is not that office. Counts are INTEGER (a hand-over records at most
-- 2,147,483,647 items, `MAX_HANDOVER_COUNT`), and the 8-byte columns come first so no row is
-- padded. The receiver's index is on the place alone: every query through it reads the row
-- anyway, where the election is checked, and a second key column cost a national import (4.8
-- million hand-overs) about a fifth of its COPY.
CREATE TABLE logistics_handovers_lean (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          BIGINT NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    sent        INTEGER NOT NULL CHECK (sent >= 0),
    good        INTEGER NOT NULL CHECK (good >= 0),
    damaged     INTEGER NOT NULL CHECK (damaged >= 0),
    missing     INTEGER NOT NULL CHECK (missing >= 0),
    election    TEXT COLLATE "C" NOT NULL,
    from_stage  TEXT,
    to_stage    TEXT NOT NULL,
    to_place    TEXT COLLATE "C" NOT NULL,
    item_kind   TEXT NOT NULL,
    ballot      TEXT NOT NULL DEFAULT '',
    handed_by   TEXT NOT NULL,
    received_by TEXT NOT NULL,
    CHECK (good + damaged + missing = sent)
);
INSERT INTO logistics_handovers_lean (id, at, recorded_by, sent, good, damaged, missing, election,
    from_stage, to_stage, to_place, item_kind, ballot, handed_by, received_by)
OVERRIDING SYSTEM VALUE
SELECT id, at, recorded_by, sent, good, damaged, missing, election, from_stage, to_stage,
    to_place, item_kind, ballot, handed_by, received_by
FROM logistics_handovers ORDER BY id;
SELECT setval(pg_get_serial_sequence('logistics_handovers_lean', 'id'),
    (SELECT COALESCE(MAX(id), 0) + 1 FROM logistics_handovers_lean), false);
DROP TABLE logistics_handovers;
ALTER TABLE logistics_handovers_lean RENAME TO logistics_handovers;
CREATE INDEX handovers_by_to ON logistics_handovers (to_place);
