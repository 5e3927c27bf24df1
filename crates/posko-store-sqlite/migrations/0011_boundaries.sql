-- Region outlines for the coordinator's map, simplified, as `lon,lat lon,lat …|…` rings.
CREATE TABLE region_boundaries (
    region_code TEXT    PRIMARY KEY,
    rings       TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
