#!/usr/bin/env bash
# The dashboard benchmark (issue 9) in one command, on the real binary:
#   1. a TPS register for BENCH_REGENCIES (default: every regency, about 866,000 TPS for
#      Pemilu 2024: national scale) and BENCH_REPORTS citizens' reports spread over them,
#      through the public API (default 2,000);
#   2. `posko dasbor hitung`: every snapshot computed once, timed (wall, CPU, peak memory);
#   3. `posko serve`, and BENCH_REQUESTS dashboard pages (regencies, provinces and the country),
#      p50/p95/max from curl's time_total;
#   4. the named baseline: the same regencies' figures computed live from the records on each
#      request (`posko dasbor lihat --langsung`, the time inside the process, so process start-up
#      is not counted against it).
# Target: p95 under 50 ms for the snapshot pages.
# BUILD: debug by default (BENCH_PROFILE=release for a release build on a machine that may build
# one); label the figures with the build they came from.
# Settings: BENCH_DIR (/tmp/posko-dasbor-bench), BENCH_REGENCIES, BENCH_REPORTS, BENCH_REQUESTS (200).
set -euo pipefail
cd "$(dirname "$0")/../.."
PROFILE="${BENCH_PROFILE:-debug}"
if [ "$PROFILE" = release ]; then cargo build --release -p posko-cli; else cargo build -p posko-cli; fi
BIN="$(pwd)/${CARGO_TARGET_DIR:-target}/$PROFILE/posko"
DIR="${BENCH_DIR:-/tmp/posko-dasbor-bench}"
REQUESTS="${BENCH_REQUESTS:-200}"
REPORTS="${BENCH_REPORTS:-2000}"
REGENCIES="${BENCH_REGENCIES:-$(tail -n +2 data/wilayah/regencies.csv | cut -d, -f1 | tr '\n' ' ')}"
PORT=18099
echo "build: $PROFILE"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

timed() { # label, command...: prints wall s, CPU s, peak MiB
  local label="$1"; shift
  /usr/bin/time -f "%e %U %S %M" -o "$DIR/time.txt" "$@" >/dev/null
  read -r wall user sys rss < "$DIR/time.txt"
  printf '| %s | %s | %.1f | %d |\n' "$label" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$((rss / 1024))"
}

rm -rf "$DIR"; mkdir -p "$DIR"
STORE=(--data-dir "$DIR/sqlite")
"$BIN" init "${STORE[@]}" >/dev/null
echo "| step | wall s | CPU s | peak MiB |"
echo "|---|---|---|---|"
# shellcheck disable=SC2086
timed "register: posko demo tps ($(echo $REGENCIES | wc -w) regencies)" \
  "$BIN" demo tps "${STORE[@]}" $(for r in $REGENCIES; do printf -- '--regency %s ' "$r"; done)
printf 'kata-sandi-bench-123\n' | "$BIN" user add "${STORE[@]}" --username bench --role admin >/dev/null 2>&1
TOKEN=$("$BIN" token add "${STORE[@]}" --name bench 2>/dev/null | tr -d '\n')
POSKO_API_RATE_LIMIT_PER_MINUTE=100000 POSKO_RATE_LIMIT_PER_MINUTE=100000 \
  "$BIN" serve "${STORE[@]}" --listen "127.0.0.1:$PORT" >"$DIR/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
# Reports into villages of the chosen regencies (one per village).
TODAY=$(TZ=Asia/Jakarta date +%F)
# shellcheck disable=SC2086
for r in $REGENCIES; do grep -h "^$r\." data/wilayah/villages/*.csv | cut -d, -f1; done >"$DIR/all-villages.txt"
# Spread evenly over the chosen regencies' villages.
STEP=$(( $(wc -l <"$DIR/all-villages.txt") / REPORTS )); [ "$STEP" -ge 1 ] || STEP=1
awk -v s="$STEP" -v n="$REPORTS" '(NR - 1) % s == 0 && c < n { print; c++ }' "$DIR/all-villages.txt" >"$DIR/villages.txt"
n=0
while read -r v; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"subject_category\":\"asn\",\"subject_name\":\"Pegawai\",\"violation\":\"asn_media_sosial\",\"description\":\"Membagikan unggahan kampanye.\",\"region\":\"$v\",\"happened_on\":\"$TODAY\",\"learned_on\":\"$TODAY\"}" \
    "http://127.0.0.1:$PORT/api/v1/reports")
  [ "$code" = 201 ] && n=$((n + 1))
done <"$DIR/villages.txt"
echo "<!-- $n reports filed -->"
timed "posko dasbor hitung (every snapshot)" "$BIN" dasbor hitung "${STORE[@]}"

JAR="$DIR/cookies.txt"
CSRF=$(curl -s -c "$JAR" -b "$JAR" "http://127.0.0.1:$PORT/masuk" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -s -c "$JAR" -b "$JAR" -o /dev/null -d "csrf=$CSRF&username=bench&password=kata-sandi-bench-123" "http://127.0.0.1:$PORT/masuk"
# Pages that have snapshots: the country, the provinces and regencies chosen, their districts;
# cycled until BENCH_REQUESTS pages.
# shellcheck disable=SC2086
{ echo nasional; for r in $REGENCIES; do echo "${r%%.*}"; done | sort -u; for r in $REGENCIES; do echo "$r"; done;
  for r in $REGENCIES; do grep "^$r\." data/wilayah/districts.csv | cut -d, -f1; done; } >"$DIR/codes.txt"
awk -v n="$REQUESTS" '{ a[NR] = $0 } END { for (i = 0; i < n; i++) print a[i % NR + 1] }' "$DIR/codes.txt" >"$DIR/pages.txt"
: >"$DIR/times.txt"
while read -r code; do
  curl -s -b "$JAR" -o /dev/null -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$PORT/dasbor/$code" >>"$DIR/times.txt"
done <"$DIR/pages.txt"
kill "$PID"; wait "$PID" 2>/dev/null || true
# The baseline: live figures per regency (inside the process), for up to 20 regencies.
: >"$DIR/live.txt"
# shellcheck disable=SC2086
for r in $(echo $REGENCIES | tr ' ' '\n' | awk 'NR <= 20'); do
  "$BIN" dasbor lihat "${STORE[@]}" --wilayah "$r" --langsung 2>&1 >/dev/null | awk '/^live_ms/ { print $2 }' >>"$DIR/live.txt"
done
python3 - "$DIR/times.txt" "$DIR/live.txt" "$PROFILE" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
bad = [r for r in rows if r[0] != "200"]
ms = sorted(float(r[1]) * 1000 for r in rows if r[0] == "200")
live = sorted(float(l) for l in open(sys.argv[2]) if l.strip())
p = lambda v, q: v[min(len(v) - 1, int(q * len(v)))]
if bad or not ms:
    print(f"dashboard pages: {len(bad)} of {len(rows)} failed: {bad[:3]}"); sys.exit(1)
print(f"| dashboard page from snapshot ({sys.argv[3]} build), {len(ms)} pages | p50 {p(ms, .5):.1f} ms | p95 {p(ms, .95):.1f} ms | max {ms[-1]:.1f} ms |")
if live:
    print(f"| baseline: live figures per regency ({sys.argv[3]} build), {len(live)} regencies | p50 {p(live, .5):.1f} ms | p95 {p(live, .95):.1f} ms | max {live[-1]:.1f} ms |")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
