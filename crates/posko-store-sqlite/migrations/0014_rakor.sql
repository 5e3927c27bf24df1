-- Rakor Forkopimda (issue 9): a region's coordination meetings, their agenda, attendance by agency
-- (officials acting in office, as on the signed list), numbered decisions, and the follow-up
-- actions assigned to agencies with a due date (a civil date, ended at midnight in the region's
-- zone) and every move of each action.
CREATE TABLE rakor_meetings (
    id          INTEGER PRIMARY KEY,
    region      TEXT NOT NULL,
    held_at     INTEGER NOT NULL,
    place       TEXT NOT NULL CHECK (length(place) BETWEEN 1 AND 200),
    chair       TEXT NOT NULL CHECK (length(chair) BETWEEN 1 AND 200),
    created_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX rakor_meetings_region ON rakor_meetings (region, held_at);

CREATE TABLE rakor_agenda (
    meeting_id  INTEGER NOT NULL REFERENCES rakor_meetings (id),
    position    INTEGER NOT NULL,
    item        TEXT NOT NULL,
    PRIMARY KEY (meeting_id, position)
) STRICT;

CREATE TABLE rakor_attendance (
    meeting_id      INTEGER NOT NULL REFERENCES rakor_meetings (id),
    agency          TEXT NOT NULL,
    representative  TEXT NOT NULL,
    position        TEXT NOT NULL,
    PRIMARY KEY (meeting_id, agency)
) STRICT;

CREATE TABLE rakor_decisions (
    meeting_id  INTEGER NOT NULL REFERENCES rakor_meetings (id),
    number      INTEGER NOT NULL CHECK (number >= 1),
    text        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, number)
) STRICT;

CREATE TABLE rakor_actions (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL,
    decision    INTEGER NOT NULL,
    agency      TEXT NOT NULL,
    description TEXT NOT NULL,
    due_date    TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'terbuka'
                CHECK (state IN ('terbuka', 'dikerjakan', 'selesai', 'dibatalkan')),
    created_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    closed_at   INTEGER,
    FOREIGN KEY (meeting_id, decision) REFERENCES rakor_decisions (meeting_id, number)
) STRICT;
CREATE INDEX rakor_actions_agency ON rakor_actions (agency, state, due_date);
CREATE INDEX rakor_actions_meeting ON rakor_actions (meeting_id);

CREATE TABLE rakor_action_events (
    id          INTEGER PRIMARY KEY,
    action_id   INTEGER NOT NULL REFERENCES rakor_actions (id),
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    note        TEXT NOT NULL,
    by_user     INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX rakor_action_events_action ON rakor_action_events (action_id, id);
