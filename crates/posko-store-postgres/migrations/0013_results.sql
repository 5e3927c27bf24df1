-- Result forms (C.Hasil): one row per election, TPS and ballot type, as imported (a later import
-- of the same form replaces it). Voters on the lists and voters who voted are kept per list, valid
-- and invalid votes apart (DOMAIN.md §10: turnout is users over the lists, not valid over DPT).
-- Candidate or party votes in ballot order, '|'-separated.
CREATE TABLE result_forms (
    election    TEXT NOT NULL,
    village     TEXT COLLATE "C" NOT NULL,
    tps         BIGINT NOT NULL CHECK (tps BETWEEN 1 AND 999),
    ballot      TEXT NOT NULL,
    dpt         BIGINT NOT NULL CHECK (dpt >= 0),
    dptb        BIGINT NOT NULL CHECK (dptb >= 0),
    dpk         BIGINT NOT NULL CHECK (dpk >= 0),
    voted_dpt   BIGINT NOT NULL CHECK (voted_dpt >= 0),
    voted_dptb  BIGINT NOT NULL CHECK (voted_dptb >= 0),
    voted_dpk   BIGINT NOT NULL CHECK (voted_dpk >= 0),
    received    BIGINT NOT NULL CHECK (received >= 0),
    used        BIGINT NOT NULL CHECK (used >= 0),
    unused      BIGINT NOT NULL CHECK (unused >= 0),
    damaged     BIGINT NOT NULL CHECK (damaged >= 0),
    valid       BIGINT NOT NULL CHECK (valid >= 0),
    invalid     BIGINT NOT NULL CHECK (invalid >= 0),
    votes       TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (election, village, tps, ballot)
);

-- A previous election's turnout per area and ballot type, rolled up from its TPS forms when they
-- were imported, to compare the current election with ('ID' is the country).
CREATE TABLE previous_turnout (
    election   TEXT NOT NULL,
    label      TEXT NOT NULL,
    area       TEXT COLLATE "C" NOT NULL,
    ballot     TEXT NOT NULL,
    registered BIGINT NOT NULL CHECK (registered >= 0),
    voted      BIGINT NOT NULL CHECK (voted >= 0),
    PRIMARY KEY (election, area, ballot)
);
