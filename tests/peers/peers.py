"""The Python peers of weft's learners, for tests/modules/test_peers.c.

The C test trains a weft learner through Train Model, writes the exact
feature matrices it built (train and test, after weft's encoding) and the
labels, and runs this script with the learner and its parameters. This
script fits the Python ecosystem's equivalent (scikit-learn or xgboost) on
the same matrices and prints its test metrics and, for linear models, its
coefficients, as one JSON object on stdout. The C side compares.

    python3 peers.py LEARNER PARAMS_JSON DIR
"""
import json
import sys

import numpy as np


def load(directory):
    xtr = np.loadtxt(f"{directory}/x_train.csv", delimiter=",", ndmin=2)
    ytr = np.loadtxt(f"{directory}/y_train.csv", delimiter=",", ndmin=1)
    xte = np.loadtxt(f"{directory}/x_test.csv", delimiter=",", ndmin=2)
    yte = np.loadtxt(f"{directory}/y_test.csv", delimiter=",", ndmin=1)
    return xtr, ytr, xte, yte


def regression_metrics(y, p):
    from sklearn.metrics import mean_absolute_error, r2_score
    return {"r2": float(r2_score(y, p)), "mae": float(mean_absolute_error(y, p))}


def binary_metrics(y, p):
    from sklearn.metrics import accuracy_score, roc_auc_score
    return {"auc": float(roc_auc_score(y, p)),
            "accuracy": float(accuracy_score(y, (p >= 0.5).astype(int)))}


def multiclass_metrics(y, probs):
    from sklearn.metrics import accuracy_score
    return {"accuracy": float(accuracy_score(y, probs.argmax(axis=1)))}


def xgb_params(p, objective):
    # weft turns Azure's rows-per-leaf into XGBoost's hessian bound: rows / 4
    # under logistic and softmax loss (a row weighs p(1 - p) <= 1/4).
    rows = p["minimum_number_of_samples_per_leaf_node"]
    return dict(tree_method="hist", grow_policy="lossguide",
                max_leaves=p["maximum_number_of_leaves_per_tree"],
                max_depth=p.get("maximum_depth", 0),
                min_child_weight=rows if objective.startswith("reg:") else rows / 4,
                learning_rate=p["learning_rate"],
                n_estimators=p["number_of_trees_constructed"],
                reg_lambda=1.0, random_state=p.get("random_number_seed", 0),
                objective=objective)


def main():
    learner, params, directory = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    xtr, ytr, xte, yte = load(directory)
    out = {}
    if learner == "linear-regression":
        from sklearn.linear_model import LinearRegression, Ridge
        l2 = params["l2_regularization_weight"]
        model = Ridge(alpha=l2, solver="cholesky") if l2 > 0 else LinearRegression()
        model.fit(xtr, ytr)
        out = regression_metrics(yte, model.predict(xte))
        out["coef"] = model.coef_.tolist()
        out["intercept"] = float(model.intercept_)
    elif learner == "boosted-decision-tree-regression":
        import xgboost
        model = xgboost.XGBRegressor(**xgb_params(params, "reg:squarederror"))
        model.fit(xtr, ytr)
        out = regression_metrics(yte, model.predict(xte))
    elif learner == "decision-forest-regression":
        from sklearn.ensemble import RandomForestRegressor
        model = RandomForestRegressor(n_estimators=params["number_of_decision_trees"],
                                      max_depth=params["maximum_depth_of_the_decision_trees"],
                                      max_features=1 / 3, random_state=0)
        model.fit(xtr, ytr)
        out = regression_metrics(yte, model.predict(xte))
    elif learner == "two-class-logistic-regression":
        from sklearn.linear_model import LogisticRegression
        model = LogisticRegression(C=1 / params["l2_regularization_weight"], tol=1e-10,
                                   max_iter=10000)
        model.fit(xtr, ytr)
        out = binary_metrics(yte, model.predict_proba(xte)[:, 1])
        out["coef"] = model.coef_[0].tolist()
        out["intercept"] = float(model.intercept_[0])
    elif learner == "two-class-boosted-decision-tree":
        import xgboost
        model = xgboost.XGBClassifier(**xgb_params(params, "binary:logistic"))
        model.fit(xtr, ytr)
        out = binary_metrics(yte, model.predict_proba(xte)[:, 1])
    elif learner == "two-class-decision-forest":
        from sklearn.ensemble import RandomForestClassifier
        model = RandomForestClassifier(n_estimators=params["number_of_decision_trees"],
                                       max_depth=params["maximum_depth_of_the_decision_trees"],
                                       max_features="sqrt", random_state=0)
        model.fit(xtr, ytr)
        out = binary_metrics(yte, model.predict_proba(xte)[:, 1])
    elif learner == "two-class-support-vector-machine":
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import LinearSVC
        scaler = StandardScaler().fit(xtr)
        c = 1 / (params["lambda"] * len(ytr))
        model = LinearSVC(loss="hinge", C=c, max_iter=100000, tol=1e-6)
        model.fit(scaler.transform(xtr), ytr)
        margin = model.decision_function(scaler.transform(xte))
        out = binary_metrics(yte, 1 / (1 + np.exp(-margin)))
    elif learner == "multiclass-logistic-regression":
        from sklearn.linear_model import LogisticRegression
        model = LogisticRegression(C=1 / params["l2_regularization_weight"], tol=1e-10,
                                   max_iter=10000, multi_class="multinomial")
        model.fit(xtr, ytr)
        out = multiclass_metrics(yte, model.predict_proba(xte))
    elif learner == "multiclass-boosted-decision-tree":
        import xgboost
        model = xgboost.XGBClassifier(**xgb_params(params, "multi:softprob"))
        model.fit(xtr, ytr)
        out = multiclass_metrics(yte, model.predict_proba(xte))
    elif learner == "multiclass-decision-forest":
        from sklearn.ensemble import RandomForestClassifier
        model = RandomForestClassifier(n_estimators=params["number_of_decision_trees"],
                                       max_depth=params["maximum_depth_of_the_decision_trees"],
                                       max_features="sqrt", random_state=0)
        model.fit(xtr, ytr)
        out = multiclass_metrics(yte, model.predict_proba(xte))
    elif learner == "k-means-clustering":
        from sklearn.cluster import KMeans
        k = params["number_of_centroids"]
        lo, hi = xtr.min(axis=0), xtr.max(axis=0)
        scale = np.where(hi > lo, 1 / np.where(hi > lo, hi - lo, 1), 0)
        xs = (xtr - lo) * scale
        model = KMeans(n_clusters=k, init=xs[:k], n_init=1, algorithm="lloyd",
                       max_iter=params["iterations"], tol=0)
        model.fit(xs)
        out = {"assignments": model.labels_.tolist()}
    else:
        raise SystemExit(f"no peer for {learner}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
