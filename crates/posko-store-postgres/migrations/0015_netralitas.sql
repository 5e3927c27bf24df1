-- Neutrality briefings and integrity pledges (issue 9, part 4): the recorded headcount of units
-- (ASN of an OPD or kecamatan office, perangkat desa of a kecamatan), briefings with the villages
-- they reached and their attendees counted by kind, and signed pledges (pakta integritas
-- netralitas) kept by keyed hashes of the official's identity only: no NIP, no name in clear.
CREATE TABLE neutrality_units (
    region_code TEXT COLLATE "C" NOT NULL,
    unit        TEXT   NOT NULL CHECK (length(unit) BETWEEN 1 AND 200),
    kind        TEXT   NOT NULL CHECK (kind IN ('asn', 'perangkat_desa')),
    headcount   BIGINT NOT NULL CHECK (headcount >= 0),
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (region_code, unit, kind)
);

CREATE TABLE neutrality_briefings (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_code    TEXT COLLATE "C" NOT NULL,
    held_on        TEXT   NOT NULL,
    held_by_agency TEXT   NOT NULL,
    held_by        TEXT   NOT NULL CHECK (length(held_by) BETWEEN 1 AND 200),
    unit           TEXT   NOT NULL,
    unit_key       TEXT   NOT NULL,
    asn            BIGINT NOT NULL CHECK (asn >= 0),
    camat          BIGINT NOT NULL CHECK (camat >= 0),
    kepala_desa    BIGINT NOT NULL CHECK (kepala_desa >= 0),
    perangkat_desa BIGINT NOT NULL CHECK (perangkat_desa >= 0),
    created_by     BIGINT REFERENCES users (id),
    created_at     BIGINT NOT NULL
);
CREATE INDEX neutrality_briefings_by_region ON neutrality_briefings (region_code, held_on);

CREATE TABLE neutrality_briefing_villages (
    briefing_id  BIGINT NOT NULL REFERENCES neutrality_briefings (id),
    village_code TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (briefing_id, village_code)
);

CREATE TABLE integrity_pledges (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT   NOT NULL CHECK (kind IN ('asn', 'camat', 'kepala_desa', 'perangkat_desa')),
    -- The hash that makes a pledge one per official: by NIP when given, else by name and unit.
    identity_mac BYTEA  NOT NULL UNIQUE,
    number_mac   BYTEA,
    name_mac     BYTEA,
    region_code  TEXT COLLATE "C" NOT NULL,
    unit         TEXT   NOT NULL,
    signed_on    TEXT   NOT NULL,
    source       TEXT   NOT NULL CHECK (length(source) BETWEEN 1 AND 300),
    created_by   BIGINT REFERENCES users (id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX integrity_pledges_by_number ON integrity_pledges (number_mac);
CREATE INDEX integrity_pledges_by_name ON integrity_pledges (name_mac);
CREATE INDEX integrity_pledges_by_region ON integrity_pledges (region_code);
