/*
 * trees.c: gradient-boosted trees and random forests, through XGBoost's C
 * API (version 1.7).
 *
 * Boosting: Chen and Guestrin, "XGBoost: A Scalable Tree Boosting System",
 * KDD 2016. Each round adds one tree (k for k classes) that minimises a
 * second-order expansion of the loss plus lambda/2 |leaf weights|^2; splits
 * are searched over per-feature histograms (tree_method=hist).
 *
 * Forests: Breiman, "Random Forests", Machine Learning 45, 2001, grown the
 * way XGBoost's documentation describes its random-forest mode: a single
 * boosting round of num_parallel_tree trees with eta = 1, rows sampled per
 * tree and features per split, the trees' outputs averaged. XGBoost samples
 * rows without replacement, so the two ways Azure's Decision Forest
 * resamples map as follows:
 *   - bootstrap (bagging): each tree sees a `subsample` share of the rows;
 *     a subsample of 1 (no share given) becomes 0.632, the expected share
 *     of distinct rows in a bootstrap sample of n rows (1 - 1/e);
 *   - replicate: every tree sees every row (subsample 1), and the trees
 *     differ only by the features tried per split, so colsample_bynode
 *     should be below 1 (at 1 every tree is the same tree).
 *
 * Matrices reach XGBoost through the array interface ("<f8", row-major)
 * without a float copy on our side; NaN is the missing value.
 */
#include "ml.h"

#include <xgboost/c_api.h>

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per in-place prediction call: bounds XGBoost's float output buffer
 * and lets a cancel request land between chunks. */
#define TREES_PREDICT_CHUNK ((size_t)1 << 18)

/* ---- errors -------------------------------------------------------------- */

/* XGBoost's last error, without its "[time] file.cc:line: " prefix and its
 * stack trace, which mean nothing to a person reading a step's log. */
static const char *trees__xgb_message(char *buf, size_t cap)
{
    const char *s = XGBGetLastError();
    if (s == NULL || *s == '\0') s = "unknown error";
    if (s[0] == '[') {
        const char *close = strstr(s, "] ");
        if (close != NULL) s = close + 2;
    }
    /* "src/learner.cc:1234: " ahead of the text: a source location, one
     * word ending in ":<line>". */
    size_t word = strcspn(s, " \n");
    if (word > 2 && s[word - 1] == ':' && s[word] == ' ') {
        size_t i = word - 1;
        while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
            i--;
        if (i < word - 1 && i > 0 && s[i - 1] == ':') s += word + 1;
    }
    size_t n = strcspn(s, "\n");
    const char *trace = strstr(s, "Stack trace");
    if (trace != NULL && (size_t)(trace - s) < n) n = (size_t)(trace - s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == ':'))
        n--;
    if (n >= cap) n = cap - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

static int trees__fail(wf_error *err, int code, const char *what)
{
    char msg[768];
    return wf_error_set(err, code, "XGBoost %s: %s", what, trees__xgb_message(msg, sizeof msg));
}

/* ---- the array interface --------------------------------------------------- */

/* The __array_interface__ JSON of a row-major double matrix (cols 0: a
 * vector). */
static void trees__interface(char *buf, size_t cap, const double *data, size_t rows, size_t cols)
{
    if (cols == 0)
        snprintf(buf, cap,
                 "{\"data\":[%llu,true],\"shape\":[%zu],\"strides\":null,"
                 "\"typestr\":\"<f8\",\"version\":3}",
                 (unsigned long long)(uintptr_t)data, rows);
    else
        snprintf(buf, cap,
                 "{\"data\":[%llu,true],\"shape\":[%zu,%zu],\"strides\":null,"
                 "\"typestr\":\"<f8\",\"version\":3}",
                 (unsigned long long)(uintptr_t)data, rows, cols);
}

/* ---- parameters ------------------------------------------------------------ */

