#!/usr/bin/env bash
# Side by side, by hand (not in CI): fleetc against jrsonnet writing the same fleet, and against
# a plain `cp -r` of fleetc's own output, on tmpfs and on the disk. Issue #13's shape: N
# clusters × M kustomize apps where every cluster overrides every app.
#
#   benches/side-by-side.sh [N] [M] [RUNS]      # defaults: 400 25 7
#
# Needs ../shared/bench (or FLEETC_SHARED=DIR holding bench/): the fleetc spec generator and
# the equivalent jsonnet. jrsonnet is taken from PATH, or installed from crates.io into
# target/tools (several minutes on 2 cores). GNU time (/usr/bin/time) measures wall time and
# peak memory. Runs are interleaved (fleetc, jrsonnet, cp, ...) so that a busy neighbour
# slows all three alike, the disk runs after the tmpfs ones; the table gives medians with min-max, and the load before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-400}; m=${2:-25}; runs=${3:-7}
shared=${FLEETC_SHARED:-../shared}
bench="$shared/bench"
[ -f "$bench/gen_fleetc_spec.py" ] && [ -f "$bench/peer-jsonnet/gen.jsonnet" ] \
  || { echo "side-by-side: $bench (gen_fleetc_spec.py, peer-jsonnet/) not found; set FLEETC_SHARED" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "side-by-side: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }

JRSONNET_VERSION=0.5.0-pre98
jrsonnet=$(command -v jrsonnet || true)
if [ -z "$jrsonnet" ]; then
  jrsonnet="$PWD/target/tools/jrsonnet/bin/jrsonnet"
  if [ ! -x "$jrsonnet" ]; then
    echo "installing jrsonnet $JRSONNET_VERSION (crates.io) into target/tools/jrsonnet" >&2
    cargo install --quiet --locked jrsonnet --version "$JRSONNET_VERSION" --root target/tools/jrsonnet
  fi
fi
cargo build --release --quiet --bin fleetc
fleetc="$PWD/target/release/fleetc"

# tmpfs where there is one; the disk under target/ (the file system the repository is on).
tmp_root=/dev/shm
[ -d "$tmp_root" ] && [ -w "$tmp_root" ] || { echo "side-by-side: no writable /dev/shm (tmpfs)" >&2; exit 1; }
mem="$(mktemp -d "$tmp_root/fleetc-bench.XXXXXX")"
disk="$(mktemp -d "$PWD/target/bench-disk.XXXXXX")"
trap 'rm -rf "$mem" "$disk"' EXIT

python3 "$bench/gen_fleetc_spec.py" "$n" "$m" "$mem/fleet" >/dev/null
cp -r "$mem/fleet" "$disk/fleet"

# Runs a command under GNU time; appends "seconds kib" to the file named first.
measure() {
  local into=$1; shift
  /usr/bin/time -f "%e %M" -o "$mem/time" "$@" >/dev/null 2>"$mem/err" || { cat "$mem/err" >&2; exit 1; }
  cat "$mem/time" >> "$into"
}
median() { sort -n | awk '{t[NR]=$1} END {n=NR; print (n % 2) ? t[(n+1)/2] : (t[n/2] + t[n/2+1]) / 2}'; }
# "median (min-max) s | median MiB" of a file of "seconds kib" lines.
stats() {
  local t k
  t=$(cut -d' ' -f1 "$1" | sort -n | awk '{t[NR]=$1} END {n=NR; med=(n % 2) ? t[(n+1)/2] : (t[n/2] + t[n/2+1]) / 2; printf "%.3f (%.3f-%.3f)", med, t[1], t[n]}')
  k=$(cut -d' ' -f2 "$1" | median)
  awk -v t="$t" -v k="$k" 'BEGIN { printf "%s | %.0f", t, k / 1024 }'
}

fresh() { # dir: an empty output root holding the kustomize bases, as after a clone
  rm -rf "$1/out"; mkdir "$1/out"; cp -r "$1/fleet/bases/." "$1/out/"
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for f in build jr cp nochange check disk_build disk_cp; do : > "$mem/t.$f"; done
for _ in $(seq "$runs"); do
  fresh "$mem"
  measure "$mem/t.build" "$fleetc" build --spec "$mem/fleet/fleetc.yaml" --out "$mem/out"
  measure "$mem/t.nochange" "$fleetc" build --spec "$mem/fleet/fleetc.yaml" --out "$mem/out"
  measure "$mem/t.check" "$fleetc" check --spec "$mem/fleet/fleetc.yaml" --out "$mem/out"
  rm -rf "$mem/jr"; mkdir "$mem/jr"
  measure "$mem/t.jr" "$jrsonnet" -S -m "$mem/jr" -c --ext-str "n=$n" --ext-str "m=$m" "$bench/peer-jsonnet/gen.jsonnet"
  rm -rf "$mem/copy"
  measure "$mem/t.cp" cp -r "$mem/out" "$mem/copy"
done
# On the disk, after the tmpfs runs (its write-back would compete with them for the CPU): a
# fresh build (made durable by fleetc), against cp -r and one sync.
for _ in $(seq "$runs"); do
  fresh "$disk"; sync
  measure "$mem/t.disk_build" "$fleetc" build --spec "$disk/fleet/fleetc.yaml" --out "$disk/out"
  rm -rf "$disk/copy"; sync
  measure "$mem/t.disk_cp" sh -c "cp -r '$disk/out' '$disk/copy' && sync"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
files=$(find "$mem/out" -type f | wc -l)

sec() { cut -d' ' -f1 "$1" | median; }
b=$(sec "$mem/t.build"); j=$(sec "$mem/t.jr"); c=$(sec "$mem/t.cp")
db=$(sec "$mem/t.disk_build"); dc=$(sec "$mem/t.disk_cp")
echo "$n clusters × $m apps, $files files; $runs runs each; load $load_before → $load_after"
echo
echo "| what | median (min-max) s | peak RSS MiB |"
echo "|---|---:|---:|"
echo "| fleetc build, fresh, tmpfs | $(stats "$mem/t.build") |"
echo "| fleetc build, nothing changed | $(stats "$mem/t.nochange") |"
echo "| fleetc check | $(stats "$mem/t.check") |"
echo "| jrsonnet $JRSONNET_VERSION, tmpfs | $(stats "$mem/t.jr") |"
echo "| cp -r of fleetc's output, tmpfs | $(stats "$mem/t.cp") |"
echo "| fleetc build, fresh, disk | $(stats "$mem/t.disk_build") |"
echo "| cp -r + sync, disk | $(stats "$mem/t.disk_cp") |"
echo
awk -v b="$b" -v j="$j" -v c="$c" -v db="$db" -v dc="$dc" 'BEGIN {
  printf "fleetc / jrsonnet: %.2f   fleetc / cp -r: %.2f   disk: fleetc / (cp -r + sync): %.2f\n", b / j, b / c, db / dc }'
