#!/usr/bin/env bash
# The intake benchmark in one command: builds Posko and the load generator in release mode and
# runs them on loopback. PostgreSQL is measured too when POSKO_BENCH_POSTGRES_URL is set (a
# database the benchmark may fill, e.g. postgres://postgres@127.0.0.1:5432/test). Settings:
# BENCH_CLIENTS (64), BENCH_SECONDS (15), BENCH_RATE (500), BENCH_RATE_SECONDS (10).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p posko-cli -p posko-bench-intake
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
POSKO_BIN=target/release/posko target/release/posko-bench-intake
