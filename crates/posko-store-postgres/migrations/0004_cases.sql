-- Each report is a case (see SQLite's 0004_cases.sql).
ALTER TABLE reports ADD COLUMN temuan BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE reports ADD COLUMN decision TEXT;
ALTER TABLE reports ADD COLUMN referred_to TEXT;
ALTER TABLE reports ADD COLUMN state_since BIGINT;
CREATE INDEX reports_by_referral ON reports (referred_to, received_at);

CREATE TABLE case_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id  BIGINT NOT NULL REFERENCES reports (id),
    at         BIGINT NOT NULL,
    actor      BIGINT NOT NULL REFERENCES users (id),
    action     TEXT   NOT NULL,
    from_state TEXT   NOT NULL,
    to_state   TEXT   NOT NULL,
    detail     TEXT   NOT NULL
);
CREATE INDEX case_events_by_report ON case_events (report_id, id);
