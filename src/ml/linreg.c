/*
 * linreg.c: linear regression, as Azure's Linear Regression module offers it:
 * ordinary least squares (with an optional ridge term) and online gradient
 * descent. Both minimise
 *
 *     |y - X w - b|^2 + l2 |w|^2        (b never penalised)
 *
 * NaN features count as 0, as in ml_linear_predict; a NaN label is an error.
 */
#include "ml.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Singular values below this fraction of the largest, once every column is
 * scaled to unit norm, make a design rank deficient. */
#define RANK_TOLERANCE 1e-10
#define OLS_MAX_FEATURES 10000

static bool cancelled(const ml_env *env)
{
    return env != NULL && env->cancel != NULL && *env->cancel;
}

static void log_line(const ml_env *env, const char *line)
{
    if (env != NULL && env->log != NULL) env->log(env->user, line);
}

static double value_at(const ml_matrix *x, size_t i, size_t j)
{
    double v = x->data[i * x->cols + j];
    return isnan(v) ? 0 : v;
}

static int check_inputs(const ml_matrix *x, const double *y, const ml_linreg_params *p,
                        wf_error *err)
{
    if (x->rows == 0 || x->cols == 0)
        return wf_error_set(err, WF_EINVAL,
                            "linear regression needs rows and features to train on");
    if (x->rows > INT32_MAX - 1)
        return wf_error_set(err, WF_ELIMIT, "a %zu x %zu matrix is too large", x->rows, x->cols);
    /* Least squares works on d x d matrices after its pass over the data. */
    if (p->method == ML_LINREG_OLS && x->cols > OLS_MAX_FEATURES)
        return wf_error_set(err, WF_ELIMIT,
                            "%zu features are too many for ordinary least squares (at most %d); "
                            "use online gradient descent",
                            x->cols, OLS_MAX_FEATURES);
    if (!(p->l2 >= 0) || !isfinite(p->l2))
        return wf_error_set(err, WF_EINVAL, "L2 weight must be a number >= 0 (got %g)", p->l2);
    if (p->method != ML_LINREG_OLS && p->method != ML_LINREG_OGD)
        return wf_error_set(err, WF_EINVAL, "unknown solution method %d", (int)p->method);
    if (p->method == ML_LINREG_OGD) {
        if (!(p->learning_rate > 0) || !isfinite(p->learning_rate))
            return wf_error_set(err, WF_EINVAL, "learning rate must be > 0 (got %g)",
                                p->learning_rate);
        if (p->epochs < 1)
            return wf_error_set(err, WF_EINVAL, "training epochs must be at least 1 (got %d)",
                                p->epochs);
    }
    for (size_t i = 0; i < x->rows; i++)
        if (!isfinite(y[i]))
            return wf_error_set(err, WF_EINVAL,
                                "row %zu: the label is %s; remove rows with a missing label first",
                                i + 1, isnan(y[i]) ? "missing" : "infinite");
    for (size_t i = 0; i < x->rows * x->cols; i++)
        if (isinf(x->data[i]))
            return wf_error_set(err, WF_EINVAL, "row %zu, feature %zu: an infinite value",
                                i / x->cols + 1, i % x->cols + 1);
    return 0;
}

/* Column means (all zero without an intercept: nothing to absorb a shift). */
static void column_means(const ml_matrix *x, bool intercept, double *mean)
{
    size_t n = x->rows, d = x->cols;
    memset(mean, 0, d * sizeof *mean);
    if (!intercept) return;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            mean[j] += value_at(x, i, j);
    for (size_t j = 0; j < d; j++)
        mean[j] /= (double)n;
}

