#!/usr/bin/env bash
# Gathers the sample datasets into .cache/samples (git-ignored):
#   - the ARFF files of Debian's weka package (the .deb is downloaded and
#     unpacked; no Java is needed);
#   - files of the npm package vega-datasets.
# Does nothing when they are all there.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/samples
arff=(credit-g cpu diabetes iris soybean unbalanced ionosphere vote)
vega=(cars.json flights-20k.json airports.csv weather.csv seattle-weather.csv penguins.json)
VEGA_VERSION=2.8.1

need_weka=0 need_vega=0
for f in "${arff[@]}"; do [ -s "$dir/$f.arff" ] || need_weka=1; done
for f in "${vega[@]}"; do [ -s "$dir/$f" ] || need_vega=1; done
[ $need_weka = 0 ] && [ $need_vega = 0 ] && exit 0

mkdir -p "$dir"
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

if [ $need_weka = 1 ]; then
  echo "deps: fetching the weka package's ARFF files"
  if ! (cd "$work" && apt-get download -qq weka >/dev/null 2>&1); then
    apt-get update -qq >/dev/null 2>&1 || true
    (cd "$work" && apt-get download -qq weka >/dev/null 2>&1) \
      || { echo "deps: cannot download Debian's weka package" >&2; exit 1; }
  fi
  dpkg-deb -x "$work"/weka_*.deb "$work/weka"
  for f in "${arff[@]}"; do
    src="$work/weka/usr/share/doc/weka/examples/$f.arff"
    [ -f "$src" ] || src="$src.gz"
    case "$src" in
      *.gz) gzip -dc "$src" >"$dir/$f.arff.part" ;;
      *) cp "$src" "$dir/$f.arff.part" ;;
    esac
    mv "$dir/$f.arff.part" "$dir/$f.arff"
  done
fi

if [ $need_vega = 1 ]; then
  echo "deps: fetching vega-datasets@$VEGA_VERSION"
  (cd "$work" && npm pack --silent "vega-datasets@$VEGA_VERSION" >/dev/null 2>&1) \
    || { echo "deps: cannot fetch vega-datasets from npm" >&2; exit 1; }
  tar xzf "$work"/vega-datasets-*.tgz -C "$work"
  for f in "${vega[@]}"; do
    cp "$work/package/data/$f" "$dir/$f.part"
    mv "$dir/$f.part" "$dir/$f"
  done
fi
