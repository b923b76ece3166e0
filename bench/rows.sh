#!/bin/sh
# rows.sh: the Join Data benchmark. weft's join-data@1 (bench_rows) against
# pandas.merge from Debian's /usr/bin/python3, in the same run: an inner join
# of 1,000,000 x 20 with 100,000 rows on one integer key, median of REPS.
#
#     bench/rows.sh            # REPS=5 by default
#     REPS=9 bench/rows.sh
#
# It builds bench_rows in $BUILD (default build-bench; Release, no
# sanitizers) and prints both medians and their ratio (target: weft >= 3x).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
REPS=${REPS:-5}

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_SANITIZE=OFF \
    -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target bench_rows -j2 >/dev/null
"$BUILD/bench_rows" "$REPS"
