"""Scores the tools of the DPT benchmark against the generator's truth file.

  evaluate.py DPT.csv TRUTH.csv BENCH_DIR

Reads Posko's findings (BENCH_DIR/posko/kecamatan/*.csv, run with --nik-lengkap), the DuckDB and
Polars outputs, and Splink's pairs (BENCH_DIR/splink-*/pairs.csv); prints JSON with, for exact
duplicates and eligibility, whether each tool found exactly the planted rows, and for probable
duplicates precision, recall and F1 at the default and at the best threshold, overall and by
defect type. A predicted pair's type is read from the two rows as the truth's variants are
defined: `nama` (names differ, birth dates equal), `tanggal` (names equal, dates differ),
`keduanya` (both differ); `sama` (both equal) cannot be planted and counts against precision.
"""
import csv
import glob
import json
import os
import re
import sys

csv.field_size_limit(1 << 30)


def clean(name):
    return re.sub(" +", " ", re.sub("[^A-Z ]", "", name.upper())).strip()


def main(dpt, truth_path, bench):
    truth = list(csv.DictReader(open(truth_path)))
    planted = {}
    rows_of = {}
    for t in truth:
        a, b = int(t["baris"]), int(t["baris_lain"])
        if t["kode"] == "KEMUNGKINAN_GANDA":
            planted[(min(a, b), max(a, b))] = t["varian"]
        elif t["kode"] == "NIK_GANDA":
            rows_of.setdefault("NIK_GANDA", set()).update([a, b])
        else:
            rows_of.setdefault(t["kode"], set()).add(a)

    tools = {}
    # Posko's basic-tasks run (--hanya-dasar): exact duplicates and eligibility only.
    dasar_rows = {}
    for f in glob.glob(os.path.join(bench, "posko-dasar", "kecamatan", "*.csv")):
        for r in csv.DictReader(open(f, encoding="utf-8")):
            if r["baris"]:
                dasar_rows.setdefault(r["kode"], set()).add(int(r["baris"]))
    if dasar_rows:
        tools["posko-dasar"] = {
            "exact_all_found": dasar_rows.get("NIK_GANDA", set()) == rows_of.get("NIK_GANDA", set()),
            "eligibility_all_found": dasar_rows.get("BELUM_17", set()) == rows_of.get("BELUM_17", set()),
        }
    # Posko, the full run and the duplicate search alone (--hanya-ganda): findings per
    # district, scores on probable duplicates.
    def posko_findings(run):
        pairs, rows = {}, {}
        for f in glob.glob(os.path.join(bench, run, "kecamatan", "*.csv")):
            for r in csv.DictReader(open(f, encoding="utf-8")):
                if not r["baris"]:
                    continue
                line = int(r["baris"])
                rows.setdefault(r["kode"], set()).add(line)
                if r["kode"] == "KEMUNGKINAN_GANDA":
                    o = int(r["baris_lain"])
                    pairs[(min(line, o), max(line, o))] = float(r["skor"])
        return pairs, rows

    posko_pairs, posko_rows = posko_findings("posko")
    if posko_rows:
        tools["posko"] = {
            "exact_all_found": posko_rows.get("NIK_GANDA", set()) == rows_of.get("NIK_GANDA", set()),
            "eligibility_all_found": posko_rows.get("BELUM_17", set()) == rows_of.get("BELUM_17", set()),
        }
    ganda_pairs, ganda_rows = posko_findings("posko-ganda")
    if ganda_rows:
        tools["posko-ganda"] = {
            "exact_all_found": ganda_rows.get("NIK_GANDA", set()) == rows_of.get("NIK_GANDA", set()),
            "eligibility_all_found": None,
        }
    for tool in ["duckdb", "polars"]:
        d = os.path.join(bench, tool)
        if not os.path.exists(os.path.join(d, "exact.csv")):
            continue
        exact = {int(r["NO"]) + 1 for r in csv.DictReader(open(os.path.join(d, "exact.csv")))}
        inel = {int(r["NO"]) + 1 for r in csv.DictReader(open(os.path.join(d, "ineligible.csv")))}
        tools[tool] = {
            "exact_all_found": exact == rows_of.get("NIK_GANDA", set()),
            "eligibility_all_found": inel == rows_of.get("BELUM_17", set()),
        }

    predictions = {"posko": (posko_pairs, 0.80), "posko-ganda": (ganda_pairs, 0.80)}
    for f in sorted(glob.glob(os.path.join(bench, "splink-*", "pairs.csv"))):
        name = os.path.basename(os.path.dirname(f))
        pairs = {}
        for r in csv.DictReader(open(f)):
            a, b = int(r["baris"]), int(r["baris_lain"])
            pairs[(min(a, b), max(a, b))] = float(r["skor"])
        predictions[name] = (pairs, 0.5)

    # The rows every predicted pair touches, to type the false positives.
    need = set()
    for pairs, _ in predictions.values():
        for a, b in pairs:
            need.update([a, b])
    rows = {}
    with open(dpt, encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        ni, di = header.index("NAMA"), header.index("TANGGAL_LAHIR")
        for i, rec in enumerate(r, start=2):
            if i in need:
                rows[i] = (clean(rec[ni]), rec[di])

    def kind(p):
        if p in planted:
            return planted[p]
        (na, da), (nb, db) = rows.get(p[0], ("", "")), rows.get(p[1], ("", ""))
        if na != nb and da == db:
            return "nama"
        if na == nb and da != db:
            return "tanggal"
        if na != nb:
            return "keduanya"
        return "sama"

    def scores(pairs, threshold):
        out = {}
        kinds = ["nama", "tanggal", "keduanya", "semua"]
        for k in kinds:
            pred = {p for p, s in pairs.items() if s >= threshold and (k == "semua" or kind(p) == k)}
            want = {p for p, v in planted.items() if k == "semua" or v == k}
            tp = len(pred & want)
            prec = tp / len(pred) if pred else 0.0
            rec = tp / len(want) if want else 0.0
            f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
            out[k] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                      "predicted": len(pred), "planted": len(want)}
        return out

    probable = {}
    for name, (pairs, default) in predictions.items():
        if not pairs:
            continue
        # One pass down the scores: the threshold with the best overall F1.
        best_t, best_f1, tp, n = default, -1.0, 0, 0
        ranked = sorted(pairs.items(), key=lambda x: -x[1])
        for i, (p, s) in enumerate(ranked):
            n += 1
            tp += p in planted
            if i + 1 < len(ranked) and ranked[i + 1][1] == s:
                continue
            prec, rec = tp / n, tp / max(len(planted), 1)
            f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
            if f1 > best_f1:
                best_t, best_f1 = s, f1
        probable[name] = {"default_threshold": default, "default": scores(pairs, default),
                          "best_threshold": best_t, "best": scores(pairs, best_t)}
    print(json.dumps({"checks": tools, "probable_duplicates": probable}, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:4])
