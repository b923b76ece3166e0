/*
 * curves.c: two-class evaluation. The confusion matrix at 0.5 and at 101
 * thresholds, the area under the ROC curve, log loss, and the ROC,
 * precision-recall and cumulative gains (lift) curves.
 *
 * Everything comes from one ordering of the rows. Each row becomes one
 * 64-bit key, its probability's bits and its label, radix-sorted once; then
 * a walk from the highest score down meets the rows in groups of equal
 * scores. Each group is one point of every curve, adds its rows to the
 * running counts, and moves the threshold table along. So the work after the
 * sort is linear, and ties are exact.
 *
 * AUC is the Mann-Whitney U statistic over P * N (Hanley and McNeil, "The
 * meaning and use of the area under a receiver operating characteristic
 * curve", Radiology 143, 1982): the share of (positive, negative) pairs the
 * scores order rightly, a tie counting one half. That equals the trapezoid
 * area under the ROC curve with one point per distinct score, which is what
 * scikit-learn's roc_auc_score computes.
 */
#include "ml.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG_LOSS_EPS 1e-15

/* ---- keys and sorting ----------------------------------------------------- */

/* A row as a key that sorts by probability, then label. The bits of a
 * non-negative double order as unsigned integers do, and a double in [0, 1]
 * leaves its top two bits clear (sign, and the exponent's top bit), so one
 * shift makes room for the label below. -0.0 becomes +0.0 first, so that
 * equal numbers have equal keys. */
static uint64_t key_of(double p, int32_t label)
{
    uint64_t k;
    p += 0.0;
    memcpy(&k, &p, sizeof k);
    return k << 1 | (uint64_t)label;
}

static double score_of(uint64_t key)
{
    uint64_t bits = key >> 1;
    double p;
    memcpy(&p, &bits, sizeof p);
    return p;
}

#define RADIX_BITS 8
#define RADIX_SIZE (1u << RADIX_BITS)
#define SMALL_SORT 32 /* at most this many keys: insertion sort */

static void insertion_sort(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t k = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > k; j--)
            a[j] = a[j - 1];
        a[j] = k;
    }
}

/* The number of bits up to the highest set one (0 for 0). */
static int bit_width(uint64_t x)
{
    return x == 0 ? 0 : 64 - __builtin_clzll(x);
}

/* Most-significant-digit radix sort of a[0..n) ascending, where the keys
 * agree on every bit at or above bit `top`; b (n keys) is the other buffer,
 * and the result ends in a when in_a, else in b. MSD rather than LSD because
 * it stops as soon as the high bits tell the keys apart: over millions of
 * probabilities three passes do where LSD would take eight, and after the
 * first the buckets fit in cache. When a digit does not split the keys (tied
 * scores), the same read finds the highest bit that does, and the sort
 * jumps there. The depth is at most 64 / RADIX_BITS. */
static void radix_sort(uint64_t *a, uint64_t *b, size_t n, int top, bool in_a)
{
    size_t at[RADIX_SIZE];
    int shift;
    for (;;) {
        if (n <= SMALL_SORT || top <= 0) {
            if (top > 0) insertion_sort(a, n);
            if (!in_a) memcpy(b, a, n * sizeof *a);
            return;
        }
        shift = top > RADIX_BITS ? top - RADIX_BITS : 0;
        uint64_t differ = 0;
        memset(at, 0, sizeof at);
        for (size_t i = 0; i < n; i++) {
            at[(a[i] >> shift) & (RADIX_SIZE - 1)]++;
            differ |= a[i] ^ a[0];
        }
        if (at[(a[0] >> shift) & (RADIX_SIZE - 1)] != n) break;
        top = bit_width(differ); /* below shift, as this digit is shared */
    }
    size_t start[RADIX_SIZE + 1];
    start[0] = 0;
    for (size_t d = 0; d < RADIX_SIZE; d++) {
        start[d + 1] = start[d] + at[d];
        at[d] = start[d];
    }
    for (size_t i = 0; i < n; i++)
        b[at[(a[i] >> shift) & (RADIX_SIZE - 1)]++] = a[i];
    for (size_t d = 0; d < RADIX_SIZE; d++)
        if (start[d + 1] > start[d])
            radix_sort(b + start[d], a + start[d], start[d + 1] - start[d], shift, !in_a);
}

/* Sorts keys[0..n) ascending, tmp (n keys) serving as scratch; bits above
 * the highest one where the smallest and largest key differ are shared by
 * all, so the sort starts below them. */
static void sort_keys(uint64_t *keys, uint64_t *tmp, size_t n, uint64_t lo, uint64_t hi)
{
    radix_sort(keys, tmp, n, bit_width(lo ^ hi), true);
}

/* ---- confusion ---------------------------------------------------------- */

