-- Each report is a case: its state is reports.status (the names of posko_core::case::CaseState),
-- with what the state machine remembers, and every move is an event of the case's timeline.
ALTER TABLE reports ADD COLUMN temuan INTEGER NOT NULL DEFAULT 0 CHECK (temuan IN (0, 1));
ALTER TABLE reports ADD COLUMN decision TEXT;
ALTER TABLE reports ADD COLUMN referred_to TEXT;
ALTER TABLE reports ADD COLUMN state_since INTEGER;
CREATE INDEX reports_by_referral ON reports (referred_to, received_at);

CREATE TABLE case_events (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES reports (id),
    at         INTEGER NOT NULL,
    actor      INTEGER NOT NULL REFERENCES users (id),
    action     TEXT    NOT NULL,
    from_state TEXT    NOT NULL,
    to_state   TEXT    NOT NULL,
    detail     TEXT    NOT NULL
) STRICT;
CREATE INDEX case_events_by_report ON case_events (report_id, id);
