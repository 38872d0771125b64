#!/usr/bin/env bash
# Bounded fuzz smoke run of the loader: seeds from the example and every fixture, then
# libFuzzer for a fixed time. Fails on any crash, hang (> 10 s per input) or > 2 GiB RSS.
# Usage: tests/fuzz/smoke.sh [SECONDS]   (default 60; needs `cargo install cargo-fuzz`)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
i=0
for f in examples/fleet/fleetc.yaml tests/fixtures/*/*/fleetc.yaml tests/fixtures/hostile/*.yaml; do
  i=$((i + 1)); cp "$f" "$corpus/seed-$i.yaml"
done
# --dev: a debug build compiles in a third of the time, which matters more in CI than
# executions per second. cargo-fuzz needs unstable rustc flags; the stable toolchain accepts them this way. No
# sanitizer: the crate forbids unsafe code, so the run hunts panics, hangs and blow-ups.
export RUSTC_BOOTSTRAP=1
cargo fuzz run --dev --fuzz-dir tests/fuzz --sanitizer none load "$corpus" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