/* The confusion at a threshold where tp positives and fp negatives score at
 * or above it, out of positives > 0 and negatives. Precision is NaN when no
 * row is predicted positive (0/0). F1 is 2tp / (2tp + fp + fn), the harmonic
 * mean of precision and recall, which stays defined (0) in that case. */
static ml_confusion confusion_at(double threshold, size_t tp, size_t fp, size_t positives,
                                 size_t negatives)
{
    ml_confusion c = {.threshold = threshold, .tp = tp, .fp = fp};
    c.fn = positives - tp;
    c.tn = negatives - fp;
    c.accuracy = (double)(tp + c.tn) / (double)(positives + negatives);
    c.precision = tp + fp > 0 ? (double)tp / (double)(tp + fp) : NAN;
    c.recall = (double)tp / (double)positives;
    c.f1 = 2.0 * (double)tp / (double)(2 * tp + fp + c.fn);
    return c;
}

/* ---- the evaluation ----------------------------------------------------- */

/* Neumaier's compensated sum, so that a log loss over millions of rows keeps
 * its digits. */
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

static double clip(double p)
{
    if (p < LOG_LOSS_EPS) return LOG_LOSS_EPS;
    if (p > 1 - LOG_LOSS_EPS) return 1 - LOG_LOSS_EPS;
    return p;
}

/* The summed log loss, -sum log q over each row's probability q of its own
 * class. Single rows multiply into a product that takes one log per
 * LOG_BATCH rows: a log costs as much as the rest of the walk, and q >=
 * 1e-15 keeps a product of 16 far above the smallest double. */
#define LOG_BATCH 16

typedef struct log_loss {
    ksum sum;
    double product;
    int factors;
} log_loss;

static void loss_add(log_loss *l, double q, size_t rows)
{
    if (rows > 1) {
        ksum_add(&l->sum, -(double)rows * log(q));
        return;
    }
    l->product *= q;
    if (++l->factors == LOG_BATCH) {
        ksum_add(&l->sum, -log(l->product));
        l->product = 1;
        l->factors = 0;
    }
}

static double log_loss_total(log_loss *l)
{
    ksum_add(&l->sum, -log(l->product));
    l->product = 1;
    l->factors = 0;
    return l->sum.sum + l->sum.carry;
}

/* Index of the i-th kept point of a curve of m points thinned to at most
 * ML_CURVE_POINTS: evenly spaced indices, the first and the last kept. */
static size_t kept_index(size_t i, size_t m)
{
    if (m <= ML_CURVE_POINTS) return i;
    return i * (m - 1) / (ML_CURVE_POINTS - 1);
}

/* Checks the rows and gathers one key per row with a label and a
 * probability, counting each class and finding the smallest and largest key. */
static int gather_keys(const int32_t *y, const double *p, size_t rows, uint64_t *keys,
                       size_t *positives, size_t *n, uint64_t *lo, uint64_t *hi, wf_error *err)
{
    size_t m = 0, pos = 0;
    uint64_t kmin = UINT64_MAX, kmax = 0;
    for (size_t r = 0; r < rows; r++) {
        if (y[r] == -1 || isnan(p[r])) continue;
        if (y[r] != 0 && y[r] != 1)
            return wf_error_set(err, WF_EINVAL,
                                "row %zu: class index %d is not 0 (negative), 1 (positive) "
                                "or -1 (missing)",
                                r + 1, (int)y[r]);
        if (!(p[r] >= 0 && p[r] <= 1))
            return wf_error_set(err, WF_EINVAL, "row %zu: probability %g is not between 0 and 1",
                                r + 1, p[r]);
        uint64_t k = key_of(p[r], y[r]);
        keys[m++] = k;
        pos += (size_t)y[r];
        if (k < kmin) kmin = k;
        if (k > kmax) kmax = k;
    }
    if (m == 0)
        return wf_error_set(err, WF_EINVAL,
                            rows == 0 ? "no rows to evaluate"
                                      : "no rows to evaluate: every row lacks its label or its "
                                        "probability");
    if (pos == 0 || pos == m)
        return wf_error_set(err, WF_EINVAL,
                            "the scored data has only one class (\"%s\", class index %d): AUC "
                            "and the curves need rows of both classes",
                            pos == 0 ? "negative" : "positive", pos == 0 ? 0 : 1);
    *positives = pos;
    *n = m;
    *lo = kmin;
    *hi = kmax;
    return 0;
}

static int alloc_curves(ml_binary_metrics *m, size_t points, wf_error *err)
{
    m->roc = wf_mallocarray(points, sizeof *m->roc);
    m->pr = wf_mallocarray(points, sizeof *m->pr);
    m->lift = wf_mallocarray(points, sizeof *m->lift);
    if (m->roc == NULL || m->pr == NULL || m->lift == NULL)
        return wf_error_set(err, WF_ENOMEM, "out of memory for the curves");
    return 0;
}

/* The curves' length before thinning: one point per distinct score, plus
 * the start. */
