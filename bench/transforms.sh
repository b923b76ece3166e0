#!/bin/sh
# transforms.sh: the fitted-transform benchmark. Normalize Data (zscore) and
# Clean Missing Data (replace with mean) in weft, each module's run called on
# an in-memory table (bench_transforms), against the same operations in
# pandas from Debian's /usr/bin/python3 on an in-memory DataFrame of the
# same values, in the same run:
#
#     (df - df.mean()) / df.std()        # zscore, sample std as weft's
#     df.fillna(df.mean())               # clean missing with the mean
#
#     bench/transforms.sh                # 1,000,000 x 20, REPS=5
#     ROWS=200000 REPS=9 bench/transforms.sh
#
# It builds bench_transforms in $BUILD (Release, no sanitizers; default
# build-bench). The table is 20 numeric columns of normal values with about
# 2% missing per column, from SplitMix64 seeded with 42; bench_transforms
# writes it as raw float64 for pandas, so both work on the same numbers.
# Each side prints the median of REPS timings, taken inside its process
# (neither pays for start-up or loading), as wall-clock time and as the
# process's CPU time (steadier when other work shares the cores); the
# ratios are pandas / weft.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
ROWS=${ROWS:-1000000}
COLS=${COLS:-20}
REPS=${REPS:-5}
PY=/usr/bin/python3

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_SANITIZE=OFF \
    -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target bench_transforms -j2 >/dev/null

RAW=$(mktemp /tmp/weft-transforms-XXXXXX.f64)
trap 'rm -f "$RAW"' EXIT

W=$("$BUILD/bench_transforms" "$ROWS" "$COLS" "$REPS" "$RAW")
P=$("$PY" - "$RAW" "$ROWS" "$COLS" "$REPS" <<'PYEOF'
import statistics, sys, time
import numpy as np, pandas as pd
path, rows, cols, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
values = np.fromfile(path, dtype="<f8").reshape(cols, rows).T
df = pd.DataFrame(values, columns=["x%d" % (j + 1) for j in range(cols)])
def median_time(f):
    wall, cpu = [], []
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        out = f()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
        del out
    return statistics.median(wall), statistics.median(cpu)
z, zc = median_time(lambda: (df - df.mean()) / df.std())
c, cc = median_time(lambda: df.fillna(df.mean()))
# Select every other column by name (a copy, as weft's output is); split
# 70% of the rows at random into two frames.
picked = list(df.columns[::2])
s, sc = median_time(lambda: df[picked].copy())
def split():
    first = df.sample(frac=0.7, random_state=1)
    return first, df.drop(first.index)
p, pc = median_time(split)
print("normalize_zscore_s=%.4f clean_mean_s=%.4f normalize_zscore_cpu=%.4f clean_mean_cpu=%.4f "
      "select_s=%.4f select_cpu=%.4f split_s=%.4f split_cpu=%.4f "
      "pandas=%s numpy=%s" % (z, c, zc, cc, s, sc, p, pc, pd.__version__, np.__version__))
PYEOF
)

"$PY" - "$W" "$P" "$REPS" "$(nproc)" <<'PYEOF'
import sys
w = dict(kv.split("=") for kv in sys.argv[1].split())
p = dict(kv.split("=") for kv in sys.argv[2].split())
print("Fitted transforms: weft module run vs pandas %s (numpy %s), %s x %s numeric, "
      "median of %s, %s cores" % (p["pandas"], p["numpy"], w["rows"], w["columns"],
                                   sys.argv[3], sys.argv[4]))
print("%-38s %10s %10s %8s %10s %10s %8s" % ("operation", "weft", "pandas", "ratio",
                                               "weft cpu", "pandas cpu", "ratio"))
for key, name in (("normalize_zscore", "normalize-data zscore"),
                  ("clean_mean", "clean-missing-data replace-with-mean"),
                  ("select", "select-columns (10 of 20, by name)"),
                  ("split", "split-data (0.7, randomised)")):
    a, b = float(w[key + "_s"]), float(p[key + "_s"])
    ac, bc = float(w[key + "_cpu"]), float(p[key + "_cpu"])
    print("%-38s %9.6fs %9.3fs %7.1fx %9.6fs %9.3fs %7.1fx" % (name, a, b, b / max(a, 1e-9), ac, bc, bc / max(ac, 1e-9)))
PYEOF
