#!/bin/sh
# csv_import.sh: the CSV import benchmark. weft's tbl_read_csv (bench_csv)
# against pandas.read_csv from Debian's /usr/bin/python3, on the same files,
# in the same run, repetitions interleaved so both see the same machine.
#
#     bench/csv_import.sh            # REPS=5 by default
#     REPS=9 bench/csv_import.sh
#
# It builds bench_csv in build-bench (Release, no sanitizers), generates the
# data with bench/gen_csv.py if it is missing, and prints for each file the
# median seconds and MB/s of both, the ratio (weft speed / pandas speed),
# and weft's peak resident memory over the file size. Both timings are taken
# inside the process (file open to table in memory), so neither pays for
# process start-up or for importing pandas.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
DATA=${DATA:-$BUILD/data}
REPS=${REPS:-5}
PY=/usr/bin/python3

if [ ! -f "$DATA/numeric.csv" ] || [ ! -f "$DATA/mixed.csv" ]; then
    "$PY" "$ROOT/bench/gen_csv.py" "$DATA"
fi
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_SANITIZE=OFF \
    -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target bench_csv -j2 >/dev/null

PANDAS='
import resource, sys, time
import pandas
t = time.perf_counter()
df = pandas.read_csv(sys.argv[1])
t = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print("%.4f %d %d" % (t, peak, df.shape[0]))
'

RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT

echo "CSV import: weft tbl_read_csv vs pandas $("$PY" -c 'import pandas; print(pandas.__version__)')," \
    "$REPS repetitions, $(nproc) cores"
for name in numeric mixed; do
    file="$DATA/$name.csv"
    i=0
    while [ "$i" -lt "$REPS" ]; do
        w=$("$BUILD/bench_csv" "$file")
        wsec=$(echo "$w" | sed -n 's/^seconds=\([0-9.]*\).*/\1/p')
        wpeak=$(echo "$w" | sed -n 's/.*peak_over_file=\([0-9.]*\).*/\1/p')
        p=$("$PY" -c "$PANDAS" "$file")
        echo "$name $wsec $wpeak $p" >>"$RESULTS"
        i=$((i + 1))
    done
done

"$PY" - "$RESULTS" "$DATA" <<'EOF'
import os, statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for name in ("numeric", "mixed"):
    r = [x for x in rows if x[0] == name]
    size = os.path.getsize(os.path.join(sys.argv[2], name + ".csv")) / 1e6
    weft = statistics.median(float(x[1]) for x in r)
    peak = max(float(x[2]) for x in r)
    pandas = statistics.median(float(x[3]) for x in r)
    ppeak = max(int(x[4]) for x in r) / 1e6 / size
    print("%-8s %7.1f MB  weft %.3f s %7.1f MB/s  pandas %.3f s %6.1f MB/s  ratio %.1fx"
          "  peak RSS/file: weft %.2f pandas %.2f"
          % (name, size, weft, size / weft, pandas, size / pandas, pandas / weft, peak, ppeak))
EOF