static int finish_model(ml_linear *out, size_t d, const double *w, double b, wf_error *err)
{
    out->weights = wf_mallocarray(d, sizeof(double));
    out->bias = wf_mallocarray(1, sizeof(double));
    if (out->weights == NULL || out->bias == NULL) {
        ml_linear_clear(out);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    memcpy(out->weights, w, d * sizeof(double));
    out->bias[0] = b;
    out->nfeatures = d;
    out->noutputs = 1;
    return 0;
}

/* ---- ordinary least squares by QR ---------------------------------------
 *
 * Householder QR (Golub, "Numerical methods for solving linear least squares
 * problems", Numer. Math. 1965; LAPACK dgeqrf) of the centred design with
 * the centred label as one more column, [Xc | yc] = Q R. Then
 * |Xc w - yc| = |R11 w - r12| + const, so everything after the one pass
 * over the data is d x d:
 *   - ridge (l2 > 0): min |R11 w - r12|^2 + l2 |w|^2 is least squares on
 *     [R11; sqrt(l2) I] w = [r12; 0] (LAPACK dgels), always full rank;
 *   - l2 = 0: the rank is judged on R11 with unit-norm columns (so units do
 *     not matter); at full rank a triangular solve; when rank deficient
 *     (collinear or constant columns), the minimum-norm solution through
 *     the SVD of R11, keeping its `rank` largest singular values, which is
 *     what numpy's and scikit-learn's lstsq give.
 * The intercept is recovered from the means: b = mean(y) - w . mean(x).
 */

static int solve_ridge(const double *r11, const double *r12, size_t d, double l2, double *w,
                       wf_error *err)
{
    size_t m = 2 * d;
    double *a = wf_calloc(m * d, sizeof *a), *rhs = wf_calloc(m, sizeof *rhs);
    int rc = 0;
    if (a == NULL || rhs == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    /* Column-major m x d. */
    for (size_t j = 0; j < d; j++) {
        for (size_t i = 0; i <= j; i++)
            a[j * m + i] = r11[j * d + i];
        a[j * m + d + j] = sqrt(l2);
    }
    memcpy(rhs, r12, d * sizeof *rhs);
    lapack_int info = LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', (lapack_int)m, (lapack_int)d, 1, a,
                                    (lapack_int)m, rhs, (lapack_int)m);
    if (info != 0)
        rc =
            wf_error_set(err, WF_EINVAL, "least squares: LAPACK dgels failed (info %d)", (int)info);
    else
        memcpy(w, rhs, d * sizeof *w);
done:
    free(a);
    free(rhs);
    return rc;
}

/* Singular values of the d x d column-major matrix a (destroyed), descending. */
static int singular_values(double *a, size_t d, double *sv)
{
    double *superb = wf_mallocarray(d + 1, sizeof *superb);
    if (superb == NULL) return WF_ENOMEM;
    lapack_int info = LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'N', 'N', (lapack_int)d, (lapack_int)d, a,
                                     (lapack_int)d, sv, NULL, 1, NULL, 1, superb);
    free(superb);
    return info == 0 ? 0 : WF_EINVAL;
}

static int solve_least_squares(const double *r11, const double *r12, size_t d, double *w,
                               size_t *rank, wf_error *err)
{
    double *a = wf_mallocarray(d * d, sizeof *a), *sv = wf_mallocarray(d, sizeof *sv);
    double *u = wf_mallocarray(d * d, sizeof *u), *vt = wf_mallocarray(d * d, sizeof *vt);
    double *superb = wf_mallocarray(d + 1, sizeof *superb), *t = wf_mallocarray(d, sizeof *t);
    int rc = 0;
    if (!a || !sv || !u || !vt || !superb || !t) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    /* The rank, on unit-norm columns. */
    for (size_t j = 0; j < d; j++) {
        double norm = cblas_dnrm2((int)(j + 1), r11 + j * d, 1);
        for (size_t i = 0; i < d; i++)
            a[j * d + i] = norm > 0 ? r11[j * d + i] / norm : 0;
    }
    if (singular_values(a, d, sv) < 0) {
        rc = wf_error_set(err, WF_EINVAL, "least squares: the SVD did not converge");
        goto done;
    }
    size_t r = 0;
    while (r < d && sv[r] > RANK_TOLERANCE * sv[0])
        r++;
    *rank = r;
    if (r == d) {
        memcpy(a, r11, d * d * sizeof *a);
        memcpy(w, r12, d * sizeof *w);
        lapack_int info = LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'U', 'N', 'N', (lapack_int)d, 1, a,
                                         (lapack_int)d, w, (lapack_int)d);
        if (info != 0) rc = wf_error_set(err, WF_EINVAL, "least squares: a singular design");
        goto done;
    }
    /* Minimum norm: w = V diag(1/s, first r) U^T r12. */
    memcpy(a, r11, d * d * sizeof *a);
    lapack_int info =
        LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'A', 'A', (lapack_int)d, (lapack_int)d, a, (lapack_int)d,
                       sv, u, (lapack_int)d, vt, (lapack_int)d, superb);
    if (info != 0) {
        rc = wf_error_set(err, WF_EINVAL, "least squares: the SVD did not converge");
        goto done;
    }
    for (size_t k = 0; k < d; k++)
        t[k] = k < r && sv[k] > 0 ? cblas_ddot((int)d, u + k * d, 1, r12, 1) / sv[k] : 0;
    for (size_t j = 0; j < d; j++) {
        double s = 0;
        for (size_t k = 0; k < r; k++)
            s += vt[j * d + k] * t[k]; /* V[j][k] = VT[k][j], column-major VT[j * d + k] */
        w[j] = s;
    }
