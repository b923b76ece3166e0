#!/bin/sh
# slurm.sh: what running steps on Slurm costs, against the local executor,
# on a one-node cluster on this machine (scripts/slurm-local, started here
# and stopped by PID at the end).
#
#     bench/slurm.sh          # REPS=3 by default
#
# On a registered 1,000-row table it runs, each with --no-cache so that
# every step really runs:
#   one    a pipeline of one step: the latency of a single job
#          (submission, scheduling, start, completion record, noticing it);
#   chain  20 light steps one after the other (split-data, as in
#          bench_engine.sh): the per-step dispatch overhead is
#          (Slurm's time - the local time) / 20;
#   fan    a dataset node and 12 light steps that all read it: how much of
#          the scheduling latency overlaps when steps are independent;
#   cars   the Azure designer's regression sample (examples/cars-regression.json
#          on the cars sample): the makespan of a real pipeline.
# It prints the median wall time of `weft run` for each, locally (--jobs 2)
# and on Slurm, and their ratio.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench-slurm}
REPS=${REPS:-3}
WEFT="$BUILD/weft"
CARS=${WEFT_SAMPLES_DIR:-$ROOT/.cache/samples}/cars.json

command -v sbatch >/dev/null || { echo "slurm.sh: Slurm is not installed (make deps)" >&2; exit 1; }
[ -s "$CARS" ] || { echo "slurm.sh: $CARS is missing (make deps)" >&2; exit 1; }

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_SANITIZE=OFF \
    -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target weft -j2 >/dev/null

WORK=$(mktemp -d /tmp/weft-bench-slurm-XXXXXX)
# munged runs as the munge user, which must reach the cluster's directory.
chmod 755 "$WORK"
export WEFT_SLURM_DIR="$WORK/cluster" WEFT_SLURM_PORT=${WEFT_SLURM_PORT:-6927}
cleanup() {
    "$ROOT/scripts/slurm-local" stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
SLURM_CONF=$("$ROOT/scripts/slurm-local" start 2>/dev/null)
export SLURM_CONF WEFT_NO_SAMPLES=1
WS="$WORK/ws"

awk 'BEGIN {
    print "id,x,y,group"
    for (i = 1; i <= 1000; i++)
        printf "%d,%.3f,%.3f,%s\n", i, (i * 37 % 1000) / 10.0, (i * 91 % 997) / 7.0, \
            substr("abcde", i % 5 + 1, 1)
}' >"$WORK/table.csv"
"$WEFT" --workspace "$WS" import "$WORK/table.csv" --name bench >/dev/null
"$WEFT" --workspace "$WS" import "$CARS" --name cars >/dev/null
"$WEFT" --workspace "$WS" compute add hpc --partition debug >/dev/null

# pipeline SHAPE STEPS: the dataset node, then STEPS split-data steps, in a
# chain or all reading the dataset.
pipeline() {
    awk -v shape="$1" -v n="$2" 'BEGIN {
        print "{\"format\": \"weft.pipeline/1\", \"name\": \"bench-" shape "\", \"nodes\": ["
        print " {\"id\": \"data\", \"module\": \"dataset@1\", \"params\": {\"dataset\": \"bench\"}}"
        for (i = 1; i <= n; i++)
            printf ",{\"id\": \"s%d\", \"module\": \"split-data@1\", \"params\": {\"fraction\": 0.999, \"seed\": %d}}\n", i, i
        print "], \"edges\": ["
        for (i = 1; i <= n; i++) {
            from = (shape == "chain" && i > 1) ? "s" (i - 1) ".first" : "data.dataset"
            printf "%s{\"from\": \"%s\", \"to\": \"s%d.dataset\"}\n", (i > 1 ? "," : ""), from, i
        }
        print "]}"
    }' >"$WORK/$1.json"
}
pipeline one 0
pipeline chain 20
pipeline fan 12
cp "$ROOT/examples/cars-regression.json" "$WORK/cars.json"

now() { date +%s.%N; }

# median SHAPE [ARGS...]: the median wall time of REPS runs, in seconds.
median() {
    shape=$1
    shift
    for r in $(seq "$REPS"); do
        t0=$(now)
        "$WEFT" --workspace "$WS" run "$WORK/$shape.json" --no-cache "$@" >/dev/null ||
            { echo "slurm.sh: the $shape run failed" >&2; exit 1; }
        t1=$(now)
        echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}'
    done | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

printf '%-8s %10s %10s %8s\n' pipeline "local (s)" "Slurm (s)" ratio
for shape in one chain fan cars; do
    l=$(median "$shape" --jobs 2)
    s=$(median "$shape" --compute hpc)
    printf '%-8s %10s %10s %7.1fx\n' "$shape" "$l" "$s" "$(echo "$s $l" | awk '{print $1 / $2}')"
    [ "$shape" = chain ] && chain_l=$l && chain_s=$s
done
echo
echo "$chain_l $chain_s" | awk '{printf "per-step dispatch overhead on Slurm: %.0f ms (chain of 20: (%.3f - %.3f) / 20)\n", ($2 - $1) / 20 * 1000, $2, $1}'
