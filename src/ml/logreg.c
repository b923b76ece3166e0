/*
 * logreg.c: logistic regression, two-class (one output: the positive class's
 * logit) and multinomial (k softmax outputs), as Azure's Two-Class and
 * Multiclass Logistic Regression train it:
 *
 *     min over W, b   sum_i loss_i(W x_i + b) + l1 |W|_1 + (l2 / 2) |W|^2
 *
 * with the biases unpenalised, loss_i the negative log-likelihood of row i's
 * class (log(1 + e^z) - y z for two classes, logsumexp(z) - z_y for k).
 *
 * The minimiser is L-BFGS (Nocedal, "Updating quasi-Newton matrices with
 * limited storage", Math. Comp. 1980; Liu and Nocedal, "On the limited memory
 * BFGS method for large scale optimization", Math. Prog. 1989) extended to
 * the L1 term by OWL-QN (Andrew and Gao, "Scalable training of
 * L1-regularized log-linear models", ICML 2007), in lbfgs.c. One addition
 * here, explained where it happens: a multinomial model's weights are
 * re-centred across classes after each step (softmax's flat directions),
 * which makes multinomial OWL-QN converge.
 *
 * Conditioning: the optimiser works on standardised weights v_j = w_j s_j
 * (s_j the column's standard deviation) with centred columns, which makes the
 * problem far rounder; the penalties are rewritten on v (l2 / s_j^2, l1 /
 * s_j) so the objective stays the one above, defined on the original
 * weights, as scikit-learn's is. Centring is done algebraically (a shifted
 * bias), not by copying the matrix, unless the matrix holds NaN (which count
 * as 0, as in ml_linear_predict) or a column's mean dwarfs its spread.
 *
 * Speed: rows are visited in cache-sized blocks; each block's margins (X w)
 * and gradient (X^T r) are two OpenBLAS calls over data still in cache, and
 * blocks are shared among threads.
 */
#include "ml.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Values per block: small enough for the L2 cache and for OpenBLAS to stay
 * on the calling thread. */
#define BLOCK_VALUES 8192
/* Fewest rows worth a thread (and a chunk) of their own. */
#define ROWS_PER_THREAD 32768
#define MAX_THREADS 64
#define MAX_CHUNKS 256
#define CHUNK_SUMS (4 << 20) /* values in every chunk's gradient sums together */

/* ---- the objective ------------------------------------------------------ */

typedef struct objective {
    const double *x;   /* n x d, the matrix the passes read */
    const int32_t *y;  /* n */
    size_t n, d, k;    /* k outputs: 1 for two classes */
    const double *xm;  /* d: what the passes subtract from x (0 when x is centred) */
    const double *xs;  /* d: what they divide by (1 when x is scaled) */
    const double *l2w; /* d: the L2 weight of each standardised weight */
    const bool *fixed; /* d: constant columns, whose weights stay 0 */
    int threads;
} objective;

/* Losses and residuals (d loss / d margin) of a block of two-class rows. */
static double binary_block(const int32_t *y, double *z, size_t rows)
{
    double loss = 0;
    for (size_t i = 0; i < rows; i++) {
        /* softplus and sigmoid from one exp, never overflowing; log(1 + e)
         * rather than log1p(e): its absolute error (what a sum of losses
         * feels) is as small, and it costs half as much */
        double m = z[i], e = exp(-fabs(m));
        loss += (m > 0 ? m : 0) + log(1 + e) - (y[i] == 1 ? m : 0);
        double p = m >= 0 ? 1 / (1 + e) : e / (1 + e);
        z[i] = p - (y[i] == 1);
    }
    return loss;
}

static double softmax_block(const int32_t *y, double *z, size_t rows, size_t k)
{
    double loss = 0;
    for (size_t i = 0; i < rows; i++) {
        double *v = z + i * k, max = -INFINITY, sum = 0;
        for (size_t c = 0; c < k; c++)
            if (v[c] > max) max = v[c];
        /* logsumexp(z) - z_y = log(sum) - (z_y - max) */
        loss -= v[y[i]] - max;
        for (size_t c = 0; c < k; c++)
            sum += v[c] = exp(v[c] - max);
        loss += log(sum);
        for (size_t c = 0; c < k; c++)
            v[c] /= sum;
        v[y[i]] -= 1;
    }
    return loss;
}

