"""Baselines for the DPT engine benchmark (issue 5), run by benches/dpt/run.sh.

  baseline.py duckdb FILE OUT      exact-duplicate NIKs, eligibility on polling day, per-district counts
  baseline.py polars FILE OUT      the same three tasks
  baseline.py splink FILE TRUTH OUT labels|unsupervised
                                   probable duplicates with Splink on DuckDB, trained from the
                                   truth file's labels or unsupervised (EM)

Each writes its results under OUT and prints one JSON line with the task timings.
"""
import json
import sys
import time

POLL = "2024-02-14"


def duckdb_tasks(path, out):
    import duckdb

    con = duckdb.connect()
    t = {}
    s = time.time()
    con.execute(f"CREATE TABLE dpt AS SELECT * FROM read_csv('{path}', all_varchar=true, header=true)")
    t["load"] = time.time() - s
    s = time.time()
    n = con.execute(
        """COPY (SELECT NO, NIK FROM dpt WHERE NIK IN (
                SELECT NIK FROM dpt WHERE length(NIK) = 16 GROUP BY NIK HAVING count(*) > 1))
           TO '%s/exact.csv' (HEADER)""" % out
    ).fetchall()
    t["exact"] = time.time() - s
    s = time.time()
    con.execute(
        f"""COPY (WITH b AS (SELECT NO, STATUS_KAWIN,
                  coalesce(try_strptime(TANGGAL_LAHIR, '%d-%m-%Y'), try_strptime(TANGGAL_LAHIR, '%d/%m/%Y'),
                           try_strptime(TANGGAL_LAHIR, '%Y-%m-%d'))::DATE AS born FROM dpt)
             SELECT NO FROM b WHERE born IS NOT NULL AND STATUS_KAWIN NOT IN ('S', 'P')
               AND (year(DATE '{POLL}') - year(born)
                    - CASE WHEN strftime(DATE '{POLL}', '%m%d') < strftime(born, '%m%d') THEN 1 ELSE 0 END) < 17)
           TO '{out}/ineligible.csv' (HEADER)"""
    )
    t["eligibility"] = time.time() - s
    s = time.time()
    con.execute(
        f"COPY (SELECT left(KODE_DESA, 8) AS kecamatan, count(*) AS pemilih FROM dpt GROUP BY 1 ORDER BY 1) "
        f"TO '{out}/districts.csv' (HEADER)"
    )
    t["districts"] = time.time() - s
    return t


def polars_tasks(path, out):
    import polars as pl

    t = {}
    s = time.time()
    df = pl.read_csv(path, infer_schema=False)
    t["load"] = time.time() - s
    s = time.time()
    dup = (
        df.filter(pl.col("NIK").str.len_chars() == 16)
        .filter(pl.col("NIK").is_duplicated())
        .select("NO", "NIK")
    )
    dup.write_csv(f"{out}/exact.csv")
    t["exact"] = time.time() - s
    s = time.time()
    d = pl.col("TANGGAL_LAHIR")
    born = pl.coalesce(
        d.str.strptime(pl.Date, "%d-%m-%Y", strict=False),
        d.str.strptime(pl.Date, "%d/%m/%Y", strict=False),
        d.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
    )
    poll_md = 214  # 14 February
    b = df.select("NO", "STATUS_KAWIN", born.alias("born"))
    age = 2024 - pl.col("born").dt.year().cast(pl.Int32) - (
        # month() and day() are 8-bit: widen before arithmetic.
        (pl.col("born").dt.month().cast(pl.Int32) * 100 + pl.col("born").dt.day().cast(pl.Int32)) > poll_md
    ).cast(pl.Int32)
    b.filter(pl.col("born").is_not_null() & ~pl.col("STATUS_KAWIN").is_in(["S", "P"]) & (age < 17)).select(
        "NO"
    ).write_csv(f"{out}/ineligible.csv")
    t["eligibility"] = time.time() - s
    s = time.time()
    df.group_by(pl.col("KODE_DESA").str.slice(0, 8).alias("kecamatan")).len().sort("kecamatan").write_csv(
        f"{out}/districts.csv"
    )
    t["districts"] = time.time() - s
    return t


