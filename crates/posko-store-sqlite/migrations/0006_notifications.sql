-- Notifications: an officer's e-mail address, in-app notifications, the keys that make an alert
-- raised once however many app servers scan, and the outbox of deliveries (signed webhooks and
-- e-mail) that workers claim under a lease. No reporter's personal data is kept here.
ALTER TABLE users ADD COLUMN email TEXT CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    report_id  INTEGER REFERENCES reports (id),
    kind       TEXT    NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    message_id TEXT    NOT NULL CHECK (length(message_id) <= 1000),
    message_en TEXT    NOT NULL CHECK (length(message_en) <= 1000),
    created_at INTEGER NOT NULL,
    read_at    INTEGER
) STRICT;
CREATE INDEX notifications_by_user ON notifications (user_id, created_at);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- One row per alert ever raised (`tenggat-24j:{report}:{state}:{deadline}`, …).
CREATE TABLE notice_keys (
    key       TEXT    PRIMARY KEY CHECK (length(key) <= 200),
    raised_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- A delivery: due when next_attempt_at has come; leased by pushing next_attempt_at forward;
-- done when delivered_at is set; given up when neither is set (last_error says why).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT    NOT NULL CHECK (channel IN ('event', 'webhook', 'email')),
    target          TEXT    NOT NULL CHECK (length(target) <= 2000),
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    delivered_at    INTEGER,
    last_error      TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id)
    WHERE delivered_at IS NULL AND next_attempt_at IS NOT NULL;
