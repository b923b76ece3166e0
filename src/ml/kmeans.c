/*
 * kmeans.c: k-means clustering by Lloyd's algorithm.
 *
 * Lloyd, "Least squares quantization in PCM", IEEE Transactions on
 * Information Theory 28(2), 1982: alternate between assigning each row to
 * its nearest centroid and moving each centroid to the mean of its rows,
 * which never increases sum_i |x_i - c(i)|^2, until no assignment changes or
 * `iterations` passes have run.
 *
 * Seeding: K-Means++ (Arthur and Vassilvitskii, "k-means++: The Advantages
 * of Careful Seeding", SODA 2007): the first centroid is a uniformly random
 * row, each next one a row drawn with probability proportional to D(x)^2,
 * its squared distance to the nearest centroid chosen so far. Or k distinct
 * random rows, or the first k rows, or centroids the caller gives.
 *
 * Cosine metric (distance 1 - cos): spherical k-means (Dhillon and Modha,
 * "Concept decompositions for large sparse text data using clustering",
 * Machine Learning 42, 2001). Rows count by direction only: a centroid is
 * the sum of its rows scaled to unit length, itself scaled to unit length
 * (the normalised mean). On unit vectors |x - c|^2 = 2 (1 - cos), so
 * K-Means++ draws with probability proportional to 1 - cos. A row of zeros
 * has no direction: its distance to every centroid is 1 and it moves no
 * centroid.
 *
 * A cluster that loses all its rows keeps its previous centroid (it may
 * win rows back later), rather than being re-seeded, so a fit is a plain
 * function of its start. All randomness comes from wf_rng seeded by the
 * seed parameter, so a fit is reproducible on every machine.
 */
#include "ml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- distances ------------------------------------------------------------- */

/* 1 / |v| over v's present values, or 0 for a vector without direction. */
static double kmeans__inverse_norm(const double *v, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++)
        if (!isnan(v[j])) s += v[j] * v[j];
    return s > 0 ? 1 / sqrt(s) : 0;
}

/* The distance that the metric ranks by: the squared Euclidean distance, or
 * 1 - cos given both inverse norms. NaN values of the row are skipped. */
static double kmeans__rank_distance(ml_metric metric, const double *row, double row_inv,
                                    const double *c, double c_inv, size_t d)
{
    double s = 0;
    if (metric == ML_COSINE) {
        if (row_inv == 0 || c_inv == 0) return 1;
        for (size_t j = 0; j < d; j++)
            if (!isnan(row[j])) s += row[j] * c[j];
        return 1 - s * row_inv * c_inv;
    }
    for (size_t j = 0; j < d; j++) {
        double e = row[j] - c[j];
        if (!isnan(e)) s += e * e;
    }
    return s;
}

/* The nearest of k centroids (the lowest index among ties), with the rank
 * distance to each in dist (k values) when dist is not NULL. */
static int32_t kmeans__nearest(ml_metric metric, const double *row, double row_inv,
                               const double *centroids, const double *c_inv, size_t k, size_t d,
                               double *dist, double *best_out)
{
    int32_t best = 0;
    double best_d = INFINITY;
    for (size_t c = 0; c < k; c++) {
        double v = kmeans__rank_distance(metric, row, row_inv, centroids + c * d,
                                         metric == ML_COSINE ? c_inv[c] : 0, d);
        if (dist != NULL) dist[c] = v;
        if (v < best_d) {
            best_d = v;
            best = (int32_t)c;
        }
    }
    if (best_out != NULL) *best_out = best_d;
    return best;
}

static void kmeans__centroid_norms(const ml_kmeans *m, double *c_inv)
{
    if (m->metric != ML_COSINE) return;
    for (size_t c = 0; c < m->k; c++)
        c_inv[c] = kmeans__inverse_norm(m->centroids + c * m->dims, m->dims);
}

static bool kmeans__cancelled(const ml_env *env)
{
    return env != NULL && env->cancel != NULL && *env->cancel;
}