/* Work space for evaluations, allocated once. Rows are cut into chunks
 * whose number depends on the problem's shape alone; each chunk's sums are
 * kept apart and added in chunk order, so a model is the same to the bit
 * whatever the number of threads. */
typedef struct workspace {
    const objective *o;
    double *w, *b; /* k x d and k: the weights on x's own scale */
    size_t nchunks, chunk_rows;
    double *loss;    /* per chunk */
    double *gw, *gb; /* per chunk: k x d sums of r_i x_i, and k sums of r_i */
    double *scratch; /* per thread: block x k margins */
} workspace;

typedef struct worker {
    const workspace *ws;
    size_t first, step; /* its chunks: first, first + step, ... */
    double *scratch;
} worker;

/* The loss and gradient sums of one chunk, a cache-sized block at a time:
 * margins (X w + b), residuals, then X^T r while the block is still in
 * cache. */
static void run_chunk(const workspace *ws, size_t c, double *z)
{
    const objective *o = ws->o;
    size_t d = o->d, k = o->k, block = BLOCK_VALUES / d > 0 ? BLOCK_VALUES / d : 1;
    size_t from = c * ws->chunk_rows,
           to = from + ws->chunk_rows < o->n ? from + ws->chunk_rows : o->n;
    double loss = 0, *gw = ws->gw + c * k * d, *gb = ws->gb + c * k;
    memset(gw, 0, k * d * sizeof *gw);
    memset(gb, 0, k * sizeof *gb);
    for (size_t r0 = from; r0 < to; r0 += block) {
        size_t rows = r0 + block < to ? block : to - r0;
        const double *xb = o->x + r0 * d;
        for (size_t i = 0; i < rows; i++)
            for (size_t out = 0; out < k; out++)
                z[i * k + out] = ws->b[out];
        if (k == 1) {
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)rows, (int)d, 1, xb, (int)d, ws->w, 1, 1,
                        z, 1);
            loss += binary_block(o->y + r0, z, rows);
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)rows, (int)d, 1, xb, (int)d, z, 1, 1, gw,
                        1);
        } else {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)k, (int)d, 1, xb,
                        (int)d, ws->w, (int)d, 1, z, (int)k);
            loss += softmax_block(o->y + r0, z, rows, k);
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)d, (int)rows, 1, z,
                        (int)k, xb, (int)d, 1, gw, (int)d);
        }
        for (size_t i = 0; i < rows; i++)
            for (size_t out = 0; out < k; out++)
                gb[out] += z[i * k + out];
    }
    ws->loss[c] = loss;
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    for (size_t c = w->first; c < w->ws->nchunks; c += w->step)
        run_chunk(w->ws, c, w->scratch);
    return NULL;
}

static int workspace_init(workspace *ws, const objective *o)
{
    size_t n = o->n, d = o->d, k = o->k, t = (size_t)o->threads;
    size_t block = BLOCK_VALUES / d > 0 ? BLOCK_VALUES / d : 1;
    memset(ws, 0, sizeof *ws);
    ws->o = o;
    /* Chunks of at least ROWS_PER_THREAD rows, at most MAX_CHUNKS of them,
     * and their sums within CHUNK_SUMS values. */
    size_t most = CHUNK_SUMS / (k * d + k);
    if (most > MAX_CHUNKS) most = MAX_CHUNKS;
    if (most < 1) most = 1;
    size_t nchunks = (n + ROWS_PER_THREAD - 1) / ROWS_PER_THREAD;
    if (nchunks > most) nchunks = most;
    if (nchunks < 1) nchunks = 1;
    ws->chunk_rows = (n + nchunks - 1) / nchunks;
    ws->nchunks = (n + ws->chunk_rows - 1) / ws->chunk_rows;
    ws->w = wf_mallocarray(k * d, sizeof(double));
    ws->b = wf_mallocarray(k, sizeof(double));
    ws->loss = wf_mallocarray(ws->nchunks, sizeof(double));
    ws->gw = wf_mallocarray(ws->nchunks * k * d, sizeof(double));
    ws->gb = wf_mallocarray(ws->nchunks * k, sizeof(double));
    ws->scratch = wf_mallocarray(t * block * k, sizeof(double));
    return ws->w && ws->b && ws->loss && ws->gw && ws->gb && ws->scratch ? 0 : WF_ENOMEM;
}

