-- Case handling at the post: the handling clock, the extension, assignment to an officer,
-- merged duplicates, the duty roster with its handover notes, and API clients of an agency.
ALTER TABLE reports ADD COLUMN registered_at INTEGER;
ALTER TABLE reports ADD COLUMN extended INTEGER NOT NULL DEFAULT 0 CHECK (extended IN (0, 1));
ALTER TABLE reports ADD COLUMN assigned_to INTEGER REFERENCES users (id);
ALTER TABLE reports ADD COLUMN merged_into INTEGER REFERENCES reports (id);
CREATE INDEX reports_by_assignee ON reports (assigned_to, received_at);
CREATE INDEX reports_by_status ON reports (status, received_at);
CREATE INDEX reports_by_merge ON reports (merged_into);
CREATE INDEX reports_by_happened ON reports (happened_on);

ALTER TABLE api_clients ADD COLUMN agency TEXT;

-- One officer on duty for an agency from starts_at to ends_at (piket harian).
CREATE TABLE duty_shifts (
    id         INTEGER PRIMARY KEY,
    agency     TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL CHECK (ends_at > starts_at),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX shifts_by_time ON duty_shifts (starts_at, ends_at);

CREATE TABLE handover_notes (
    id       INTEGER PRIMARY KEY,
    shift_id INTEGER REFERENCES duty_shifts (id),
    author   INTEGER NOT NULL REFERENCES users (id),
    at       INTEGER NOT NULL,
    note     TEXT    NOT NULL CHECK (length(note) BETWEEN 1 AND 4000)
) STRICT;
CREATE INDEX handovers_by_time ON handover_notes (at);