static int trees__check_params(const ml_trees_params *p, wf_error *err)
{
    if (p->task != ML_REGRESSION && p->task != ML_BINARY && p->task != ML_MULTICLASS)
        return wf_error_set(err, WF_EINVAL,
                            "trees: task %d is not regression, binary or multiclass", (int)p->task);
    if (p->task == ML_MULTICLASS && p->nclasses < 2)
        return wf_error_set(err, WF_EINVAL,
                            "trees: a multiclass label needs at least 2 classes, not %zu",
                            p->nclasses);
    if (p->num_trees < 1)
        return wf_error_set(err, WF_EINVAL, "trees: num_trees must be at least 1, not %d",
                            p->num_trees);
    if (!p->forest && !(p->learning_rate > 0 && p->learning_rate <= 1))
        return wf_error_set(err, WF_EINVAL, "trees: learning_rate must be in (0, 1], not %g",
                            p->learning_rate);
    if (p->max_depth < 0 || p->max_leaves < 0)
        return wf_error_set(err, WF_EINVAL,
                            "trees: max_depth (%d) and max_leaves (%d) must not be negative",
                            p->max_depth, p->max_leaves);
    if (p->max_depth == 0 && p->max_leaves == 0)
        return wf_error_set(err, WF_EINVAL,
                            "trees: max_depth and max_leaves are both 0 (unlimited); limit "
                            "at least one of them");
    if (!(p->min_child_weight >= 0 && isfinite(p->min_child_weight)))
        return wf_error_set(err, WF_EINVAL, "trees: min_child_weight must be >= 0, not %g",
                            p->min_child_weight);
    if (!(p->subsample > 0 && p->subsample <= 1))
        return wf_error_set(err, WF_EINVAL, "trees: subsample must be in (0, 1], not %g",
                            p->subsample);
    if (!(p->colsample_bynode > 0 && p->colsample_bynode <= 1))
        return wf_error_set(err, WF_EINVAL, "trees: colsample_bynode must be in (0, 1], not %g",
                            p->colsample_bynode);
    if (!(p->colsample_bytree >= 0 && p->colsample_bytree <= 1))
        return wf_error_set(err, WF_EINVAL, "trees: colsample_bytree must be in (0, 1], not %g",
                            p->colsample_bytree);
    if (!(p->lambda >= 0 && isfinite(p->lambda)))
        return wf_error_set(err, WF_EINVAL, "trees: lambda must be >= 0, not %g", p->lambda);
    return 0;
}

/* Labels as the objective needs them: finite numbers; 0 or 1; or class
 * indices below nclasses. */
static int trees__check_labels(const double *y, size_t rows, const ml_trees_params *p,
                               wf_error *err)
{
    for (size_t r = 0; r < rows; r++) {
        double v = y[r];
        if (isnan(v))
            return wf_error_set(err, WF_EINVAL,
                                "trees: the label of row %zu is missing; drop rows without a "
                                "label first",
                                r + 1);
        if (!isfinite(v))
            return wf_error_set(err, WF_EINVAL, "trees: the label of row %zu is infinite", r + 1);
        if (p->task == ML_BINARY && v != 0 && v != 1)
            return wf_error_set(err, WF_EINVAL,
                                "trees: the label of row %zu is %g, not class 0 or 1", r + 1, v);
        if (p->task == ML_MULTICLASS && (v < 0 || v != floor(v) || v >= (double)p->nclasses))
            return wf_error_set(err, WF_EINVAL,
                                "trees: the label of row %zu is %g, not a class index in 0..%zu",
                                r + 1, v, p->nclasses - 1);
    }
    return 0;
}

/* NaN is the missing value, but XGBoost refuses an infinite one with a
 * message that blames NaN too: name the cell instead. */
static int trees__check_finite(const ml_matrix *x, wf_error *err)
{
    for (size_t i = 0; i < x->rows * x->cols; i++)
        if (isinf(x->data[i]))
            return wf_error_set(err, WF_EINVAL, "trees: row %zu, feature %zu is infinite",
                                i / x->cols + 1, i % x->cols + 1);
    return 0;
}