done:
    free(a);
    free(sv);
    free(u);
    free(vt);
    free(superb);
    free(t);
    return rc;
}

static int fit_ols(const ml_matrix *x, const double *y, const ml_linreg_params *p,
                   const ml_env *env, ml_linear *out, wf_error *err)
{
    size_t n = x->rows, d = x->cols, cols = d + 1;
    /* At least d + 1 rows, so R is square; zero rows change no sum. */
    size_t m = n > cols ? n : cols;
    double *mean = wf_calloc(d, sizeof *mean), *tau = wf_calloc(cols, sizeof *tau);
    double *r11 = wf_calloc(d * d, sizeof *r11), *r12 = wf_calloc(d, sizeof *r12);
    double *w = wf_calloc(d, sizeof *w), *a = NULL;
    int rc = 0;
    if (!mean || !tau || !r11 || !r12 || !w) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    if (m > SIZE_MAX / sizeof(double) / cols || (a = wf_calloc(m * cols, sizeof *a)) == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory for a %zu x %zu least-squares matrix", m,
                          cols);
        goto done;
    }
    column_means(x, p->intercept, mean);
    double ymean = 0;
    if (p->intercept) {
        for (size_t i = 0; i < n; i++)
            ymean += y[i];
        ymean /= (double)n;
    }
    /* [Xc | yc], column-major, filled a block of rows at a time so reads and
     * writes both stay in cache. */
    for (size_t i0 = 0; i0 < n; i0 += 256) {
        size_t i1 = i0 + 256 < n ? i0 + 256 : n;
        for (size_t j = 0; j < d; j++)
            for (size_t i = i0; i < i1; i++)
                a[j * m + i] = value_at(x, i, j) - mean[j];
        for (size_t i = i0; i < i1; i++)
            a[d * m + i] = y[i] - ymean;
    }
    if (cancelled(env)) {
        rc = wf_error_set(err, WF_ECANCELED, "linear regression: cancelled");
        goto done;
    }
    lapack_int info =
        LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)m, (lapack_int)cols, a, (lapack_int)m, tau);
    if (info != 0) {
        rc = wf_error_set(err, WF_EINVAL, "least squares: LAPACK dgeqrf failed (info %d)",
                          (int)info);
        goto done;
    }
    for (size_t j = 0; j < d; j++) {
        for (size_t i = 0; i <= j; i++)
            r11[j * d + i] = a[j * m + i];
        r12[j] = a[d * m + j];
    }
    if (p->l2 > 0) {
        rc = solve_ridge(r11, r12, d, p->l2, w, err);
    } else {
        size_t rank = d;
        rc = solve_least_squares(r11, r12, d, w, &rank, err);
        if (rc == 0 && rank < d) {
            char line[200];
            snprintf(line, sizeof line,
                     "linear regression: the features are collinear (rank %zu of %zu); "
                     "the minimum-norm solution was taken",
                     rank, d);
            log_line(env, line);
        }
    }
    if (rc < 0) goto done;
    double b = ymean;
    for (size_t j = 0; j < d; j++)
        b -= w[j] * mean[j];
    rc = finish_model(out, d, w, b, err);
done:
    free(mean);
    free(tau);
    free(r11);
    free(r12);
    free(w);
    free(a);
    return rc;
}

/* ---- online gradient descent --------------------------------------------
 *
 * Stochastic gradient descent on squared loss (Widrow and Hoff's LMS rule,
 * "Adaptive switching circuits", 1960), one row at a time in a shuffled
 * order each epoch, in the manner of Azure's "Online Gradient Descent", with its
 * options:
 *   - decrease_rate: the step at update t is learning_rate / sqrt(t);
 *   - average: the result is the mean of all iterates (Polyak and Juditsky,
 *     "Acceleration of stochastic approximation by averaging", SIAM J.
 *     Control Optim. 1992), which makes the noisy steps converge;
 *   - normalize: features are standardised while training, and the weights
 *     folded back afterwards.
 * Per row it descends (1/2)(y_i - p_i)^2 + (l2 / 2n) |w|^2, whose sum is half
 * the objective above, so with enough epochs it reaches the ridge solution
 * whatever `normalize` says (the penalty stays on the original weights:
 * l2 / s_j^2 on standardised ones). The label is centred and scaled too,
 * which leaves that minimiser unchanged (both terms scale alike) and makes
 * the learning rate mean the same for prices as for probabilities.
 */

