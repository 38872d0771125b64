#!/usr/bin/env bash
# The test command for any machine, fresh or not: installs the pinned test oracles that are
# missing (tests/tools/install.sh: PyPI and npm tools into target/tools, kubectl, promtool), puts
# them first on PATH, then runs `cargo test --locked` with the arguments given.
#   scripts/test.sh                     # everything
#   scripts/test.sh conformance::       # any cargo test arguments (here: a test-name filter)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/tools/install.sh
. tests/tools/install.sh || exit 1
exec cargo test --locked "$@"
