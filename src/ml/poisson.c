/*
 * poisson.c: Poisson regression, a generalised linear model of counts with
 * the log link (Nelder and Wedderburn, "Generalized linear models", J. Royal
 * Statistical Society A 135, 1972), as Azure's Poisson Regression trains it:
 *
 *     min over w, b   sum_i (exp(eta_i) - y_i eta_i) + l1 |w|_1 + (l2 / 2) |w|^2
 *
 * with eta_i = w . x_i + b, the bias unpenalised: the negative
 * log-likelihood of y_i ~ Poisson(exp(eta_i)) without its constant
 * log(y_i!). The minimiser is L-BFGS, with OWL-QN for the L1 term (lbfgs.c),
 * as for logistic regression. scikit-learn's PoissonRegressor(alpha)
 * minimises the same objective divided by n with l2 = n alpha.
 *
 * Conditioning: as in logreg.c, the minimiser works on standardised
 * weights v_j = w_j s_j over centred columns, with the penalties rewritten
 * (l2 / s_j^2, l1 / s_j) so that the objective stays the one above; the
 * weights are folded back at the end. Centring is algebraic (a shifted
 * bias), without a copy of the rows, unless they hold NaN (counted as 0)
 * or a column's mean dwarfs its spread.
 *
 * Speed: each evaluation is one pass over the rows, in chunks shared among
 * threads; a cache-sized block's margins (X v) and gradient (X^T r) are two
 * OpenBLAS calls over data still in cache.
 */
#include "ml.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Rows per chunk: the unit of work of a thread. Their number depends on
 * the rows alone, and chunk sums are added in chunk order, so a model is
 * the same to the bit on any number of threads. */
#define CHUNK_ROWS 32768
/* Values per block: a block's rows stay in cache between its two passes
 * (margins, then X^T r). */
#define BLOCK_VALUES 8192
#define MAX_THREADS 64

typedef struct poisson_problem {
    const double *x;  /* n x d: the rows, or their standardised copy */
    const double *y;  /* n */
    const double *xm; /* d: what the passes subtract from x (0 for the copy) */
    const double *xs; /* d: what they divide by (1 for the copy); inf: a constant column */
    size_t n, d;
    const double *l2w; /* d */
    double *w;         /* d + 1: the weights and bias on x's own scale */
    size_t nchunks;
    int threads;
    double *loss;    /* nchunks */
    double *grad;    /* nchunks x (d + 1): X^T r, then the sum of r */
    double *scratch; /* threads x block */
} poisson_problem;

/* The loss and gradient sums of chunk c, a cache-sized block at a time. */
static void poisson_chunk(const poisson_problem *pr, size_t c, double *eta)
{
    size_t d = pr->d, block = BLOCK_VALUES / d > 0 ? BLOCK_VALUES / d : 1;
    size_t from = c * CHUNK_ROWS, to = from + CHUNK_ROWS < pr->n ? from + CHUNK_ROWS : pr->n;
    double loss = 0, *g = pr->grad + c * (d + 1);
    memset(g, 0, (d + 1) * sizeof *g);
    for (size_t r0 = from; r0 < to; r0 += block) {
        size_t rows = r0 + block < to ? block : to - r0;
        const double *xb = pr->x + r0 * d, *yb = pr->y + r0;
        for (size_t i = 0; i < rows; i++)
            eta[i] = pr->w[d];
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)rows, (int)d, 1, xb, (int)d, pr->w, 1, 1, eta,
                    1);
        for (size_t i = 0; i < rows; i++) {
            double e = eta[i], mu = exp(e);
            loss += mu - yb[i] * e;
            /* the residual d loss / d eta, kept in eta for X^T r */
            eta[i] = mu - yb[i];
            g[d] += eta[i];
        }
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)rows, (int)d, 1, xb, (int)d, eta, 1, 1, g, 1);
    }
    pr->loss[c] = loss;
}

typedef struct poisson_worker {
    const poisson_problem *pr;
    size_t first, step;
    double *eta;
} poisson_worker;

static void *poisson_work(void *arg)
{
    const poisson_worker *w = arg;
    for (size_t c = w->first; c < w->pr->nchunks; c += w->step)
        poisson_chunk(w->pr, c, w->eta);
    return NULL;
}

