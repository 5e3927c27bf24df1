-- Region outlines for the coordinator's map (see SQLite's 0011_boundaries.sql).
CREATE TABLE region_boundaries (
    region_code TEXT   COLLATE "C" PRIMARY KEY,
    rings       TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL
);
