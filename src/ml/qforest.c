/*
 * qforest.c: quantile regression forests (Meinshausen, "Quantile regression
 * forests", Journal of Machine Learning Research 7, 2006), as Azure's Fast
 * Forest Quantile Regression trains them.
 *
 * A random forest is grown as for Decision Forest Regression (trees.c:
 * XGBoost's random-forest mode), and then every training row is dropped
 * down every tree (XGBoost's leaf prediction) and each leaf keeps the
 * labels of the rows that reach it. Where a random forest predicts the
 * weighted mean of those labels, Meinshausen's forest keeps the whole
 * weighted distribution: a row x gets from tree t the labels of its leaf,
 * each with weight 1 / (T |leaf|), and the conditional distribution
 *
 *     F(y | x) = sum_i w_i(x) 1{Y_i <= y}
 *
 * whose alpha-quantile is the smallest label y with F(y | x) >= alpha.
 *
 * Like Azure (its "quantile sample count"), a leaf keeps at most
 * sample_count labels, a seeded random sample of its rows, so that a model
 * of a large table stays small; with fewer rows in a leaf it keeps them all
 * and the estimate is Meinshausen's exactly.
 */
#include "ml.h"

#include <xgboost/c_api.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* XGBoost's prediction from a DMatrix keeps a per-booster cache that two
 * threads must not touch at once (scoring endpoints share models); leaf
 * prediction is only available that way, so it is serialised. */
static pthread_mutex_t qforest_lock = PTHREAD_MUTEX_INITIALIZER;

static int qforest_xgb_fail(wf_error *err, const char *what)
{
    const char *s = XGBGetLastError();
    size_t n = s != NULL ? strcspn(s, "\n") : 0;
    return wf_error_set(err, WF_EINVAL, "quantile forest: XGBoost %s: %.*s", what,
                        (int)(n > 300 ? 300 : n), s != NULL ? s : "");
}

/* The leaf (node id) of every row of x in every tree: rows x ntrees. */
static int qforest_leaves(const ml_trees *trees, const ml_matrix *x, size_t ntrees, int32_t *leaves,
                          wf_error *err)
{
    char data[256];
    snprintf(data, sizeof data,
             "{\"data\":[%llu,true],\"shape\":[%zu,%zu],\"strides\":null,"
             "\"typestr\":\"<f8\",\"version\":3}",
             (unsigned long long)(uintptr_t)x->data, x->rows, x->cols);
    DMatrixHandle dm = NULL;
    if (XGDMatrixCreateFromDense(data, "{\"missing\":NaN,\"nthread\":0}", &dm) != 0)
        return qforest_xgb_fail(err, "cannot read the matrix");
    const char *config = "{\"type\":6,\"training\":false,\"iteration_begin\":0,"
                         "\"iteration_end\":0,\"strict_shape\":false}";
    const bst_ulong *shape = NULL;
    bst_ulong dim = 0;
    const float *result = NULL;
    int rc = 0;
    pthread_mutex_lock(&qforest_lock);
    if (XGBoosterPredictFromDMatrix(trees->booster, dm, config, &shape, &dim, &result) != 0) {
        rc = qforest_xgb_fail(err, "leaf prediction");
    } else {
        bst_ulong count = 1;
        for (bst_ulong i = 0; i < dim; i++)
            count *= shape[i];
        if (count != (bst_ulong)(x->rows * ntrees))
            rc = wf_error_set(err, WF_ECORRUPT,
                              "quantile forest: XGBoost gave %llu leaves for %zu rows x %zu trees",
                              (unsigned long long)count, x->rows, ntrees);
        for (size_t i = 0; rc == 0 && i < x->rows * ntrees; i++)
            leaves[i] = (int32_t)result[i];
    }
    pthread_mutex_unlock(&qforest_lock);
    XGDMatrixFree(dm);
    return rc;
}

typedef struct leaf_row {
    int32_t node;
    uint32_t row;
} leaf_row;

