/*
 * metrics.c: the figures Evaluate Model reports for regression, multiclass
 * classification and clustering, as the Azure designer names them. Two-class
 * evaluation, with its curves, is curves.c.
 */
#include "ml.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG_LOSS_EPS 1e-15

/* Neumaier's compensated sum: sums over millions of rows keep their digits. */
typedef struct ksum {
    double sum, carry;
} ksum;

static void ksum_add(ksum *s, double v)
{
    double t = s->sum + v;
    if (fabs(s->sum) >= fabs(v))
        s->carry += (s->sum - t) + v;
    else
        s->carry += (v - t) + s->sum;
    s->sum = t;
}

static double ksum_value(const ksum *s)
{
    return s->sum + s->carry;
}

/* ---- regression ---------------------------------------------------------- */

int ml_regression_evaluate(const double *y, const double *pred, size_t rows,
                           ml_regression_metrics *out, wf_error *err)
{
    if (out == NULL) return wf_error_set(err, WF_EINVAL, "no place for the metrics");
    memset(out, 0, sizeof *out);
    if (rows > 0 && (y == NULL || pred == NULL))
        return wf_error_set(err, WF_EINVAL, "no labels or predictions given");
    /* First pass: check, count and find the mean label, which the relative
     * errors measure against. */
    size_t n = 0;
    ksum ysum = {0, 0};
    for (size_t r = 0; r < rows; r++) {
        if (isnan(y[r]) || isnan(pred[r])) continue;
        if (isinf(y[r]))
            return wf_error_set(err, WF_EINVAL, "row %zu: the label is infinite", r + 1);
        if (isinf(pred[r]))
            return wf_error_set(err, WF_EINVAL, "row %zu: the prediction is infinite", r + 1);
        ksum_add(&ysum, y[r]);
        n++;
    }
    if (n == 0)
        return wf_error_set(err, WF_EINVAL,
                            rows == 0 ? "no rows to evaluate"
                                      : "no rows to evaluate: every row lacks its label or its "
                                        "prediction");
    double mean = ksum_value(&ysum) / (double)n;
    ksum abs_err = {0, 0}, sq_err = {0, 0}, abs_dev = {0, 0}, sq_dev = {0, 0};
    for (size_t r = 0; r < rows; r++) {
        if (isnan(y[r]) || isnan(pred[r])) continue;
        double e = y[r] - pred[r], d = y[r] - mean;
        ksum_add(&abs_err, fabs(e));
        ksum_add(&sq_err, e * e);
        ksum_add(&abs_dev, fabs(d));
        ksum_add(&sq_dev, d * d);
    }
    out->n = n;
    out->mae = ksum_value(&abs_err) / (double)n;
    out->rmse = sqrt(ksum_value(&sq_err) / (double)n);
    /* A constant label leaves nothing to explain: the relative errors and R^2
     * are undefined (NaN) rather than a made-up 0 or 1. */
    double ad = ksum_value(&abs_dev), sd = ksum_value(&sq_dev);
    out->rae = ad > 0 ? ksum_value(&abs_err) / ad : NAN;
    out->rse = sd > 0 ? ksum_value(&sq_err) / sd : NAN;
    out->r2 = sd > 0 ? 1 - out->rse : NAN;
    return 0;
}

/* ---- multiclass ----------------------------------------------------------- */

/* Checks a row's class indices and probabilities. Returns 1 to use the row,
 * 0 to skip it (a missing label, prediction or probability) or an error. */
static int multiclass_row(const int32_t *y, const int32_t *pred, const double *probs, size_t r,
                          size_t k, wf_error *err)
{
    if (y[r] < -1 || (y[r] >= 0 && (size_t)y[r] >= k))
        return wf_error_set(err, WF_EINVAL, "row %zu: label class index %d is not in 0..%zu", r + 1,
                            (int)y[r], k - 1);
    if (pred[r] < -1 || (pred[r] >= 0 && (size_t)pred[r] >= k))
        return wf_error_set(err, WF_EINVAL, "row %zu: predicted class index %d is not in 0..%zu",
                            r + 1, (int)pred[r], k - 1);
    if (y[r] == -1 || pred[r] == -1) return 0;
    if (probs == NULL) return 1;
    const double *row = probs + r * k;
    for (size_t c = 0; c < k; c++)
        if (isnan(row[c])) return 0;
    for (size_t c = 0; c < k; c++)
        if (!(row[c] >= 0 && row[c] <= 1))
            return wf_error_set(err, WF_EINVAL,
                                "row %zu: probability %g of class index %zu is not between 0 "
                                "and 1",
                                r + 1, row[c], c);
    return 1;
}

