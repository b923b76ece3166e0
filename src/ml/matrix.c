/*
 * matrix.c: dense matrices and the scoring side of linear models, which every
 * linear learner (least squares, logistic regression, SVM) shares.
 */
#include "ml.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ml_matrix_init(ml_matrix *m, size_t rows, size_t cols, wf_error *err)
{
    m->rows = rows;
    m->cols = cols;
    m->data = NULL;
    if (rows == 0 || cols == 0) return 0;
    if (cols <= SIZE_MAX / sizeof(double)) m->data = wf_calloc(rows, cols * sizeof(double));
    if (m->data == NULL)
        return wf_error_set(err, WF_ENOMEM, "out of memory for a %zu x %zu matrix", rows, cols);
    return 0;
}

void ml_matrix_clear(ml_matrix *m)
{
    free(m->data);
    memset(m, 0, sizeof *m);
}

double ml_sigmoid(double z)
{
    /* Two branches, so exp never overflows. */
    if (z >= 0) return 1 / (1 + exp(-z));
    double e = exp(z);
    return e / (1 + e);
}

void ml_softmax(double *rows, size_t n, size_t k)
{
    for (size_t r = 0; r < n; r++) {
        double *v = rows + r * k, max = -INFINITY, sum = 0;
        for (size_t c = 0; c < k; c++)
            if (v[c] > max) max = v[c];
        for (size_t c = 0; c < k; c++)
            sum += v[c] = exp(v[c] - max);
        for (size_t c = 0; c < k; c++)
            v[c] /= sum;
    }
}

void ml_linear_predict(const ml_linear *m, const ml_matrix *x, double *out)
{
    size_t d = m->nfeatures, k = m->noutputs;
    for (size_t r = 0; r < x->rows; r++) {
        const double *row = x->data + r * x->cols;
        for (size_t o = 0; o < k; o++) {
            const double *w = m->weights + o * d;
            double s = m->bias[o];
            for (size_t j = 0; j < d; j++)
                if (!isnan(row[j])) s += w[j] * row[j];
            out[r * k + o] = s;
        }
    }
}

int ml_linear_copy(ml_linear *dst, const ml_linear *src, wf_error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->weights = wf_mallocarray(src->noutputs * src->nfeatures + 1, sizeof(double));
    dst->bias = wf_mallocarray(src->noutputs + 1, sizeof(double));
    if (dst->weights == NULL || dst->bias == NULL) {
        ml_linear_clear(dst);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    memcpy(dst->weights, src->weights, src->noutputs * src->nfeatures * sizeof(double));
    memcpy(dst->bias, src->bias, src->noutputs * sizeof(double));
    dst->nfeatures = src->nfeatures;
    dst->noutputs = src->noutputs;
    return 0;
}

void ml_linear_clear(ml_linear *m)
{
    free(m->weights);
    free(m->bias);
    memset(m, 0, sizeof *m);
}
