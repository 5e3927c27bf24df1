"""DuckDB baseline for the result-form benchmark (issue 8), run by benches/hasil/run.sh.

  baseline.py FORMS.csv VILLAGES_DIR OUT

Does in DuckDB what `posko hasil check` does: import the forms (all text, so that a bad cell is a
finding and not a failed load), every check of posko-core's results module (H01–H15, H20, H21)
with the same rules (turnout against the village's median and MAD, or the district's when the
village has fewer than 5 forms; identical forms; forms entered twice), the roll-up of turnout
to village, district, regency, province and country per ballot type, and writes the findings
and the turnout table as CSV. Prints one JSON line with the timings and counts per code.
"""
import glob
import json
import sys
import time

import duckdb

CAPACITY = 300  # Pemilu 2024 (DOMAIN.md §2)
RESERVE_BP = 200  # 2 % of the DPT (DOMAIN.md §9), rounded up
UNANIMITY_MIN = 20
MIN_GROUP, THRESHOLD, MIN_SPREAD = 5, 3.5, 0.03
COUNTS = ["dpt", "dptb", "dpk", "pengguna_dpt", "pengguna_dptb", "pengguna_dpk", "surat_diterima",
          "surat_digunakan", "surat_tidak_digunakan", "surat_rusak", "suara_sah", "suara_tidak_sah"]


