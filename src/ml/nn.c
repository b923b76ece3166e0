/*
 * nn.c: fully connected feed-forward neural networks, as Azure's Neural
 * Network Regression, Two-Class Neural Network and Multiclass Neural Network
 * train them: hidden layers of logistic (sigmoid) units, a linear output for
 * regression (squared error), one sigmoid output for two classes and a
 * softmax over k outputs for several (cross-entropy), trained by
 * back-propagation (Rumelhart, Hinton and Williams, "Learning
 * representations by back-propagating errors", Nature 323, 1986) with
 * minibatch stochastic gradient descent and classical momentum (Polyak,
 * 1964; as in Rumelhart et al.):
 *
 *     v <- momentum v - rate * mean gradient of the minibatch;   w <- w + v
 *
 * Each minibatch is a few matrix products (OpenBLAS dgemm): forward
 * A_{l+1} = act(A_l W_l^T + b_l), backward dW_l = D_{l+1}^T A_l and
 * D_l = (D_{l+1} W_l) * act'(A_l).
 *
 * Weights start uniform in [-diameter / 2, diameter / 2] (Azure's "initial
 * learning weights diameter"); biases start at 0. Inputs are normalised
 * first, as Azure's normaliser option says: min-max to [0, 1], Gaussian
 * (mean 0, standard deviation 1), binning (the input's quantile bin, as a
 * fraction in [0, 1]) or not at all. The normaliser is part of the model.
 */
#include "ml.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the layout of the parameters ------------------------------------------ */

/* Offset of layer l's weights (sizes[l+1] x sizes[l], row-major) in the flat
 * parameter vector; its biases (sizes[l+1]) follow them. */
static size_t nn_offset(const ml_nn *m, size_t l)
{
    size_t at = 0;
    for (size_t i = 0; i < l; i++)
        at += m->sizes[i + 1] * (m->sizes[i] + 1);
    return at;
}

static size_t nn_widest(const ml_nn *m)
{
    size_t w = 0;
    for (size_t l = 0; l <= m->nlayers; l++)
        if (m->sizes[l] > w) w = m->sizes[l];
    return w;
}

/* ---- normalisers ------------------------------------------------------------- */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Min-max and Gaussian: x' = (x - shift) * scale, 0 for a constant input. */
static void nn_fit_affine(ml_nn *m, const ml_matrix *x)
{
    size_t n = x->rows, d = x->cols;
    for (size_t j = 0; j < d; j++) {
        double lo = INFINITY, hi = -INFINITY, sum = 0, sq = 0;
        size_t count = 0;
        for (size_t i = 0; i < n; i++) {
            double v = x->data[i * d + j];
            if (isnan(v)) continue;
            lo = fmin(lo, v);
            hi = fmax(hi, v);
            sum += v;
            count++;
        }
        double mean = count > 0 ? sum / (double)count : 0;
        for (size_t i = 0; i < n; i++) {
            double v = x->data[i * d + j];
            if (!isnan(v)) sq += (v - mean) * (v - mean);
        }
        double sd = count > 0 ? sqrt(sq / (double)count) : 0;
        if (m->normalizer == ML_NN_MIN_MAX) {
            m->shift[j] = count > 0 ? lo : 0;
            m->scale[j] = hi > lo ? 1 / (hi - lo) : 0;
        } else {
            m->shift[j] = mean;
            m->scale[j] = sd > 1e-12 * fmax(1, fabs(mean)) ? 1 / sd : 0;
        }
    }
}

/* Binning: up to ML_NN_BINS quantile bins per input; edges[k] is the upper
 * boundary of bin k (the midpoint between two training values), so a value
 * falls in bin "number of edges below it" and normalises to that over the
 * number of edges. */
