#!/bin/sh
# bench_engine.sh: the cost of running pipelines, end to end through
# `weft run` (process start, validation, planning, one child process per
# step, the workspace writes).
#
#     bench/bench_engine.sh          # REPS=5 by default
#
# On a registered 1,000-row table it runs a 50-node pipeline of light steps
# (a dataset node, then 49 split-data steps, each taking 99.9% of the rows
# of the one before in a new random order, so that every step makes a new
# table) in two shapes:
#   chain  every step depends on the previous one: 50 steps one after the
#          other, the worst case for per-step overhead;
#   fan    the 49 steps all read the dataset: independent, run --jobs at
#          a time.
# For each it prints the median wall time of a first run in a new workspace
# (every step runs and writes its artifacts), of a --no-cache run (every step
# runs; its artifacts are already there), of a fully cached run (every step
# reused), and the per-step overhead of the chain: its first-run wall time
# over its 50 steps. Targets: a run under 1 s, a cached run under 50 ms.
#
# There is no peer figure: the products weft answers (the Azure ML designer,
# Kubeflow) start a container or a job per step, seconds each, and cannot
# run on this machine.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench-engine}
REPS=${REPS:-5}
WEFT="$BUILD/weft"

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_SANITIZE=OFF \
    -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target weft -j2 >/dev/null

WORK=$(mktemp -d /tmp/weft-bench-engine-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export WEFT_NO_SAMPLES=1
WS="$WORK/ws"

# The table: 1,000 rows of an id, two numbers and a category.
awk 'BEGIN {
    print "id,x,y,group"
    for (i = 1; i <= 1000; i++)
        printf "%d,%.3f,%.3f,%s\n", i, (i * 37 % 1000) / 10.0, (i * 91 % 997) / 7.0, \
            substr("abcde", i % 5 + 1, 1)
}' >"$WORK/table.csv"

# fresh: a new workspace holding only the table.
fresh() {
    rm -rf "$WS"
    "$WEFT" --workspace "$WS" import "$WORK/table.csv" --name bench >/dev/null
}

# pipeline SHAPE FILE: the 50-node pipeline.
pipeline() {
    awk -v shape="$1" 'BEGIN {
        print "{\"format\": \"weft.pipeline/1\", \"name\": \"bench-" shape "\", \"nodes\": ["
        print " {\"id\": \"data\", \"module\": \"dataset@1\", \"params\": {\"dataset\": \"bench\"}}"
        for (i = 1; i <= 49; i++)
            printf ",{\"id\": \"s%d\", \"module\": \"split-data@1\", \"params\": " \
                "{\"fraction\": 0.999, \"seed\": %d}}\n", i, i
        print "], \"edges\": ["
        for (i = 1; i <= 49; i++) {
            from = (shape == "chain" && i > 1) ? sprintf("s%d.first", i - 1) : "data.dataset"
            printf "%s{\"from\": \"%s\", \"to\": \"s%d.dataset\"}\n", (i > 1 ? "," : ""), from, i
        }
        print "]}"
    }' >"$2"
}

now() { date +%s.%N; }

# timed ARGS...: seconds one `weft run` takes.
timed() {
    t0=$(now)
    "$WEFT" --workspace "$WS" run "$@" >"$WORK/out" 2>&1 || { cat "$WORK/out"; exit 1; }
    t1=$(now)
    echo "$t1 - $t0" | bc -l
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "weft run, 50-node pipelines on a 1,000-row table; $(nproc) cores, median of $REPS"
for shape in chain fan; do
    pipeline "$shape" "$WORK/$shape.json"
    : >"$WORK/new"
    : >"$WORK/cold"
    : >"$WORK/cached"
    i=0
    while [ "$i" -lt "$REPS" ]; do
        fresh
        timed "$WORK/$shape.json" >>"$WORK/new"
        timed "$WORK/$shape.json" --no-cache >>"$WORK/cold"
        timed "$WORK/$shape.json" >>"$WORK/cached"
        i=$((i + 1))
    done
    grep -q "reused" "$WORK/out" || { echo "the cached run reused nothing"; exit 1; }
    new=$(median <"$WORK/new")
    cold=$(median <"$WORK/cold")
    cached=$(median <"$WORK/cached")
    ms() { echo "$1 * 1000" | bc -l; }
    printf "%-6s first run %7.1f ms   --no-cache %7.1f ms (target < 1000)   cached %6.1f ms" \
        "$shape" "$(ms "$new")" "$(ms "$cold")" "$(ms "$cached")"
    printf " (target < 50)\n"
    if [ "$shape" = chain ]; then
        printf "%-6s per-step overhead %.1f ms (first-run chain wall time / 50 steps)\n" "" \
            "$(echo "$new * 1000 / 50" | bc -l)"
    fi
done