/* f and its gradient at theta = [v (d), c]. */
static double poisson_evaluate(void *user, const double *theta, double *grad)
{
    poisson_problem *pr = user;
    size_t d = pr->d, block = BLOCK_VALUES / d > 0 ? BLOCK_VALUES / d : 1;
    size_t t = (size_t)pr->threads < pr->nchunks ? (size_t)pr->threads : pr->nchunks;
    if (t < 1) t = 1;
    /* Back to x's scale: w = v / xs, b = c - w . xm (centring done
     * algebraically, so the rows need no copy). */
    double b = theta[d];
    for (size_t j = 0; j < d; j++) {
        pr->w[j] = theta[j] / pr->xs[j];
        b -= pr->w[j] * pr->xm[j];
    }
    pr->w[d] = b;
    poisson_worker workers[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    bool started[MAX_THREADS] = {0};
    for (size_t i = 0; i < t; i++) {
        workers[i] =
            (poisson_worker){.pr = pr, .first = i, .step = t, .eta = pr->scratch + i * block};
        /* Worker 0 runs here; one whose thread fails to start runs here too. */
        if (i > 0) started[i] = pthread_create(&tid[i], NULL, poisson_work, &workers[i]) == 0;
    }
    poisson_work(&workers[0]);
    for (size_t i = 1; i < t; i++)
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            poisson_work(&workers[i]);
    double f = 0;
    memset(grad, 0, (d + 1) * sizeof *grad);
    for (size_t c = 0; c < pr->nchunks; c++) {
        f += pr->loss[c];
        for (size_t j = 0; j <= d; j++)
            grad[j] += pr->grad[c * (d + 1) + j];
    }
    /* The chain rule through v and c: d/dv_j = (X^T r - xm sum r)_j / xs_j. */
    for (size_t j = 0; j < d; j++) {
        grad[j] = (grad[j] - pr->xm[j] * grad[d]) / pr->xs[j] + pr->l2w[j] * theta[j];
        f += 0.5 * pr->l2w[j] * theta[j] * theta[j];
    }
    return f;
}

static int poisson_check(const ml_matrix *x, const double *y, const ml_logreg_params *p,
                         double *ymean, wf_error *err)
{
    if (!(p->l1 >= 0) || !isfinite(p->l1))
        return wf_error_set(err, WF_EINVAL, "L1 weight must be a number >= 0 (got %g)", p->l1);
    if (!(p->l2 >= 0) || !isfinite(p->l2))
        return wf_error_set(err, WF_EINVAL, "L2 weight must be a number >= 0 (got %g)", p->l2);
    if (x->rows == 0 || x->cols == 0)
        return wf_error_set(err, WF_EINVAL,
                            "Poisson regression needs rows and features to train on");
    if (x->rows > INT32_MAX || x->cols > INT32_MAX)
        return wf_error_set(err, WF_ELIMIT, "a %zu x %zu matrix is too large", x->rows, x->cols);
    double sum = 0;
    for (size_t i = 0; i < x->rows; i++) {
        if (isnan(y[i]))
            return wf_error_set(err, WF_EINVAL,
                                "row %zu has no label (a missing count); remove such rows first",
                                i + 1);
        if (!isfinite(y[i]))
            return wf_error_set(err, WF_EINVAL, "row %zu: the label is infinite", i + 1);
        if (y[i] < 0)
            return wf_error_set(err, WF_EINVAL,
                                "row %zu: the label is %g, but Poisson regression models counts, "
                                "which cannot be negative",
                                i + 1, y[i]);
        sum += y[i];
    }
    if (!(sum > 0))
        return wf_error_set(err, WF_EINVAL,
                            "every label is 0: Poisson regression needs some positive counts");
    *ymean = sum / (double)x->rows;
    return 0;
}

int ml_poisson_fit(const ml_matrix *x, const double *y, const ml_logreg_params *p,
                   const ml_env *env, ml_linear *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    double ymean = 0;
    int rc = poisson_check(x, y, p, &ymean, err);
    if (rc < 0) return rc;
    size_t n = x->rows, d = x->cols;
    long cores = env != NULL && env->threads > 0 ? env->threads : sysconf(_SC_NPROCESSORS_ONLN);
    size_t nchunks = (n + CHUNK_ROWS - 1) / CHUNK_ROWS;
    int threads = (int)(cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : cores);
    size_t block = BLOCK_VALUES / d > 0 ? BLOCK_VALUES / d : 1;
    double *copy = NULL, *zero = wf_calloc(d, sizeof *zero), *one = wf_mallocarray(d, sizeof *one);
    double *eta = wf_mallocarray((size_t)threads * block, sizeof *eta);
    double *closs = wf_mallocarray(nchunks, sizeof *closs);
    double *cgrad = wf_mallocarray(nchunks * (d + 1), sizeof *cgrad);
    double *mean = wf_calloc(d, sizeof *mean), *sd = wf_calloc(d, sizeof *sd);
    double *l2w = wf_calloc(d, sizeof *l2w), *l1w = wf_calloc(d + 1, sizeof *l1w);
    double *theta = wf_calloc(d + 1, sizeof *theta), *w = wf_calloc(d + 1, sizeof *w);
    if (!zero || !one || !eta || !closs || !cgrad || !mean || !sd || !l2w || !l1w || !theta || !w) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    /* Column means and spreads (NaN counted as 0, as in ml_linear_predict),
     * shifted by the first row so that the sums of squares do not cancel. */
    bool has_nan = false;
    for (size_t i = 0; i < n; i++) {
        const double *row = x->data + i * d;
        for (size_t j = 0; j < d; j++) {
            double v = row[j], first = isnan(x->data[j]) ? 0 : x->data[j];
            if (isinf(v)) {
                rc = wf_error_set(err, WF_EINVAL, "row %zu, feature %zu: an infinite value", i + 1,
                                  j + 1);
                goto done;
            }
            if (isnan(v)) {
                has_nan = true;
                v = 0;
            }
            mean[j] += v - first;
            sd[j] += (v - first) * (v - first);
        }
    }
    bool badly_centred = false;
    for (size_t j = 0; j < d; j++) {
        double first = isnan(x->data[j]) ? 0 : x->data[j], m = mean[j] / (double)n;
        double var = sd[j] / (double)n - m * m;
        mean[j] = m + first;
        sd[j] = var > 0 ? sqrt(var) : 0;
        one[j] = 1;
        bool fixed = !(sd[j] > 1e-12 * fmax(1, fabs(mean[j])));
        if (fixed) sd[j] = INFINITY; /* its weight stays 0 */
        l2w[j] = fixed ? 0 : p->l2 / (sd[j] * sd[j]);
        l1w[j] = fixed ? 0 : p->l1 / sd[j];
        if (!fixed && fabs(mean[j]) > 1e3 * sd[j]) badly_centred = true;
    }
    poisson_problem pr = {.x = x->data,
                          .y = y,
                          .xm = mean,
                          .xs = sd,
                          .n = n,
                          .d = d,
                          .l2w = l2w,
                          .w = w,
                          .nchunks = nchunks,
                          .threads = threads,
                          .loss = closs,
                          .grad = cgrad,
                          .scratch = eta};
    if (has_nan || badly_centred) {
        /* A standardised copy: NaN become 0, and the passes need no shift
         * that could cancel. A constant column's copy is 0 (x / inf). */
        if ((copy = wf_mallocarray(n * d, sizeof *copy)) == NULL) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory for a copy of the %zu x %zu matrix", n,
                              d);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++) {
                double v = x->data[i * d + j];
                copy[i * d + j] = isinf(sd[j]) ? 0 : ((isnan(v) ? 0 : v) - mean[j]) / sd[j];
            }
        pr.x = copy;
        pr.xm = zero;
        pr.xs = one;
    }
    /* Start from the mean count: the intercept-only fit. */
    theta[d] = log(ymean);
    ml_lbfgs_problem lp = {.p = d + 1,
                           .l1 = l1w,
                           .memory = p->memory,
                           .tolerance = p->tolerance,
                           .max_iterations = p->max_iterations,
                           .evaluate = poisson_evaluate,
                           .user = &pr,
                           .name = "Poisson regression"};
    ml_lbfgs_result res;
    if ((rc = ml_lbfgs_minimise(&lp, theta, env, &res, err)) < 0) goto done;
    if (env != NULL && env->log != NULL) {
        char line[200];
        snprintf(line, sizeof line,
                 "Poisson regression: %d iterations of L-BFGS%s, %d evaluations, objective %.9g",
                 res.iterations, p->l1 > 0 ? " (OWL-QN)" : "", res.evaluations, res.objective);
        env->log(env->user, line);
    }
    out->weights = wf_mallocarray(d, sizeof(double));
    out->bias = wf_mallocarray(1, sizeof(double));
    if (out->weights == NULL || out->bias == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    out->nfeatures = d;
    out->noutputs = 1;
    double b = theta[d];
    for (size_t j = 0; j < d; j++) {
        double w = isinf(sd[j]) ? 0 : theta[j] / sd[j];
        out->weights[j] = w;
        b -= w * mean[j];
    }
    out->bias[0] = b;
done:
    if (rc < 0) ml_linear_clear(out);
    free(copy);
    free(zero);
    free(one);
    free(w);
    free(eta);
    free(closs);
    free(cgrad);
    free(mean);
    free(sd);
    free(l2w);
    free(l1w);
    free(theta);
    return rc;
}
