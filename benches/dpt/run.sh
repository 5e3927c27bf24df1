#!/usr/bin/env bash
# The DPT engine benchmark (issue 5). From the repository root:
#
#   benches/dpt/run.sh                        # 1 M rows
#   ROWS="1000000 5000000" benches/dpt/run.sh # several sizes, one after the other
#
# Builds posko in release mode, makes a Python virtual environment with duckdb, polars and
# splink from PyPI, generates a synthetic list per size (`posko demo dpt`, seed 2024) and runs
# on the same file: Posko's basic tasks (`posko dpt check --hanya-dasar`: exact duplicate NIKs,
# eligibility, counts per district and village — like for like with the baselines), Posko's
# full run (all checks, probable duplicates, XLSX), Posko's duplicate search alone
# (`--hanya-ganda`: exact and probable duplicates, CSV — like for like with Splink), DuckDB and
# Polars (exact duplicate NIKs, eligibility, per-district counts), and Splink on DuckDB
# trained from the truth file's labels and unsupervised (probable duplicates; up to
# SPLINK_MAX_ROWS rows; SPLINK_MODES picks the modes). Each run is measured with /usr/bin/time -v (wall, user+system CPU, peak RSS), with
# the load average before it in load.txt (the machine may be shared); evaluate.py scores every
# tool against the truth file; report.py prints the tables for BENCHMARKS.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/benches/dpt
ROWS=${ROWS:-1000000}
SPLINK_MAX_ROWS=${SPLINK_MAX_ROWS:-5000000}
SPLINK_MODES=${SPLINK_MODES:-labels unsupervised}
WORK=${BENCH_DIR:-/tmp/posko-dpt-bench}
VENV=${DPT_VENV:-$HERE/.venv}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

cargo build --release -q -p posko-cli --manifest-path "$ROOT/Cargo.toml"
POSKO=$CARGO_TARGET_DIR/release/posko
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q duckdb polars splink
fi
PY=$VENV/bin/python
"$PY" -c 'import duckdb, polars, splink; print("duckdb", duckdb.__version__, "polars", polars.__version__, "splink", splink.__version__)'

measure() { # name command...: runs it under /usr/bin/time -v into $D/name.{time,out,err}
  local name=$1; shift
  echo "  $name" >&2
  echo "$name: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$D/load.txt"
  /usr/bin/time -v -o "$D/$name.time" "$@" > "$D/$name.out" 2> "$D/$name.err" || {
    echo "  $name failed, see $D/$name.err" >&2; return 0; }
}

for N in $ROWS; do
  D=$WORK/$N
  mkdir -p "$D"
  echo "== $N rows in $D" >&2
  if [ ! -s "$D/truth.csv" ]; then
    measure generate "$POSKO" demo dpt --rows "$N" --seed 2024 --out "$D/dpt.csv" --truth "$D/truth.csv"
  fi
  rm -rf "$D/posko" "$D/posko-dasar" "$D/posko-ganda" "$D/duckdb" "$D/polars" "$D"/splink-* "$D/load.txt"
  mkdir -p "$D/duckdb" "$D/polars"
  measure posko-dasar "$POSKO" dpt check "$D/dpt.csv" --pemilihan pemilu-2024 --out "$D/posko-dasar" --nik-lengkap --json --hanya-dasar
  measure posko "$POSKO" dpt check "$D/dpt.csv" --pemilihan pemilu-2024 --out "$D/posko" --nik-lengkap --json
  measure posko-ganda "$POSKO" dpt check "$D/dpt.csv" --pemilihan pemilu-2024 --out "$D/posko-ganda" --nik-lengkap --json --hanya-ganda
  measure duckdb "$PY" "$HERE/baseline.py" duckdb "$D/dpt.csv" "$D/duckdb"
  measure polars "$PY" "$HERE/baseline.py" polars "$D/dpt.csv" "$D/polars"
  if [ "$N" -le "$SPLINK_MAX_ROWS" ]; then
    for mode in $SPLINK_MODES; do
      mkdir -p "$D/splink-$mode"
      measure "splink-$mode" "$PY" "$HERE/baseline.py" splink "$D/dpt.csv" "$D/truth.csv" "$D/splink-$mode" "$mode"
    done
  fi
  "$PY" "$HERE/evaluate.py" "$D/dpt.csv" "$D/truth.csv" "$D" > "$D/eval.json"
  "$PY" "$HERE/report.py" "$D" "$N"
done