static int nn_fit_bins(ml_nn *m, const ml_matrix *x, wf_error *err)
{
    size_t n = x->rows, d = x->cols;
    double *col = wf_mallocarray(n + 1, sizeof *col);
    m->edge_start = wf_calloc(d + 1, sizeof *m->edge_start);
    m->edges = wf_mallocarray(d * (ML_NN_BINS - 1) + 1, sizeof *m->edges);
    if (col == NULL || m->edge_start == NULL || m->edges == NULL) {
        free(col);
        return wf_error_set(err, WF_ENOMEM, "out of memory for the binning normaliser");
    }
    size_t total = 0;
    for (size_t j = 0; j < d; j++) {
        size_t count = 0;
        for (size_t i = 0; i < n; i++)
            if (!isnan(x->data[i * d + j])) col[count++] = x->data[i * d + j];
        qsort(col, count, sizeof *col, compare_doubles);
        m->edge_start[j] = total;
        size_t distinct = count > 0 ? 1 : 0;
        for (size_t i = 1; i < count; i++)
            distinct += col[i] > col[i - 1];
        if (distinct <= ML_NN_BINS) {
            /* One bin per distinct value. */
            for (size_t i = 1; i < count; i++)
                if (col[i] > col[i - 1]) m->edges[total++] = col[i - 1] + (col[i] - col[i - 1]) / 2;
            continue;
        }
        /* Evenly spaced ranks; an edge sits between two different values. */
        for (size_t k = 1; k < ML_NN_BINS; k++) {
            size_t r = (size_t)((double)k * (double)count / ML_NN_BINS);
            double lo = col[r - 1], hi = col[r], edge = lo + (hi - lo) / 2;
            if (hi > lo && (total == m->edge_start[j] || edge > m->edges[total - 1]))
                m->edges[total++] = edge;
        }
    }
    m->edge_start[d] = total;
    free(col);
    return 0;
}

/* Writes the normalised rows of x (NaN become 0) into out. */
static void nn_normalise(const ml_nn *m, const double *x, size_t rows, double *out)
{
    size_t d = m->ninputs;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < d; j++) {
            double v = x[i * d + j], r;
            if (isnan(v)) {
                r = 0;
            } else if (m->normalizer == ML_NN_MIN_MAX || m->normalizer == ML_NN_GAUSSIAN) {
                r = (v - m->shift[j]) * m->scale[j];
            } else if (m->normalizer == ML_NN_BINNING) {
                const double *e = m->edges + m->edge_start[j];
                size_t ne = m->edge_start[j + 1] - m->edge_start[j], lo = 0, hi = ne;
                while (lo < hi) { /* edges below v */
                    size_t mid = lo + (hi - lo) / 2;
                    if (e[mid] < v)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                r = ne > 0 ? (double)lo / (double)ne : 0;
            } else {
                r = v;
            }
            out[i * d + j] = r;
        }
}

/* ---- forward and backward ---------------------------------------------------- */

static double sigmoid(double z)
{
    return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}

/* Activations of every layer for rows (act[0] holds the normalised input,
 * rows x sizes[0]); the last layer holds the network's outputs:
 * regression values, P(class 1) or softmax probabilities. */
static void nn_forward(const ml_nn *m, const double *params, double **act, size_t rows)
{
    for (size_t l = 0; l < m->nlayers; l++) {
        size_t in = m->sizes[l], out = m->sizes[l + 1];
        const double *w = params + nn_offset(m, l), *b = w + out * in;
        double *a = act[l + 1];
        for (size_t i = 0; i < rows; i++)
            memcpy(a + i * out, b, out * sizeof *a);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)out, (int)in, 1,
                    act[l], (int)in, w, (int)in, 1, a, (int)out);
        bool last = l + 1 == m->nlayers;
        if (!last || m->task == ML_BINARY) {
            for (size_t i = 0; i < rows * out; i++)
                a[i] = sigmoid(a[i]);
        } else if (m->task == ML_MULTICLASS) {
            ml_softmax(a, rows, out);
        }
    }
}

/* The loss of a minibatch and the gradient of its mean, into grad. y holds
 * the targets: values (regression) or class indices. delta and back are
 * rows x widest scratch. */