static int trees__set(BoosterHandle h, const char *name, const char *value, wf_error *err)
{
    if (XGBoosterSetParam(h, name, value) != 0) {
        char what[96];
        snprintf(what, sizeof what, "parameter %s=%s", name, value);
        return trees__fail(err, WF_EINVAL, what);
    }
    return 0;
}

static int trees__set_number(BoosterHandle h, const char *name, double value, wf_error *err)
{
    char text[32];
    snprintf(text, sizeof text, "%.17g", value);
    return trees__set(h, name, text, err);
}

/* Every learner parameter of p on booster h. */
static int trees__configure(BoosterHandle h, const ml_trees_params *p, int threads, wf_error *err)
{
    static const char *objective[] = {
        [ML_REGRESSION] = "reg:squarederror",
        [ML_BINARY] = "binary:logistic",
        [ML_MULTICLASS] = "multi:softprob",
    };
    double subsample = p->subsample, eta = p->learning_rate;
    if (p->forest) {
        eta = 1;
        subsample = !p->bootstrap ? 1 : p->subsample < 1 ? p->subsample : 0.632;
    }
    int rc = trees__set(h, "booster", "gbtree", err);
    if (rc == 0) rc = trees__set(h, "tree_method", "hist", err);
    if (rc == 0) rc = trees__set(h, "objective", objective[p->task], err);
    if (rc == 0 && p->task == ML_MULTICLASS)
        rc = trees__set_number(h, "num_class", (double)p->nclasses, err);
    if (rc == 0) rc = trees__set_number(h, "eta", eta, err);
    if (rc == 0) rc = trees__set_number(h, "max_depth", p->max_depth, err);
    if (rc == 0) rc = trees__set_number(h, "max_leaves", p->max_leaves, err);
    if (rc == 0 && p->max_depth == 0) rc = trees__set(h, "grow_policy", "lossguide", err);
    if (rc == 0) rc = trees__set_number(h, "min_child_weight", p->min_child_weight, err);
    if (rc == 0) rc = trees__set_number(h, "subsample", subsample, err);
    if (rc == 0) rc = trees__set_number(h, "colsample_bynode", p->colsample_bynode, err);
    if (rc == 0 && p->colsample_bytree > 0)
        rc = trees__set_number(h, "colsample_bytree", p->colsample_bytree, err);
    if (rc == 0) rc = trees__set_number(h, "lambda", p->lambda, err);
    if (rc == 0 && p->max_bin > 0) rc = trees__set_number(h, "max_bin", p->max_bin, err);
    /* XGBoost's seed is a signed integer; keep 31 bits of ours. */
    if (rc == 0) rc = trees__set_number(h, "seed", (double)(p->seed & 0x7fffffff), err);
    if (rc == 0) rc = trees__set_number(h, "nthread", threads, err);
    if (rc == 0 && p->forest) rc = trees__set_number(h, "num_parallel_tree", p->num_trees, err);
    return rc;
}

/* ---- fitting ------------------------------------------------------------- */

static int trees__threads(const ml_env *env)
{
    return env != NULL && env->threads > 0 ? env->threads : 0;
}

static bool trees__cancelled(const ml_env *env)
{
    return env != NULL && env->cancel != NULL && *env->cancel;
}

