/*
 * bench_ml_trees.c: times weft's boosted trees (ml_trees_fit and
 * ml_trees_predict over XGBoost) as bench/ml_trees.sh runs them next to
 * python xgboost.
 *
 *     bench_ml_trees TRAIN.csv TEST.csv [THREADS] [TREES]
 *
 * Both files come from bench/gen_classification.py: feature columns and a
 * 0/1 column `label`. It reads them (not timed), builds the row-major
 * double matrices, then times
 *   - fit: ml_trees_fit with TREES (default 100) rounds of depth-6 trees,
 *     hist, eta 0.3, on every TRAIN row; this covers building XGBoost's
 *     DMatrix, as xgb.DMatrix + xgb.train does on the python side;
 *   - predict: ml_trees_predict of every TEST row (P(label = 1)),
 * and prints one line:
 *
 *     fit_seconds=41.2 fit_cpu=80.1 predict_seconds=0.61 predict_cpu=1.2 \
 *         rows_per_s=1640000 auc=0.91234
 *
 * (one line; the _cpu figures are CPU seconds of all threads)
 * where auc is the area under the ROC curve of the TEST predictions (ties
 * averaged), computed here. THREADS 0 (the default) uses every core.
 */
#include "ml/ml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double bench__clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double bench__now(void)
{
    return bench__clock(CLOCK_MONOTONIC);
}

/* CPU seconds of every thread of the process: on a shared machine, what
 * the work cost rather than how long it waited for a core. */
static double bench__cpu(void)
{
    return bench__clock(CLOCK_PROCESS_CPUTIME_ID);
}

static double bench__cell(const tbl_column *c, size_t r)
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
        return NAN;
    }
}

/* Every column but `label` as features, and the label. */
static int bench__load(const char *path, ml_matrix *x, double **y)
{
    wf_error err = {0};
    tbl_table *t = NULL;
    if (tbl_read_file(path, NULL, &t, &err) < 0) {
        fprintf(stderr, "bench_ml_trees: %s: %s\n", path, err.message);
        return -1;
    }
    int label = tbl_find_column(t, "label");
    if (label < 0 || t->ncols < 2) {
        fprintf(stderr, "bench_ml_trees: %s has no column label\n", path);
        tbl_free(t);
        return -1;
    }
    if (ml_matrix_init(x, t->nrows, t->ncols - 1, &err) < 0 ||
        (*y = malloc(t->nrows * sizeof **y)) == NULL) {
        fprintf(stderr, "bench_ml_trees: out of memory\n");
        ml_matrix_clear(x);
        tbl_free(t);
        return -1;
    }
    size_t j = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        if ((int)c == label) continue;
        for (size_t r = 0; r < t->nrows; r++)
            x->data[r * x->cols + j] = bench__cell(&t->cols[c], r);
        j++;
    }
    for (size_t r = 0; r < t->nrows; r++)
        (*y)[r] = bench__cell(&t->cols[label], r);
    tbl_free(t);
    return 0;
}

static const double *bench__scores;

static int bench__by_score(const void *a, const void *b)
{
    double x = bench__scores[*(const size_t *)a], y = bench__scores[*(const size_t *)b];
    return (x > y) - (x < y);
}

/* Mann-Whitney: the AUC is the chance that a positive outscores a
 * negative, ties counting one half (average ranks). */
static double bench__auc(const double *y, const double *p, size_t n)
{
    size_t *order = malloc(n * sizeof *order);
    if (order == NULL) return NAN;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    bench__scores = p;
    qsort(order, n, sizeof *order, bench__by_score);
    double rank_sum = 0, pos = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && p[order[j]] == p[order[i]])
            j++;
        double rank = (double)(i + j + 1) / 2; /* ranks i+1..j, averaged */
        for (size_t k = i; k < j; k++)
            if (y[order[k]] == 1) {
                rank_sum += rank;
                pos++;
            }
        i = j;
    }
    free(order);
    double neg = (double)n - pos;
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_ml_trees TRAIN.csv TEST.csv [THREADS] [TREES]\n");
        return 2;
    }
    int threads = argc > 3 ? atoi(argv[3]) : 0;
    int trees = argc > 4 ? atoi(argv[4]) : 100;
    ml_matrix train = {0}, test = {0};
    double *ytrain = NULL, *ytest = NULL;
    if (bench__load(argv[1], &train, &ytrain) < 0 || bench__load(argv[2], &test, &ytest) < 0)
        return 1;

    ml_trees_params p = {
        .task = ML_BINARY,
        .num_trees = trees,
        .learning_rate = 0.3,
        .max_depth = 6,
        .min_child_weight = 1,
        .subsample = 1,
        .colsample_bynode = 1,
        .lambda = 1,
        .seed = 0,
    };
    ml_env env = {.threads = threads};
    ml_trees m;
    wf_error err = {0};
    double c0 = bench__cpu(), t0 = bench__now();
    if (ml_trees_fit(&train, ytrain, &p, &env, &m, &err) < 0) {
        fprintf(stderr, "bench_ml_trees: %s\n", err.message);
        return 1;
    }
    double t1 = bench__now(), c1 = bench__cpu();
    double *pred = malloc(test.rows * sizeof *pred);
    if (pred == NULL) return 1;
    double c2 = bench__cpu(), t2 = bench__now();
    if (ml_trees_predict(&m, &test, &env, pred, &err) < 0) {
        fprintf(stderr, "bench_ml_trees: %s\n", err.message);
        return 1;
    }
    double t3 = bench__now(), c3 = bench__cpu();
    printf("fit_seconds=%.3f fit_cpu=%.3f predict_seconds=%.3f predict_cpu=%.3f rows_per_s=%.0f "
           "auc=%.5f\n",
           t1 - t0, c1 - c0, t3 - t2, c3 - c2, (double)test.rows / (t3 - t2),
           bench__auc(ytest, pred, test.rows));
    free(pred);
    ml_trees_clear(&m);
    ml_matrix_clear(&train);
    ml_matrix_clear(&test);
    free(ytrain);
    free(ytest);
    return 0;
}