static double nn_backward(const ml_nn *m, const double *params, double **act, const double *y,
                          size_t rows, double *grad, double *delta, double *back)
{
    size_t L = m->nlayers, k = m->sizes[L];
    const double *o = act[L];
    double loss = 0, inv = 1 / (double)rows;
    /* d loss / d pre-activation of the output: p - y for cross-entropy
     * with sigmoid or softmax, and for squared error with a linear output. */
    for (size_t i = 0; i < rows; i++) {
        if (m->task == ML_REGRESSION) {
            double e = o[i] - y[i];
            loss += 0.5 * e * e;
            delta[i] = e * inv;
        } else if (m->task == ML_BINARY) {
            double p = o[i], t = y[i];
            loss -= t > 0 ? log(fmax(p, 1e-300)) : log(fmax(1 - p, 1e-300));
            delta[i] = (p - t) * inv;
        } else {
            size_t c = (size_t)y[i];
            loss -= log(fmax(o[i * k + c], 1e-300));
            for (size_t j = 0; j < k; j++)
                delta[i * k + j] = (o[i * k + j] - (j == c)) * inv;
        }
    }
    for (size_t l = L; l-- > 0;) {
        size_t in = m->sizes[l], out = m->sizes[l + 1];
        size_t at = nn_offset(m, l);
        double *gw = grad + at, *gb = gw + out * in;
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)out, (int)in, (int)rows, 1, delta,
                    (int)out, act[l], (int)in, 0, gw, (int)in);
        for (size_t j = 0; j < out; j++)
            gb[j] = 0;
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < out; j++)
                gb[j] += delta[i * out + j];
        if (l == 0) break;
        /* Through the weights, then the hidden sigmoid: a (1 - a). */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)in, (int)out, 1,
                    delta, (int)out, params + at, (int)in, 0, back, (int)in);
        const double *a = act[l];
        for (size_t i = 0; i < rows * in; i++)
            back[i] *= a[i] * (1 - a[i]);
        double *swap = delta;
        delta = back;
        back = swap;
    }
    return loss;
}

/* ---- checks ------------------------------------------------------------------- */

static int nn_check(const ml_matrix *x, const double *y, const ml_nn_params *p, wf_error *err)
{
    if (p->task != ML_REGRESSION && p->task != ML_BINARY && p->task != ML_MULTICLASS)
        return wf_error_set(err, WF_EINVAL,
                            "neural network: task %d is not regression or "
                            "classification",
                            (int)p->task);
    if (p->task == ML_MULTICLASS && p->nclasses < 2)
        return wf_error_set(err, WF_EINVAL, "neural network: a multiclass label needs 2 classes");
    if (p->nhidden > ML_NN_MAX_LAYERS)
        return wf_error_set(err, WF_EINVAL, "neural network: at most %d hidden layers, not %zu",
                            ML_NN_MAX_LAYERS, p->nhidden);
    for (size_t l = 0; l < p->nhidden; l++)
        if (p->hidden[l] < 1 || p->hidden[l] > ML_NN_MAX_UNITS)
            return wf_error_set(err, WF_EINVAL,
                                "neural network: hidden layer %zu has %zu nodes; give 1 to %d",
                                l + 1, p->hidden[l], ML_NN_MAX_UNITS);
    if (!(p->learning_rate > 0) || !isfinite(p->learning_rate))
        return wf_error_set(err, WF_EINVAL, "neural network: the learning rate must be > 0, not %g",
                            p->learning_rate);
    if (!(p->momentum >= 0 && p->momentum < 1))
        return wf_error_set(err, WF_EINVAL,
                            "neural network: the momentum must be in [0, 1), not %g", p->momentum);
    if (!(p->init_diameter >= 0) || !isfinite(p->init_diameter))
        return wf_error_set(err, WF_EINVAL,
                            "neural network: the initial weights diameter must be >= 0, not %g",
                            p->init_diameter);
    if (p->iterations < 1)
        return wf_error_set(err, WF_EINVAL, "neural network: iterations must be at least 1, not %d",
                            p->iterations);
    if (x->rows == 0 || x->cols == 0)
        return wf_error_set(err, WF_EINVAL, "neural network: no rows or no features to train on");
    if (x->rows > INT32_MAX || x->cols > ML_NN_MAX_UNITS * 16)
        return wf_error_set(err, WF_ELIMIT, "neural network: a %zu x %zu matrix is too large",
                            x->rows, x->cols);
    for (size_t i = 0; i < x->rows * x->cols; i++)
        if (isinf(x->data[i]))
            return wf_error_set(err, WF_EINVAL, "neural network: row %zu, feature %zu is infinite",
                                i / x->cols + 1, i % x->cols + 1);
    for (size_t i = 0; i < x->rows; i++) {
        double v = y[i];
        if (!isfinite(v))
            return wf_error_set(err, WF_EINVAL, "neural network: the label of row %zu is %s", i + 1,
                                isnan(v) ? "missing" : "infinite");
        if (p->task == ML_BINARY && v != 0 && v != 1)
            return wf_error_set(err, WF_EINVAL, "neural network: row %zu: class %g is not 0 or 1",
                                i + 1, v);
        if (p->task == ML_MULTICLASS && (v < 0 || v != floor(v) || v >= (double)p->nclasses))
            return wf_error_set(err, WF_EINVAL,
                                "neural network: row %zu: class %g is not in 0..%zu", i + 1, v,
                                p->nclasses - 1);
    }
    return 0;
}