static void trees__log(const ml_env *env, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void trees__log(const ml_env *env, const char *fmt, ...)
{
    if (env == NULL || env->log == NULL) return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    env->log(env->user, line);
}

/* The training DMatrix of x and y, read in place as doubles. */
static int trees__dmatrix(const ml_matrix *x, const double *y, int threads, DMatrixHandle *out,
                          wf_error *err)
{
    char data[256], label[256], config[96];
    trees__interface(data, sizeof data, x->data, x->rows, x->cols);
    trees__interface(label, sizeof label, y, x->rows, 0);
    snprintf(config, sizeof config, "{\"missing\":NaN,\"nthread\":%d}", threads);
    *out = NULL;
    if (XGDMatrixCreateFromDense(data, config, out) != 0)
        return trees__fail(err, WF_EINVAL, "cannot read the training matrix");
    if (XGDMatrixSetInfoFromInterface(*out, "label", label) != 0) {
        int rc = trees__fail(err, WF_EINVAL, "cannot set the label");
        XGDMatrixFree(*out);
        *out = NULL;
        return rc;
    }
    return 0;
}

int ml_trees_fit(const ml_matrix *x, const double *y, const ml_trees_params *p, const ml_env *env,
                 ml_trees *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    if (x->rows == 0) return wf_error_set(err, WF_EINVAL, "trees: no rows to train on");
    if (x->cols == 0) return wf_error_set(err, WF_EINVAL, "trees: no feature columns");
    int rc = trees__check_params(p, err);
    if (rc == 0) rc = trees__check_labels(y, x->rows, p, err);
    if (rc == 0) rc = trees__check_finite(x, err);
    if (rc < 0) return rc;
    if (trees__cancelled(env)) return wf_error_set(err, WF_ECANCELED, "trees: cancelled");

    int threads = trees__threads(env);
    DMatrixHandle dtrain = NULL;
    BoosterHandle h = NULL;
    rc = trees__dmatrix(x, y, threads, &dtrain, err);
    if (rc < 0) return rc;
    if (XGBoosterCreate(&dtrain, 1, &h) != 0) {
        rc = trees__fail(err, WF_ENOMEM, "cannot create a booster");
        goto done;
    }
    rc = trees__configure(h, p, threads, err);
    /* A forest is one round of num_trees parallel trees; boosting is
     * num_trees rounds, one tree (per class) each. */
    int rounds = p->forest ? 1 : p->num_trees;
    int every = rounds >= 10 ? rounds / 10 : 1;
    for (int i = 0; rc == 0 && i < rounds; i++) {
        if (trees__cancelled(env)) {
            rc = wf_error_set(err, WF_ECANCELED, "trees: cancelled after %d of %d rounds", i,
                              rounds);
            break;
        }
        if (XGBoosterUpdateOneIter(h, i, dtrain) != 0) {
            char what[64];
            snprintf(what, sizeof what, "round %d", i + 1);
            rc = trees__fail(err, WF_EINVAL, what);
            break;
        }
        if ((i + 1) % every == 0 || i + 1 == rounds)
            trees__log(env,
                       p->forest ? "trees: grew a forest of %d trees"
                                 : "trees: boosting round %d of %d",
                       p->forest ? p->num_trees : i + 1, rounds);
    }
done:
    XGDMatrixFree(dtrain);
    if (rc < 0) {
        if (h != NULL) XGBoosterFree(h);
        return rc;
    }
    out->booster = h;
    out->task = p->task;
    out->nclasses = p->task == ML_MULTICLASS ? p->nclasses : p->task == ML_BINARY ? 2 : 0;
    out->nfeatures = x->cols;
    return 0;
}

/* ---- prediction ------------------------------------------------------------ */

/* In place, chunk by chunk, with XGBoost's thread-safe in-place predictor,
 * so request threads may share one model. It runs on the threads the model
 * was fitted with (a loaded model: every core); env only cancels. */
int ml_trees_predict(const ml_trees *m, const ml_matrix *x, const ml_env *env, double *out,
                     wf_error *err)
{
    if (m->booster == NULL) return wf_error_set(err, WF_EINVAL, "trees: the model is empty");
    if (x->cols != m->nfeatures)
        return wf_error_set(err, WF_EINVAL, "trees: the model was trained on %zu features, not %zu",
                            m->nfeatures, x->cols);
    int rc = trees__check_finite(x, err);
    if (rc < 0) return rc;
    size_t k = m->task == ML_MULTICLASS ? m->nclasses : 1;
    const char *config = "{\"type\":0,\"training\":false,\"iteration_begin\":0,"
                         "\"iteration_end\":0,\"strict_shape\":false,\"missing\":NaN,"
                         "\"cache_id\":0}";
    for (size_t first = 0; first < x->rows; first += TREES_PREDICT_CHUNK) {
        if (trees__cancelled(env))
            return wf_error_set(err, WF_ECANCELED, "trees: scoring cancelled at row %zu",
                                first + 1);
        size_t n = x->rows - first < TREES_PREDICT_CHUNK ? x->rows - first : TREES_PREDICT_CHUNK;
        char values[256];
        trees__interface(values, sizeof values, x->data + first * x->cols, n, x->cols);
        const bst_ulong *shape = NULL;
        bst_ulong dim = 0;
        const float *result = NULL;
        if (XGBoosterPredictFromDense(m->booster, values, config, NULL, &shape, &dim, &result) != 0)
            return trees__fail(err, WF_EINVAL, "prediction");
        bst_ulong count = 1;
        for (bst_ulong d = 0; d < dim; d++)
            count *= shape[d];
        if (count != (bst_ulong)(n * k))
            return wf_error_set(err, WF_ECORRUPT,
                                "trees: XGBoost gave %llu predictions for %zu rows x %zu outputs",
                                (unsigned long long)count, n, k);
        double *o = out + first * k;
        for (size_t i = 0; i < n * k; i++)
            o[i] = result[i];
    }
    return 0;
}

/* ---- saving and loading ------------------------------------------------------- */

int ml_trees_save(const ml_trees *m, unsigned char **bytes, size_t *len, wf_error *err)
{
    *bytes = NULL;
    *len = 0;
    if (m->booster == NULL) return wf_error_set(err, WF_EINVAL, "trees: the model is empty");
    bst_ulong n = 0;
    const char *data = NULL;
    if (XGBoosterSaveModelToBuffer(m->booster, "{\"format\":\"ubj\"}", &n, &data) != 0)
        return trees__fail(err, WF_EINVAL, "cannot save the model");
    *bytes = malloc(n > 0 ? n : 1);
    if (*bytes == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory saving a model");
    memcpy(*bytes, data, n);
    *len = n;
    return 0;
}

/* The objective and class count a loaded booster says it has, from its
 * JSON configuration, so a model cannot be loaded as the wrong task. */
static int trees__check_loaded(BoosterHandle h, ml_task task, size_t nclasses, size_t nfeatures,
                               wf_error *err)
{
    bst_ulong nfeat = 0;
    if (XGBoosterGetNumFeature(h, &nfeat) != 0)
        return trees__fail(err, WF_ECORRUPT, "cannot read the loaded model");
    if (nfeat != nfeatures)
        return wf_error_set(err, WF_ECORRUPT,
                            "trees: the saved model has %llu features, not the %zu expected",
                            (unsigned long long)nfeat, nfeatures);
    bst_ulong n = 0;
    const char *text = NULL;
    if (XGBoosterSaveJsonConfig(h, &n, &text) != 0)
        return trees__fail(err, WF_ECORRUPT, "cannot read the loaded model's configuration");
    json_error_t jerr;
    json_t *config = json_loadb(text, n, 0, &jerr);
    const char *objective = json_string_value(
        json_object_get(json_object_get(json_object_get(config, "learner"), "objective"), "name"));
    const char *classes = json_string_value(json_object_get(
        json_object_get(json_object_get(config, "learner"), "learner_model_param"), "num_class"));
    static const char *expected[] = {
        [ML_REGRESSION] = "reg:squarederror",
        [ML_BINARY] = "binary:logistic",
        [ML_MULTICLASS] = "multi:softprob",
    };
    int rc = 0;
    if (objective == NULL || strcmp(objective, expected[task]) != 0)
        rc = wf_error_set(err, WF_ECORRUPT, "trees: the saved model's objective is %s, not %s",
                          objective ? objective : "unknown", expected[task]);
    else if (task == ML_MULTICLASS && (classes == NULL || strtoull(classes, NULL, 10) != nclasses))
        rc = wf_error_set(err, WF_ECORRUPT, "trees: the saved model has %s classes, not %zu",
                          classes ? classes : "unknown", nclasses);
    json_decref(config);
    return rc;
}

int ml_trees_load(ml_trees *m, const void *bytes, size_t len, ml_task task, size_t nclasses,
                  size_t nfeatures, wf_error *err)
{
    memset(m, 0, sizeof *m);
    if (task != ML_REGRESSION && task != ML_BINARY && task != ML_MULTICLASS)
        return wf_error_set(err, WF_EINVAL,
                            "trees: task %d is not regression, binary or multiclass", (int)task);
    if (task == ML_MULTICLASS && nclasses < 2)
        return wf_error_set(err, WF_EINVAL,
                            "trees: a multiclass model needs at least 2 classes, not %zu",
                            nclasses);
    /* XGBoost trusts what it reads: only well-formed UBJSON reaches it (a
     * '{' first, or it would take its legacy binary reader). */
    int checked = ml_ubjson_check(bytes, len, err);
    if (checked < 0) {
        wf_error_prefix(err, "trees");
        return checked;
    }
    BoosterHandle h = NULL;
    if (XGBoosterCreate(NULL, 0, &h) != 0)
        return trees__fail(err, WF_ENOMEM, "cannot create a booster");
    int rc = 0;
    if (XGBoosterLoadModelFromBuffer(h, bytes, len) != 0)
        rc = trees__fail(err, WF_ECORRUPT, "cannot load the saved model");
    if (rc == 0) rc = trees__check_loaded(h, task, nclasses, nfeatures, err);
    if (rc < 0) {
        XGBoosterFree(h);
        return rc;
    }
    m->booster = h;
    m->task = task;
    m->nclasses = task == ML_MULTICLASS ? nclasses : task == ML_BINARY ? 2 : 0;
    m->nfeatures = nfeatures;
    return 0;
}

/* ---- importance and clearing ------------------------------------------------- */

/* XGBoost's "gain" importance: the average loss reduction of the splits on
 * each feature, over every tree (and class). */
int ml_trees_importance(const ml_trees *m, double **gain, wf_error *err)
{
    *gain = NULL;
    if (m->booster == NULL) return wf_error_set(err, WF_EINVAL, "trees: the model is empty");
    bst_ulong nnames = 0, dim = 0;
    const char **names = NULL;
    const bst_ulong *shape = NULL;
    const float *scores = NULL;
    if (XGBoosterFeatureScore(m->booster, "{\"importance_type\":\"gain\"}", &nnames, &names, &dim,
                              &shape, &scores) != 0)
        return trees__fail(err, WF_EINVAL, "feature importance");
    double *g = wf_calloc(m->nfeatures + 1, sizeof *g);
    if (g == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    /* Features that no split uses are absent; the rest are named "f<index>"
     * since we give XGBoost no names. */
    for (bst_ulong i = 0; i < nnames; i++) {
        char *end = NULL;
        unsigned long long j = names[i][0] == 'f' ? strtoull(names[i] + 1, &end, 10) : 0;
        if (end == NULL || *end != '\0' || end == names[i] + 1 || j >= m->nfeatures) {
            free(g);
            return wf_error_set(err, WF_ECORRUPT, "trees: XGBoost scored an unknown feature %s",
                                names[i]);
        }
        g[j] = scores[i];
    }
    *gain = g;
    return 0;
}

void ml_trees_clear(ml_trees *m)
{
    if (m->booster != NULL) XGBoosterFree(m->booster);
    memset(m, 0, sizeof *m);
}
