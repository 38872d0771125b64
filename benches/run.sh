#!/usr/bin/env bash
# Scaling benchmark: wall time and peak memory of `fleetc build` (into a fresh tree, and again
# with nothing changed) and `fleetc check`, on tmpfs and on the disk, for synthetic fleets of
# two shapes (benches/generate.rs): `realistic` (environment, region and a few cluster
# overrides, Helm and kustomize apps, agents, pipeline, alerts) and `worst` (issue #13: an
# override per cluster per app, so an overlay per cluster per app).
#
#   benches/run.sh            full matrix, medians with min-max (writes a Markdown table), then
#                             the language server's latency (benches/lsp.py)
#   benches/run.sh --quick    the smallest size of each shape once, debug build: keeps the
#                             harness working in CI; its numbers mean nothing
#
# Needs GNU time (/usr/bin/time, Debian package `time`). The side-by-side comparison with
# jrsonnet and cp -r is benches/side-by-side.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1
if [ "$quick" = 1 ]; then
  sizes=("realistic 10 5" "worst 10 5"); profile=debug
  cargo build --quiet --bin fleetc --example generate-fleet
else
  sizes=("realistic 10 5" "realistic 100 20" "realistic 1000 20" "realistic 10000 20"
         "worst 400 25" "worst 2000 25" "worst 10000 25")
  profile=release
  cargo build --release --quiet --bin fleetc --example generate-fleet
fi
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }

bin="$PWD/target/$profile/fleetc"
gen="$PWD/target/$profile/examples/generate-fleet"
# tmpfs where there is one (else the disk twice); the disk under target/.
mem_root=/dev/shm
{ [ -d "$mem_root" ] && [ -w "$mem_root" ]; } || mem_root="$PWD/target"
mem="$(mktemp -d "$mem_root/fleetc-bench.XXXXXX")"
disk="$(mktemp -d "$PWD/target/bench-disk.XXXXXX")"
trap 'rm -rf "$mem" "$disk"' EXIT

median() { sort -n | awk '{t[NR]=$1} END {n=NR; print (n % 2) ? t[(n+1)/2] : (t[n/2] + t[n/2+1]) / 2}'; }
# "median (min-max)" seconds, then median MiB, of a file of "seconds kib" lines.
secs() { cut -d' ' -f1 "$1" | sort -n | awk '{t[NR]=$1} END {n=NR; m=(n % 2) ? t[(n+1)/2] : (t[n/2] + t[n/2+1]) / 2; if (n > 1) printf "%.2f (%.2f-%.2f)", m, t[1], t[n]; else printf "%.2f", m}'; }
mib() { cut -d' ' -f2 "$1" | median | awk '{printf "%.0f", $1 / 1024}'; }

# Runs a command under GNU time; appends "seconds kib" to the file named first.
measure() {
  local into=$1; shift
  /usr/bin/time -f "%e %M" -o "$mem/time" "$@" >/dev/null 2>"$mem/err" || { cat "$mem/err" >&2; exit 1; }
  cat "$mem/time" >> "$into"
}
fresh() { # an empty output root holding the kustomize bases, as after a clone
  rm -rf "$1/out"; mkdir -p "$1/out"; cp -r "$1/apps" "$1/out/" 2>/dev/null || true
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| shape | clusters | apps | spec | files | build, fresh (s) | build MiB | nothing changed (s) | check (s) | check MiB | build on disk (s) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for size in "${sizes[@]}"; do
  set -- $size; shape=$1; n=$2; m=$3
  runs=5; [ "$n" -ge 10000 ] && runs=3; [ "$quick" = 1 ] && runs=1
  flags=(); [ "$shape" = worst ] && flags=(--worst-case)
  rm -rf "$mem/fleet" "$disk/fleet"
  "$gen" "${flags[@]}" --clusters "$n" --apps "$m" --out "$mem/fleet"
  spec_kib=$(( $(stat -c %s "$mem/fleet/fleetc.yaml") / 1024 ))
  on_disk=1; [ "$n" -ge 10000 ] && on_disk=0
  [ "$on_disk" = 1 ] && cp -r "$mem/fleet" "$disk/fleet"
  for f in b n c d; do : > "$mem/t.$f"; done
  for _ in $(seq "$runs"); do
    fresh "$mem/fleet"
    measure "$mem/t.b" "$bin" build --spec "$mem/fleet/fleetc.yaml" --out "$mem/fleet/out"
    measure "$mem/t.n" "$bin" build --spec "$mem/fleet/fleetc.yaml" --out "$mem/fleet/out"
    measure "$mem/t.c" "$bin" check --spec "$mem/fleet/fleetc.yaml" --out "$mem/fleet/out"
    if [ "$on_disk" = 1 ]; then
      fresh "$disk/fleet"; sync
      measure "$mem/t.d" "$bin" build --spec "$disk/fleet/fleetc.yaml" --out "$disk/fleet/out"
    fi
  done
  files=$(grep -vc '^#' "$mem/fleet/out/.fleetc-manifest")
  d="—"; [ "$on_disk" = 1 ] && d=$(secs "$mem/t.d")
  echo "| $shape | $n | $m | $spec_kib KiB | $files | $(secs "$mem/t.b") | $(mib "$mem/t.b") | $(secs "$mem/t.n") | $(secs "$mem/t.c") | $(mib "$mem/t.c") | $d |"
done

# The language server: the same compile once per pause in typing (benches/lsp.py).
if [ "$quick" = 1 ]; then lsp_sizes=("10 5"); edits=2; else lsp_sizes=("10 5" "100 20" "1000 20"); edits=10; fi
echo
echo "| fleetc lsp: clusters | apps | spec | open → diagnostics (ms) | edit → diagnostics after the 200 ms debounce (ms) | hover (ms) | completion (ms) |"
echo "|---:|---:|---|---:|---:|---:|---:|"
for size in "${lsp_sizes[@]}"; do
  set -- $size
  rm -rf "$mem/lsp"
  "$gen" --clusters "$1" --apps "$2" --out "$mem/lsp"
  echo "| $1 | $2 $(python3 benches/lsp.py "$bin" "$mem/lsp/fleetc.yaml" "$edits")"
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