static int compare_leaf_rows(const void *a, const void *b)
{
    const leaf_row *x = a, *y = b;
    if (x->node != y->node) return x->node < y->node ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int ml_qforest_fit(const ml_matrix *x, const double *y, const ml_qforest_params *p,
                   const ml_env *env, ml_qforest *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    if (p->trees.task != ML_REGRESSION || !p->trees.forest)
        return wf_error_set(err, WF_EINVAL,
                            "quantile forest: the trees must be a regression forest");
    if (p->sample_count < 1)
        return wf_error_set(err, WF_EINVAL,
                            "quantile forest: the quantile sample count must be at least 1");
    if (x->rows > UINT32_MAX)
        return wf_error_set(err, WF_ELIMIT, "quantile forest: %zu rows are too many", x->rows);
    int rc = ml_trees_fit(x, y, &p->trees, env, &out->trees, err);
    if (rc < 0) return rc;
    size_t n = x->rows, T = (size_t)p->trees.num_trees;
    out->ntrees = T;
    int32_t *leaves = wf_mallocarray(n * T, sizeof *leaves);
    leaf_row *pairs = wf_mallocarray(n, sizeof *pairs);
    out->leaf_start = wf_calloc(T + 1, sizeof *out->leaf_start);
    /* at most one leaf per row per tree, and sample_count values per leaf */
    size_t most = n * T;
    out->leaf_node = wf_mallocarray(most, sizeof *out->leaf_node);
    out->value_start = wf_mallocarray(most + 1, sizeof *out->value_start);
    out->values = wf_mallocarray(most, sizeof *out->values);
    if (!leaves || !pairs || !out->leaf_start || !out->leaf_node || !out->value_start ||
        !out->values) {
        rc = wf_error_set(err, WF_ENOMEM, "quantile forest: out of memory for %zu rows x %zu trees",
                          n, T);
        goto done;
    }
    if ((rc = qforest_leaves(&out->trees, x, T, leaves, err)) < 0) goto done;
    wf_rng rng = {.state = p->seed ^ 0x9e3779b97f4a7c15ULL};
    size_t nleaves = 0, nvalues = 0;
    for (size_t t = 0; t < T; t++) {
        out->leaf_start[t] = nleaves;
        for (size_t i = 0; i < n; i++)
            pairs[i] = (leaf_row){.node = leaves[i * T + t], .row = (uint32_t)i};
        qsort(pairs, n, sizeof *pairs, compare_leaf_rows);
        for (size_t a = 0; a < n;) {
            size_t b = a;
            while (b < n && pairs[b].node == pairs[a].node)
                b++;
            size_t count = b - a, keep = count < p->sample_count ? count : p->sample_count;
            /* A seeded sample of the leaf's rows: a partial Fisher-Yates. */
            for (size_t k = 0; k < keep && keep < count; k++) {
                size_t j = k + (size_t)wf_rng_below(&rng, count - k);
                leaf_row s = pairs[a + k];
                pairs[a + k] = pairs[a + j];
                pairs[a + j] = s;
            }
            out->leaf_node[nleaves] = pairs[a].node;
            out->value_start[nleaves] = nvalues;
            for (size_t k = 0; k < keep; k++)
                out->values[nvalues + k] = y[pairs[a + k].row];
            qsort(out->values + nvalues, keep, sizeof *out->values, compare_doubles);
            nvalues += keep;
            nleaves++;
            a = b;
        }
    }
    out->leaf_start[T] = nleaves;
    out->value_start[nleaves] = nvalues;
    out->nleaves = nleaves;
    out->nvalues = nvalues;
    /* Give back what the worst case reserved (shrinking cannot fail in
     * practice; if it does, the larger buffers stay). */
    int32_t *nodes = realloc(out->leaf_node, (nleaves + 1) * sizeof *nodes);
    if (nodes != NULL) out->leaf_node = nodes;
    size_t *starts = realloc(out->value_start, (nleaves + 1) * sizeof *starts);
    if (starts != NULL) out->value_start = starts;
    double *values = realloc(out->values, (nvalues + 1) * sizeof *values);
    if (values != NULL) out->values = values;
    if (env != NULL && env->log != NULL) {
        char line[200];
        snprintf(line, sizeof line,
                 "quantile forest: %zu trees, %zu leaves, %zu label values kept (at most %zu a "
                 "leaf)",
                 T, nleaves, nvalues, p->sample_count);
        env->log(env->user, line);
    }
done:
    free(leaves);
    free(pairs);
    if (rc < 0) ml_qforest_clear(out);
    return rc;
}

int ml_qforest_check(const ml_qforest *m, wf_error *err)
{
    if (m->trees.booster == NULL || m->ntrees == 0)
        return wf_error_set(err, WF_ECORRUPT, "quantile forest: no trees");
    if (m->leaf_start[0] != 0 || m->leaf_start[m->ntrees] != m->nleaves)
        return wf_error_set(err, WF_ECORRUPT, "quantile forest: bad leaf offsets");
    for (size_t t = 0; t < m->ntrees; t++) {
        if (m->leaf_start[t] >= m->leaf_start[t + 1])
            return wf_error_set(err, WF_ECORRUPT, "quantile forest: tree %zu has no leaves", t);
        for (size_t l = m->leaf_start[t] + 1; l < m->leaf_start[t + 1]; l++)
            if (m->leaf_node[l] <= m->leaf_node[l - 1])
                return wf_error_set(err, WF_ECORRUPT,
                                    "quantile forest: the leaves of tree %zu are not in order", t);
    }
    if (m->value_start[0] != 0 || m->value_start[m->nleaves] != m->nvalues)
        return wf_error_set(err, WF_ECORRUPT, "quantile forest: bad value offsets");
    for (size_t l = 0; l < m->nleaves; l++) {
        if (m->value_start[l] >= m->value_start[l + 1])
            return wf_error_set(err, WF_ECORRUPT, "quantile forest: leaf %zu has no values", l);
        for (size_t v = m->value_start[l]; v < m->value_start[l + 1]; v++)
            if (!isfinite(m->values[v]) ||
                (v > m->value_start[l] && m->values[v] < m->values[v - 1]))
                return wf_error_set(
                    err, WF_ECORRUPT,
                    "quantile forest: the values of leaf %zu are not sorted numbers", l);
    }
    return 0;
}

/* The weight of the labels <= y in a row's conditional distribution:
 * sum over its leaves of (labels <= y) / (trees x leaf size). */
static double qforest_cdf(const ml_qforest *m, const size_t *leaf, size_t nleaf, double y)
{
    double f = 0;
    for (size_t i = 0; i < nleaf; i++) {
        const double *v = m->values + m->value_start[leaf[i]];
        size_t k = m->value_start[leaf[i] + 1] - m->value_start[leaf[i]], lo = 0, hi = k;
        while (lo < hi) { /* values <= y */
            size_t mid = lo + (hi - lo) / 2;
            if (v[mid] <= y)
                lo = mid + 1;
            else
                hi = mid;
        }
        f += (double)lo / (double)k;
    }
    return f / (double)m->ntrees;
}

/* Labels at most this many (distinct) get a table of every leaf's
 * distribution function at every label, so a row's function is T x U
 * additions instead of T binary searches per bisection step; the table
 * holds at most QFOREST_TABLE_MAX values. */
#define QFOREST_TABLE_LABELS 1024
#define QFOREST_TABLE_MAX ((size_t)8 << 20)
#define QFOREST_MAX_THREADS 64

/* One thread's rows [from, to) of a prediction. */
typedef struct qforest_job {
    const ml_qforest *m;
    const int32_t *leaves; /* rows x T node ids */
    const double *labels;  /* the distinct labels, ascending */
    size_t nlabels;
    const double *table; /* nleaves x nlabels leaf distribution functions, or NULL */
    const double *alphas;
    size_t nq;
    double *out;
    size_t from, to;
    size_t *leaf; /* T: the row's leaves */
    double *cdf;  /* nlabels: the row's distribution function (with a table) */
} qforest_job;

/* The row's leaves (their indices among the model's), in tree order. */
static size_t qforest_row_leaves(const ml_qforest *m, const int32_t *nodes, size_t *leaf)
{
    size_t nleaf = 0;
    for (size_t t = 0; t < m->ntrees; t++) {
        /* The leaf by its node id, among tree t's (sorted) leaves. */
        size_t lo = m->leaf_start[t], hi = m->leaf_start[t + 1];
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (m->leaf_node[mid] < nodes[t])
                lo = mid + 1;
            else
                hi = mid;
        }
        /* A leaf no training row reached (never, for the training booster)
         * adds nothing. */
        if (lo < m->leaf_start[t + 1] && m->leaf_node[lo] == nodes[t]) leaf[nleaf++] = lo;
    }
    return nleaf;
}

