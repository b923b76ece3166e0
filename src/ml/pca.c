/*
 * pca.c: principal component analysis, and the PCA anomaly score, as
 * Azure's PCA-Based Anomaly Detection computes them.
 *
 * The subspace, two ways to the same answer:
 *
 * - Up to ML_PCA_EXACT_MAX features (most tables): the top k eigenvectors
 *   of A^T A, A the (centred) rows, summed block by block with dsyrk in one
 *   pass and decomposed by LAPACK's dsyevr (Golub and Van Loan, "Matrix
 *   Computations", §8). Exact, and far cheaper than iterating when d is
 *   small: n d^2 / 2 operations.
 *
 * - More features: randomized subspace iteration (Halko, Martinsson and
 *   Tropp, "Finding structure with randomness: probabilistic algorithms for
 *   constructing approximate matrix decompositions", SIAM Review 53, 2011,
 *   Algorithm 4.4; after Rokhlin, Szlam and Tygert, "A randomized algorithm
 *   for principal component analysis", SIAM J. Matrix Anal. Appl. 31,
 *   2009), which Azure's oversampling parameter belongs to. With l = k +
 *   oversampling columns:
 *
 *       Omega: d x l Gaussian;  Q = qr(A Omega)
 *       repeat: Q = qr(A qr(A^T Q))        (a power step, re-orthonormalised)
 *       B = Q^T A (l x d);  B = U S V^T;  the components are V's first k columns
 *
 *   The power steps repeat until the k components stop moving (the sines
 *   of the principal angles between two successive estimates below
 *   1e-10), at most PCA_MAX_STEPS times: with a gap in the spectrum that
 *   is PCA's own subspace; without one (no subspace stands out) it stops
 *   at the bound.
 *
 * The anomaly score of a row x is its normalised reconstruction error:
 * with z = x - mean (or x without centring) and P the projection onto the
 * components, score = |z - P z| / |z|, in [0, 1], as ML.NET's PCA anomaly
 * detector (which Azure runs) defines it; 0 when z = 0.
 */
#include "ml.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCA_MAX_STEPS 25
#define PCA_CONVERGED 1e-10
/* Values per block of rows summed into the covariance matrix. */
#define PCA_BLOCK_VALUES 65536

/* In place: the n x l row-major a becomes the Q of its thin QR. */
static int pca_orthonormalise(double *a, size_t n, size_t l, double *tau)
{
    lapack_int info =
        LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)l, a, (lapack_int)l, tau);
    if (info == 0)
        info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)l, (lapack_int)l, a,
                              (lapack_int)l, tau);
    return info == 0 ? 0 : WF_EINVAL;
}

/* The top k right singular vectors of Q^T A, as rows of v (k x d), and the
 * singular values (k). b and vt are l x d scratch, s has l values. */
static int pca_components(const double *a, const double *q, size_t n, size_t d, size_t l, size_t k,
                          double *b, double *vt, double *s, double *superb, double *v, double *sv)
{
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)l, (int)d, (int)n, 1, q, (int)l, a,
                (int)d, 0, b, (int)d);
    lapack_int info = LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'S', (lapack_int)l, (lapack_int)d, b,
                                     (lapack_int)d, s, NULL, 1, vt, (lapack_int)d, superb);
    if (info != 0) return WF_EINVAL;
    memcpy(v, vt, k * d * sizeof *v);
    memcpy(sv, s, k * sizeof *sv);
    return 0;
}

/* sqrt(k - sum of squared cosines between two orthonormal k-frames): 0 when
 * they span the same subspace. */
static double pca_subspace_change(const double *u, const double *v, size_t k, size_t d)
{
    double sum = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            double c = cblas_ddot((int)d, u + i * d, 1, v + j * d, 1);
            sum += c * c;
        }
    return sqrt(fmax(0, (double)k - sum));
}

static int pca_check(const ml_matrix *x, const ml_pca_params *p, wf_error *err)
{
    if (x->rows == 0 || x->cols == 0)
        return wf_error_set(err, WF_EINVAL, "PCA: no rows or no features to train on");
    if (x->rows > INT32_MAX / 2 || x->cols > INT32_MAX / 2)
        return wf_error_set(err, WF_ELIMIT, "PCA: a %zu x %zu matrix is too large", x->rows,
                            x->cols);
    if (p->components < 1)
        return wf_error_set(err, WF_EINVAL, "PCA: the number of components must be at least 1");
    if (p->components > x->cols)
        return wf_error_set(err, WF_EINVAL,
                            "PCA: %zu components asked for, but the data has only %zu features "
                            "(after encoding); ask for at most %zu",
                            p->components, x->cols, x->cols);
    if (p->components > x->rows)
        return wf_error_set(err, WF_EINVAL,
                            "PCA: %zu components asked for, but there are only %zu training rows",
                            p->components, x->rows);
    for (size_t i = 0; i < x->rows * x->cols; i++)
        if (isinf(x->data[i]))
            return wf_error_set(err, WF_EINVAL, "PCA: row %zu, feature %zu is infinite",
                                i / x->cols + 1, i % x->cols + 1);
    return 0;
}

