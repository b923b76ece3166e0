#!/bin/sh
# selection.sh: model selection as a pipeline runs it (bench_selection)
# against scikit-learn from Debian's /usr/bin/python3, in the same run.
#
#     bench/selection.sh            # BUILD=build-bench by default
#
# 1. Cross Validate Model: 10 folds of Two-Class Logistic Regression (L2 = 1,
#    no L1) on the 1,000,000 x 20 table of bench/gen_classification.py (seed
#    1). weft runs twice: with OMP_NUM_THREADS=1 (one fold at a time: the
#    serial sum of the folds) and with the machine's budget (folds side by
#    side). Both print wall and CPU seconds; the target is about two cores'
#    worth of work at once. Each fold's logistic regression has threads of
#    its own (one per 32768 rows, up to the cores) in both runs. The peer is
#    scikit-learn's cross_val_score with LogisticRegression(C = 1) on 10
#    shuffled folds, n_jobs 1 and 2.
# 2. Tune Model Hyperparameters: 20 random runs of Two-Class Boosted Decision
#    Tree over 3 x 4 x 2 combinations (leaves 8/16/32, learning rate
#    0.05/0.1/0.2/0.4, trees 20/50, 10 rows per leaf), each cross-validated on
#    5 predefined folds (row r in fold r % 5 + 1) of a 100,000 x 20 table
#    (seed 3), ranked by AUC, then the best refitted on every row. The peer
#    is scikit-learn's RandomizedSearchCV over the same lists with python
#    xgboost's XGBClassifier at equal settings (hist, loss-guided leaves,
#    min_child_weight 2.5 = weft's 10 rows under logistic loss), the same
#    folds, 20 iterations, refit; n_jobs 1 (each fit on every core, as XGBoost
#    does by default). Times exclude reading the CSV on both sides.
set -eu
# As `weft run` starts every step: OpenMP threads (XGBoost's, OpenBLAS's)
# sleep instead of spinning while they wait, which on a loaded machine costs
# the spinning side many times its time. Both sides get it.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
DATA=${DATA:-$BUILD/data}
PY=/usr/bin/python3

mkdir -p "$DATA"
[ -f "$DATA/classification.csv" ] || "$PY" "$ROOT/bench/gen_classification.py" \
    "$DATA/classification.csv" 1000000 1
[ -f "$DATA/classification_100k.csv" ] || "$PY" "$ROOT/bench/gen_classification.py" \
    "$DATA/classification_100k.csv" 100000 3
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_SANITIZE=OFF \
    -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target bench_selection -j2 >/dev/null

CV_PEER='
import json, sys, time
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score
d = pd.read_csv(sys.argv[1])
x, y = d.drop(columns="label").to_numpy(), d["label"].to_numpy()
out = {}
for jobs in (1, 2):
    t0 = time.perf_counter()
    s = cross_val_score(LogisticRegression(C=1.0), x, y, scoring="roc_auc", n_jobs=jobs,
                        cv=KFold(10, shuffle=True, random_state=0))
    out["wall_s_jobs%d" % jobs] = time.perf_counter() - t0
    out["mean_auc"] = float(s.mean())
print(json.dumps(out))
'

TUNE_PEER='
import json, sys, time
import numpy as np, pandas as pd
import xgboost as xgb
from sklearn.model_selection import PredefinedSplit, RandomizedSearchCV
d = pd.read_csv(sys.argv[1])
x, y = d.drop(columns="label").to_numpy(), d["label"].to_numpy()
folds = PredefinedSplit(np.arange(len(y)) % 5)
space = {"max_leaves": [8, 16, 32], "learning_rate": [0.05, 0.1, 0.2, 0.4],
         "n_estimators": [20, 50]}
model = xgb.XGBClassifier(tree_method="hist", grow_policy="lossguide", max_depth=0,
                          min_child_weight=2.5, reg_lambda=1.0)
t0 = time.perf_counter()
s = RandomizedSearchCV(model, space, n_iter=20, scoring="roc_auc", cv=folds, refit=True,
                       random_state=0, n_jobs=1).fit(x, y)
print(json.dumps({"wall_s": time.perf_counter() - t0, "best_auc": float(s.best_score_),
                  "best": {k: float(v) for k, v in s.best_params_.items()}}))
'

echo "-- Cross Validate Model: 10 folds, logistic regression, 1,000,000 x 20"
serial=$(OMP_NUM_THREADS=1 "$BUILD/bench_selection" cv "$DATA/classification.csv")
parallel=$(env -u OMP_NUM_THREADS "$BUILD/bench_selection" cv "$DATA/classification.csv")
peer=$("$PY" -c "$CV_PEER" "$DATA/classification.csv")
"$PY" - "$serial" "$parallel" "$peer" "$(nproc)" <<'PYEOF'
import json, sys
s, p, q = (json.loads(a) for a in sys.argv[1:4])
cores = int(sys.argv[4])
print(f"weft, one fold at a time:   {s['wall_s']:.2f} s wall, {s['cpu_s']:.2f} s CPU "
      f"({s['cores_busy']:.2f} cores busy)")
print(f"weft, folds side by side:   {p['wall_s']:.2f} s wall, {p['cpu_s']:.2f} s CPU "
      f"({p['cores_busy']:.2f} cores busy, {cores} cores)")
print(f"weft speed-up over the serial sum of folds: {s['wall_s'] / p['wall_s']:.2f}x")
print(f"scikit-learn cross_val_score: n_jobs=1 {q['wall_s_jobs1']:.2f} s, "
      f"n_jobs=2 {q['wall_s_jobs2']:.2f} s; weft/peer (parallel vs n_jobs=2) "
      f"{p['wall_s'] / q['wall_s_jobs2']:.2f}x")
print(f"mean fold AUC: weft {p['mean_auc']:.4f}, scikit-learn {q['mean_auc']:.4f}")
PYEOF

echo "-- Tune Model Hyperparameters: 20 random runs of boosted trees, 5 folds, 100,000 x 20"
weft=$("$BUILD/bench_selection" tune "$DATA/classification_100k.csv")
peer=$("$PY" -c "$TUNE_PEER" "$DATA/classification_100k.csv")
"$PY" - "$weft" "$peer" <<'PYEOF'
import json, sys
w, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"weft: {w['wall_s']:.2f} s wall ({w['cores_busy']:.2f} cores busy), best mean AUC "
      f"{w['best_auc']:.4f} at {w['best']}")
print(f"RandomizedSearchCV + xgboost: {p['wall_s']:.2f} s, best mean AUC {p['best_auc']:.4f} "
      f"at {p['best']}")
print(f"ratio weft/peer: {w['wall_s'] / p['wall_s']:.2f}x")
PYEOF