/* ---- seeding --------------------------------------------------------------- */

/* K-Means++. d2[i] holds row i's weight: its rank distance to the nearest
 * centroid so far (squared Euclidean, or 1 - cos). */
static int kmeans__seed_plus_plus(const ml_matrix *x, const double *row_inv, ml_kmeans *m,
                                  wf_rng *rng, const ml_env *env, wf_error *err)
{
    size_t n = x->rows, d = x->cols;
    double *d2 = wf_mallocarray(n, sizeof *d2);
    if (d2 == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory seeding k-means");
    size_t pick = (size_t)wf_rng_below(rng, n);
    for (size_t c = 0;; c++) {
        double *centre = m->centroids + c * d;
        memcpy(centre, x->data + pick * d, d * sizeof *centre);
        if (c + 1 == m->k) break;
        if (kmeans__cancelled(env)) {
            free(d2);
            return wf_error_set(err, WF_ECANCELED, "k-means: cancelled while seeding");
        }
        double c_inv = m->metric == ML_COSINE ? kmeans__inverse_norm(centre, d) : 0;
        double total = 0;
        for (size_t i = 0; i < n; i++) {
            double v = kmeans__rank_distance(m->metric, x->data + i * d, row_inv ? row_inv[i] : 0,
                                             centre, c_inv, d);
            if (v < 0) v = 0; /* 1 - cos may round below zero */
            if (c == 0 || v < d2[i]) d2[i] = v;
            total += d2[i];
        }
        if (!(total > 0)) {
            /* Fewer distinct rows than k: every row is already a centroid.
             * Take any row; the duplicate centroid will stay empty. */
            pick = (size_t)wf_rng_below(rng, n);
            continue;
        }
        double target = wf_rng_uniform(rng) * total, run = 0;
        pick = n;
        for (size_t i = 0; i < n; i++) {
            run += d2[i];
            if (d2[i] > 0 && run > target) {
                pick = i;
                break;
            }
        }
        /* Rounding can leave target at the very end: take the last row
         * with any weight. */
        for (size_t i = n; pick == n && i-- > 0;)
            if (d2[i] > 0) pick = i;
    }
    free(d2);
    return 0;
}

/* k distinct rows, by a partial Fisher-Yates shuffle of the row indices. */
static int kmeans__seed_random(const ml_matrix *x, ml_kmeans *m, wf_rng *rng, wf_error *err)
{
    size_t n = x->rows, d = x->cols;
    size_t *idx = wf_mallocarray(n, sizeof *idx);
    if (idx == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory seeding k-means");
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t c = 0; c < m->k; c++) {
        size_t j = c + (size_t)wf_rng_below(rng, n - c);
        size_t t = idx[c];
        idx[c] = idx[j];
        idx[j] = t;
        memcpy(m->centroids + c * d, x->data + idx[c] * d, d * sizeof(double));
    }
    free(idx);
    return 0;
}

/* ---- Lloyd's iterations ------------------------------------------------------ */

static int kmeans__check(const ml_matrix *x, const ml_kmeans_params *p, wf_error *err)
{
    if (x->rows == 0) return wf_error_set(err, WF_EINVAL, "k-means: no rows to cluster");
    if (x->cols == 0) return wf_error_set(err, WF_EINVAL, "k-means: no feature columns");
    if (p->k == 0) return wf_error_set(err, WF_EINVAL, "k-means: k must be at least 1");
    if (p->k > x->rows)
        return wf_error_set(err, WF_EINVAL, "k-means: k = %zu clusters but only %zu rows", p->k,
                            x->rows);
    if (p->k > INT32_MAX) return wf_error_set(err, WF_ELIMIT, "k-means: k = %zu is too many", p->k);
    if (p->iterations < 1)
        return wf_error_set(err, WF_EINVAL, "k-means: iterations must be at least 1, not %d",
                            p->iterations);
    if (p->metric != ML_EUCLIDEAN && p->metric != ML_COSINE)
        return wf_error_set(err, WF_EINVAL, "k-means: unknown metric %d", (int)p->metric);
    if (p->initial == NULL && p->init != ML_KMEANS_PLUS_PLUS && p->init != ML_KMEANS_RANDOM &&
        p->init != ML_KMEANS_FIRST_N)
        return wf_error_set(err, WF_EINVAL, "k-means: unknown initialisation %d", (int)p->init);
    /* Lloyd's means are undefined over missing values: say where the first
     * one is, so the user can clean or impute it. */
    for (size_t r = 0; r < x->rows; r++)
        for (size_t j = 0; j < x->cols; j++)
            if (!isfinite(x->data[r * x->cols + j]))
                return wf_error_set(err, WF_EINVAL,
                                    "k-means: row %zu, feature %zu is %s; clean or impute "
                                    "missing values first",
                                    r + 1, j + 1,
                                    isnan(x->data[r * x->cols + j]) ? "missing" : "infinite");
    if (p->initial != NULL)
        for (size_t i = 0; i < p->k * x->cols; i++)
            if (!isfinite(p->initial[i]))
                return wf_error_set(err, WF_EINVAL,
                                    "k-means: initial centroid %zu, feature %zu is not a number",
                                    i / x->cols + 1, i % x->cols + 1);
    return 0;
}

/* Moves each centroid to the (normalised, for cosine) mean of its rows;
 * an empty cluster keeps its centroid. */
static void kmeans__update(const ml_matrix *x, const double *row_inv, const int32_t *assign,
                           ml_kmeans *m, double *sums, size_t *counts)
{
    size_t d = x->cols, k = m->k;
    memset(sums, 0, k * d * sizeof *sums);
    memset(counts, 0, k * sizeof *counts);
    for (size_t r = 0; r < x->rows; r++) {
        const double *row = x->data + r * d;
        double *s = sums + (size_t)assign[r] * d;
        double scale = m->metric == ML_COSINE ? row_inv[r] : 1;
        if (scale == 0) continue; /* a row of zeros has no direction */
        for (size_t j = 0; j < d; j++)
            s[j] += scale * row[j];
        counts[assign[r]]++;
    }
    for (size_t c = 0; c < k; c++) {
        if (counts[c] == 0) continue;
        double *s = sums + c * d, *centre = m->centroids + c * d;
        double scale = 1 / (double)counts[c];
        if (m->metric == ML_COSINE) {
            scale = kmeans__inverse_norm(s, d);
            if (scale == 0) continue; /* opposite directions cancelled out */
        }
        for (size_t j = 0; j < d; j++)
            centre[j] = s[j] * scale;
    }
}

int ml_kmeans_fit(const ml_matrix *x, const ml_kmeans_params *p, const ml_env *env, ml_kmeans *out,
                  wf_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = kmeans__check(x, p, err);
    if (rc < 0) return rc;
    size_t n = x->rows, d = x->cols, k = p->k;
    ml_kmeans m = {.k = k, .dims = d, .metric = p->metric};
    m.centroids = wf_mallocarray(k * d, sizeof(double));
    double *sums = wf_mallocarray(k * d, sizeof(double));
    double *c_inv = wf_mallocarray(k, sizeof(double));
    size_t *counts = wf_mallocarray(k, sizeof(size_t));
    int32_t *assign = wf_mallocarray(n, sizeof(int32_t));
    double *row_inv = p->metric == ML_COSINE ? wf_mallocarray(n, sizeof(double)) : NULL;
    if (m.centroids == NULL || sums == NULL || c_inv == NULL || counts == NULL || assign == NULL ||
        (p->metric == ML_COSINE && row_inv == NULL)) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory for k-means of %zu rows", n);
        goto done;
    }
    if (row_inv != NULL)
        for (size_t r = 0; r < n; r++)
            row_inv[r] = kmeans__inverse_norm(x->data + r * d, d);

    wf_rng rng = {.state = p->seed};
    if (p->initial != NULL)
        memcpy(m.centroids, p->initial, k * d * sizeof(double));
    else if (p->init == ML_KMEANS_FIRST_N)
        memcpy(m.centroids, x->data, k * d * sizeof(double));
    else if (p->init == ML_KMEANS_RANDOM)
        rc = kmeans__seed_random(x, &m, &rng, err);
    else
        rc = kmeans__seed_plus_plus(x, row_inv, &m, &rng, env, err);
    if (rc < 0) goto done;

    for (size_t r = 0; r < n; r++)
        assign[r] = -1;
    bool changed = true;
    while (m.iterations < p->iterations) {
        if (kmeans__cancelled(env)) {
            rc = wf_error_set(err, WF_ECANCELED, "k-means: cancelled after %d iterations",
                              m.iterations);
            goto done;
        }
        kmeans__centroid_norms(&m, c_inv);
        changed = false;
        for (size_t r = 0; r < n; r++) {
            int32_t c = kmeans__nearest(m.metric, x->data + r * d, row_inv ? row_inv[r] : 0,
                                        m.centroids, c_inv, k, d, NULL, NULL);
            if (c != assign[r]) {
                assign[r] = c;
                changed = true;
            }
        }
        m.iterations++;
        if (!changed) break;
        kmeans__update(x, row_inv, assign, &m, sums, counts);
    }
    if (env != NULL && env->log != NULL) {
        char line[128];
        snprintf(line, sizeof line, "k-means: %s after %d iterations",
                 changed ? "stopped" : "converged", m.iterations);
        env->log(env->user, line);
    }
    *out = m;
    m.centroids = NULL;
done:
    free(m.centroids);
    free(sums);
    free(c_inv);
    free(counts);
    free(assign);
    free(row_inv);
    return rc;
}

