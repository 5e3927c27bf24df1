-- Result forms (C.Hasil): one row per election, TPS and ballot type, as imported (a later import
-- of the same form replaces it). Voters on the lists and voters who voted are kept per list, valid
-- and invalid votes apart (DOMAIN.md §10: turnout is users over the lists, not valid over DPT).
-- Candidate or party votes in ballot order, '|'-separated.
CREATE TABLE result_forms (
    election    TEXT NOT NULL,
    village     TEXT NOT NULL,
    tps         INTEGER NOT NULL CHECK (tps BETWEEN 1 AND 999),
    ballot      TEXT NOT NULL,
    dpt         INTEGER NOT NULL CHECK (dpt >= 0),
    dptb        INTEGER NOT NULL CHECK (dptb >= 0),
    dpk         INTEGER NOT NULL CHECK (dpk >= 0),
    voted_dpt   INTEGER NOT NULL CHECK (voted_dpt >= 0),
    voted_dptb  INTEGER NOT NULL CHECK (voted_dptb >= 0),
    voted_dpk   INTEGER NOT NULL CHECK (voted_dpk >= 0),
    received    INTEGER NOT NULL CHECK (received >= 0),
    used        INTEGER NOT NULL CHECK (used >= 0),
    unused      INTEGER NOT NULL CHECK (unused >= 0),
    damaged     INTEGER NOT NULL CHECK (damaged >= 0),
    valid       INTEGER NOT NULL CHECK (valid >= 0),
    invalid     INTEGER NOT NULL CHECK (invalid >= 0),
    votes       TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (election, village, tps, ballot)
) STRICT;

-- A previous election's turnout per area and ballot type, rolled up from its TPS forms when they
-- were imported, to compare the current election with ('ID' is the country).
CREATE TABLE previous_turnout (
    election   TEXT NOT NULL,
    label      TEXT NOT NULL,
    area       TEXT NOT NULL,
    ballot     TEXT NOT NULL,
    registered INTEGER NOT NULL CHECK (registered >= 0),
    voted      INTEGER NOT NULL CHECK (voted >= 0),
    PRIMARY KEY (election, area, ballot)
) STRICT;
