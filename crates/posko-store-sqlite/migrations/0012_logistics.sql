-- Logistics: each node's running account per item (what arrived good, damaged or missing, and
-- what went on to the next stage), and every hand-over as on its berita acara. Places are the
-- regency (KPU), district (PPK), village (PPS) or village/TPS (KPPS). A node never hands on more
-- good items than it received: the CHECK holds it even against a bug.
CREATE TABLE logistics_holdings (
    election   TEXT NOT NULL,
    stage      TEXT NOT NULL CHECK (stage IN ('kpu', 'ppk', 'pps', 'kpps')),
    place      TEXT NOT NULL,
    item_kind  TEXT NOT NULL,
    ballot     TEXT NOT NULL DEFAULT '',
    good_in    INTEGER NOT NULL DEFAULT 0 CHECK (good_in >= 0),
    damaged_in INTEGER NOT NULL DEFAULT 0 CHECK (damaged_in >= 0),
    missing_in INTEGER NOT NULL DEFAULT 0 CHECK (missing_in >= 0),
    sent_out   INTEGER NOT NULL DEFAULT 0 CHECK (sent_out >= 0 AND sent_out <= good_in),
    last_at    INTEGER,
    PRIMARY KEY (election, stage, place, item_kind, ballot)
) STRICT;

CREATE TABLE logistics_handovers (
    id          INTEGER PRIMARY KEY,
    election    TEXT NOT NULL,
    from_stage  TEXT,
    from_place  TEXT,
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
CREATE INDEX handovers_by_to ON logistics_handovers (election, to_place);
CREATE INDEX handovers_by_from ON logistics_handovers (election, from_place);