def splink_pairs(path, truth, out, mode):
    import duckdb
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.internals.duckdb.database_api import DuckDBAPI

    t = {}
    s = time.time()
    con = duckdb.connect()
    # The usual cleaning a Splink user does: upper case, letters and spaces only.
    con.execute(
        f"""CREATE TABLE dpt AS SELECT CAST(NO AS BIGINT) AS unique_id, NIK, NKK, TEMPAT_LAHIR, JENIS_KELAMIN,
              KODE_DESA, left(KODE_DESA, 8) AS kec, left(KODE_DESA, 5) AS kab,
              trim(regexp_replace(regexp_replace(upper(NAMA), '[^A-Z ]', '', 'g'), ' +', ' ', 'g')) AS nama,
              strftime(coalesce(try_strptime(TANGGAL_LAHIR, '%d-%m-%Y'), try_strptime(TANGGAL_LAHIR, '%d/%m/%Y'),
                       try_strptime(TANGGAL_LAHIR, '%Y-%m-%d')), '%Y%m%d') AS lahir
            FROM read_csv('{path}', all_varchar=true, header=true)"""
    )
    con.execute("CREATE TABLE dpt2 AS SELECT *, substr(lahir, 1, 4) AS thn, substr(lahir, 5, 4) AS bln_hr FROM dpt "
                "WHERE nama <> '' AND lahir IS NOT NULL")
    db = DuckDBAPI(con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("nama", "thn", "kab"),
            block_on("nama", "bln_hr", "kab"),
            block_on("lahir", "kab"),
        ],
        comparisons=[
            cl.JaroWinklerAtThresholds("nama", [0.97, 0.92, 0.85]),
            cl.DamerauLevenshteinAtThresholds("lahir", [1, 2]),
            cl.ExactMatch("JENIS_KELAMIN"),
            cl.ExactMatch("kec"),
            cl.ExactMatch("KODE_DESA"),
            cl.ExactMatch("TEMPAT_LAHIR"),
            cl.ExactMatch("NKK"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    df = db.register("dpt2", dataset_display_name="dpt_in")
    linker = Linker(df, settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nama", "lahir", "kab")], recall=0.9
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    if mode == "labels":
        import csv

        rows = []
        with open(truth) as f:
            for r in csv.DictReader(f):
                if r["kode"] == "KEMUNGKINAN_GANDA":
                    rows.append((int(r["baris"]) - 1, int(r["baris_lain"]) - 1))
        con.execute("CREATE TABLE labels (source_dataset_l VARCHAR, unique_id_l BIGINT, "
                    "source_dataset_r VARCHAR, unique_id_r BIGINT, clerical_match_score DOUBLE)")
        con.executemany("INSERT INTO labels VALUES ('dpt_in', ?, 'dpt_in', ?, 1.0)", rows)
        linker.training.estimate_m_from_pairwise_labels("labels")
    else:
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("nama", "kab"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("lahir", "kab"))
    t["train"] = time.time() - s
    s = time.time()
    pred = linker.inference.predict(threshold_match_probability=0.01)
    con.execute(
        f"""COPY (SELECT p.unique_id_l + 1 AS baris, p.unique_id_r + 1 AS baris_lain, p.match_probability AS skor
                  FROM {pred.physical_name} p
                  JOIN dpt2 a ON a.unique_id = p.unique_id_l JOIN dpt2 b ON b.unique_id = p.unique_id_r
                  WHERE a.NIK <> b.NIK)
            TO '{out}/pairs.csv' (HEADER)"""
    )
    t["predict"] = time.time() - s
    return t


if __name__ == "__main__":
    tool = sys.argv[1]
    start = time.time()
    if tool == "duckdb":
        t = duckdb_tasks(sys.argv[2], sys.argv[3])
    elif tool == "polars":
        t = polars_tasks(sys.argv[2], sys.argv[3])
    elif tool == "splink":
        t = splink_pairs(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        sys.exit(f"unknown tool {tool}")
    t["total"] = time.time() - start
    print(json.dumps({"tool": tool, "seconds": t}))
