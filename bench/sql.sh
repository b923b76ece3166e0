#!/bin/sh
# sql.sh: the Apply SQL Transformation benchmark. A GROUP BY with
# aggregates over a 1,000,000 x 20 table, run by apply-sql-transformation@1
# (bench_sql) and by pandas' groupby from Debian's /usr/bin/python3, on the
# same table, in the same run, repetitions interleaved.
#
#     bench/sql.sh            # REPS=5 by default
#
# The table: a group key g (integer, 100 values) and 19 numeric columns
# x1..x19 (normal, seed 20240601), written once as native and CSV files in
# build-bench-sql/data. Both sides read their file before the clock starts:
# weft's time is the whole step (loading the table into an in-memory SQLite
# database, then the query), printed with the loading alone beside it;
# pandas' time is the groupby. Both print the number of groups, which must
# agree. Wall and CPU seconds are both reported: on a busy machine the CPU
# seconds say what the work costs.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench-sql}
DATA=${DATA:-$BUILD/data}
REPS=${REPS:-5}
PY=/usr/bin/python3

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_SANITIZE=OFF \
    -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target bench_sql -j2 >/dev/null

mkdir -p "$DATA"
if [ ! -f "$DATA/groups.csv" ]; then
    "$PY" - "$DATA/groups.csv" <<'EOF'
import sys
import numpy as np, pandas as pd
rng = np.random.default_rng(20240601)
n = 1_000_000
d = {"g": rng.integers(0, 100, n)}
for i in range(1, 20):
    d["x%d" % i] = rng.normal(0.0, 1000.0, n).round(5)
pd.DataFrame(d).to_csv(sys.argv[1], index=False)
EOF
fi

QUERY="SELECT g, COUNT(*) AS n, AVG(x1) AS mean_x1, SUM(x2) AS sum_x2, MIN(x3) AS min_x3,
 MAX(x4) AS max_x4, AVG(x5) AS mean_x5, SUM(x6) AS sum_x6 FROM t1 GROUP BY g ORDER BY g"

PANDAS='
import sys, time
import pandas as pd
d = pd.read_csv(sys.argv[1])
reps = int(sys.argv[2])
for _ in range(reps):
    t, c = time.perf_counter(), time.process_time()
    r = d.groupby("g").agg(n=("x1", "size"), mean_x1=("x1", "mean"), sum_x2=("x2", "sum"),
                           min_x3=("x3", "min"), max_x4=("x4", "max"), mean_x5=("x5", "mean"),
                           sum_x6=("x6", "sum")).reset_index()
    print("%.4f %.4f %d" % (time.perf_counter() - t, time.process_time() - c, len(r)))
'

RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
echo "Apply SQL Transformation: GROUP BY over 1,000,000 x 20, weft (SQLite $(pkg-config \
--modversion sqlite3)) vs pandas $("$PY" -c 'import pandas; print(pandas.__version__)'), \
$REPS repetitions, $(nproc) cores"
# Each side loads its table once and repeats in-process; the two sides
# alternate in rounds of one repetition so both see the same machine.
i=0
while [ "$i" -lt "$REPS" ]; do
    "$BUILD/bench_sql" "$DATA/groups.csv" "$QUERY" 1 | sed 's/^/weft /' >>"$RESULTS"
    "$PY" -c "$PANDAS" "$DATA/groups.csv" 1 | sed 's/^/pandas /' >>"$RESULTS"
    i=$((i + 1))
done

"$PY" - "$RESULTS" <<'EOF'
import re, statistics, sys
w = {"seconds": [], "load_seconds": [], "cpu_seconds": [], "load_cpu_seconds": []}
p, pc, groups = [], [], set()
for line in open(sys.argv[1]):
    if line.startswith("weft "):
        m = dict(re.findall(r"(\w+)=([0-9.]+)", line))
        for k in w:
            w[k].append(float(m[k]))
        groups.add(("weft", int(m["rows"])))
    else:
        _, t, c, n = line.split()
        p.append(float(t))
        pc.append(float(c))
        groups.add(("pandas", int(n)))
med = {k: statistics.median(v) for k, v in w.items()}
wall, cpu = med["seconds"], med["cpu_seconds"]
print("weft apply-sql-transformation: %.3f s wall, %.3f s CPU (loading the table into SQLite: "
      "%.3f s wall, %.3f s CPU)" % (wall, cpu, med["load_seconds"], med["load_cpu_seconds"]))
print("pandas groupby:                %.3f s wall, %.3f s CPU"
      % (statistics.median(p), statistics.median(pc)))
print("ratio (weft / pandas):         %.1fx wall, %.1fx CPU"
      % (wall / statistics.median(p), cpu / statistics.median(pc)))
print("groups:", ", ".join("%s %d" % g for g in sorted(groups)))
EOF
