/*
 * test_trees.c: boosted trees and random forests over XGBoost, checked
 * against Debian's python xgboost 1.7 and scikit-learn on the same data and
 * parameters (AUC, R^2 and accuracy computed by scikit-learn for both), on
 * real sample data; saving and loading; gain importance; cancellation; and
 * the messages of bad input.
 */
#include "ml/ml.h"

#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ml_test.h"

#define SAMPLES WEFT_TEST_DATA "/../../.cache/samples/"

/* ---- helpers ----------------------------------------------------------- */

/* A sample's feature columns as a matrix and its label as numbers: the
 * label's value (classes == NULL) or the index of its text in classes. */
typedef struct sample {
    ml_matrix x;
    double *y;
} sample;

static double cell_number(const tbl_column *c, size_t r)
{
    if (tbl_is_missing(c, r)) return NAN;
    switch (c->type) {
    case TBL_NUMERIC:
        return c->v.f64[r];
    case TBL_INTEGER:
        return (double)c->v.i64[r];
    case TBL_BOOLEAN:
        return c->v.b8[r];
    default:
        fail_msg("column %s is not numeric", c->name);
    }
    return NAN;
}

static sample load_sample(const char *file, const char *const *features, size_t nfeatures,
                          const char *label, const char *const *classes, size_t nclasses)
{
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_file(file, NULL, &t, &err) < 0) fail_msg("%s: %s", file, err.message);
    sample s = {0};
    assert_int_equal(ml_matrix_init(&s.x, t->nrows, nfeatures, &err), 0);
    s.y = calloc(t->nrows, sizeof *s.y);
    assert_non_null(s.y);
    for (size_t j = 0; j < nfeatures; j++) {
        int c = tbl_find_column(t, features[j]);
        if (c < 0) fail_msg("%s has no column %s", file, features[j]);
        for (size_t r = 0; r < t->nrows; r++)
            s.x.data[r * nfeatures + j] = cell_number(&t->cols[c], r);
    }
    int c = tbl_find_column(t, label);
    if (c < 0) fail_msg("%s has no column %s", file, label);
    for (size_t r = 0; r < t->nrows; r++) {
        if (classes == NULL) {
            s.y[r] = cell_number(&t->cols[c], r);
            continue;
        }
        char text[128];
        tbl_format_cell(&t->cols[c], r, text, sizeof text);
        s.y[r] = -1;
        for (size_t k = 0; k < nclasses; k++)
            if (strcmp(text, classes[k]) == 0) s.y[r] = (double)k;
        if (s.y[r] < 0) fail_msg("%s row %zu: unknown class \"%s\"", file, r + 1, text);
    }
    tbl_free(t);
    return s;
}

static void sample_clear(sample *s)
{
    ml_matrix_clear(&s->x);
    free(s->y);
}

/* Every fourth row is a test row; the rest train. */
static bool is_test(size_t r)
{
    return r % 4 == 0;
}

static void split(const sample *s, sample *train, sample *test)
{
    size_t n = s->x.rows, d = s->x.cols, ntest = (n + 3) / 4;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&train->x, n - ntest, d, &err), 0);
    assert_int_equal(ml_matrix_init(&test->x, ntest, d, &err), 0);
    train->y = calloc(n - ntest + 1, sizeof(double));
    test->y = calloc(ntest + 1, sizeof(double));
    size_t a = 0, b = 0;
    for (size_t r = 0; r < n; r++) {
        sample *to = is_test(r) ? test : train;
        size_t i = is_test(r) ? b++ : a++;
        memcpy(to->x.data + i * d, s->x.data + r * d, d * sizeof(double));
        to->y[i] = s->y[r];
    }
}

static void write_number(FILE *f, double v)
{
    if (!isnan(v)) fprintf(f, "%.17g", v);
}