def main(forms, villages_dir, out):
    con = duckdb.connect()
    t = {}
    s0 = s = time.time()
    con.execute(
        f"CREATE TABLE raw AS SELECT row_number() OVER () + 1 AS line, * "
        f"FROM read_csv('{forms}', header=true, all_varchar=true)"
    )
    cols = [r[0] for r in con.execute("DESCRIBE raw").fetchall()]
    votes = sorted((c for c in cols if c.startswith("suara_") and c[6:].isdigit()), key=lambda c: int(c[6:]))
    vill_files = sorted(glob.glob(f"{villages_dir}/*.csv"))
    con.execute(
        "CREATE TABLE villages AS SELECT code FROM read_csv(%s, header=true, all_varchar=true)"
        % ("[" + ",".join(f"'{f}'" for f in vill_files) + "]")
    )
    t["import"] = time.time() - s

    s = time.time()
    num = lambda c: f"TRY_CAST(trim({c}) AS UINTEGER)"  # noqa: E731
    typed_counts = ", ".join(f"{num(c)} AS {c}" for c in COUNTS)
    typed_votes = ", ".join(
        f"CASE WHEN trim(coalesce({c}, '')) = '' THEN 0 ELSE {num(c)} END AS {c}" for c in votes)
    # The last candidate column with a value: shorter ballots end with blanks.
    ncand = "greatest(" + ", ".join(
        f"CASE WHEN trim(coalesce({c}, '')) <> '' THEN {i + 1} ELSE 0 END" for i, c in enumerate(votes)) + ")"
    con.execute(
        f"""CREATE TABLE f AS SELECT line, trim(kode_tps) AS kode_tps, lower(trim(jenis)) AS jenis,
              split_part(trim(kode_tps), '/', 1) AS desa, {typed_counts}, {typed_votes},
              {ncand} AS ncand FROM raw"""
    )
    bad_cell = " OR ".join(f"{c} IS NULL" for c in COUNTS + votes)
    con.execute(
        f"""CREATE TABLE bad AS SELECT line, kode_tps, jenis, 'H20' AS kode FROM f
            WHERE ({bad_cell}) OR NOT regexp_full_match(kode_tps, '\\d\\d\\.\\d\\d\\.\\d\\d\\.\\d{{4}}/\\d{{1,3}}')
            UNION ALL
            SELECT line, kode_tps, jenis, 'H21' FROM f
            WHERE NOT ({bad_cell}) AND regexp_full_match(kode_tps, '\\d\\d\\.\\d\\d\\.\\d\\d\\.\\d{{4}}/\\d{{1,3}}')
              AND desa NOT IN (SELECT code FROM villages)"""
    )
    vsum = " + ".join(votes)
    vmax = "greatest(" + ", ".join(votes) + ")"
    con.execute(
        f"""CREATE TABLE ok AS SELECT *, pengguna_dpt + pengguna_dptb + pengguna_dpk AS voted,
              dpt + dptb + dpk AS registered, {vsum} AS vsum, {vmax} AS vmax FROM f
            WHERE line NOT IN (SELECT line FROM bad)"""
    )
    checks = {
        "H01": "suara_sah + suara_tidak_sah <> surat_digunakan",
        "H02": "surat_digunakan <> voted",
        "H03": "surat_digunakan + surat_tidak_digunakan + surat_rusak <> surat_diterima",
        "H04": "surat_digunakan > surat_diterima",
        "H06": "voted > registered",
        "H07": "vsum <> suara_sah",
        "H08": "suara_sah + suara_tidak_sah > registered",
        "H09": f"ncand >= 2 AND suara_sah >= {UNANIMITY_MIN} AND vmax = suara_sah",
        "H12": f"dpt > {CAPACITY}",
        "H13": f"surat_diterima <> dpt + dptb + ceil(dpt * {RESERVE_BP} / 10000.0)",
        "H14": "(desa LIKE '31.%' AND jenis = 'dprd_kab_kota')",
    }
    parts = [f"SELECT line, kode_tps, jenis, '{k}' AS kode FROM ok WHERE {w}" for k, w in checks.items()]
    parts += [f"SELECT line, kode_tps, jenis, 'H05' FROM ok WHERE pengguna_{l} > {l}" for l in ("dpt", "dptb", "dpk")]
    content = ", ".join(["jenis"] + COUNTS + votes)
    parts.append(
        f"""SELECT line, kode_tps, jenis, 'H15' FROM (SELECT line, kode_tps, jenis,
              row_number() OVER (PARTITION BY kode_tps, jenis ORDER BY line) AS n FROM ok) WHERE n > 1""")
    parts.append(
        f"""SELECT line, kode_tps, jenis, 'H11' FROM (
              SELECT line, kode_tps, jenis, first_value(kode_tps) OVER (PARTITION BY {content} ORDER BY line) AS first
              FROM (SELECT *, row_number() OVER (PARTITION BY kode_tps, jenis ORDER BY line) AS n FROM ok)
              WHERE n = 1 AND voted > 0) WHERE first <> kode_tps""")
    # H10: against the village (5+ forms) or else the district (5+ forms), median and MAD.
    con.execute(
        """CREATE TABLE tt AS SELECT line, kode_tps, jenis, desa, left(desa, 8) AS kec,
              voted / registered::DOUBLE AS t FROM ok WHERE registered > 0"""
    )
    for g in ("desa", "kec"):
        con.execute(
            f"""CREATE TABLE c_{g} AS WITH m AS (SELECT jenis, {g}, count(*) AS n, median(t) AS m FROM tt GROUP BY ALL)
                SELECT m.jenis, m.{g}, n, m.m, greatest(1.4826 * median(abs(tt.t - m.m)), {MIN_SPREAD}) AS spread
                FROM tt JOIN m USING (jenis, {g}) GROUP BY ALL"""
        )
    parts.append(
        f"""SELECT tt.line, tt.kode_tps, tt.jenis, 'H10' FROM tt
              JOIN c_desa v USING (jenis, desa) LEFT JOIN c_kec k USING (jenis, kec)
            WHERE (v.n >= {MIN_GROUP} AND abs(tt.t - v.m) > {THRESHOLD} * v.spread)
               OR (v.n < {MIN_GROUP} AND k.n >= {MIN_GROUP} AND abs(tt.t - k.m) > {THRESHOLD} * k.spread)""")
    con.execute("CREATE TABLE findings AS " + " UNION ALL ".join(parts) + " UNION ALL SELECT * FROM bad")
    t["checks"] = time.time() - s

    s = time.time()
    sums = ", ".join(f"sum({c}) AS {c}" for c in COUNTS[:6] + ["suara_sah", "suara_tidak_sah", "surat_diterima"])
    con.execute(
        f"""CREATE TABLE rollup AS SELECT
              CASE WHEN grouping(desa) = 0 THEN desa WHEN grouping(kec) = 0 THEN kec
                   WHEN grouping(kab) = 0 THEN kab WHEN grouping(prov) = 0 THEN prov ELSE 'ID' END AS kode,
              jenis, count(*) AS formulir, {sums},
              round(100.0 * sum(voted) / nullif(sum(registered), 0), 2) AS partisipasi_persen
            FROM (SELECT *, left(desa, 2) AS prov, left(desa, 5) AS kab, left(desa, 8) AS kec FROM ok
                  WHERE desa IN (SELECT code FROM villages))
            GROUP BY GROUPING SETS ((jenis), (jenis, prov), (jenis, kab), (jenis, kec), (jenis, desa))"""
    )
    t["rollup"] = time.time() - s

    s = time.time()
    con.execute(f"COPY (SELECT * FROM findings ORDER BY line, kode) TO '{out}/temuan.csv' (HEADER)")
    con.execute(f"COPY (SELECT * FROM rollup ORDER BY kode, jenis) TO '{out}/partisipasi.csv' (HEADER)")
    t["write"] = time.time() - s
    t["total"] = time.time() - s0
    per_code = dict(con.execute("SELECT kode, count(*) FROM findings GROUP BY 1 ORDER BY 1").fetchall())
    national = dict(
        con.execute("SELECT jenis, partisipasi_persen FROM rollup WHERE kode = 'ID' ORDER BY 1").fetchall())
    forms = con.execute("SELECT count(*) FROM ok WHERE desa IN (SELECT code FROM villages)").fetchone()[0]
    print(json.dumps({"duckdb": duckdb.__version__, "seconds": t, "forms": forms, "findings": per_code,
                      "turnout": {k: float(v) for k, v in national.items()},
                      "rollup_rows": con.execute("SELECT count(*) FROM rollup").fetchone()[0]}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
