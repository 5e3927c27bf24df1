"""Scores `posko hasil check` and the DuckDB baseline against the generator's truth file, and
compares their outputs with each other (benches/hasil/run.sh).

  evaluate.py TRUTH.csv POSKO_DIR DUCKDB_DIR

A planted defect is found when the tool reports its code on its line. Prints one JSON object:
per defect kind the planted count and what each tool found; per code the findings of each tool;
and whether the national turnout per ballot type agrees.
"""
import csv
import json
import sys
from collections import Counter, defaultdict


def findings(path, line_col, code_col):
    by_line = defaultdict(set)
    per_code = Counter()
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_line[int(row[line_col])].add(row[code_col])
            per_code[row[code_col]] += 1
    return by_line, per_code


def main(truth, posko_dir, duck_dir):
    posko, posko_codes = findings(f"{posko_dir}/temuan.csv", "baris", "kode")
    duck, duck_codes = findings(f"{duck_dir}/temuan.csv", "line", "kode")
    kinds = defaultdict(lambda: {"planted": 0, "posko": 0, "duckdb": 0})
    with open(truth, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            k = kinds[f"{row['cacat']} ({row['kode']})"]
            k["planted"] += 1
            line = int(row["baris"])
            k["posko"] += row["kode"] in posko.get(line, set())
            k["duckdb"] += row["kode"] in duck.get(line, set())
    with open(f"{posko_dir}/summary.json", encoding="utf-8") as f:
        summary = json.load(f)
    posko_turnout = {t["ballot"]: t["turnout_percent"] for t in summary["turnout"]}
    duck_turnout = {}
    with open(f"{duck_dir}/partisipasi.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kode"] == "ID":
                duck_turnout[row["jenis"]] = float(row["partisipasi_persen"])
    codes = sorted(set(posko_codes) | set(duck_codes))
    print(json.dumps({
        "defects": dict(sorted(kinds.items())),
        "findings": {c: {"posko": posko_codes[c], "duckdb": duck_codes[c]} for c in codes},
        "turnout": {"posko": posko_turnout, "duckdb": duck_turnout,
                    "agree": all(abs(posko_turnout.get(b, -1) - v) < 0.006 for b, v in duck_turnout.items())},
    }, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:4])