static void workspace_clear(workspace *ws)
{
    free(ws->w);
    free(ws->b);
    free(ws->loss);
    free(ws->gw);
    free(ws->gb);
    free(ws->scratch);
}

/* The smooth part of the objective (loss and L2) at theta = [v (k x d), c
 * (k)], and its gradient. */
static double evaluate(const objective *o, workspace *ws, const double *theta, double *grad)
{
    size_t d = o->d, k = o->k, block = BLOCK_VALUES / d > 0 ? BLOCK_VALUES / d : 1;
    size_t t = (size_t)o->threads < ws->nchunks ? (size_t)o->threads : ws->nchunks;
    if (t < 1) t = 1;
    const double *v = theta, *c = theta + k * d;
    /* Back to x's scale: w = v / xs, b = c - w . xm. */
    for (size_t out = 0; out < k; out++) {
        double shift = 0;
        for (size_t j = 0; j < d; j++) {
            double w = o->fixed[j] ? 0 : v[out * d + j] / o->xs[j];
            ws->w[out * d + j] = w;
            shift += w * o->xm[j];
        }
        ws->b[out] = c[out] - shift;
    }
    worker workers[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    bool started[MAX_THREADS] = {0};
    for (size_t i = 0; i < t; i++) {
        workers[i] =
            (worker){.ws = ws, .first = i, .step = t, .scratch = ws->scratch + i * block * k};
        /* Worker 0 runs here; one whose thread fails to start runs here too. */
        if (i > 0) started[i] = pthread_create(&tid[i], NULL, run_worker, &workers[i]) == 0;
    }
    run_worker(&workers[0]);
    for (size_t i = 1; i < t; i++)
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            run_worker(&workers[i]);
    /* The chunks' sums in order; then the chain rule through v and c, and
     * the L2 term. */
    double f = ws->loss[0];
    for (size_t ch = 1; ch < ws->nchunks; ch++) {
        f += ws->loss[ch];
        for (size_t j = 0; j < k * d; j++)
            ws->gw[j] += ws->gw[ch * k * d + j];
        for (size_t j = 0; j < k; j++)
            ws->gb[j] += ws->gb[ch * k + j];
    }
    for (size_t out = 0; out < k; out++) {
        double sum_r = ws->gb[out];
        for (size_t j = 0; j < d; j++) {
            size_t at = out * d + j;
            if (o->fixed[j]) {
                grad[at] = 0;
                continue;
            }
            grad[at] = (ws->gw[at] - o->xm[j] * sum_r) / o->xs[j] + o->l2w[j] * v[at];
            f += 0.5 * o->l2w[j] * v[at] * v[at];
        }
        grad[k * d + out] = sum_r;
    }
    return f;
}

/* ---- the problem for the minimiser (lbfgs.c) ----------------------------- */

typedef struct problem {
    const objective *o;
    workspace *ws;
    size_t k, d;          /* multinomial: the classes' weight rows, for shift_classes */
    const double *l1w;    /* k x d + k */
    const double *l2w;    /* d */
    double *column, *cut; /* k each */
} problem;

static double problem_evaluate(void *user, const double *theta, double *grad)
{
    problem *pr = user;
    return evaluate(pr->o, pr->ws, theta, grad);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The u minimising a sum_c |v_c + u| + (b / 2) sum_c (v_c + u)^2: where its
 * subgradient a (#positive - #negative) + b (sum_c v_c + k u) reaches zero,
 * found between or at the breakpoints -v_c. */
static double best_shift(const double *v, size_t k, double a, double b, double *cut)
{
    if (a == 0 && b == 0) return 0;
    double sum = 0;
    for (size_t c = 0; c < k; c++) {
        cut[c] = -v[c];
        sum += v[c];
    }
    qsort(cut, k, sizeof *cut, compare_doubles);
    for (size_t i = 0; i <= k; i++) {
        /* Past i breakpoints, i terms are positive and k - i negative. */
        double sign = (double)i - (double)(k - i);
        double lo = i == 0 ? -INFINITY : cut[i - 1], hi = i == k ? INFINITY : cut[i];
        if (b > 0) {
            double u = -(a * sign / b + sum) / (double)k;
            if (u > lo && u < hi) return u;
        }
        if (i < k) { /* at hi, the subgradient spans a [sign, sign + 2] + b (...) */
            double smooth = b * (sum + (double)k * hi);
            if (a * sign + smooth <= 0 && a * (sign + 2) + smooth >= 0) return hi;
        }
    }
    return 0;
}

/* Multinomial only: softmax does not change when one vector u is added to
 * every class's weights, so the loss is flat along those directions and
 * only the penalty decides them; with an L1 term that makes them kinked,
 * which stalls a quasi-Newton search. After each step each feature's u is
 * set to its exact minimiser (a one-dimensional piecewise quadratic), which
 * lowers the objective and takes the flat directions out of the search.
 * Returns the change of the objective; updates theta and the gradient g
 * (the loss part of which does not move). */
static double shift_classes(void *user, double *theta, double *g)
{
    const problem *m = user;
    if (m->k < 2) return 0;
    double change = 0;
    for (size_t j = 0; j < m->d; j++) {
        double a = m->l1w[j], b = m->l2w[j];
        for (size_t c = 0; c < m->k; c++)
            m->column[c] = theta[c * m->d + j];
        double u = best_shift(m->column, m->k, a, b, m->cut);
        if (u == 0) continue;
        for (size_t c = 0; c < m->k; c++) {
            double v = theta[c * m->d + j], w = v + u;
            change += a * (fabs(w) - fabs(v)) + b / 2 * (w * w - v * v);
            theta[c * m->d + j] = w;
            g[c * m->d + j] += b * u;
        }
    }
    return change;
}

/* ---- checks and standardisation ----------------------------------------- */

static int check_params(const ml_logreg_params *p, wf_error *err)
{
    if (!(p->l1 >= 0) || !isfinite(p->l1))
        return wf_error_set(err, WF_EINVAL, "L1 weight must be a number >= 0 (got %g)", p->l1);
    if (!(p->l2 >= 0) || !isfinite(p->l2))
        return wf_error_set(err, WF_EINVAL, "L2 weight must be a number >= 0 (got %g)", p->l2);
    if (!(p->tolerance > 0) || !isfinite(p->tolerance))
        return wf_error_set(err, WF_EINVAL, "optimization tolerance must be > 0 (got %g)",
                            p->tolerance);
    if (p->memory < 1 || p->memory > 1000)
        return wf_error_set(err, WF_EINVAL, "L-BFGS memory must be 1..1000 (got %d)", p->memory);
    if (p->max_iterations < 1)
        return wf_error_set(err, WF_EINVAL, "iterations must be at least 1 (got %d)",
                            p->max_iterations);
    return 0;
}

static int check_labels(const int32_t *y, size_t n, size_t nclasses, size_t *counts, wf_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (y[i] < 0)
            return wf_error_set(err, WF_EINVAL,
                                "row %zu has no class (a missing label); remove such rows first",
                                i + 1);
        if ((size_t)y[i] >= nclasses)
            return wf_error_set(err, WF_EINVAL, "row %zu: class %d is not among the %zu classes",
                                i + 1, (int)y[i], nclasses);
        counts[y[i]]++;
    }
    size_t present = 0;
    for (size_t c = 0; c < nclasses; c++)
        present += counts[c] > 0;
    if (present < 2)
        return wf_error_set(err, WF_EINVAL,
                            "every row has the same class; logistic regression needs at least "
                            "two classes in the label");
    return 0;
}

/* Column means and standard deviations (NaN counted as 0); whether any NaN
 * was seen. An infinite value is an error. */
static int column_stats(const ml_matrix *x, double *mean, double *sd, bool *fixed, bool *has_nan,
                        wf_error *err)
{
    size_t n = x->rows, d = x->cols;
    double *shift = wf_calloc(d, sizeof *shift), *sum = wf_calloc(d, sizeof *sum),
           *sq = wf_calloc(d, sizeof *sq);
    int rc = shift && sum && sq ? 0 : wf_error_set(err, WF_ENOMEM, "out of memory");
    *has_nan = false;
    /* Shifting by the first row keeps the sum of squares from cancelling. */
    for (size_t j = 0; rc == 0 && j < d; j++)
        shift[j] = isnan(x->data[j]) ? 0 : x->data[j];
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const double *row = x->data + i * d;
        for (size_t j = 0; j < d; j++) {
            double v = row[j];
            if (isnan(v)) {
                *has_nan = true;
                v = 0;
            } else if (isinf(v)) {
                rc = wf_error_set(err, WF_EINVAL, "row %zu, feature %zu: an infinite value", i + 1,
                                  j + 1);
                break;
            }
            v -= shift[j];
            sum[j] += v;
            sq[j] += v * v;
        }
    }
    for (size_t j = 0; rc == 0 && j < d; j++) {
        double m = sum[j] / (double)n, var = sq[j] / (double)n - m * m;
        mean[j] = m + shift[j];
        sd[j] = var > 0 ? sqrt(var) : 0;
        /* A column whose every value is the same carries nothing a bias
         * does not. */
        fixed[j] = sq[j] == 0 || !(sd[j] > 1e-12 * fabs(mean[j]));
        if (fixed[j]) sd[j] = 1;
    }
    free(shift);
    free(sum);
    free(sq);
    return rc;
}

/* Threads for n rows: env's count (0: the cores), at most one per
 * ROWS_PER_THREAD rows. */
static int thread_count(const ml_env *env, size_t n)
{
    long cores = env != NULL && env->threads > 0 ? env->threads : sysconf(_SC_NPROCESSORS_ONLN);
    long most = (long)(n / ROWS_PER_THREAD);
    long t = cores < most ? cores : most;
    if (t > MAX_THREADS) t = MAX_THREADS;
    return t < 1 ? 1 : (int)t;
}

/* ---- the learner -------------------------------------------------------- */

int ml_logreg_fit(const ml_matrix *x, const int32_t *y, size_t nclasses, const ml_logreg_params *p,
                  const ml_env *env, ml_linear *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = check_params(p, err);
    if (rc < 0) return rc;
    if (nclasses < 2)
        return wf_error_set(err, WF_EINVAL, "logistic regression needs at least two classes");
    if (x->rows == 0 || x->cols == 0)
        return wf_error_set(err, WF_EINVAL,
                            "logistic regression needs rows and features to train on");
    if (x->rows > INT32_MAX || x->cols > INT32_MAX / (nclasses + 1))
        return wf_error_set(err, WF_ELIMIT, "a %zu x %zu matrix is too large", x->rows, x->cols);
    size_t n = x->rows, d = x->cols, k = nclasses == 2 ? 1 : nclasses, np = k * (d + 1);

    size_t *counts = wf_calloc(nclasses, sizeof *counts);
    double *mean = wf_calloc(d, sizeof *mean), *sd = wf_calloc(d, sizeof *sd);
    double *zero = wf_calloc(d, sizeof *zero), *one = wf_mallocarray(d, sizeof *one);
    double *l2w = wf_mallocarray(d, sizeof *l2w), *l1w = wf_calloc(np, sizeof *l1w);
    double *theta = wf_calloc(np, sizeof *theta), *copy = NULL;
    bool *fixed = wf_calloc(d, sizeof *fixed);
    problem m = {.l1w = l1w, .k = k > 1 ? k : 0, .d = d, .l2w = l2w};
    m.column = wf_mallocarray(k, sizeof(double));
    m.cut = wf_mallocarray(k, sizeof(double));
    workspace ws = {0};
    if (!counts || !mean || !sd || !zero || !one || !l2w || !l1w || !theta || !fixed || !m.column ||
        !m.cut) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = check_labels(y, n, nclasses, counts, err)) < 0) goto done;
    bool has_nan = false;
    if ((rc = column_stats(x, mean, sd, fixed, &has_nan, err)) < 0) goto done;

    objective o = {.x = x->data,
                   .y = y,
                   .n = n,
                   .d = d,
                   .k = k,
                   .xm = mean,
                   .xs = sd,
                   .l2w = l2w,
                   .fixed = fixed,
                   .threads = thread_count(env, n)};
    bool badly_centred = false;
    for (size_t j = 0; j < d; j++) {
        one[j] = 1;
        l2w[j] = p->l2 / (sd[j] * sd[j]);
        for (size_t c = 0; c < k; c++)
            l1w[c * d + j] = fixed[j] ? 0 : p->l1 / sd[j];
        if (fabs(mean[j]) > 1e3 * sd[j]) badly_centred = true;
    }
    if (has_nan || badly_centred) {
        /* A standardised copy: NaN become 0 (before centring), and the
         * passes need no shift that could cancel. */
        copy = wf_mallocarray(n * d, sizeof *copy);
        if (copy == NULL) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory for a copy of the %zu x %zu matrix", n,
                              d);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++) {
                double v = x->data[i * d + j];
                copy[i * d + j] = ((isnan(v) ? 0 : v) - mean[j]) / sd[j];
            }
        o.x = copy;
        o.xm = zero;
        o.xs = one;
    }
    /* Start from the class priors, so the first steps fit the weights. */
    for (size_t c = 0; c < k; c++) {
        if (k == 1) {
            theta[k * d] = log((double)counts[1] / (double)counts[0]);
        } else {
            theta[k * d + c] = log(((double)counts[c] + 0.5) / ((double)n + 0.5 * (double)k));
        }
    }
    if (workspace_init(&ws, &o) < 0) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    m.o = &o;
    m.ws = &ws;
    ml_lbfgs_problem lp = {.p = np,
                           .l1 = l1w,
                           .memory = p->memory,
                           .tolerance = p->tolerance,
                           .max_iterations = p->max_iterations,
                           .evaluate = problem_evaluate,
                           .after_step = shift_classes,
                           .user = &m,
                           .name = "logistic regression"};
    ml_lbfgs_result res;
    rc = ml_lbfgs_minimise(&lp, theta, env, &res, err);
    if (rc < 0) goto done;
    if (env != NULL && env->log != NULL) {
        char line[200];
        snprintf(line, sizeof line,
                 "logistic regression: %d iterations of L-BFGS%s, %d evaluations, objective %.9g",
                 res.iterations, p->l1 > 0 ? " (OWL-QN)" : "", res.evaluations, res.objective);
        env->log(env->user, line);
    }

    /* Fold the standardisation back into the weights. */
    out->weights = wf_mallocarray(k * d, sizeof(double));
    out->bias = wf_mallocarray(k, sizeof(double));
    if (out->weights == NULL || out->bias == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    out->nfeatures = d;
    out->noutputs = k;
    double mean_bias = 0;
    for (size_t c = 0; c < k; c++) {
        double b = theta[k * d + c];
        for (size_t j = 0; j < d; j++) {
            double w = fixed[j] ? 0 : theta[c * d + j] / sd[j];
            out->weights[c * d + j] = w;
            b -= w * mean[j];
        }
        out->bias[c] = b;
        mean_bias += b / (double)k;
    }
    /* Softmax ignores a shift shared by every bias: centre them. */
    if (k > 1)
        for (size_t c = 0; c < k; c++)
            out->bias[c] -= mean_bias;
done:
    if (rc < 0) ml_linear_clear(out);
    workspace_clear(&ws);
    free(counts);
    free(mean);
    free(sd);
    free(zero);
    free(one);
    free(l2w);
    free(l1w);
    free(theta);
    free(copy);
    free(fixed);
    free(m.column);
    free(m.cut);
    return rc;
}
