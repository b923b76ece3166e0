#!/usr/bin/env bash
# Installs what weft needs and is missing, and nothing else; quiet and fast
# when everything is already there. Used by `make deps`, which every other
# target runs first.
#
#   scripts/deps.sh            build, test and run dependencies, sample data
#   scripts/deps.sh fuzz       also clang and its sanitizer runtimes
#   scripts/deps.sh bench      also hyperfine and wrk
# Python (pandas, scikit-learn, xgboost) is the tests' reference for the
# learners and the runtime of Execute Python Script, so it is always needed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake make gcc pkg-config libjansson-dev libsqlite3-dev libcmocka-dev
          libmicrohttpd-dev ca-certificates dpkg-dev libcurl4-openssl-dev
          libxgboost-dev liblinear-dev liblapacke-dev libopenblas-dev
          python3 python3-numpy python3-pandas python3-sklearn python3-xgboost python3-scipy
          chromium)
# The Slurm executor's tests run a one-node cluster (scripts/slurm-local).
packages+=(slurm-wlm munge)
# Node.js may come from elsewhere than Debian; any working node and npm will do.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
for extra in "$@"; do
  case "$extra" in
    fuzz)  packages+=(clang libclang-rt-14-dev) ;;
    bench) packages+=(hyperfine wrk) ;;
    *) echo "deps.sh: unknown extra '$extra'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "weft needs these Debian packages; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

scripts/ui.sh deps
exec scripts/samples.sh