/* The row's log loss, as scikit-learn's log_loss takes it: probabilities
 * clipped to [eps, 1 - eps], then scaled to sum to 1. */
static double row_log_loss(const double *row, size_t k, size_t actual)
{
    double sum = 0, mine = 0;
    for (size_t c = 0; c < k; c++) {
        double q = row[c] < LOG_LOSS_EPS ? LOG_LOSS_EPS
                                         : (row[c] > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : row[c]);
        sum += q;
        if (c == actual) mine = q;
    }
    return -log(mine / sum);
}

/* Fills the per-class figures and their averages from the confusion matrix.
 * A class's precision is undefined (NaN) when it was never predicted, its
 * recall when it never occurs; the macro averages run over the classes where
 * each is defined. */
static void multiclass_summary(ml_multiclass_metrics *m)
{
    size_t k = m->k, correct = 0, seen = 0, nprec = 0, nrec = 0;
    double prec_sum = 0, rec_sum = 0, acc_sum = 0;
    for (size_t c = 0; c < k; c++) {
        size_t actual = 0, predicted = 0, tp = m->confusion[c * k + c];
        for (size_t o = 0; o < k; o++) {
            actual += m->confusion[c * k + o];
            predicted += m->confusion[o * k + c];
        }
        correct += tp;
        m->precision[c] = predicted > 0 ? (double)tp / (double)predicted : NAN;
        m->recall[c] = actual > 0 ? (double)tp / (double)actual : NAN;
        if (predicted > 0) {
            prec_sum += m->precision[c];
            nprec++;
        }
        if (actual > 0) {
            rec_sum += m->recall[c];
            nrec++;
        }
        /* One-vs-rest accuracy: rows neither wrongly given nor wrongly
         * denied this class. A class absent from both columns would score a
         * vacuous 1, so only classes that occur count. */
        if (actual + predicted > 0) {
            acc_sum += (double)(m->n - (predicted - tp) - (actual - tp)) / (double)m->n;
            seen++;
        }
    }
    m->overall_accuracy = (double)correct / (double)m->n;
    m->average_accuracy = acc_sum / (double)seen;
    /* Every row is predicted exactly one class, so summed over classes
     * true positives are the correct rows and both denominators are n. */
    m->micro_precision = m->micro_recall = m->overall_accuracy;
    m->macro_precision = prec_sum / (double)nprec;
    m->macro_recall = rec_sum / (double)nrec;
}

int ml_multiclass_evaluate(const int32_t *y, const int32_t *pred, const double *probs, size_t rows,
                           size_t k, ml_multiclass_metrics *out, wf_error *err)
{
    if (out == NULL) return wf_error_set(err, WF_EINVAL, "no place for the metrics");
    memset(out, 0, sizeof *out);
    if (k == 0) return wf_error_set(err, WF_EINVAL, "no classes to evaluate");
    if (rows > 0 && (y == NULL || pred == NULL))
        return wf_error_set(err, WF_EINVAL, "no labels or predictions given");
    out->k = k;
    out->precision = wf_mallocarray(k, sizeof *out->precision);
    out->recall = wf_mallocarray(k, sizeof *out->recall);
    out->confusion = k <= SIZE_MAX / k ? wf_calloc(k * k, sizeof *out->confusion) : NULL;
    if (out->precision == NULL || out->recall == NULL || out->confusion == NULL) {
        ml_multiclass_metrics_clear(out);
        return wf_error_set(err, WF_ENOMEM, "out of memory for %zu classes", k);
    }
    ksum loss = {0, 0};
    for (size_t r = 0; r < rows; r++) {
        int use = multiclass_row(y, pred, probs, r, k, err);
        if (use < 0) {
            ml_multiclass_metrics_clear(out);
            return use;
        }
        if (use == 0) continue;
        out->confusion[(size_t)y[r] * k + (size_t)pred[r]]++;
        out->n++;
        if (probs != NULL) ksum_add(&loss, row_log_loss(probs + r * k, k, (size_t)y[r]));
    }
    if (out->n == 0) {
        ml_multiclass_metrics_clear(out);
        return wf_error_set(err, WF_EINVAL,
                            rows == 0 ? "no rows to evaluate"
                                      : "no rows to evaluate: every row lacks its label, its "
                                        "prediction or its probabilities");
    }
    out->log_loss = probs != NULL ? ksum_value(&loss) / (double)out->n : NAN;
    multiclass_summary(out);
    return 0;
}

