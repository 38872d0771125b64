#!/usr/bin/env bash
# Bounded fuzz smoke run of the loader: seeds from the example and every fixture, then
# libFuzzer for a fixed time. Fails on any crash, hang (> 10 s per input) or > 2 GiB RSS.
# Usage: tests/fuzz/smoke.sh [SECONDS]   (default 60; needs cargo-fuzz, which .ci/run installs with
# `cargo install --locked cargo-fuzz --version 0.13.2`, and a C++ compiler)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
i=0
for f in examples/fleet/fleetc.yaml tests/fixtures/*/*/fleetc.yaml tests/fixtures/hostile/*.yaml; do
  i=$((i + 1)); cp "$f" "$corpus/seed-$i.yaml"
done
# One seed past 64 KiB (a fleet of 2,000 clusters), so inputs of real size are explored too.
{
  printf 'version: 1\nfleet: {repo: https://g.example/x.git, branch: main}\nenvironments: [{name: e, tier: staging}]\nclusters:\n'
  for n in $(seq 1 2000); do printf '  - {name: c-%d, environment: e, region: r-%d}\n' "$n" $((n % 7)); done
  printf 'apps:\n  - name: a\n    namespace: a\n    source: {helm: {repo: https://c.example, chart: a, version: 1.0.0}}\n    targets: [{environment: e}]\n'
} > "$corpus/seed-large.yaml"
# The build uses tests/fuzz/Cargo.lock as committed. cargo-fuzz has no --locked to pass through
# to its `cargo build`, so check first that the lock needs no change: the build then uses it as is.
cargo metadata --locked --manifest-path tests/fuzz/Cargo.toml --format-version 1 >/dev/null \
  || { echo "smoke: tests/fuzz/Cargo.lock is stale (fleetc's dependencies changed?): run" \
         "\`cargo update --workspace --manifest-path tests/fuzz/Cargo.toml\` and commit it" >&2; exit 1; }
# --dev: a debug build compiles in a third of the time, which matters more in CI than
# executions per second. No sanitizer: the crate forbids unsafe code, so the run hunts panics,
# hangs and blow-ups; and with `--sanitizer none` cargo-fuzz passes rustc only stable flags
# (-Cpasses=sancov-module, -Cllvm-args=...), so the stable toolchain builds it. (The default
# address sanitizer would add -Zsanitizer=address, which needs nightly.) libFuzzer itself is C++,
# built by libfuzzer-sys with the system's C++ compiler.
cargo fuzz run --dev --fuzz-dir tests/fuzz --sanitizer none load "$corpus" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 -len_control=20 -print_final_stats=1
