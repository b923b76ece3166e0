/*
 * perceptron.c: the averaged perceptron for two classes (Freund and
 * Schapire, "Large margin classification using the perceptron algorithm",
 * Machine Learning 37, 1999), as Azure's Two-Class Averaged Perceptron
 * trains it.
 *
 * Each pass visits the rows in a fresh random order (seeded). A row whose
 * margin y (w . x + b), y in {-1, +1}, is not positive is a mistake and
 * moves the hyperplane: w += rate y x, b += rate y. The model is the
 * average of (w, b) over every row visited, which Freund and Schapire show
 * generalises like a large-margin classifier. The average is kept in
 * constant time per update with a second accumulator: after T visits,
 * mean = w - u / T, where an update after t earlier visits adds t times
 * itself to u.
 *
 * Features are standardised first (the perceptron's steps are not scale
 * free; ML.NET, which Azure runs, normalises them too) and the scaling is
 * folded back into the weights. The margin becomes a probability by Platt
 * scaling ("Probabilistic outputs for support vector machines", 1999): a
 * one-feature logistic regression of the class on the training margins,
 * folded into the weights as well, so the model's output is a logit.
 */
#include "ml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int perceptron_check(const ml_matrix *x, const int32_t *y, const ml_perceptron_params *p,
                            wf_error *err)
{
    if (!(p->learning_rate > 0) || !isfinite(p->learning_rate))
        return wf_error_set(err, WF_EINVAL, "the learning rate must be > 0 (got %g)",
                            p->learning_rate);
    if (p->iterations < 1)
        return wf_error_set(err, WF_EINVAL, "the number of iterations must be at least 1 (got %d)",
                            p->iterations);
    if (x->rows == 0 || x->cols == 0)
        return wf_error_set(err, WF_EINVAL, "the perceptron needs rows and features to train on");
    size_t seen[2] = {0, 0};
    for (size_t i = 0; i < x->rows; i++) {
        if (y[i] != 0 && y[i] != 1)
            return wf_error_set(err, WF_EINVAL, "row %zu: class %d is not 0 or 1", i + 1,
                                (int)y[i]);
        seen[y[i]]++;
    }
    if (seen[0] == 0 || seen[1] == 0)
        return wf_error_set(err, WF_EINVAL,
                            "every row has the same class; the perceptron needs both classes");
    for (size_t i = 0; i < x->rows * x->cols; i++)
        if (isinf(x->data[i]))
            return wf_error_set(err, WF_EINVAL, "row %zu, feature %zu: an infinite value",
                                i / x->cols + 1, i % x->cols + 1);
    return 0;
}

/* The standardised copy of x (NaN as 0, as ml_linear_predict counts them),
 * with each column's mean and scale (1 for a constant column). */
static int perceptron_standardise(const ml_matrix *x, double *xs, double *mean, double *scale)
{
    size_t n = x->rows, d = x->cols;
    for (size_t j = 0; j < d; j++)
        mean[j] = scale[j] = 0;
    for (size_t i = 0; i < n * d; i++) {
        xs[i] = isnan(x->data[i]) ? 0 : x->data[i];
        mean[i % d] += xs[i];
    }
    for (size_t j = 0; j < d; j++)
        mean[j] /= (double)n;
    for (size_t i = 0; i < n * d; i++) {
        xs[i] -= mean[i % d];
        scale[i % d] += xs[i] * xs[i];
    }
    for (size_t j = 0; j < d; j++) {
        double sd = sqrt(scale[j] / (double)n);
        scale[j] = sd > 1e-12 * fmax(1, fabs(mean[j])) ? 1 / sd : 0;
    }
    for (size_t i = 0; i < n * d; i++)
        xs[i] *= scale[i % d];
    return 0;
}

