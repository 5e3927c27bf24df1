-- The coordinator's dashboard (issue 9): precomputed figures per region, written by the
-- refresher and read by the pages, so a page never aggregates records itself. `region` is a
-- region code or 'nasional'; `figures` is posko_core::dashboard::Figures as JSON; `fingerprint`
-- is the data version (store.data_fingerprint) it was computed from.
CREATE TABLE dashboard_snapshots (
    region      TEXT    PRIMARY KEY,
    computed_at INTEGER NOT NULL,
    fingerprint TEXT    NOT NULL,
    figures     TEXT    NOT NULL
) STRICT;

-- Voter-list (DPT) findings per district, from a posko-dpt run's summary.json
-- (`posko dpt impor-ringkasan`): the dashboard's DPT tile. One row per election and district.
CREATE TABLE dpt_findings (
    election      TEXT    NOT NULL,
    district_code TEXT    NOT NULL CHECK (length(district_code) = 8),
    findings      INTEGER NOT NULL CHECK (findings >= 0),
    imported_at   INTEGER NOT NULL,
    PRIMARY KEY (election, district_code)
) STRICT;
