#!/usr/bin/env bash
# The result-form benchmark (issue 8). From the repository root:
#
#   benches/hasil/run.sh                 # 820,000 TPS × their ballot types (4.1 M forms)
#   TPS=100000 benches/hasil/run.sh      # a smaller set
#
# Builds posko in release mode, makes a Python virtual environment with duckdb from PyPI,
# generates the set once per size and seed (`posko demo hasil`), then runs on the same file, in
# the same run, Posko (`posko hasil check`: import, every check, the roll-up to every level, the
# outputs) and DuckDB (baseline.py: the same work in SQL), each under /usr/bin/time -v (wall,
# CPU, peak RSS), RUNS times alternately. evaluate.py scores both against the truth file. The
# load average is recorded before every run: the machine is shared.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/benches/hasil
TPS=${TPS:-820000}
RUNS=${RUNS:-3}
WORK=${BENCH_DIR:-/tmp/posko-hasil-bench}
VENV=${HASIL_VENV:-$HERE/.venv}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

# POSKO_BIN runs an already built binary (e.g. a copy, while the tree is being rebuilt).
if [ -n "${POSKO_BIN:-}" ]; then
  POSKO=$POSKO_BIN
else
  cargo build --release -q -p posko-cli --manifest-path "$ROOT/Cargo.toml"
  POSKO=$CARGO_TARGET_DIR/release/posko
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q duckdb
fi
PY=$VENV/bin/python
D=$WORK/$TPS
mkdir -p "$D"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+changes')"
  echo "binary: $POSKO ($(stat -c %y "$POSKO"))"
  echo "cpu: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "duckdb: $("$PY" -c 'import duckdb; print(duckdb.__version__)')"
} > "$D/env.txt"

if [ ! -s "$D/kebenaran.csv" ]; then
  echo "== generating $TPS TPS in $D" >&2
  /usr/bin/time -v -o "$D/generate.time" "$POSKO" demo hasil --tps "$TPS" --seed 2024 \
    --out "$D/hasil.csv" --truth "$D/kebenaran.csv" 2> "$D/generate.err"
fi
ls -l "$D/hasil.csv" >> "$D/env.txt"

measure() { # name command...: one run under /usr/bin/time -v, load average noted first
  local name=$1; shift
  echo "$name load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$D/load.txt"
  /usr/bin/time -v -o "$D/$name.time" "$@" > "$D/$name.out" 2> "$D/$name.err" || {
    echo "  $name failed, see $D/$name.err" >&2; return 0; }
  printf '  %-10s wall %s  cpu %ss  rss %s KB\n' "$name" \
    "$(grep 'Elapsed (wall' "$D/$name.time" | awk '{print $NF}')" \
    "$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$D/$name.time")" \
    "$(grep 'Maximum resident' "$D/$name.time" | awk '{print $NF}')" >&2
}

: > "$D/load.txt"
cat "$D/hasil.csv" > /dev/null   # both read it from the page cache
for i in $(seq 1 "$RUNS"); do
  echo "== run $i" >&2
  rm -rf "$D/posko" "$D/duckdb"; mkdir -p "$D/duckdb"
  measure "posko-$i" "$POSKO" hasil check "$D/hasil.csv" --pemilihan pemilu-2024 --out "$D/posko" --json
  measure "duckdb-$i" "$PY" "$HERE/baseline.py" "$D/hasil.csv" "$ROOT/data/wilayah/villages" "$D/duckdb"
done
"$PY" "$HERE/evaluate.py" "$D/kebenaran.csv" "$D/posko" "$D/duckdb" > "$D/eval.json"
echo "results in $D (env.txt, load.txt, *.time, posko-*.out, duckdb-*.out, eval.json)" >&2