static void *qforest_rows(void *arg)
{
    const qforest_job *j = arg;
    const ml_qforest *m = j->m;
    size_t T = m->ntrees, U = j->nlabels;
    for (size_t r = j->from; r < j->to; r++) {
        size_t nleaf = qforest_row_leaves(m, j->leaves + r * T, j->leaf);
        double total = (double)nleaf / (double)T;
        if (j->table != NULL && nleaf > 0) {
            /* the same sums, in the same order, as qforest_cdf's */
            for (size_t u = 0; u < U; u++)
                j->cdf[u] = 0;
            for (size_t i = 0; i < nleaf; i++) {
                const double *row = j->table + j->leaf[i] * U;
                for (size_t u = 0; u < U; u++)
                    j->cdf[u] += row[u];
            }
            for (size_t u = 0; u < U; u++)
                j->cdf[u] /= (double)T;
        }
        for (size_t q = 0; q < j->nq; q++) {
            if (nleaf == 0) {
                j->out[r * j->nq + q] = NAN;
                continue;
            }
            /* The smallest label whose cumulative weight reaches alpha (a
             * hair below it, so that rounding in the sums cannot skip a
             * label that reaches it exactly); f > 0: the 0-quantile is the
             * least label of the row's leaves, not the least of all. */
            double want = j->alphas[q] * total * (1 - 1e-12);
            size_t lo = 0, hi = U - 1;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                double f =
                    j->table != NULL ? j->cdf[mid] : qforest_cdf(m, j->leaf, nleaf, j->labels[mid]);
                if (f >= want && f > 0)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            j->out[r * j->nq + q] = j->labels[lo];
        }
    }
    return NULL;
}