/* ---- the model ------------------------------------------------------------------ */

int ml_nn_init(ml_nn *m, ml_task task, size_t ninputs, const size_t *hidden, size_t nhidden,
               size_t noutputs, ml_nn_normalizer normalizer, wf_error *err)
{
    memset(m, 0, sizeof *m);
    m->task = task;
    m->normalizer = normalizer;
    m->ninputs = ninputs;
    m->nlayers = nhidden + 1;
    m->sizes = wf_mallocarray(nhidden + 2, sizeof *m->sizes);
    if (m->sizes == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    m->sizes[0] = ninputs;
    for (size_t l = 0; l < nhidden; l++)
        m->sizes[l + 1] = hidden[l];
    m->sizes[nhidden + 1] = noutputs;
    m->nparams = nn_offset(m, m->nlayers);
    m->params = wf_calloc(m->nparams + 1, sizeof *m->params);
    if (normalizer == ML_NN_MIN_MAX || normalizer == ML_NN_GAUSSIAN) {
        m->shift = wf_calloc(ninputs + 1, sizeof *m->shift);
        m->scale = wf_calloc(ninputs + 1, sizeof *m->scale);
    }
    if (m->params == NULL || ((normalizer == ML_NN_MIN_MAX || normalizer == ML_NN_GAUSSIAN) &&
                              (m->shift == NULL || m->scale == NULL))) {
        ml_nn_clear(m);
        return wf_error_set(err, WF_ENOMEM, "out of memory for a network of %zu weights",
                            m->nparams);
    }
    return 0;
}

int ml_nn_fit(const ml_matrix *x, const double *y, const ml_nn_params *p, const ml_env *env,
              ml_nn *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = nn_check(x, y, p, err);
    if (rc < 0) return rc;
    size_t noutputs = p->task == ML_MULTICLASS ? p->nclasses : 1;
    if ((rc = ml_nn_init(out, p->task, x->cols, p->hidden, p->nhidden, noutputs, p->normalizer,
                         err)) < 0)
        return rc;
    ml_nn *m = out;
    if (p->normalizer == ML_NN_MIN_MAX || p->normalizer == ML_NN_GAUSSIAN)
        nn_fit_affine(m, x);
    else if (p->normalizer == ML_NN_BINNING && (rc = nn_fit_bins(m, x, err)) < 0)
        goto fail;

    size_t n = x->rows, d = x->cols, batch = p->batch_size > 0 ? p->batch_size : 32;
    if (batch > n) batch = n;
    size_t wide = nn_widest(m), L = m->nlayers;
    double *xn = wf_mallocarray(n * d, sizeof *xn);
    double *vel = wf_calloc(m->nparams + 1, sizeof *vel);
    double *grad = wf_mallocarray(m->nparams + 1, sizeof *grad);
    double *delta = wf_mallocarray(batch * wide, sizeof *delta);
    double *back = wf_mallocarray(batch * wide, sizeof *back);
    double *yb = wf_mallocarray(batch, sizeof *yb);
    size_t *order = wf_mallocarray(n, sizeof *order);
    double *act[ML_NN_MAX_LAYERS + 2] = {0};
    bool ok = xn && vel && grad && delta && back && yb && order;
    for (size_t l = 0; l <= L && ok; l++)
        ok = (act[l] = wf_mallocarray(batch * m->sizes[l], sizeof(double))) != NULL;
    if (!ok) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory training a network on %zu x %zu", n, d);
        goto done;
    }
    nn_normalise(m, x->data, n, xn);
    wf_rng rng = {.state = p->seed};
    for (size_t i = 0; i < m->nparams; i++)
        m->params[i] = (wf_rng_uniform(&rng) - 0.5) * p->init_diameter;
    for (size_t l = 0; l < L; l++) { /* biases start at 0 */
        size_t at = nn_offset(m, l) + m->sizes[l + 1] * m->sizes[l];
        memset(m->params + at, 0, m->sizes[l + 1] * sizeof *m->params);
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    int every = p->iterations >= 10 ? p->iterations / 10 : 1;
    for (int epoch = 0; epoch < p->iterations; epoch++) {
        if (env != NULL && env->cancel != NULL && *env->cancel) {
            rc = wf_error_set(err, WF_ECANCELED, "neural network: cancelled after %d iterations",
                              epoch);
            goto done;
        }
        if (p->shuffle)
            for (size_t i = n; i > 1; i--) {
                size_t j = (size_t)wf_rng_below(&rng, i), t = order[i - 1];
                order[i - 1] = order[j];
                order[j] = t;
            }
        double loss = 0;
        for (size_t b0 = 0; b0 < n; b0 += batch) {
            size_t rows = n - b0 < batch ? n - b0 : batch;
            for (size_t i = 0; i < rows; i++) {
                memcpy(act[0] + i * d, xn + order[b0 + i] * d, d * sizeof(double));
                yb[i] = y[order[b0 + i]];
            }
            nn_forward(m, m->params, act, rows);
            loss += nn_backward(m, m->params, act, yb, rows, grad, delta, back);
            for (size_t i = 0; i < m->nparams; i++) {
                vel[i] = p->momentum * vel[i] - p->learning_rate * grad[i];
                m->params[i] += vel[i];
            }
        }
        loss /= (double)n;
        if (!isfinite(loss)) {
            rc = wf_error_set(err, WF_EINVAL,
                              "neural network: training diverged (the loss became %s in "
                              "iteration %d); lower the learning rate or normalise the features",
                              isnan(loss) ? "NaN" : "infinite", epoch + 1);
            goto done;
        }
        if (env != NULL && env->log != NULL && ((epoch + 1) % every == 0 || epoch == 0)) {
            char line[160];
            snprintf(line, sizeof line, "neural network: iteration %d of %d, mean loss %.6g",
                     epoch + 1, p->iterations, loss);
            env->log(env->user, line);
        }
    }
done:
    free(xn);
    free(vel);
    free(grad);
    free(delta);
    free(back);
    free(yb);
    free(order);
    for (size_t l = 0; l <= L; l++)
        free(act[l]);
    if (rc == 0) return 0;
fail:
    ml_nn_clear(out);
    return rc;
}

/* Rows per forward pass when predicting. */
#define NN_PREDICT_BLOCK 1024

int ml_nn_predict(const ml_nn *m, const ml_matrix *x, double *out, wf_error *err)
{
    if (m->params == NULL)
        return wf_error_set(err, WF_EINVAL, "neural network: the model is empty");
    if (x->cols != m->ninputs)
        return wf_error_set(err, WF_EINVAL,
                            "neural network: the model has %zu inputs, the matrix %zu columns",
                            m->ninputs, x->cols);
    size_t block = x->rows < NN_PREDICT_BLOCK ? x->rows : NN_PREDICT_BLOCK, L = m->nlayers;
    size_t k = m->sizes[L];
    double *act[ML_NN_MAX_LAYERS + 2] = {0};
    int rc = 0;
    for (size_t l = 0; l <= L && rc == 0; l++)
        if ((act[l] = wf_mallocarray(block * m->sizes[l] + 1, sizeof(double))) == NULL)
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t r0 = 0; rc == 0 && r0 < x->rows; r0 += block) {
        size_t rows = x->rows - r0 < block ? x->rows - r0 : block;
        nn_normalise(m, x->data + r0 * x->cols, rows, act[0]);
        nn_forward(m, m->params, act, rows);
        memcpy(out + r0 * k, act[L], rows * k * sizeof *out);
    }
    for (size_t l = 0; l <= L; l++)
        free(act[l]);
    return rc;
}

void ml_nn_clear(ml_nn *m)
{
    free(m->sizes);
    free(m->params);
    free(m->shift);
    free(m->scale);
    free(m->edges);
    free(m->edge_start);
    memset(m, 0, sizeof *m);
}
