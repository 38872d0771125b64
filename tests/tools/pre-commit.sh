#!/usr/bin/env bash
# The published pre-commit hooks, run by the real `pre-commit` (PyPI) in a scratch repository:
# the check hook passes on a fresh tree and fails on a hand edit; the build hook repairs it.
# Usage: tests/tools/pre-commit.sh   (needs git, cargo and the pinned pre-commit that
# tests/tools/install.sh puts in $FLEETC_TOOLS_DIR/bin, by default target/tools/bin; installs fleetc
# through pre-commit's Rust support, unoptimized, into target/pre-commit unless CARGO_TARGET_DIR is set)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tools="${FLEETC_TOOLS_DIR:-$repo/target/tools}"
[ -x "$tools/bin/pre-commit" ] \
  || { echo "$tools/bin/pre-commit missing: run tests/tools/install.sh (or scripts/test.sh) first" >&2; exit 1; }
export PATH="$tools/bin:$PATH"
# pre-commit installs the hook with `cargo install` (a release build). This test checks the
# hooks' wiring, not speed: build unoptimized, in a target directory of its own that later runs
# reuse.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target/pre-commit}"
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"

# pre-commit installs hooks from a Git revision: snapshot the working tree as one commit.
git clone --quiet --no-hardlinks "$repo" "$work/fleetc"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar cf - 2>/dev/null) | tar xf - -C "$work/fleetc"
git -C "$work/fleetc" -c user.name=t -c user.email=t@example.com add -A
git -C "$work/fleetc" -c user.name=t -c user.email=t@example.com commit --quiet --allow-empty -m snapshot
rev="$(git -C "$work/fleetc" rev-parse HEAD)"

mkdir "$work/fleet"
cd "$work/fleet"
git init --quiet -b main
cp -r "$repo/tests/fixtures/ok/minimal/." .
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $work/fleetc
    rev: $rev
    hooks:
      - id: fleetc-build
      - id: fleetc-check
YAML
git add -A
fail() { echo "pre-commit test: $*" >&2; exit 1; }

# 1. The tree is not built yet: the build hook writes it and fails the run, asking to stage it.
if pre-commit run --all-files > "$work/out1" 2>&1; then cat "$work/out1"; fail "first run should fail"; fi
grep -q "stage it and commit again" "$work/out1" || { cat "$work/out1"; fail "build hook did not ask to stage"; }
[ -f fleet/gitrepos/podinfo-dev.yaml ] || fail "generated tree missing"

# 2. With the generated tree staged, both hooks pass.
git add -A
pre-commit run --all-files > "$work/out2" 2>&1 || { cat "$work/out2"; fail "hooks fail on a fresh tree"; }

# 3. A hand edit of a generated file: check fails and names the file; build repairs it.
sed -i 's/branch: main/branch: hotfix/' fleet/gitrepos/podinfo-dev.yaml
git add -A
if pre-commit run fleetc-check --all-files > "$work/out3" 2>&1; then cat "$work/out3"; fail "check passed a hand edit"; fi
grep -q "fleet/gitrepos/podinfo-dev.yaml" "$work/out3" || { cat "$work/out3"; fail "check did not name the file"; }
pre-commit run fleetc-build --all-files > /dev/null 2>&1 || true
grep -q "branch: main" fleet/gitrepos/podinfo-dev.yaml || fail "build did not repair the hand edit"
echo "pre-commit hooks: ok (3 scenarios)"