int ml_perceptron_fit(const ml_matrix *x, const int32_t *y, const ml_perceptron_params *p,
                      const ml_env *env, ml_linear *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = perceptron_check(x, y, p, err);
    if (rc < 0) return rc;
    size_t n = x->rows, d = x->cols;
    double *xs = wf_mallocarray(n * d, sizeof *xs), *mean = wf_mallocarray(d, sizeof *mean);
    double *scale = wf_mallocarray(d, sizeof *scale), *w = wf_calloc(d + 1, sizeof *w);
    double *u = wf_calloc(d + 1, sizeof *u), *margin = wf_mallocarray(n, sizeof *margin);
    size_t *order = wf_mallocarray(n, sizeof *order);
    ml_linear platt = {0};
    if (!xs || !mean || !scale || !w || !u || !margin || !order) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory for a copy of the %zu x %zu matrix", n, d);
        goto done;
    }
    perceptron_standardise(x, xs, mean, scale);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    wf_rng rng = {.state = p->seed};
    double visits = 0, rate = p->learning_rate;
    size_t mistakes = 0;
    for (int epoch = 0; epoch < p->iterations; epoch++) {
        if (env != NULL && env->cancel != NULL && *env->cancel) {
            rc = wf_error_set(err, WF_ECANCELED, "perceptron: cancelled after %d passes", epoch);
            goto done;
        }
        /* Fisher-Yates, so each pass sees the rows in a new order. */
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)wf_rng_below(&rng, i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (size_t k = 0; k < n; k++) {
            size_t i = order[k];
            const double *row = xs + i * d;
            double s = w[d], sign = y[i] == 1 ? 1 : -1;
            for (size_t j = 0; j < d; j++)
                s += w[j] * row[j];
            /* An update at this visit counts in the average of this
             * visit and every later one: weight (T - before) / T. */
            double before = visits++;
            if (sign * s > 0) continue;
            mistakes++;
            double step = rate * sign;
            for (size_t j = 0; j < d; j++) {
                w[j] += step * row[j];
                u[j] += before * step * row[j];
            }
            w[d] += step;
            u[d] += before * step;
        }
    }
    /* The average over every visit, back on x's own scale. */
    double bias = w[d] - u[d] / visits;
    for (size_t j = 0; j < d; j++) {
        w[j] = (w[j] - u[j] / visits) * scale[j];
        bias -= w[j] * mean[j];
    }
    /* Platt scaling: P(class 1) = sigmoid(a margin + c), fitted on the
     * training margins (a mild L2 keeps a and c finite on separable data). */
    for (size_t i = 0; i < n; i++) {
        double s = bias;
        for (size_t j = 0; j < d; j++)
            if (!isnan(x->data[i * d + j])) s += w[j] * x->data[i * d + j];
        margin[i] = s;
    }
    ml_matrix mx = {.rows = n, .cols = 1, .data = margin};
    ml_logreg_params lp = ML_LOGREG_DEFAULTS;
    lp.l1 = 0;
    lp.l2 = 1e-3;
    lp.tolerance = 1e-9;
    if ((rc = ml_logreg_fit(&mx, y, 2, &lp, NULL, &platt, err)) < 0) {
        wf_error_prefix(err, "perceptron: calibrating the probabilities");
        goto done;
    }
    double a = platt.weights[0], c = platt.bias[0];
    out->weights = wf_mallocarray(d, sizeof(double));
    out->bias = wf_mallocarray(1, sizeof(double));
    if (out->weights == NULL || out->bias == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    out->nfeatures = d;
    out->noutputs = 1;
    for (size_t j = 0; j < d; j++)
        out->weights[j] = a * w[j];
    out->bias[0] = a * bias + c;
    if (env != NULL && env->log != NULL) {
        char line[200];
        snprintf(line, sizeof line,
                 "averaged perceptron: %d passes, %zu mistakes in %.0f visits; Platt scaling "
                 "a = %.6g, c = %.6g",
                 p->iterations, mistakes, visits, a, c);
        env->log(env->user, line);
    }
done:
    if (rc < 0) ml_linear_clear(out);
    ml_linear_clear(&platt);
    free(xs);
    free(mean);
    free(scale);
    free(w);
    free(u);
    free(margin);
    free(order);
    return rc;
}
