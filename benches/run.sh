#!/usr/bin/env bash
# Scaling benchmark: wall time and peak memory of `fleetc build` (into an empty tree) and
# `fleetc check` (against the built tree), for synthetic fleets of growing size.
#
#   benches/run.sh            full matrix, 5 runs each, medians (writes a Markdown table)
#   benches/run.sh --quick    the smallest size once, debug build: keeps the harness working in CI
#
# Needs GNU time (/usr/bin/time, Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1
if [ "$quick" = 1 ]; then
  # Only keeps the harness working: a debug build (which `cargo test` already compiled)
  # instead of minutes of release compilation. Its numbers mean nothing.
  sizes=("10 5"); runs=1; profile=debug
  cargo build --quiet --bin fleetc --example generate-fleet
else
  sizes=("10 5" "100 20" "1000 20" "1000 50" "10000 20"); runs=5; profile=release
  cargo build --release --quiet --bin fleetc --example generate-fleet
fi
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }

bin="$PWD/target/$profile/fleetc"
gen="$PWD/target/$profile/examples/generate-fleet"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Median of the numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# Runs a command under GNU time; prints "seconds kib".
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  cat "$work/time"
}

echo "| clusters | apps | spec | files | .gitlab-ci.yml | build median (s) | build peak RSS (MiB) | check median (s) | check peak RSS (MiB) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for size in "${sizes[@]}"; do
  set -- $size; n=$1; m=$2
  fleet="$work/fleet-$n-$m"
  "$gen" --clusters "$n" --apps "$m" --out "$fleet"
  spec_kib=$(( $(stat -c %s "$fleet/fleetc.yaml") / 1024 ))
  : > "$work/b"; : > "$work/c"
  for _ in $(seq "$runs"); do
    rm -rf "$fleet/out"; mkdir -p "$fleet/out"; cp -r "$fleet/apps" "$fleet/out/" 2>/dev/null || true
    measure "$bin" build --spec "$fleet/fleetc.yaml" --out "$fleet/out" >> "$work/b"
    measure "$bin" check --spec "$fleet/fleetc.yaml" --out "$fleet/out" >> "$work/c"
  done
  files=$(grep -vc '^#' "$fleet/out/.fleetc-manifest")
  ci_kib=$(( $(stat -c %s "$fleet/out/.gitlab-ci.yml") / 1024 ))
  bt=$(cut -d' ' -f1 "$work/b" | median); bm=$(cut -d' ' -f2 "$work/b" | median)
  ct=$(cut -d' ' -f1 "$work/c" | median); cm=$(cut -d' ' -f2 "$work/c" | median)
  awk -v n="$n" -v m="$m" -v s="$spec_kib" -v f="$files" -v ci="$ci_kib" -v bt="$bt" -v bm="$bm" -v ct="$ct" -v cm="$cm" \
    'BEGIN { printf "| %s | %s | %s KiB | %s | %s KiB | %s | %.0f | %s | %.0f |\n", n, m, s, f, ci, bt, bm / 1024, ct, cm / 1024 }'
done