/* data.csv: f0..f(d-1), y, test; pred.csv: our test predictions, k a row. */
static void write_csvs(const char *dir, const sample *s, const double *pred, size_t ntest, size_t k)
{
    char path[512];
    snprintf(path, sizeof path, "%s/data.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t j = 0; j < s->x.cols; j++)
        fprintf(f, "f%zu,", j);
    fprintf(f, "y,test\n");
    for (size_t r = 0; r < s->x.rows; r++) {
        for (size_t j = 0; j < s->x.cols; j++) {
            write_number(f, s->x.data[r * s->x.cols + j]);
            fputc(',', f);
        }
        write_number(f, s->y[r]);
        fprintf(f, ",%d\n", is_test(r) ? 1 : 0);
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/pred.csv", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < k; i++)
        fprintf(f, "%sp%zu", i ? "," : "", i);
    fputc('\n', f);
    for (size_t r = 0; r < ntest; r++) {
        for (size_t i = 0; i < k; i++) {
            if (i) fputc(',', f);
            fprintf(f, "%.17g", pred[r * k + i]);
        }
        fputc('\n', f);
    }
    fclose(f);
}

/* The python side: reads data.csv and pred.csv, trains the peer named by
 * PEER with PARAMS on the train rows, and prints "ours theirs" for METRIC. */
#define PEER_PROLOGUE                                                                              \
    "import sys, numpy as np, pandas as pd\n"                                                      \
    "from sklearn import metrics\n"                                                                \
    "d = pd.read_csv(sys.argv[1] + '/data.csv')\n"                                                 \
    "ours = pd.read_csv(sys.argv[1] + '/pred.csv').to_numpy()\n"                                   \
    "f = [c for c in d.columns if c.startswith('f')]\n"                                            \
    "tr, te = d[d.test == 0], d[d.test == 1]\n"                                                    \
    "X, y, Xt, yt = tr[f].to_numpy(), tr.y.to_numpy(), te[f].to_numpy(), te.y.to_numpy()\n"

static const ml_trees_params boost_params = {
    .task = ML_BINARY,
    .num_trees = 50,
    .learning_rate = 0.1,
    .max_depth = 6,
    .min_child_weight = 1,
    .subsample = 1,
    .colsample_bynode = 1,
    .lambda = 1,
    .seed = 0,
};

#define XGB_PARAMS                                                                                 \
    "p = dict(tree_method='hist', eta=0.1, max_depth=6, min_child_weight=1, subsample=1,\n"        \
    "         colsample_bynode=1, reg_lambda=1, seed=0, nthread=1)\n"

/* One thread: the peers run single-threaded too, and OpenMP's spinning
 * barriers crawl on a machine shared with parallel builds. */
static const ml_env one_thread = {.threads = 1};

/* ---- the diabetes, weather and penguins samples --------------------------- */

static sample diabetes(void)
{
    static const char *const f[] = {"preg", "plas", "pres", "skin", "insu", "mass", "pedi", "age"};
    static const char *const c[] = {"tested_negative", "tested_positive"};
    return load_sample(SAMPLES "diabetes.arff", f, 8, "class", c, 2);
}

static sample weather(void)
{
    static const char *const f[] = {"precipitation", "temp_min", "wind"};
    return load_sample(SAMPLES "seattle-weather.csv", f, 3, "temp_max", NULL, 0);
}

/* Penguins: two rows have no measurements at all (NaN features). */
static sample penguins(void)
{
    static const char *const f[] = {"Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)",
                                    "Body Mass (g)"};
    static const char *const c[] = {"Adelie", "Chinstrap", "Gentoo"};
    return load_sample(SAMPLES "penguins.json", f, 4, "Species", c, 3);
}

/* Fits p on the train rows of s, predicts the test rows, and has python
 * score both with `peer` (which prints "ours theirs"). */
static void compare_with_peer(sample s, const ml_trees_params *p, const char *peer,
                              double tolerance)
{
    sample train = {0}, test = {0};
    split(&s, &train, &test);
    ml_trees m;
    wf_error err = {0};
    if (ml_trees_fit(&train.x, train.y, p, &one_thread, &m, &err) < 0)
        fail_msg("fit: %s", err.message);
    size_t k = p->task == ML_MULTICLASS ? p->nclasses : 1;
    double *pred = calloc(test.x.rows * k, sizeof *pred);
    if (ml_trees_predict(&m, &test.x, NULL, pred, &err) < 0) fail_msg("predict: %s", err.message);
    char *dir = temp_dir();
    write_csvs(dir, &s, pred, test.x.rows, k);
    double v[2];
    assert_int_equal(python_numbers(dir, peer, v, 2), 2);
    print_message("    ours %.4f, peer %.4f\n", v[0], v[1]);
    if (fabs(v[0] - v[1]) > tolerance)
        fail_msg("ours %.4f vs peer %.4f (tolerance %.3f)", v[0], v[1], tolerance);
    remove_dir(dir);
    free(pred);
    ml_trees_clear(&m);
    sample_clear(&train);
    sample_clear(&test);
    sample_clear(&s);
}

/* ---- boosting against python xgboost ------------------------------------ */

static void boosted_binary_auc_matches_python_xgboost(void **state)
{
    (void)state;
    compare_with_peer(diabetes(), &boost_params,
                      PEER_PROLOGUE "import xgboost as xgb\n" XGB_PARAMS
                                    "p['objective'] = 'binary:logistic'\n"
                                    "b = xgb.train(p, xgb.DMatrix(X, y), 50)\n"
                                    "theirs = b.predict(xgb.DMatrix(Xt))\n"
                                    "print(metrics.roc_auc_score(yt, ours[:, 0]),\n"
                                    "      metrics.roc_auc_score(yt, theirs))\n",
                      0.01);
}

static void boosted_regression_r2_matches_python_xgboost(void **state)
{
    (void)state;
    ml_trees_params p = boost_params;
    p.task = ML_REGRESSION;
    p.num_trees = 80;
    compare_with_peer(weather(), &p,
                      PEER_PROLOGUE "import xgboost as xgb\n" XGB_PARAMS
                                    "p['objective'] = 'reg:squarederror'\n"
                                    "b = xgb.train(p, xgb.DMatrix(X, y), 80)\n"
                                    "theirs = b.predict(xgb.DMatrix(Xt))\n"
                                    "print(metrics.r2_score(yt, ours[:, 0]),\n"
                                    "      metrics.r2_score(yt, theirs))\n",
                      0.01);
}

static void boosted_multiclass_accuracy_matches_python_xgboost(void **state)
{
    (void)state;
    ml_trees_params p = boost_params;
    p.task = ML_MULTICLASS;
    p.nclasses = 3;
    p.num_trees = 30;
    compare_with_peer(penguins(), &p,
                      PEER_PROLOGUE "import xgboost as xgb\n" XGB_PARAMS
                                    "p['objective'] = 'multi:softprob'; p['num_class'] = 3\n"
                                    "b = xgb.train(p, xgb.DMatrix(X, y), 30)\n"
                                    "theirs = b.predict(xgb.DMatrix(Xt))\n"
                                    "assert np.allclose(ours.sum(axis=1), 1, atol=1e-5)\n"
                                    "print(metrics.accuracy_score(yt, ours.argmax(axis=1)),\n"
                                    "      metrics.accuracy_score(yt, theirs.argmax(axis=1)))\n",
                      0.01);
}

/* ---- forests against scikit-learn ---------------------------------------- */

static const ml_trees_params forest_params = {
    .task = ML_BINARY,
    .forest = true,
    .num_trees = 100,
    .max_leaves = 4096,
    .max_depth = 0,
    .min_child_weight = 0.25, /* one row's hessian at p = 0.5 */
    .subsample = 1,
    .colsample_bynode = 0.35,
    .lambda = 0,
    .bootstrap = true,
    .seed = 7,
};

static void forest_binary_auc_matches_scikit_learn(void **state)
{
    (void)state;
    compare_with_peer(diabetes(), &forest_params,
                      PEER_PROLOGUE
                      "from sklearn.ensemble import RandomForestClassifier\n"
                      "rf = RandomForestClassifier(n_estimators=100, max_features=0.35,\n"
                      "                            random_state=0, n_jobs=1).fit(X, y)\n"
                      "theirs = rf.predict_proba(Xt)[:, 1]\n"
                      "print(metrics.roc_auc_score(yt, ours[:, 0]),\n"
                      "      metrics.roc_auc_score(yt, theirs))\n",
                      0.02);
}

static void forest_regression_r2_matches_scikit_learn(void **state)
{
    (void)state;
    ml_trees_params p = forest_params;
    p.task = ML_REGRESSION;
    p.min_child_weight = 3; /* three rows' hessian for squared error */
    p.colsample_bynode = 0.67;
    compare_with_peer(weather(), &p,
                      PEER_PROLOGUE
                      "from sklearn.ensemble import RandomForestRegressor\n"
                      "rf = RandomForestRegressor(n_estimators=100, "
                      "max_features=0.67, min_samples_leaf=3, random_state=0, n_jobs=1)"
                      ".fit(X, y)\n"
                      "print(metrics.r2_score(yt, ours[:, 0]),\n"
                      "      metrics.r2_score(yt, rf.predict(Xt)))\n",
                      0.02);
}

static void replicated_forest_differs_only_by_features_tried(void **state)
{
    (void)state;
    sample s = diabetes();
    ml_trees_params p = forest_params;
    p.bootstrap = false;
    p.num_trees = 50;
    ml_trees a, b;
    wf_error err = {0};
    assert_int_equal(ml_trees_fit(&s.x, s.y, &p, &one_thread, &a, &err), 0);
    p.seed = 8;
    assert_int_equal(ml_trees_fit(&s.x, s.y, &p, &one_thread, &b, &err), 0);
    double *pa = calloc(s.x.rows, sizeof *pa), *pb = calloc(s.x.rows, sizeof *pb);
    assert_int_equal(ml_trees_predict(&a, &s.x, NULL, pa, &err), 0);
    assert_int_equal(ml_trees_predict(&b, &s.x, NULL, pb, &err), 0);
    /* Another seed draws other features, so other trees. */
    size_t differ = 0;
    for (size_t r = 0; r < s.x.rows; r++)
        differ += pa[r] != pb[r];
    assert_true(differ > 0);
    /* With every feature at every split there is nothing left to vary:
     * every tree is the same tree, whatever the seed. */
    p.colsample_bynode = 1;
    ml_trees_clear(&a);
    ml_trees_clear(&b);
    assert_int_equal(ml_trees_fit(&s.x, s.y, &p, &one_thread, &a, &err), 0);
    p.seed = 9;
    assert_int_equal(ml_trees_fit(&s.x, s.y, &p, &one_thread, &b, &err), 0);
    assert_int_equal(ml_trees_predict(&a, &s.x, NULL, pa, &err), 0);
    assert_int_equal(ml_trees_predict(&b, &s.x, NULL, pb, &err), 0);
    for (size_t r = 0; r < s.x.rows; r++)
        assert_true(pa[r] == pb[r]);
    free(pa);
    free(pb);
    ml_trees_clear(&a);
    ml_trees_clear(&b);
    sample_clear(&s);
}

/* ---- saving, loading, importance ------------------------------------------- */

static void saved_model_loads_and_predicts_the_same(void **state)
{
    (void)state;
    sample s = penguins();
    ml_trees_params p = boost_params;
    p.task = ML_MULTICLASS;
    p.nclasses = 3;
    p.num_trees = 10;
    ml_trees m, back;
    wf_error err = {0};
    assert_int_equal(ml_trees_fit(&s.x, s.y, &p, NULL, &m, &err), 0);
    unsigned char *bytes = NULL;
    size_t len = 0;
    assert_int_equal(ml_trees_save(&m, &bytes, &len, &err), 0);
    assert_true(len > 100);
    assert_int_equal(bytes[0], '{');
    assert_int_equal(ml_trees_load(&back, bytes, len, ML_MULTICLASS, 4, 4, &err), WF_ECORRUPT);
    assert_contains(err.message, "has 3 classes, not 4");
    wf_error_clear(&err);
    assert_int_equal(ml_trees_load(&back, bytes, len, ML_MULTICLASS, 1, 4, &err), WF_EINVAL);
    assert_contains(err.message, "at least 2 classes, not 1");
    wf_error_clear(&err);
    assert_int_equal(ml_trees_load(&back, bytes, len, ML_MULTICLASS, 3, 4, &err), 0);
    assert_int_equal(back.nfeatures, 4);
    size_t n = s.x.rows * 3;
    double *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b);
    assert_int_equal(ml_trees_predict(&m, &s.x, NULL, a, &err), 0);
    assert_int_equal(ml_trees_predict(&back, &s.x, NULL, b, &err), 0);
    assert_memory_equal(a, b, n * sizeof *a);
    /* The rows with no measurements still get probabilities. */
    for (size_t r = 0; r < s.x.rows; r++)
        assert_true(fabs(a[3 * r] + a[3 * r + 1] + a[3 * r + 2] - 1) < 1e-5);
    free(a);
    free(b);
    free(bytes);
    ml_trees_clear(&m);
    ml_trees_clear(&back);
    sample_clear(&s);
}

/* Scoring endpoints share one model between request threads. */
typedef struct predict_job {
    const ml_trees *m;
    const ml_matrix *x;
    double *out;
    int rc;
} predict_job;

static void *predict_thread(void *arg)
{
    predict_job *job = arg;
    for (int i = 0; i < 20 && job->rc == 0; i++)
        job->rc = ml_trees_predict(job->m, job->x, NULL, job->out, NULL);
    return NULL;
}

static void threads_can_share_a_model(void **state)
{
    (void)state;
    sample s = diabetes();
    ml_trees m;
    wf_error err = {0};
    assert_int_equal(ml_trees_fit(&s.x, s.y, &boost_params, &one_thread, &m, &err), 0);
    double *want = calloc(s.x.rows, sizeof *want);
    assert_int_equal(ml_trees_predict(&m, &s.x, NULL, want, &err), 0);
    /* A freshly loaded model, which XGBoost configures on first use. */
    unsigned char *bytes = NULL;
    size_t len = 0;
    ml_trees loaded;
    assert_int_equal(ml_trees_save(&m, &bytes, &len, &err), 0);
    assert_int_equal(ml_trees_load(&loaded, bytes, len, ML_BINARY, 2, 8, &err), 0);
    free(bytes);
    enum { THREADS = 4 };
    predict_job jobs[THREADS];
    pthread_t tids[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (predict_job){.m = &loaded, .x = &s.x, .out = calloc(s.x.rows, sizeof(double))};
        assert_int_equal(pthread_create(&tids[i], NULL, predict_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(tids[i], NULL);
        assert_int_equal(jobs[i].rc, 0);
        assert_memory_equal(jobs[i].out, want, s.x.rows * sizeof *want);
        free(jobs[i].out);
    }
    free(want);
    ml_trees_clear(&loaded);
    ml_trees_clear(&m);
    sample_clear(&s);
}

static void gain_importance_matches_python_xgboost(void **state)
{
    (void)state;
    sample s = diabetes();
    /* A ninth feature that never varies can never split. */
    ml_matrix x;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&x, s.x.rows, 9, &err), 0);
    for (size_t r = 0; r < s.x.rows; r++) {
        memcpy(x.data + r * 9, s.x.data + r * 8, 8 * sizeof(double));
        x.data[r * 9 + 8] = 5;
    }
    ml_trees m;
    assert_int_equal(ml_trees_fit(&x, s.y, &boost_params, &one_thread, &m, &err), 0);
    double *gain = NULL;
    assert_int_equal(ml_trees_importance(&m, &gain, &err), 0);
    assert_true(gain[8] == 0);
    char *dir = temp_dir();
    ml_matrix_clear(&s.x);
    s.x = x;
    /* Every row trains here: mark none as test. */
    write_csvs(dir, &s, gain, 0, 1);
    double v[9];
    int got = python_numbers(dir,
                     "import sys, pandas as pd, xgboost as xgb\n"
                     "d = pd.read_csv(sys.argv[1] + '/data.csv')\n"
                     "f = [c for c in d.columns if c.startswith('f')]\n" XGB_PARAMS
                     "p['objective'] = 'binary:logistic'\n"
                     "b = xgb.train(p, xgb.DMatrix(d[f].to_numpy(), d.y.to_numpy()), 50)\n"
                     "g = b.get_score(importance_type='gain')\n"
                     "print(' '.join(str(g.get('f%d' % j, 0.0)) for j in range(len(f))))\n",
                     v, 9);
    assert_int_equal(got, 9);
    for (int j = 0; j < 9; j++)
        if (fabs(gain[j] - v[j]) > 1e-4 * fabs(v[j]) + 1e-9)
            fail_msg("feature %d: gain %g vs python %g", j, gain[j], v[j]);
    remove_dir(dir);
    free(gain);
    ml_trees_clear(&m);
    sample_clear(&s);
}

/* ---- cancellation ---------------------------------------------------------- */

static volatile sig_atomic_t cancel_flag;

static void cancel_on_first_log(void *user, const char *line)
{
    int *lines = user;
    (*lines)++;
    assert_non_null(strstr(line, "round"));
    cancel_flag = 1;
}

static void boosting_stops_between_rounds_when_cancelled(void **state)
{
    (void)state;
    sample s = diabetes();
    int lines = 0;
    cancel_flag = 0;
    ml_env env = {.cancel = &cancel_flag, .threads = 1, .log = cancel_on_first_log, .user = &lines};
    ml_trees_params p = boost_params;
    p.num_trees = 1000; /* logs every 100 rounds */
    ml_trees m;
    wf_error err = {0};
    assert_int_equal(ml_trees_fit(&s.x, s.y, &p, &env, &m, &err), WF_ECANCELED);
    assert_int_equal(lines, 1);
    assert_contains(err.message, "cancelled after 100 of 1000 rounds");
    assert_null(m.booster);
    /* Scoring checks the flag too. */
    env.log = NULL;
    cancel_flag = 0;
    p.num_trees = 5;
    assert_int_equal(ml_trees_fit(&s.x, s.y, &p, &env, &m, &err), 0);
    cancel_flag = 1;
    double *pred = calloc(s.x.rows, sizeof *pred);
    wf_error_clear(&err);
    assert_int_equal(ml_trees_predict(&m, &s.x, &env, pred, &err), WF_ECANCELED);
    free(pred);
    ml_trees_clear(&m);
    sample_clear(&s);
}

/* ---- bad input ------------------------------------------------------------ */

static void zero_rows_are_refused(void **state)
{
    (void)state;
    ml_matrix x = {.rows = 0, .cols = 3};
    ml_trees m;
    wf_error err = {0};
    assert_int_equal(ml_trees_fit(&x, NULL, &boost_params, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "no rows");
}

static void bad_labels_are_refused_naming_the_row(void **state)
{
    (void)state;
    ml_matrix x;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&x, 4, 1, &err), 0);
    double y[4] = {0, 1, NAN, 1};
    ml_trees m;
    assert_int_equal(ml_trees_fit(&x, y, &boost_params, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "label of row 3 is missing");
    wf_error_clear(&err);
    y[2] = 2;
    assert_int_equal(ml_trees_fit(&x, y, &boost_params, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "row 3 is 2, not class 0 or 1");
    ml_trees_params p = boost_params;
    p.task = ML_MULTICLASS;
    p.nclasses = 3;
    y[2] = 1.5;
    wf_error_clear(&err);
    assert_int_equal(ml_trees_fit(&x, y, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "row 3 is 1.5, not a class index in 0..2");
    ml_matrix_clear(&x);
}

static void bad_parameters_are_refused_naming_them(void **state)
{
    (void)state;
    ml_matrix x;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&x, 4, 1, &err), 0);
    double y[4] = {0, 1, 0, 1};
    ml_trees m;
    ml_trees_params p = boost_params;
    p.task = ML_MULTICLASS;
    p.nclasses = 1;
    assert_int_equal(ml_trees_fit(&x, y, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "at least 2 classes, not 1");
    p = boost_params;
    p.subsample = 0;
    wf_error_clear(&err);
    assert_int_equal(ml_trees_fit(&x, y, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "subsample");
    p = boost_params;
    p.max_depth = 0;
    wf_error_clear(&err);
    assert_int_equal(ml_trees_fit(&x, y, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "max_depth and max_leaves are both 0");
    p = boost_params;
    p.num_trees = 0;
    wf_error_clear(&err);
    assert_int_equal(ml_trees_fit(&x, y, &p, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "num_trees");
    ml_matrix_clear(&x);
}

static void infinite_features_are_refused_naming_the_cell(void **state)
{
    (void)state;
    ml_matrix x;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&x, 4, 2, &err), 0);
    x.data[3] = INFINITY;
    double y[4] = {0, 1, 0, 1};
    ml_trees m;
    assert_int_equal(ml_trees_fit(&x, y, &boost_params, NULL, &m, &err), WF_EINVAL);
    assert_contains(err.message, "row 2, feature 2 is infinite");
    /* NaN is only missing. */
    x.data[3] = NAN;
    assert_int_equal(ml_trees_fit(&x, y, &boost_params, NULL, &m, &err), 0);
    x.data[4] = -INFINITY;
    double out[4];
    wf_error_clear(&err);
    assert_int_equal(ml_trees_predict(&m, &x, NULL, out, &err), WF_EINVAL);
    assert_contains(err.message, "row 3, feature 1 is infinite");
    ml_trees_clear(&m);
    ml_matrix_clear(&x);
}

static void corrupt_or_mismatched_models_are_refused(void **state)
{
    (void)state;
    sample s = diabetes();
    ml_trees_params p = boost_params;
    p.num_trees = 3;
    ml_trees m, back;
    wf_error err = {0};
    assert_int_equal(ml_trees_fit(&s.x, s.y, &p, NULL, &m, &err), 0);
    unsigned char *bytes = NULL;
    size_t len = 0;
    assert_int_equal(ml_trees_save(&m, &bytes, &len, &err), 0);

    assert_int_equal(ml_trees_load(&back, "hello", 5, ML_BINARY, 2, 8, &err), WF_ECORRUPT);
    assert_contains(err.message, "not XGBoost UBJSON");
    assert_null(back.booster);
    wf_error_clear(&err);
    /* Cut short, it never reaches XGBoost (ubjson.c checks its structure). */
    assert_int_equal(ml_trees_load(&back, bytes, len / 2, ML_BINARY, 2, 8, &err), WF_ECORRUPT);
    assert_contains(err.message, "damaged XGBoost model");
    wf_error_clear(&err);
    /* Well-formed but no model: XGBoost's own refusal, without its stack. */
    assert_int_equal(ml_trees_load(&back, "{}", 2, ML_BINARY, 2, 8, &err), WF_ECORRUPT);
    assert_contains(err.message, "cannot load the saved model");
    assert_null(strstr(err.message, "Stack trace"));
    print_message("    %s\n", err.message);
    /* Flip bytes in the middle: never a crash, either an error or a model. */
    unsigned char *bad = malloc(len);
    memcpy(bad, bytes, len);
    for (size_t i = len / 3; i < len / 3 + 16; i++)
        bad[i] ^= 0x5a;
    wf_error_clear(&err);
    int rc = ml_trees_load(&back, bad, len, ML_BINARY, 2, 8, &err);
    assert_true(rc == 0 || rc == WF_ECORRUPT);
    ml_trees_clear(&back);
    free(bad);

    wf_error_clear(&err);
    assert_int_equal(ml_trees_load(&back, bytes, len, ML_BINARY, 2, 7, &err), WF_ECORRUPT);
    assert_contains(err.message, "8 features, not the 7 expected");
    wf_error_clear(&err);
    assert_int_equal(ml_trees_load(&back, bytes, len, ML_MULTICLASS, 3, 8, &err), WF_ECORRUPT);
    assert_contains(err.message, "objective is binary:logistic, not multi:softprob");
    assert_null(back.booster);

    /* Scoring a matrix of the wrong width. */
    ml_matrix x;
    assert_int_equal(ml_matrix_init(&x, 2, 5, &err), 0);
    double out[2];
    wf_error_clear(&err);
    assert_int_equal(ml_trees_predict(&m, &x, NULL, out, &err), WF_EINVAL);
    assert_contains(err.message, "trained on 8 features, not 5");
    ml_matrix_clear(&x);
    free(bytes);
    ml_trees_clear(&m);
    ml_trees_clear(&m); /* twice is harmless */
    sample_clear(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(boosted_binary_auc_matches_python_xgboost),
        cmocka_unit_test(boosted_regression_r2_matches_python_xgboost),
        cmocka_unit_test(boosted_multiclass_accuracy_matches_python_xgboost),
        cmocka_unit_test(forest_binary_auc_matches_scikit_learn),
        cmocka_unit_test(forest_regression_r2_matches_scikit_learn),
        cmocka_unit_test(replicated_forest_differs_only_by_features_tried),
        cmocka_unit_test(saved_model_loads_and_predicts_the_same),
        cmocka_unit_test(threads_can_share_a_model),
        cmocka_unit_test(gain_importance_matches_python_xgboost),
        cmocka_unit_test(boosting_stops_between_rounds_when_cancelled),
        cmocka_unit_test(zero_rows_are_refused),
        cmocka_unit_test(bad_labels_are_refused_naming_the_row),
        cmocka_unit_test(bad_parameters_are_refused_naming_them),
        cmocka_unit_test(infinite_features_are_refused_naming_the_cell),
        cmocka_unit_test(corrupt_or_mismatched_models_are_refused),
    };
    /* TEST_FILTER=pattern runs only the matching tests. */
    if (getenv("TEST_FILTER") != NULL) cmocka_set_test_filter(getenv("TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
