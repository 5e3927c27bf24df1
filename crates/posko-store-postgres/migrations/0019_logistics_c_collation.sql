-- Faster hand-over imports (issue 7): the logistics tables' key columns compare as bytes ("C"),
-- as they do on SQLite. With the database's default collation every comparison inside their
-- indexes went through the locale: a national import (4.8 million hand-overs) spent about 4 s of
-- its COPY on the `election` column of `handovers_by_to` alone. The values are ASCII codes
-- (`pemilu-2024`, `kpps`, `surat_suara`, `dprd_provinsi`), so only the sort order of names that
-- differ in case or punctuation changes, and it now matches SQLite's.
ALTER TABLE logistics_handovers ALTER COLUMN election TYPE TEXT COLLATE "C";
ALTER TABLE logistics_holdings
    ALTER COLUMN election TYPE TEXT COLLATE "C",
    ALTER COLUMN stage TYPE TEXT COLLATE "C",
    ALTER COLUMN item_kind TYPE TEXT COLLATE "C",
    ALTER COLUMN ballot TYPE TEXT COLLATE "C";