static int fit_ogd(const ml_matrix *x, const double *y, const ml_linreg_params *p,
                   const ml_env *env, ml_linear *out, wf_error *err)
{
    size_t n = x->rows, d = x->cols;
    double *mean = wf_calloc(d, sizeof *mean), *scale = wf_mallocarray(d, sizeof *scale);
    double *decay = wf_mallocarray(d, sizeof *decay), *z = wf_mallocarray(d, sizeof *z);
    double *v = wf_calloc(d, sizeof *v), *avg = wf_calloc(d, sizeof *avg);
    size_t *order = wf_mallocarray(n, sizeof *order);
    int rc = 0;
    if (!mean || !scale || !decay || !z || !v || !avg || !order) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    column_means(x, p->intercept && p->normalize, mean);
    for (size_t j = 0; j < d; j++)
        scale[j] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double c = value_at(x, i, j) - mean[j];
            scale[j] += c * c;
        }
    for (size_t j = 0; j < d; j++) {
        scale[j] = p->normalize && scale[j] > 0 ? sqrt(scale[j] / (double)n) : 1;
        decay[j] = p->l2 / ((double)n * scale[j] * scale[j]);
    }
    double ymean = 0, yscale = 0;
    if (p->intercept) {
        for (size_t i = 0; i < n; i++)
            ymean += y[i];
        ymean /= (double)n;
    }
    for (size_t i = 0; i < n; i++)
        yscale += (y[i] - ymean) * (y[i] - ymean);
    yscale = yscale > 0 ? sqrt(yscale / (double)n) : 1;

    wf_rng rng = {.state = p->seed};
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    double c = 0, cavg = 0, t = 0;
    for (int epoch = 0; epoch < p->epochs; epoch++) {
        double squared = 0; /* the epoch's errors, in label spreads */
        if (cancelled(env)) {
            rc = wf_error_set(err, WF_ECANCELED,
                              "online gradient descent: cancelled after %d epochs", epoch);
            goto done;
        }
        for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
            size_t k = (size_t)wf_rng_below(&rng, i);
            size_t tmp = order[i - 1];
            order[i - 1] = order[k];
            order[k] = tmp;
        }
        for (size_t s = 0; s < n; s++) {
            size_t i = order[s];
            double pred = c;
            for (size_t j = 0; j < d; j++) {
                z[j] = (value_at(x, i, j) - mean[j]) / scale[j];
                pred += v[j] * z[j];
            }
            t += 1;
            double eta = p->decrease_rate ? p->learning_rate / sqrt(t) : p->learning_rate;
            double e = (y[i] - ymean) / yscale - pred;
            squared += e * e;
            for (size_t j = 0; j < d; j++)
                v[j] += eta * (e * z[j] - decay[j] * v[j]);
            if (p->intercept) c += eta * e;
            /* Running mean of the iterates. */
            for (size_t j = 0; j < d; j++)
                avg[j] += (v[j] - avg[j]) / t;
            cavg += (c - cavg) / t;
        }
        /* A sane model errs by about one spread of the label; by 10^4 of
         * them on average, the steps are blowing up. */
        if (!(squared / (double)n < 1e8)) {
            rc = wf_error_set(err, WF_EINVAL,
                              "online gradient descent diverged in epoch %d: the learning rate "
                              "%g is too large for this data; lower it%s",
                              epoch + 1, p->learning_rate,
                              p->normalize ? "" : ", or normalize the features");
            goto done;
        }
    }
    const double *final = p->average ? avg : v;
    double cfinal = p->average ? cavg : c;
    double b = ymean + yscale * cfinal;
    for (size_t j = 0; j < d; j++) {
        z[j] = yscale * final[j] / scale[j];
        b -= z[j] * mean[j];
    }
    rc = finish_model(out, d, z, b, err);
done:
    free(mean);
    free(scale);
    free(decay);
    free(z);
    free(v);
    free(avg);
    free(order);
    return rc;
}

int ml_linreg_fit(const ml_matrix *x, const double *y, const ml_linreg_params *p, const ml_env *env,
                  ml_linear *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = check_inputs(x, y, p, err);
    if (rc < 0) return rc;
    return p->method == ML_LINREG_OLS ? fit_ols(x, y, p, env, out, err)
                                      : fit_ogd(x, y, p, env, out, err);
}
