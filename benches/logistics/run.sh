#!/usr/bin/env bash
# The logistics benchmark (issue 7) in one command, on the real binary:
#   1. a national-scale TPS register (`posko demo tps` for every regency: about 866,000 TPS for
#      Pemilu 2024) in a fresh store;
#   2. `posko demo logistik` writes the ballot hand-over chain for it (stock into every KPU
#      warehouse, KPU -> PPK, PPK -> PPS, PPS -> KPPS: four hand-overs on the way to each TPS and
#      ballot type, with planted damage, loss and undelivered TPS);
#   3. `posko logistik import` of that file, then `posko logistik status --json` (the national
#      roll-up), each timed with /usr/bin/time (wall, CPU, peak memory);
#   4. `posko serve`, and BENCH_REQUESTS requests for district status pages (p50/p95/max).
# Baseline: the issue's targets (import + roll-up under 30 s, district page under 50 ms p95).
# With POSKO_BENCH_POSTGRES_URL (a database the benchmark may empty, e.g.
# postgres://postgres@127.0.0.1:5432/posko_bench) the same runs on PostgreSQL.
# Settings: BENCH_DIR (/tmp/posko-logistik-bench), BENCH_REGENCIES (all; e.g. "33.20 15.71"),
# BENCH_REQUESTS (200).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p posko-cli
BIN="$(pwd)/${CARGO_TARGET_DIR:-target}/release/posko"
DIR="${BENCH_DIR:-/tmp/posko-logistik-bench}"
REQUESTS="${BENCH_REQUESTS:-200}"
REGENCIES="${BENCH_REGENCIES:-$(tail -n +2 data/wilayah/regencies.csv | cut -d, -f1 | tr '\n' ' ')}"
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

timed() { # label, file for the command's output, command...: prints wall s, CPU s, peak MiB
  local label="$1" out="$2"; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$DIR/time.txt" "$@" >"$out"
  read -r wall user sys rss < "$DIR/time.txt"
  printf '| %s | %s | %.1f | %d |\n' "$label" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$((rss / 1024))"
}

run_target() { # name, store args...
  local name="$1"; shift
  local store=("$@")
  echo
  echo "## $name"
  echo "| step | wall s | CPU s | peak MiB |"
  echo "|---|---|---|---|"
  # shellcheck disable=SC2086
  timed "register: posko demo tps ($(echo $REGENCIES | wc -w) regencies, Pemilu and Pilkada)" \
    /dev/null "$BIN" demo tps "${store[@]}" $(for r in $REGENCIES; do printf -- '--regency %s ' "$r"; done)
  timed "posko demo logistik (write the hand-over CSV)" /dev/null \
    "$BIN" demo logistik "${store[@]}" --pemilihan pemilu-2024 --out "$DIR/serah-terima.csv" 2>"$DIR/demo.txt"
  echo "<!-- $(cat "$DIR/demo.txt"); $(du -m "$DIR/serah-terima.csv" | cut -f1) MB -->"
  timed "posko logistik import (check the file, store every hand-over)" /dev/null \
    "$BIN" logistik import "${store[@]}" --pemilihan pemilu-2024 "$DIR/serah-terima.csv"
  timed "posko logistik status --json (national roll-up)" "$DIR/status.json" \
    "$BIN" logistik status "${store[@]}" --pemilihan pemilu-2024 --json
  python3 - "$DIR/status.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["total"]
print(f"<!-- roll-up: {s['tps']} TPS, need {s['kebutuhan']}, good {s['baik']}, damaged {s['rusak']}, short {s['kurang']}, complete {s['tps_lengkap']} -->")
EOF
  # The district pages on the real server.
  printf 'kata-sandi-bench-123\n' | "$BIN" user add "${store[@]}" --username bench --role admin >/dev/null 2>&1 || true
  "$BIN" serve "${store[@]}" --listen 127.0.0.1:18097 >"$DIR/serve.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18097/healthz >/dev/null && break; sleep 0.2; done
  local jar="$DIR/cookies.txt"; rm -f "$jar"
  local csrf
  csrf=$(curl -s -c "$jar" -b "$jar" http://127.0.0.1:18097/masuk | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  curl -s -c "$jar" -b "$jar" -o /dev/null -d "csrf=$csrf&username=bench&password=kata-sandi-bench-123" http://127.0.0.1:18097/masuk
  # Districts spread over the country, in order, as many as requests.
  tail -n +2 data/wilayah/districts.csv | cut -d, -f1 | awk -v n="$REQUESTS" 'NR % 36 == 1 && c < n { print; c++ }' >"$DIR/districts.txt"
  : >"$DIR/times.txt"
  while read -r d; do
    curl -s -b "$jar" -o "$DIR/page.html" -w '%{http_code} %{time_total}\n' \
      "http://127.0.0.1:18097/logistik/$d?pemilihan=pemilu-2024" >>"$DIR/times.txt"
  done <"$DIR/districts.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  python3 - "$DIR/times.txt" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
bad = [r for r in rows if r[0] != "200"]
ms = sorted(float(r[1]) * 1000 for r in rows if r[0] == "200")
if bad or not ms:
    print(f"district pages: {len(bad)} of {len(rows)} requests failed: {bad[:3]}")
    sys.exit(1)
p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
print(f"| district status page, {len(ms)} districts | p50 {p(0.5):.1f} ms | p95 {p(0.95):.1f} ms | max {ms[-1]:.1f} ms |")
EOF
}

rm -rf "$DIR"; mkdir -p "$DIR"
"$BIN" init --data-dir "$DIR/sqlite" >/dev/null
run_target "SQLite" --data-dir "$DIR/sqlite"
if [ -n "${POSKO_BENCH_POSTGRES_URL:-}" ]; then
  PGOPTIONS='-c client_min_messages=warning' psql "$POSKO_BENCH_POSTGRES_URL" -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
  "$BIN" init --database-url "$POSKO_BENCH_POSTGRES_URL" >/dev/null
  run_target "PostgreSQL" --database-url "$POSKO_BENCH_POSTGRES_URL"
fi
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
