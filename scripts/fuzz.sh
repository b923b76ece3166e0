#!/usr/bin/env bash
# Runs every fuzz harness for N seconds on a scratch copy of its corpus
# (tests/fuzz/<name>/), and fails on the first crash, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
seconds=${2:-60}
status=0
for harness in "$build"/fuzz_*; do
  [ -x "$harness" ] || continue
  name=$(basename "$harness" | sed 's/^fuzz_//')
  scratch=$(mktemp -d)
  cp -r tests/fuzz/"$name"/. "$scratch"/ 2>/dev/null || true
  echo "fuzz: $name for ${seconds}s"
  if ! "$harness" "$scratch" -max_total_time="$seconds" -rss_limit_mb=2048 \
       -artifact_prefix="$build/crash-$name-" >"$build/fuzz-$name.log" 2>&1; then
    echo "fuzz: $name failed; see $build/fuzz-$name.log" >&2
    tail -30 "$build/fuzz-$name.log" >&2
    status=1
  else
    grep -aE '^#[0-9]+[[:space:]]+DONE' "$build/fuzz-$name.log" | tail -1 || true
  fi
  rm -rf "$scratch"
done
exit $status
