#!/bin/sh
# learners3.sh: the learners of issue #6 as a pipeline runs them
# (bench_learners3: the learner, Train Model or Train Anomaly Detection
# Model, Score Model, Evaluate Model) against their scikit-learn peers from
# Debian's /usr/bin/python3, in the same run, on the same tables:
#
#   poisson     1,000,000 x 20 counts (bench/gen_counts.py)   PoissonRegressor(alpha=1e-3)
#   perceptron  1,000,000 x 20 binary (gen_classification.py) SGDClassifier(perceptron, average)
#   pca         1,000,000 x 20 binary, label dropped          PCA(2, randomized) + the score
#   network     100,000 x 20 binary                           MLPClassifier, equal settings
#   qforest     100,000 x 20 counts                           RandomForestRegressor, equal forest
#
# (seed 1 to train, seed 2 to score). Times exclude reading the CSV on both
# sides; medians of REPS. scikit-learn has no quantile forest: its peer is
# the plain forest with the same trees, leaves and sampling, which does not
# keep the leaves' labels or compute quantiles.
#
#     bench/learners3.sh            # REPS=3; BUILD=build-lrn-rel
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-lrn-rel}
DATA=${DATA:-$BUILD/data}
REPS=${REPS:-3}
PY=/usr/bin/python3

mkdir -p "$DATA"
gen() { # file generator rows seed
  [ -f "$DATA/$1" ] || "$PY" "$ROOT/bench/$2" "$DATA/$1" "$3" "$4"
}
gen counts.csv gen_counts.py 1000000 1
gen counts_test.csv gen_counts.py 1000000 2
gen counts_100k.csv gen_counts.py 100000 1
gen counts_100k_test.csv gen_counts.py 100000 2
gen classification.csv gen_classification.py 1000000 1
gen classification_test.csv gen_classification.py 1000000 2
gen classification_100k.csv gen_classification.py 100000 1
gen classification_100k_test.csv gen_classification.py 100000 2
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_SANITIZE=OFF \
    -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target bench_learners3 -j2 >/dev/null

PEER='
import json, statistics, sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np, pandas as pd
from sklearn.metrics import r2_score, roc_auc_score
learner, train, test, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
tr, te = pd.read_csv(train), pd.read_csv(test)
label = "count" if "count" in tr.columns else "label"
xtr, ytr = tr.drop(columns=label).to_numpy(), tr[label].to_numpy()
xte, yte = te.drop(columns=label).to_numpy(), te[label].to_numpy()
fit, score = [], []
for _ in range(reps):
    t0 = time.perf_counter()
    if learner == "poisson":
        from sklearn.linear_model import PoissonRegressor
        m = PoissonRegressor(alpha=1e-3).fit(xtr, ytr)
        fit.append(time.perf_counter() - t0); t0 = time.perf_counter()
        p = m.predict(xte); metric = r2_score(yte, p)
    elif learner == "perceptron":
        from sklearn.linear_model import SGDClassifier
        from sklearn.preprocessing import StandardScaler
        s = StandardScaler().fit(xtr)
        m = SGDClassifier(loss="perceptron", penalty=None, learning_rate="constant", eta0=1.0,
                          max_iter=10, tol=None, average=True, random_state=0).fit(s.transform(xtr), ytr)
        fit.append(time.perf_counter() - t0); t0 = time.perf_counter()
        metric = roc_auc_score(yte, m.decision_function(s.transform(xte)))
    elif learner == "network":
        from sklearn.neural_network import MLPClassifier
        from sklearn.preprocessing import MinMaxScaler
        s = MinMaxScaler().fit(xtr)
        m = MLPClassifier(hidden_layer_sizes=(100,), activation="logistic", solver="sgd",
                          learning_rate="constant", learning_rate_init=0.1, momentum=0.0,
                          batch_size=32, max_iter=10, alpha=0.0, tol=0.0, n_iter_no_change=11,
                          shuffle=True, random_state=0).fit(s.transform(xtr), ytr)
        fit.append(time.perf_counter() - t0); t0 = time.perf_counter()
        metric = roc_auc_score(yte, m.predict_proba(s.transform(xte))[:, 1])
    elif learner == "qforest":
        from sklearn.ensemble import RandomForestRegressor
        m = RandomForestRegressor(n_estimators=100, max_leaf_nodes=20, min_samples_leaf=10,
                                  max_samples=0.7, max_features=0.49, n_jobs=2,
                                  random_state=0).fit(xtr, ytr)
        fit.append(time.perf_counter() - t0); t0 = time.perf_counter()
        metric = r2_score(yte, m.predict(xte))
    else:
        from sklearn.decomposition import PCA
        m = PCA(n_components=2, svd_solver="randomized", random_state=0).fit(xtr)
        fit.append(time.perf_counter() - t0); t0 = time.perf_counter()
        z = xte - m.mean_
        r = z - m.inverse_transform(m.transform(xte)) + m.mean_
        metric = float(np.mean(np.linalg.norm(r, axis=1) / np.linalg.norm(z, axis=1)))
    score.append(time.perf_counter() - t0)
print(json.dumps({"train_s": statistics.median(fit), "score_s": statistics.median(score),
                  "metric": metric}))
'

for case in "poisson counts" "perceptron classification" "pca classification" \
            "network classification_100k" "qforest counts_100k"; do
  set -- $case
  weft=$("$BUILD/bench_learners3" "$1" "$DATA/$2.csv" "$DATA/$2_test.csv" "$REPS")
  peer=$("$PY" -c "$PEER" "$1" "$DATA/$2.csv" "$DATA/$2_test.csv" "$REPS")
  "$PY" - "$1" "$weft" "$peer" <<'PYEOF'
import json, sys
name, w, p = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
what = {"poisson": "test R^2", "perceptron": "test AUC", "network": "test AUC",
        "qforest": "test R^2 (weft: median; peer: mean)", "pca": "mean anomaly score"}[name]
print(f"{name} ({w['rows']} rows): train weft {w['train_s']:.3f} s, peer {p['train_s']:.3f} s, "
      f"ratio {w['train_s'] / p['train_s']:.2f}x; score weft {w['score_s']:.3f} s, "
      f"peer {p['score_s']:.3f} s; {what} weft {w['metric']:.4f}, peer {p['metric']:.4f}")
PYEOF
done