static size_t count_points(const uint64_t *keys, size_t n)
{
    size_t points = 2;
    for (size_t i = 1; i < n; i++)
        points += (keys[i] >> 1) != (keys[i - 1] >> 1);
    return points;
}

/* One walk over the sorted keys, highest score first: AUC, log loss, the
 * threshold table and the curves (npoints long before thinning). */
static void walk(const uint64_t *keys, size_t npoints, ml_binary_metrics *m)
{
    size_t P = m->positives, N = m->n - m->positives;
    size_t tp = 0, fp = 0, point = 0, kept = 0, keep = 0;
    uint64_t twice_u = 0; /* 2 * (pairs ordered rightly) + pairs tied: exact */
    log_loss loss = {.product = 1};
    int t = ML_THRESHOLDS - 1;
    double next = 1;        /* threshold t (t / 100), or -inf once all are filled */
    double last = INFINITY; /* the lowest score counted so far */
    size_t i = m->n;
    for (;;) {
        /* The curve point of the counts so far: first the start, where
         * nothing is predicted positive, then one per group. */
        if (point == keep) {
            double tpr = (double)tp / (double)P;
            m->roc[kept] = (ml_point){(double)fp / (double)N, tpr, last};
            m->pr[kept] = (ml_point){tpr, point == 0 ? 1.0 : (double)tp / (double)(tp + fp), last};
            m->lift[kept] = (ml_point){(double)(tp + fp) / (double)m->n, tpr, last};
            kept++;
            keep = kept < ML_CURVE_POINTS ? kept_index(kept, npoints) : SIZE_MAX;
        }
        if (i == 0) break;
        /* The next group: keys[j..i) share a score; its positives sort last. */
        uint64_t s = keys[i - 1] >> 1;
        size_t j = i - 1, pos = 0;
        while (j > 0 && (keys[j - 1] >> 1) == s)
            j--;
        for (size_t q = j; q < i; q++)
            pos += keys[q] & 1;
        size_t neg = i - j - pos;
        double score = score_of(keys[i - 1]);
        i = j;
        /* Thresholds above this score see the rows counted so far. */
        while (next > score) {
            m->thresholds[t] = confusion_at(next, tp, fp, P, N);
            t--;
            next = t >= 0 ? t / 100.0 : -INFINITY;
        }
        /* This group's positives outrank the negatives below it and tie
         * with its own negatives. */
        twice_u += 2 * (uint64_t)pos * (N - fp - neg) + (uint64_t)pos * neg;
        if (pos > 0) loss_add(&loss, clip(score), pos);
        if (neg > 0) loss_add(&loss, 1 - clip(score), neg);
        tp += pos;
        fp += neg;
        point++;
        last = score;
    }
    for (; t >= 0; t--)
        m->thresholds[t] = confusion_at(t / 100.0, tp, fp, P, N);
    m->nroc = m->npr = m->nlift = kept;
    m->auc = (double)twice_u / (2.0 * (double)P * (double)N);
    m->log_loss = log_loss_total(&loss) / (double)m->n;
    m->at_half = m->thresholds[ML_THRESHOLDS / 2];
}

int ml_binary_evaluate(const int32_t *y, const double *p, size_t rows, ml_binary_metrics *out,
                       wf_error *err)
{
    if (out == NULL) return wf_error_set(err, WF_EINVAL, "no place for the metrics");
    memset(out, 0, sizeof *out);
    if (rows > 0 && (y == NULL || p == NULL))
        return wf_error_set(err, WF_EINVAL, "no labels or probabilities given");
    /* One more key than rows, so that zero rows still allocate. */
    uint64_t *keys = wf_mallocarray(rows + 1, sizeof *keys);
    if (keys == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory sorting %zu scores", rows);
    size_t n = 0, P = 0;
    uint64_t lo = 0, hi = 0;
    int rc = gather_keys(y, p, rows, keys, &P, &n, &lo, &hi, err);
    uint64_t *tmp = rc < 0 ? NULL : wf_mallocarray(n, sizeof *tmp);
    if (rc == 0 && tmp == NULL)
        rc = wf_error_set(err, WF_ENOMEM, "out of memory sorting %zu scores", n);
    if (rc == 0) {
        sort_keys(keys, tmp, n, lo, hi);
        free(tmp);
        out->n = n;
        out->positives = P;
        size_t npoints = count_points(keys, n);
        rc = alloc_curves(out, npoints < ML_CURVE_POINTS ? npoints : ML_CURVE_POINTS, err);
        if (rc == 0) walk(keys, npoints, out);
    }
    free(keys);
    if (rc < 0) ml_binary_metrics_clear(out);
    return rc;
}

void ml_binary_metrics_clear(ml_binary_metrics *m)
{
    free(m->roc);
    free(m->pr);
    free(m->lift);
    memset(m, 0, sizeof *m);
}
