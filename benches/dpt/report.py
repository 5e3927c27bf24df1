"""Prints the figures of one benchmark size as Markdown: report.py BENCH_DIR/N N"""
import json
import os
import sys


def parse_time(path):
    out = {}
    for line in open(path):
        k, _, v = line.strip().rpartition(": ")
        out[k] = v
    wall = out.get("Elapsed (wall clock) time (h:mm:ss or m:ss)", "0:0")
    secs = 0.0
    for part in wall.split(":"):
        secs = secs * 60 + float(part)
    cpu = float(out.get("User time (seconds)", 0)) + float(out.get("System time (seconds)", 0))
    return secs, cpu, int(out.get("Maximum resident set size (kbytes)", 0)) / 1024, out.get("Exit status", "?")


def main(d, n):
    print(f"\n### {int(n):,} rows\n")
    print("| tool | task | wall s | CPU s | peak MiB | exit |")
    print("|---|---|---|---|---|---|")
    tasks = {
        "generate": "posko demo dpt (generator)",
        "posko-dasar": "--hanya-dasar: exact + eligibility + per district",
        "posko": "all checks incl. probable duplicates",
        "posko-ganda": "--hanya-ganda: exact + probable duplicates only",
        "duckdb": "load + exact + eligibility + per district",
        "polars": "load + exact + eligibility + per district",
        "splink-labels": "probable duplicates, m from labels",
        "splink-unsupervised": "probable duplicates, EM",
    }
    for name, task in tasks.items():
        p = os.path.join(d, name + ".time")
        if os.path.exists(p):
            w, c, m, e = parse_time(p)
            print(f"| {name} | {task} | {w:.1f} | {c:.1f} | {m:,.0f} | {e} |")
    p = os.path.join(d, "load.txt")
    if os.path.exists(p):
        print("\nLoad average (1, 5, 15 min) before each run:\n")
        for line in open(p):
            print("- " + line.strip())
    ev = json.load(open(os.path.join(d, "eval.json")))
    print("\nExact duplicates and eligibility, every planted row found and nothing else:\n")
    for tool, v in ev["checks"].items():
        elig = v["eligibility_all_found"]
        print(f"- {tool}: exact {'yes' if v['exact_all_found'] else 'NO'}, "
              f"eligibility {'not run' if elig is None else 'yes' if elig else 'NO'}")
    print("\nProbable duplicates (P / R / F1):\n")
    print("| tool | threshold | nama | tanggal | keduanya | all |")
    print("|---|---|---|---|---|---|")
    for tool, v in ev["probable_duplicates"].items():
        for which in ["default", "best"]:
            t = v[which + "_threshold"]
            cells = []
            for k in ["nama", "tanggal", "keduanya", "semua"]:
                s = v[which][k]
                cells.append(f"{s['precision']:.3f} / {s['recall']:.3f} / {s['f1']:.3f}")
            print(f"| {tool} | {which} {t:.3g} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
