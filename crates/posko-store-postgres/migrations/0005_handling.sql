-- Case handling at the post (see SQLite's 0005_handling.sql).
ALTER TABLE reports ADD COLUMN registered_at BIGINT;
ALTER TABLE reports ADD COLUMN extended BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE reports ADD COLUMN assigned_to BIGINT REFERENCES users (id);
ALTER TABLE reports ADD COLUMN merged_into BIGINT REFERENCES reports (id);
CREATE INDEX reports_by_assignee ON reports (assigned_to, received_at);
CREATE INDEX reports_by_status ON reports (status, received_at);
CREATE INDEX reports_by_merge ON reports (merged_into);
CREATE INDEX reports_by_happened ON reports (happened_on);

ALTER TABLE api_clients ADD COLUMN agency TEXT;

CREATE TABLE duty_shifts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency     TEXT   NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL CHECK (ends_at > starts_at),
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX shifts_by_time ON duty_shifts (starts_at, ends_at);

CREATE TABLE handover_notes (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shift_id BIGINT REFERENCES duty_shifts (id),
    author   BIGINT NOT NULL REFERENCES users (id),
    at       BIGINT NOT NULL,
    note     TEXT   NOT NULL CHECK (length(note) BETWEEN 1 AND 4000)
);
CREATE INDEX handovers_by_time ON handover_notes (at);