/* ---- using a model ------------------------------------------------------------- */

void ml_kmeans_assign(const ml_kmeans *m, const ml_matrix *x, int32_t *assign, double *distances)
{
    size_t k = m->k, d = m->dims;
    double *c_inv = m->metric == ML_COSINE ? wf_mallocarray(k + 1, sizeof *c_inv) : NULL;
    /* A model that does not fit the matrix (or no memory for the norms)
     * assigns nothing: -1 and NaN distances. */
    bool usable = x->cols == d && k > 0 && (m->metric != ML_COSINE || c_inv != NULL);
    if (usable) kmeans__centroid_norms(m, c_inv);
    for (size_t r = 0; r < x->rows; r++) {
        double *dist = distances != NULL ? distances + r * k : NULL;
        if (!usable) {
            assign[r] = -1;
            for (size_t c = 0; dist != NULL && c < k; c++)
                dist[c] = NAN;
            continue;
        }
        const double *row = x->data + r * d;
        double row_inv = m->metric == ML_COSINE ? kmeans__inverse_norm(row, d) : 0;
        assign[r] = kmeans__nearest(m->metric, row, row_inv, m->centroids, c_inv, k, d, dist, NULL);
        /* Euclidean ranks by squared distance; report the distance. */
        for (size_t c = 0; dist != NULL && m->metric == ML_EUCLIDEAN && c < k; c++)
            dist[c] = sqrt(dist[c]);
    }
    free(c_inv);
}

int ml_kmeans_copy(ml_kmeans *dst, const ml_kmeans *src, wf_error *err)
{
    *dst = *src;
    dst->centroids = wf_mallocarray(src->k * src->dims + 1, sizeof(double));
    if (dst->centroids == NULL) {
        memset(dst, 0, sizeof *dst);
        return wf_error_set(err, WF_ENOMEM, "out of memory copying a k-means model");
    }
    if (src->k * src->dims > 0)
        memcpy(dst->centroids, src->centroids, src->k * src->dims * sizeof(double));
    return 0;
}

void ml_kmeans_clear(ml_kmeans *m)
{
    free(m->centroids);
    memset(m, 0, sizeof *m);
}