/* The centred (when asked) rows r0 .. r0 + rows - 1 of x, NaN as 0. */
static void pca_rows(const ml_matrix *x, const double *mean, size_t r0, size_t rows, double *out)
{
    size_t d = x->cols;
    for (size_t i = 0; i < rows * d; i++) {
        double v = x->data[r0 * d + i];
        out[i] = (isnan(v) ? 0 : v) - mean[i % d];
    }
}

/* Few features: the top k eigenvectors of A^T A (d x d, summed over blocks
 * of rows with dsyrk, so A is never copied whole), by LAPACK's dsyevr.
 * Writes the components and the eigenvalues (A's squared singular values). */
static int pca_exact(const ml_matrix *x, ml_pca *out, double *lambda, wf_error *err)
{
    size_t n = x->rows, d = x->cols, k = out->k;
    size_t block = PCA_BLOCK_VALUES / d > 0 ? PCA_BLOCK_VALUES / d : 1;
    double *c = wf_calloc(d * d, sizeof *c), *rows = wf_mallocarray(block * d, sizeof *rows);
    double *w = wf_mallocarray(d, sizeof *w), *z = wf_mallocarray(d * k, sizeof *z);
    lapack_int *support = wf_mallocarray(2 * d, sizeof *support), found = 0;
    int rc = c && rows && w && z && support ? 0 : wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t r0 = 0; rc == 0 && r0 < n; r0 += block) {
        size_t m = n - r0 < block ? n - r0 : block;
        pca_rows(x, out->mean, r0, m, rows);
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)m, 1, rows, (int)d, 1, c,
                    (int)d);
    }
    /* the k largest of d eigenvalues: indices d - k + 1 .. d, ascending */
    if (rc == 0 && LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'I', 'U', (lapack_int)d, c, (lapack_int)d,
                                  0, 0, (lapack_int)(d - k + 1), (lapack_int)d, 0, &found, w, z,
                                  (lapack_int)k, support) != 0)
        rc = wf_error_set(err, WF_EINVAL,
                          "PCA: LAPACK could not decompose the %zu x %zu "
                          "covariance matrix",
                          d, d);
    if (rc == 0 && (size_t)found != k)
        rc = wf_error_set(err, WF_EINVAL, "PCA: LAPACK found %d of %zu components", (int)found, k);
    for (size_t i = 0; rc == 0 && i < k; i++) {
        size_t col = k - 1 - i; /* descending */
        for (size_t j = 0; j < d; j++)
            out->components[i * d + j] = z[j * k + col];
        lambda[i] = fmax(0, w[col]);
    }
    free(c);
    free(rows);
    free(w);
    free(z);
    free(support);
    return rc;
}

/* Many features: randomized subspace iteration on a centred copy of the
 * rows (the file's header). Writes the components, A's squared singular
 * values, and the number of power steps taken and the last change. */
static int pca_randomized(const ml_matrix *x, const ml_pca_params *p, const ml_env *env,
                          ml_pca *out, double *lambda, int *steps, double *change, wf_error *err)
{
    size_t n = x->rows, d = x->cols, k = out->k, l = k + p->oversampling;
    if (l > d) l = d;
    if (l > n) l = n;
    double *a = wf_mallocarray(n * d, sizeof *a), *y = wf_mallocarray(n * l, sizeof *y);
    double *z = wf_mallocarray(d * l, sizeof *z), *tau = wf_mallocarray(l, sizeof *tau);
    double *b = wf_mallocarray(l * d, sizeof *b), *vt = wf_mallocarray(l * d, sizeof *vt);
    double *s = wf_mallocarray(l, sizeof *s), *superb = wf_mallocarray(l, sizeof *superb);
    double *prev = wf_mallocarray(k * d, sizeof *prev);
    int rc = 0;
    *steps = 0;
    *change = INFINITY;
    if (!a || !y || !z || !tau || !b || !vt || !s || !superb || !prev) {
        rc = wf_error_set(err, WF_ENOMEM, "PCA: out of memory for a %zu x %zu matrix", n, d);
        goto done;
    }
    pca_rows(x, out->mean, 0, n, a);
    /* Y = A Omega, Omega Gaussian (kept in z, d x l). */
    wf_rng rng = {.state = p->seed};
    for (size_t i = 0; i < d * l; i++)
        z[i] = wf_rng_normal(&rng);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)l, (int)d, 1, a, (int)d, z,
                (int)l, 0, y, (int)l);
    if (pca_orthonormalise(y, n, l, tau) < 0) goto lapack;
    if (pca_components(a, y, n, d, l, k, b, vt, s, superb, out->components, lambda) < 0)
        goto lapack;
    while (*steps<PCA_MAX_STEPS && * change> PCA_CONVERGED) {
        if (env != NULL && env->cancel != NULL && *env->cancel) {
            rc = wf_error_set(err, WF_ECANCELED, "PCA: cancelled after %d power steps", *steps);
            goto done;
        }
        /* Z = qr(A^T Q), Q = qr(A Z). */
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)l, (int)n, 1, a, (int)d,
                    y, (int)l, 0, z, (int)l);
        if (pca_orthonormalise(z, d, l, tau) < 0) goto lapack;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)l, (int)d, 1, a, (int)d,
                    z, (int)l, 0, y, (int)l);
        if (pca_orthonormalise(y, n, l, tau) < 0) goto lapack;
        memcpy(prev, out->components, k * d * sizeof *prev);
        if (pca_components(a, y, n, d, l, k, b, vt, s, superb, out->components, lambda) < 0)
            goto lapack;
        *change = pca_subspace_change(prev, out->components, k, d);
        ++*steps;
    }
    for (size_t c = 0; c < k; c++)
        lambda[c] *= lambda[c]; /* singular values -> their squares */
    goto done;
