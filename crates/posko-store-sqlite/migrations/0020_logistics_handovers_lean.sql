-- Faster hand-over imports and roll-ups (issue 7): narrower hand-over rows, a narrower index.
-- A hand-over goes one stage down into the sender's own area, so the sender is the office of
-- that stage above the receiver's place (`Stage::office_above`): it is read back from the
-- receiver's place instead of being kept on each of millions of rows, and the stores refuse a
-- hand-over whose sender is not that office. The receiver's index is on the place alone: every
-- query through it reads the row anyway, where the election is checked.
CREATE TABLE logistics_handovers_lean (
    id          INTEGER PRIMARY KEY,
    election    TEXT NOT NULL,
    from_stage  TEXT,
    to_stage    TEXT NOT NULL,
    to_place    TEXT NOT NULL,
    item_kind   TEXT NOT NULL,
    ballot      TEXT NOT NULL DEFAULT '',
    sent        INTEGER NOT NULL CHECK (sent >= 0),
    good        INTEGER NOT NULL CHECK (good >= 0),
    damaged     INTEGER NOT NULL CHECK (damaged >= 0),
    missing     INTEGER NOT NULL CHECK (missing >= 0),
    at          INTEGER NOT NULL,
    handed_by   TEXT NOT NULL,
    received_by TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    CHECK (good + damaged + missing = sent)
) STRICT;
INSERT INTO logistics_handovers_lean (id, election, from_stage, to_stage, to_place, item_kind,
    ballot, sent, good, damaged, missing, at, handed_by, received_by, recorded_by)
SELECT id, election, from_stage, to_stage, to_place, item_kind, ballot, sent, good, damaged,
    missing, at, handed_by, received_by, recorded_by
FROM logistics_handovers ORDER BY id;
DROP TABLE logistics_handovers;
ALTER TABLE logistics_handovers_lean RENAME TO logistics_handovers;
CREATE INDEX handovers_by_to ON logistics_handovers (to_place);
