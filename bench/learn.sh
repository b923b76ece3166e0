#!/bin/sh
# learn.sh: the learners as a pipeline runs them (Train Model and Score
# Model, bench_learn) against scikit-learn's LogisticRegression and python
# xgboost from Debian's /usr/bin/python3, in the same run, on the same
# 1,000,000 x 20 tables (bench/gen_classification.py: seed 1 to train, seed 2
# to score).
#
#     bench/learn.sh            # REPS=3
#
# Parameters are equal on both sides: logistic regression with L2 weight 1
# (scikit-learn C = 1) and no L1; boosted trees with 100 rounds, depth 6, up
# to 64 leaves, learning rate 0.3, hist, and the same minimum leaf hessian
# (weft's "one row per leaf" is min_child_weight 0.25 under logistic loss).
# Times exclude reading the CSV on both sides. Prints each side's median
# train and score seconds and AUC, the train ratios (targets: logistic no
# slower than scikit-learn, trees at most 1.1x xgboost), weft's scoring rates
# (targets: 5,000,000 rows/s logistic, 1,000,000 rows/s trees) and weft's
# peak memory growth while training as a multiple of the table (target 3x).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
DATA=${DATA:-$BUILD/data}
REPS=${REPS:-3}
PY=/usr/bin/python3

mkdir -p "$DATA"
[ -f "$DATA/classification.csv" ] || "$PY" "$ROOT/bench/gen_classification.py" \
    "$DATA/classification.csv" 1000000 1
[ -f "$DATA/classification_test.csv" ] || "$PY" "$ROOT/bench/gen_classification.py" \
    "$DATA/classification_test.csv" 1000000 2
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_SANITIZE=OFF \
    -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target bench_learn -j2 >/dev/null

PEER='
import json, statistics, sys, time
import numpy as np, pandas as pd
from sklearn.metrics import roc_auc_score
learner, train, test, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
tr, te = pd.read_csv(train), pd.read_csv(test)
xtr, ytr = tr.drop(columns="label").to_numpy(), tr["label"].to_numpy()
xte, yte = te.drop(columns="label").to_numpy(), te["label"].to_numpy()
fit, score = [], []
for _ in range(reps):
    if learner == "logistic":
        from sklearn.linear_model import LogisticRegression
        m = LogisticRegression(C=1.0)
        t0 = time.perf_counter(); m.fit(xtr, ytr); fit.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); p = m.predict_proba(xte)[:, 1]; score.append(time.perf_counter() - t0)
    else:
        import xgboost as xgb
        m = xgb.XGBClassifier(tree_method="hist", n_estimators=100, max_depth=6, max_leaves=64,
                              grow_policy="lossguide", learning_rate=0.3, min_child_weight=0.25)
        t0 = time.perf_counter(); m.fit(xtr, ytr); fit.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); p = m.predict_proba(xte)[:, 1]; score.append(time.perf_counter() - t0)
print(json.dumps({"train_s": statistics.median(fit), "score_s": statistics.median(score),
                  "auc": roc_auc_score(yte, p)}))
'

for learner in logistic trees; do
  weft=$("$BUILD/bench_learn" "$learner" "$DATA/classification.csv" "$DATA/classification_test.csv" "$REPS")
  peer=$("$PY" -c "$PEER" "$learner" "$DATA/classification.csv" "$DATA/classification_test.csv" "$REPS")
  "$PY" - "$learner" "$weft" "$peer" <<'PYEOF'
import json, sys
name, w, p = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
peer = "scikit-learn LogisticRegression" if name == "logistic" else "python xgboost"
print(f"{name}: weft train {w['train_s']:.3f} s, {peer} {p['train_s']:.3f} s, "
      f"ratio {w['train_s'] / p['train_s']:.2f}x")
print(f"{name}: AUC weft {w['auc']:.4f}, peer {p['auc']:.4f} (difference {w['auc'] - p['auc']:+.4f})")
print(f"{name}: weft Score Model {w['score_s']:.3f} s = {w['score_rows_per_s'] / 1e6:.2f} M rows/s; "
      f"peer predict {p['score_s']:.3f} s")
print(f"{name}: weft training peak memory growth {w['train_peak_growth_x']:.2f}x the table "
      f"({w['table_bytes'] / 1e6:.0f} MB)")
PYEOF
done
