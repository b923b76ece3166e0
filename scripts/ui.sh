#!/usr/bin/env bash
# Installs and builds the browser app (ui/), doing only what is out of date:
#
#   scripts/ui.sh deps     npm ci, when ui/node_modules is missing or
#                          ui/package-lock.json changed since the last install
#   scripts/ui.sh build    deps, then `npm run build` into ui/dist when a
#                          source file is newer than the last build
#
# `make deps` runs the first, `make build`, `make run` and `make test` the
# second; the UI test (tests/ui) runs it too, so it always tests a fresh
# build.
set -euo pipefail
cd "$(dirname "$0")/../ui"

lock_stamp=node_modules/.weft-lock.sha256
build_stamp=dist/.weft-build

deps() {
  local want have=""
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  [ -f "$lock_stamp" ] && have=$(cat "$lock_stamp")
  if [ ! -d node_modules ] || [ "$want" != "$have" ]; then
    echo "ui: npm ci"
    # Quiet on success; npm's own output when it fails.
    if ! out=$(npm ci --no-audit --no-fund 2>&1); then
      echo "$out" >&2
      exit 1
    fi
    echo "$want" >"$lock_stamp"
  fi
}

stale() {
  [ -f "$build_stamp" ] || return 0
  # Any source, config or lock file newer than the last build.
  [ -n "$(find src scripts index.html package.json package-lock.json tsconfig.json \
           tsconfig.node.json vite.config.ts ../examples ../samples \
           -newer "$build_stamp" -print -quit 2>/dev/null)" ]
}

build() {
  deps
  if stale; then
    echo "ui: building ui/dist"
    if ! out=$(npm run build 2>&1); then
      echo "$out" >&2
      exit 1
    fi
    # A warning in the build is a failure: the build stays clean.
    if grep -qiE '(^|[^a-z])(warn|warning)([^a-z]|$)' <<<"$out"; then
      echo "$out" >&2
      echo "ui: the build printed a warning" >&2
      exit 1
    fi
    touch "$build_stamp"
  fi
}

case "${1:-build}" in
  deps) deps ;;
  build) build ;;
  *) echo "usage: scripts/ui.sh [deps|build]" >&2; exit 2 ;;
esac
