"""The Python peers of the learners of issue #6, for tests/modules/test_learners3.c.

The C test trains a weft learner through Train Model, writes the exact
feature matrices weft built (x_train.csv, x_test.csv) and the labels
(y_train.csv, y_test.csv: values, or class indices), and runs

    python3 learners3.py PEER PARAMS_JSON DIR

This script fits scikit-learn's equivalent on the same matrices (or, for
the quantile forest, recomputes Meinshausen's quantiles from the leaves of
weft's own trees) and prints one JSON object. The C side compares.
"""
import json
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore")


def load(directory):
    def read(name):
        return np.loadtxt(f"{directory}/{name}.csv", delimiter=",", ndmin=2)
    xtr, xte = read("x_train"), read("x_test")
    ytr, yte = read("y_train")[:, 0], read("y_test")[:, 0]
    return xtr, ytr, xte, yte


def poisson(p, xtr, ytr, xte, yte):
    from sklearn.linear_model import PoissonRegressor
    # Newton's method: scikit-learn's L-BFGS stops at once on unscaled
    # features (cars' weights in pounds), Newton-Cholesky converges exactly.
    model = PoissonRegressor(alpha=p["alpha"], tol=1e-12, max_iter=1000,
                             solver="newton-cholesky")
    model.fit(xtr, ytr)
    return {"coef": model.coef_.tolist(), "intercept": float(model.intercept_)}


def scaled(p, xtr, xte):
    from sklearn.preprocessing import MinMaxScaler, StandardScaler
    if p.get("normalizer", "min-max") == "gaussian":
        s = StandardScaler().fit(xtr)
    else:
        s = MinMaxScaler().fit(xtr)
    return s.transform(xtr), s.transform(xte)


def mlp(p, classify, xtr, ytr, xte, yte):
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    a, b = scaled(p, xtr, xte)
    kind = MLPClassifier if classify else MLPRegressor
    scores = []
    # "seeds": the mean over that many initialisations (a small network's
    # result varies with its starting weights).
    for seed in range(p.get("seeds", 1)):
        model = kind(hidden_layer_sizes=tuple(p["hidden"]), activation="logistic", solver="sgd",
                     learning_rate="constant", learning_rate_init=p["rate"],
                     momentum=p["momentum"], nesterovs_momentum=False, batch_size=p["batch"],
                     max_iter=p["iterations"], shuffle=True, alpha=0.0, tol=0.0,
                     n_iter_no_change=p["iterations"] + 1, random_state=seed)
        model.fit(a, ytr if not classify else ytr.astype(int))
        if classify:
            from sklearn.metrics import accuracy_score
            scores.append(accuracy_score(yte.astype(int), model.predict(b)))
        else:
            from sklearn.metrics import r2_score
            scores.append(r2_score(yte, model.predict(b)))
    return {"accuracy" if classify else "r2": float(np.mean(scores))}


def perceptron(p, xtr, ytr, xte, yte):
    from sklearn.linear_model import SGDClassifier
    from sklearn.metrics import roc_auc_score
    a, b = scaled({"normalizer": "gaussian"}, xtr, xte)
    model = SGDClassifier(loss="perceptron", penalty=None, learning_rate="constant",
                          eta0=p["rate"], max_iter=p["iterations"], tol=None, average=True,
                          shuffle=True, random_state=0)
    model.fit(a, ytr.astype(int))
    return {"auc": float(roc_auc_score(yte.astype(int), model.decision_function(b)))}


def reduction(p, xtr, ytr, xte, yte):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier
    base = LogisticRegression(C=1 / p["l2"], tol=1e-10, max_iter=10000)
    kind = OneVsRestClassifier if p["kind"] == "ova" else OneVsOneClassifier
    model = kind(base).fit(xtr, ytr.astype(int))
    return {"accuracy": float(accuracy_score(yte.astype(int), model.predict(xte)))}


def pca(p, xtr, ytr, xte, yte):
    from sklearn.decomposition import PCA, TruncatedSVD
    k = p["k"]
    if p["center"]:
        model = PCA(n_components=k, svd_solver="full").fit(xtr)
        mean = model.mean_
    else:
        model = TruncatedSVD(n_components=k, algorithm="arpack", tol=0).fit(xtr)
        mean = np.zeros(xtr.shape[1])
    v = model.components_
    z = xte - mean
    resid = z - (z @ v.T) @ v
    norm = np.linalg.norm(z, axis=1)
    score = np.where(norm > 0, np.linalg.norm(resid, axis=1) / np.where(norm > 0, norm, 1), 0)
    return {"components": v.tolist(), "scores": score.tolist()}


def qforest(p, xtr, ytr, xte, yte):
    """Meinshausen's quantiles from the leaves of weft's own booster: every
    training row in every leaf, weight 1 / (trees x leaf size)."""
    import xgboost
    booster = xgboost.Booster()
    booster.load_model(bytearray(open(p["booster"], "rb").read()))
    ltr = booster.predict(xgboost.DMatrix(xtr, missing=np.nan), pred_leaf=True).astype(int)
    lte = booster.predict(xgboost.DMatrix(xte, missing=np.nan), pred_leaf=True).astype(int)
    if ltr.ndim == 1:
        ltr, lte = ltr[:, None], lte[:, None]
    trees = ltr.shape[1]
    out = []
    for row in lte:
        w = np.zeros(len(ytr))
        for t in range(trees):
            same = ltr[:, t] == row[t]
            w[same] += 1.0 / (trees * same.sum())
        order = np.argsort(ytr, kind="mergesort")
        order = order[w[order] > 0]  # the row's support: labels of its leaves
        ys, cum = ytr[order], np.cumsum(w[order])
        got = []
        for q in p["quantiles"]:
            i = int(np.searchsorted(cum, q * cum[-1] * (1 - 1e-12), side="left"))
            got.append(float(ys[min(i, len(ys) - 1)]))
        out.append(got)
    return {"quantiles": out}


def main():
    peer, params, directory = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    xtr, ytr, xte, yte = load(directory)
    if peer == "poisson":
        out = poisson(params, xtr, ytr, xte, yte)
    elif peer == "mlp-classifier":
        out = mlp(params, True, xtr, ytr, xte, yte)
    elif peer == "mlp-regressor":
        out = mlp(params, False, xtr, ytr, xte, yte)
    elif peer == "perceptron":
        out = perceptron(params, xtr, ytr, xte, yte)
    elif peer == "reduction":
        out = reduction(params, xtr, ytr, xte, yte)
    elif peer == "pca":
        out = pca(params, xtr, ytr, xte, yte)
    elif peer == "qforest":
        out = qforest(params, xtr, ytr, xte, yte)
    else:
        raise SystemExit(f"no peer {peer}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