void ml_multiclass_metrics_clear(ml_multiclass_metrics *m)
{
    free(m->precision);
    free(m->recall);
    free(m->confusion);
    memset(m, 0, sizeof *m);
}

/* ---- clustering ---------------------------------------------------------- */

/* Checks a row. Returns 1 to use it, 0 to skip it (no cluster, or a missing
 * distance) or an error. */
static int cluster_row(const int32_t *assign, const double *distances, size_t r, size_t k,
                       wf_error *err)
{
    if (assign[r] < -1 || (assign[r] >= 0 && (size_t)assign[r] >= k))
        return wf_error_set(err, WF_EINVAL, "row %zu: cluster %d is not in 0..%zu", r + 1,
                            (int)assign[r], k - 1);
    if (assign[r] == -1) return 0;
    const double *d = distances + r * k;
    for (size_t c = 0; c < k; c++)
        if (isnan(d[c])) return 0;
    /* Cosine distance, 1 - cos, can round to a hair below zero. */
    for (size_t c = 0; c < k; c++)
        if (!(d[c] >= -1e-12 && d[c] < INFINITY))
            return wf_error_set(err, WF_EINVAL,
                                "row %zu: distance %g to centre %zu is not a finite distance",
                                r + 1, d[c], c);
    return 1;
}

/* Sums that become a cluster's figures. */
typedef struct cluster_sums {
    size_t count;
    ksum own, other;
    double max_own;
} cluster_sums;

static ml_cluster_stats cluster_stats_of(const cluster_sums *s, size_t k)
{
    ml_cluster_stats st = {
        .count = s->count, .mean_to_own = NAN, .mean_to_other = NAN, .max_to_own = NAN};
    if (s->count == 0) return st;
    st.mean_to_own = ksum_value(&s->own) / (double)s->count;
    st.max_to_own = s->max_own;
    if (k > 1) st.mean_to_other = ksum_value(&s->other) / (double)s->count;
    return st;
}

int ml_cluster_evaluate(const int32_t *assign, const double *distances, size_t rows, size_t k,
                        ml_cluster_metrics *out, wf_error *err)
{
    if (out == NULL) return wf_error_set(err, WF_EINVAL, "no place for the metrics");
    memset(out, 0, sizeof *out);
    if (k == 0) return wf_error_set(err, WF_EINVAL, "no clusters to evaluate");
    if (rows > 0 && (assign == NULL || distances == NULL))
        return wf_error_set(err, WF_EINVAL, "no assignments or distances given");
    cluster_sums *sums = wf_calloc(k + 1, sizeof *sums); /* sums[k]: every point */
    out->clusters = wf_calloc(k, sizeof *out->clusters);
    if (sums == NULL || out->clusters == NULL) {
        free(sums);
        ml_cluster_metrics_clear(out);
        return wf_error_set(err, WF_ENOMEM, "out of memory for %zu clusters", k);
    }
    for (size_t r = 0; r < rows; r++) {
        int use = cluster_row(assign, distances, r, k, err);
        if (use < 0) {
            free(sums);
            ml_cluster_metrics_clear(out);
            return use;
        }
        if (use == 0) continue;
        const double *d = distances + r * k;
        size_t own = (size_t)assign[r];
        /* A point's distance to the other centres is their mean. */
        double other = 0;
        for (size_t c = 0; c < k; c++)
            if (c != own) other += d[c];
        if (k > 1) other /= (double)(k - 1);
        cluster_sums *targets[2] = {&sums[own], &sums[k]};
        for (int i = 0; i < 2; i++) {
            cluster_sums *s = targets[i];
            s->count++;
            ksum_add(&s->own, d[own]);
            ksum_add(&s->other, other);
            if (d[own] > s->max_own) s->max_own = d[own];
        }
    }
    if (sums[k].count == 0) {
        free(sums);
        ml_cluster_metrics_clear(out);
        return wf_error_set(err, WF_EINVAL,
                            rows == 0 ? "no rows to evaluate"
                                      : "no rows to evaluate: every row lacks its cluster or a "
                                        "distance");
    }
    out->n = sums[k].count;
    out->k = k;
    for (size_t c = 0; c < k; c++)
        out->clusters[c] = cluster_stats_of(&sums[c], k);
    out->combined = cluster_stats_of(&sums[k], k);
    free(sums);
    return 0;
}

void ml_cluster_metrics_clear(ml_cluster_metrics *m)
{
    free(m->clusters);
    memset(m, 0, sizeof *m);
}
