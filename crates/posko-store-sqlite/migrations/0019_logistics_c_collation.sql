-- Kept in step with PostgreSQL's 0019, which makes the logistics tables' key columns compare as
-- bytes: SQLite's text already does (BINARY), so there is nothing to change here.
SELECT 1;
