#!/bin/sh
# ml_trees.sh: the boosted-trees benchmark. weft's ml_trees_fit and
# ml_trees_predict (bench_ml_trees) against python xgboost from Debian's
# /usr/bin/python3, on the same data with the same parameters, in the same
# run, repetitions interleaved so both see the same machine.
#
#     bench/ml_trees.sh              # REPS=1, THREADS=0 (every core)
#     REPS=3 THREADS=2 bench/ml_trees.sh
#
# Data: bench/gen_classification.py writes a 1,000,000 x 20 binary
# classification table to train on (seed 1) and another 1,000,000 rows to
# score (seed 2), once, into $DATA. Both sides train 100 rounds of depth-6
# trees (tree_method=hist, eta 0.3, min_child_weight 1, lambda 1) on every
# training row and score every test row. Times are taken inside each process
# after the CSV is read: fit covers building XGBoost's DMatrix from the
# row-major double matrix and boosting (python: xgb.DMatrix + xgb.train);
# scoring is weft's chunked in-place prediction (python: inplace_predict).
# It prints the median seconds of each, the AUC of each on the scored rows,
# the fit ratio (weft time / python time; the target is at most 1.1) and
# weft's scoring rate in rows/s (the target is at least 1,000,000). It also
# prints CPU seconds (all threads): on a machine shared with other work the
# wall-clock figures mostly measure waiting for a core.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
DATA=${DATA:-$BUILD/data}
REPS=${REPS:-1}
THREADS=${THREADS:-0}
PY=/usr/bin/python3

mkdir -p "$DATA"
[ -f "$DATA/classification.csv" ] || "$PY" "$ROOT/bench/gen_classification.py" \
    "$DATA/classification.csv" 1000000 1
[ -f "$DATA/classification_test.csv" ] || "$PY" "$ROOT/bench/gen_classification.py" \
    "$DATA/classification_test.csv" 1000000 2
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_SANITIZE=OFF \
    -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target bench_ml_trees -j2 >/dev/null

PEER='
import sys, time
import pandas, xgboost
from sklearn.metrics import roc_auc_score
train, test, threads = pandas.read_csv(sys.argv[1]), pandas.read_csv(sys.argv[2]), int(sys.argv[3])
features = [c for c in train.columns if c != "label"]
X, y = train[features].to_numpy(), train["label"].to_numpy()
Xt, yt = test[features].to_numpy(), test["label"].to_numpy()
params = dict(tree_method="hist", objective="binary:logistic", eta=0.3, max_depth=6,
              min_child_weight=1, subsample=1, colsample_bynode=1, reg_lambda=1, seed=0,
              nthread=threads)
c0, t0 = time.process_time(), time.perf_counter()
booster = xgboost.train(params, xgboost.DMatrix(X, label=y, nthread=threads), 100)
t1, c1 = time.perf_counter(), time.process_time()
p = booster.inplace_predict(Xt)
t2, c2 = time.perf_counter(), time.process_time()
print("fit_seconds=%.3f fit_cpu=%.3f predict_seconds=%.3f predict_cpu=%.3f rows_per_s=%.0f "
      "auc=%.5f" % (t1 - t0, c1 - c0, t2 - t1, c2 - c1, len(Xt) / (t2 - t1), roc_auc_score(yt, p)))
'

RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT

echo "Boosted trees: weft ml_trees vs python xgboost" \
    "$("$PY" -c 'import xgboost; print(xgboost.__version__)'), 1,000,000 x 20 rows," \
    "100 trees of depth 6, $REPS repetitions, THREADS=$THREADS on $(nproc) cores"
i=0
while [ "$i" -lt "$REPS" ]; do
    echo "weft $("$BUILD/bench_ml_trees" "$DATA/classification.csv" \
        "$DATA/classification_test.csv" "$THREADS")" >>"$RESULTS"
    echo "python $("$PY" -c "$PEER" "$DATA/classification.csv" \
        "$DATA/classification_test.csv" "$THREADS")" >>"$RESULTS"
    i=$((i + 1))
done

"$PY" - "$RESULTS" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    who, *fields = line.split()
    runs.setdefault(who, []).append(dict((k, float(v)) for k, v in (f.split("=") for f in fields)))
med = {who: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for who, rs in runs.items()}
w, p = med["weft"], med["python"]
print("fit     weft %7.2f s   python %7.2f s   ratio %.2fx (weft / python)"
      % (w["fit_seconds"], p["fit_seconds"], w["fit_seconds"] / p["fit_seconds"]))
print("fit CPU weft %7.2f s   python %7.2f s   ratio %.2fx"
      % (w["fit_cpu"], p["fit_cpu"], w["fit_cpu"] / p["fit_cpu"]))
print("AUC     weft %.5f    python %.5f    difference %.5f"
      % (w["auc"], p["auc"], w["auc"] - p["auc"]))
print("score   weft %7.3f s (%.0f rows/s, %.2f CPU s)   python %7.3f s (%.0f rows/s, %.2f CPU s)"
      % (w["predict_seconds"], w["rows_per_s"], w["predict_cpu"], p["predict_seconds"],
         p["rows_per_s"], p["predict_cpu"]))
EOF