/* Every leaf's distribution function at every label: the share of its
 * values <= the label. */
static void qforest_table(const ml_qforest *m, const double *labels, size_t U, double *table)
{
    for (size_t l = 0; l < m->nleaves; l++) {
        const double *v = m->values + m->value_start[l];
        size_t k = m->value_start[l + 1] - m->value_start[l], at = 0;
        for (size_t u = 0; u < U; u++) {
            while (at < k && v[at] <= labels[u])
                at++;
            table[l * U + u] = (double)at / (double)k;
        }
    }
}

int ml_qforest_predict(const ml_qforest *m, const ml_matrix *x, const double *alphas, size_t nq,
                       double *out, wf_error *err)
{
    size_t n = x->rows, T = m->ntrees;
    if (x->cols != m->trees.nfeatures)
        return wf_error_set(err, WF_EINVAL, "quantile forest: the model has %zu features, not %zu",
                            m->trees.nfeatures, x->cols);
    for (size_t q = 0; q < nq; q++)
        if (!(alphas[q] >= 0 && alphas[q] <= 1))
            return wf_error_set(err, WF_EINVAL, "quantile forest: quantile %g is not in [0, 1]",
                                alphas[q]);
    if (n == 0) return 0;
    /* Every label value the leaves hold, sorted and distinct: a row's
     * quantile is one of them, found by bisection on its distribution
     * function, instead of sorting the row's support (up to T x sample
     * count values) for every row. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = cores < 1                     ? 1
                     : cores > QFOREST_MAX_THREADS ? QFOREST_MAX_THREADS
                                                   : (size_t)cores;
    if (threads > n) threads = n;
    int32_t *leaves = wf_mallocarray(n * T, sizeof *leaves);
    double *labels = wf_mallocarray(m->nvalues + 1, sizeof *labels), *table = NULL;
    size_t *leaf = wf_mallocarray(threads * (T + 1), sizeof *leaf), U = 0;
    int rc = leaves && labels && leaf ? 0 : wf_error_set(err, WF_ENOMEM, "out of memory");
    if (rc == 0) {
        memcpy(labels, m->values, m->nvalues * sizeof *labels);
        qsort(labels, m->nvalues, sizeof *labels, compare_doubles);
        for (size_t i = 0; i < m->nvalues; i++)
            if (U == 0 || labels[i] != labels[U - 1]) labels[U++] = labels[i];
        rc = qforest_leaves(&m->trees, x, T, leaves, err);
    }
    double *cdf = NULL;
    if (rc == 0 && U <= QFOREST_TABLE_LABELS && m->nleaves <= QFOREST_TABLE_MAX / U) {
        table = wf_mallocarray(m->nleaves * U, sizeof *table);
        cdf = wf_mallocarray(threads * U, sizeof *cdf);
        if (table == NULL || cdf == NULL) { /* no room: bisect on the leaves themselves */
            free(table);
            free(cdf);
            table = cdf = NULL;
        } else {
            qforest_table(m, labels, U, table);
        }
    }
    qforest_job jobs[QFOREST_MAX_THREADS];
    pthread_t tid[QFOREST_MAX_THREADS];
    bool started[QFOREST_MAX_THREADS] = {0};
    for (size_t i = 0; rc == 0 && i < threads; i++) {
        jobs[i] = (qforest_job){.m = m,
                                .leaves = leaves,
                                .labels = labels,
                                .nlabels = U,
                                .table = table,
                                .alphas = alphas,
                                .nq = nq,
                                .out = out,
                                .from = n * i / threads,
                                .to = n * (i + 1) / threads,
                                .leaf = leaf + i * (T + 1),
                                .cdf = cdf != NULL ? cdf + i * U : NULL};
        /* Job 0 runs here; one whose thread fails to start runs here too. */
        if (i > 0) started[i] = pthread_create(&tid[i], NULL, qforest_rows, &jobs[i]) == 0;
    }
    if (rc == 0) qforest_rows(&jobs[0]);
    for (size_t i = 1; rc == 0 && i < threads; i++)
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            qforest_rows(&jobs[i]);
    free(leaves);
    free(labels);
    free(leaf);
    free(table);
    free(cdf);
    return rc;
}

void ml_qforest_clear(ml_qforest *m)
{
    ml_trees_clear(&m->trees);
    free(m->leaf_start);
    free(m->leaf_node);
    free(m->value_start);
    free(m->values);
    memset(m, 0, sizeof *m);
}