lapack:
    rc = wf_error_set(err, WF_EINVAL, "PCA: LAPACK could not decompose the %zu x %zu matrix", n, d);
done:
    free(a);
    free(y);
    free(z);
    free(tau);
    free(b);
    free(vt);
    free(s);
    free(superb);
    free(prev);
    return rc;
}

int ml_pca_fit(const ml_matrix *x, const ml_pca_params *p, const ml_env *env, ml_pca *out,
               wf_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = pca_check(x, p, err);
    if (rc < 0) return rc;
    size_t n = x->rows, d = x->cols, k = p->components;
    out->dims = d;
    out->k = k;
    out->center = p->center;
    out->mean = wf_calloc(d, sizeof *out->mean);
    out->components = wf_mallocarray(k * d, sizeof *out->components);
    out->variance = wf_mallocarray(k, sizeof *out->variance);
    if (!out->mean || !out->components || !out->variance) {
        ml_pca_clear(out);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    /* The mean, NaN counted as 0 (as the rows are), when centring. */
    for (size_t i = 0; p->center && i < n * d; i++)
        if (!isnan(x->data[i])) out->mean[i % d] += x->data[i] / (double)n;
    size_t most = p->exact_max_features > 0 ? p->exact_max_features : ML_PCA_EXACT_MAX;
    int steps = 0;
    double change = 0;
    rc = d <= most ? pca_exact(x, out, out->variance, err)
                   : pca_randomized(x, p, env, out, out->variance, &steps, &change, err);
    if (rc < 0) {
        ml_pca_clear(out);
        return rc;
    }
    /* A sign for each component, so that a model does not depend on the
     * solver's: its largest entry is positive. */
    for (size_t c = 0; c < k; c++) {
        double *v = out->components + c * d;
        size_t big = 0;
        for (size_t j = 1; j < d; j++)
            if (fabs(v[j]) > fabs(v[big])) big = j;
        if (v[big] < 0)
            for (size_t j = 0; j < d; j++)
                v[j] = -v[j];
        /* the sum of squares along the component -> the variance */
        out->variance[c] /= (double)(n > 1 ? n - 1 : 1);
    }
    if (env != NULL && env->log != NULL) {
        char line[200];
        if (d <= most)
            snprintf(line, sizeof line,
                     "PCA: %zu components of %zu features from %zu rows, exactly (covariance "
                     "eigenvectors)",
                     k, d, n);
        else
            snprintf(line, sizeof line,
                     "PCA: %zu components of %zu features from %zu rows, randomized: %zu sampled "
                     "directions, %d power steps (last change %.3g)",
                     k, d, n, k + p->oversampling, steps, change);
        env->log(env->user, line);
    }
    return 0;
}

int ml_pca_score(const ml_pca *m, const ml_matrix *x, double *out, wf_error *err)
{
    size_t d = m->dims, k = m->k;
    if (x->cols != d)
        return wf_error_set(err, WF_EINVAL, "PCA: the model has %zu features, the matrix %zu", d,
                            x->cols);
    double *z = wf_mallocarray(d + k + 1, sizeof *z), *c = z + d;
    if (z == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t r = 0; r < x->rows; r++) {
        const double *row = x->data + r * d;
        double norm2 = 0, err2 = 0;
        for (size_t j = 0; j < d; j++) {
            z[j] = (isnan(row[j]) ? 0 : row[j]) - (m->center ? m->mean[j] : 0);
            norm2 += z[j] * z[j];
        }
        for (size_t i = 0; i < k; i++)
            c[i] = cblas_ddot((int)d, m->components + i * d, 1, z, 1);
        /* |z - P z|^2 from the residual itself, which does not cancel as
         * |z|^2 - |P z|^2 does for rows close to the subspace. */
        for (size_t j = 0; j < d; j++) {
            double e = z[j];
            for (size_t i = 0; i < k; i++)
                e -= c[i] * m->components[i * d + j];
            err2 += e * e;
        }
        out[r] = norm2 > 0 ? fmin(1, sqrt(err2 / norm2)) : 0;
    }
    free(z);
    return 0;
}

void ml_pca_clear(ml_pca *m)
{
    free(m->mean);
    free(m->components);
    free(m->variance);
    memset(m, 0, sizeof *m);
}
