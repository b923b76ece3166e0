/*
 * fitted_loops.c: the hot loops over numeric columns that the fitted
 * transforms share (fitted.h): statistics in one pass, squared deviations,
 * rescaling and filling. They run over million-row columns, so they are
 * written with the vector extensions of GCC and Clang, four values a
 * step: the compilers leave the plain loops scalar, because a missing
 * mask and NaN checks make them conditional, and C's strict floating-point
 * rules forbid them to reorder a sum.
 *
 * A missing mask is read four bytes at a time; rows with no missing value
 * among the four (nearly all, usually) take the plain path. Sums keep four
 * partial sums (two vectors of two), added at the end: a different order from a sequential
 * loop, with the same accuracy.
 */
#include "fitted.h"

#include <stdbool.h>
#include <string.h>

/* Two lanes: SSE2's width, which every x86-64 has (wider vectors would
 * change the calling convention without AVX), and NEON's. Loops take two
 * vectors per step, four values. */
typedef double mod__v2d __attribute__((vector_size(16)));
typedef long long mod__v2i __attribute__((vector_size(16)));

static inline mod__v2d mod__load(const double *p)
{
    mod__v2d v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void mod__store(double *p, mod__v2d v)
{
    memcpy(p, &v, sizeof v);
}

/* Lanes where a is taken (all bits set in `take`), else b. */
static inline mod__v2d mod__select(mod__v2i take, mod__v2d a, mod__v2d b)
{
    return (mod__v2d)(((mod__v2i)a & take) | ((mod__v2i)b & ~take));
}

/* All bits set in the lanes of rows r..r+3 (two vectors) that are not
 * marked missing. */
static inline void mod__present(const uint8_t *m, size_t r, mod__v2i *p0, mod__v2i *p1)
{
    uint32_t word = 0;
    if (m != NULL) memcpy(&word, m + r, sizeof word);
    if (word == 0) {
        *p0 = *p1 = (mod__v2i){-1, -1};
        return;
    }
    *p0 = (mod__v2i){-(long long)(m[r] == 0), -(long long)(m[r + 1] == 0)};
    *p1 = (mod__v2i){-(long long)(m[r + 2] == 0), -(long long)(m[r + 3] == 0)};
}

/* ---- statistics --------------------------------------------------------- */

/* One vector of the statistics pass; `range` (a constant at each call, so
 * the loop is compiled with and without it) asks for min and max. */
static inline void mod__stats_step(mod__v2d v, mod__v2i present, bool range, mod__v2d *sum,
                                   mod__v2i *count, mod__v2d *lo, mod__v2d *hi)
{
    mod__v2i ok = (mod__v2i)(v == v) & present;
    *sum += (mod__v2d)((mod__v2i)v & ok);
    *count -= ok;
    if (!range) return;
    *lo = mod__select((mod__v2i)(v < *lo) & ok, v, *lo);
    *hi = mod__select((mod__v2i)(v > *hi) & ok, v, *hi);
}

static inline void mod__stats_f64(const double *x, const uint8_t *m, size_t n, bool range,
                                  mod__stats *s)
{
    const mod__v2d inf = {INFINITY, INFINITY};
    mod__v2d sum0 = {0, 0}, sum1 = {0, 0}, lo0 = inf, lo1 = inf, hi0 = -inf, hi1 = -inf;
    mod__v2i count0 = {0, 0}, count1 = {0, 0};
    size_t r = 0;
    for (; r + 4 <= n; r += 4) {
        mod__v2i p0, p1;
        mod__present(m, r, &p0, &p1);
        mod__stats_step(mod__load(x + r), p0, range, &sum0, &count0, &lo0, &hi0);
        mod__stats_step(mod__load(x + r + 2), p1, range, &sum1, &count1, &lo1, &hi1);
    }
    mod__v2d sum = sum0 + sum1;
    mod__v2i count = count0 + count1;
    s->count = (size_t)(count[0] + count[1]);
    s->sum = sum[0] + sum[1];
    s->min = fmin(fmin(lo0[0], lo0[1]), fmin(lo1[0], lo1[1]));
    s->max = fmax(fmax(hi0[0], hi0[1]), fmax(hi1[0], hi1[1]));
    for (; r < n; r++) {
        double v = x[r];
        if (v != v || (m != NULL && m[r])) continue;
        s->count++;
        s->sum += v;
        s->min = v < s->min ? v : s->min;
        s->max = v > s->max ? v : s->max;
    }
    if (!range) s->min = s->max = NAN;
}

void mod__number_stats(const tbl_column *c, size_t nrows, bool range, mod__stats *s)
{
    if (c->type == TBL_NUMERIC) {
        if (range)
            mod__stats_f64(c->v.f64, c->missing, nrows, true, s);
        else
            mod__stats_f64(c->v.f64, c->missing, nrows, false, s);
        return;
    }
    s->count = 0;
    s->sum = 0;
    s->min = INFINITY;
    s->max = -INFINITY;
    for (size_t r = 0; r < nrows; r++) {
        if (!mod__has_number(c, r)) continue;
        double v = mod__number_at(c, r);
        s->count++;
        s->sum += v;
        s->min = v < s->min ? v : s->min;
        s->max = v > s->max ? v : s->max;
    }
    if (!range) s->min = s->max = NAN;
}

double mod__squared_deviations(const tbl_column *c, size_t nrows, double mean, bool *constant)
{
    double total = 0, first = NAN;
    size_t r = 0;
    /* The first number: every other one is compared with it. */
    for (size_t q = 0; q < nrows && first != first; q++)
        if (mod__has_number(c, q)) first = mod__number_at(c, q);
    bool differ = false;
    if (c->type == TBL_NUMERIC) {
        const double *x = c->v.f64;
        mod__v2d ss0 = {0, 0}, ss1 = {0, 0};
        mod__v2i ne = {0, 0};
        for (; r + 4 <= nrows; r += 4) {
            mod__v2i p0, p1;
            mod__present(c->missing, r, &p0, &p1);
            mod__v2d x0 = mod__load(x + r), x1 = mod__load(x + r + 2);
            mod__v2d d0 = x0 - mean, d1 = x1 - mean;
            mod__v2i ok0 = (mod__v2i)(x0 == x0) & p0, ok1 = (mod__v2i)(x1 == x1) & p1;
            ss0 += (mod__v2d)((mod__v2i)(d0 * d0) & ok0);
            ss1 += (mod__v2d)((mod__v2i)(d1 * d1) & ok1);
            ne |= ((mod__v2i)(x0 != first) & ok0) | ((mod__v2i)(x1 != first) & ok1);
        }
        mod__v2d ss = ss0 + ss1;
        total = ss[0] + ss[1];
        differ = (ne[0] | ne[1]) != 0;
    }
    for (; r < nrows; r++) {
        if (!mod__has_number(c, r)) continue;
        double v = mod__number_at(c, r), d = v - mean;
        total += d * d;
        differ = differ || v != first;
    }
    *constant = !differ;
    return total;
}

/* Mean and squared deviations in one pass, by the shifted-data algorithm
 * (T. F. Chan, G. H. Golub and R. J. LeVeque, "Algorithms for computing
 * the sample variance: analysis and recommendations", The American
 * Statistician 37(3), 1983): with K the first number, sum d = x - K and d^2,
 * then mean = K + S1/n and SS = S2 - S1^2/n. Its relative error is about
 * eps (1 + n (mean - K)^2 / SS); when K lies more than 8 standard
 * deviations from the mean (an outlier first), that bound passes 65 eps,
 * and the two-pass computation runs instead. */
void mod__moments(const tbl_column *c, size_t nrows, mod__moments_t *out)
{
    double first = NAN;
    size_t r = 0;
    for (; r < nrows && first != first; r++)
        if (mod__has_number(c, r)) first = mod__number_at(c, r);
    memset(out, 0, sizeof *out);
    out->mean = NAN;
    out->constant = true;
    if (first != first) return;
    if (c->type != TBL_NUMERIC) {
        mod__stats s;
        mod__number_stats(c, nrows, false, &s);
        out->count = s.count;
        out->mean = s.sum / (double)s.count;
        out->ss = mod__squared_deviations(c, nrows, out->mean, &out->constant);
        return;
    }
    const double *x = c->v.f64;
    const uint8_t *m = c->missing;
    mod__v2d a0 = {0, 0}, a1 = {0, 0}, q0 = {0, 0}, q1 = {0, 0};
    mod__v2i n0 = {0, 0}, n1 = {0, 0};
    size_t q = 0;
    for (; q + 4 <= nrows; q += 4) {
        mod__v2i p0, p1;
        mod__present(m, q, &p0, &p1);
        mod__v2d x0 = mod__load(x + q), x1 = mod__load(x + q + 2);
        mod__v2i ok0 = (mod__v2i)(x0 == x0) & p0, ok1 = (mod__v2i)(x1 == x1) & p1;
        mod__v2d d0 = (mod__v2d)((mod__v2i)(x0 - first) & ok0);
        mod__v2d d1 = (mod__v2d)((mod__v2i)(x1 - first) & ok1);
        a0 += d0;
        a1 += d1;
        q0 += d0 * d0;
        q1 += d1 * d1;
        n0 -= ok0;
        n1 -= ok1;
    }
    mod__v2d a = a0 + a1, sq = q0 + q1;
    mod__v2i n = n0 + n1;
    double s1 = a[0] + a[1], s2 = sq[0] + sq[1];
    size_t count = (size_t)(n[0] + n[1]);
    for (; q < nrows; q++) {
        if (!mod__has_number(c, q)) continue;
        double d = x[q] - first;
        s1 += d;
        s2 += d * d;
        count++;
    }
    /* x - K is 0 only when x == K, so S2 is 0 when the column is constant;
     * the converse fails only for differences below 1e-162, whose squares
     * vanish, so a zero S2 is checked value by value. */
    bool differ = s2 != 0;
    for (size_t k = 0; !differ && k < nrows; k++)
        differ = mod__has_number(c, k) && x[k] != first;
    double shift = s1 * s1 / (double)count, ss = s2 - shift;
    if (!(shift <= 64 * ss) && differ) {
        /* The first number is far out: two passes, exact to rounding. */
        mod__stats s;
        mod__number_stats(c, nrows, false, &s);
        out->count = s.count;
        out->mean = s.sum / (double)s.count;
        out->ss = mod__squared_deviations(c, nrows, out->mean, &out->constant);
        return;
    }
    out->count = count;
    out->mean = first + s1 / (double)count;
    out->ss = differ ? ss : 0;
    out->constant = !differ;
}

/* ---- rescaling and filling ---------------------------------------------- */

size_t mod__affine_f64(const double *x, const uint8_t *m, size_t n, double a, double b, double *y)
{
    const mod__v2d zero = {0, 0};
    mod__v2i nan = {0, 0};
    size_t r = 0;
    for (; r + 4 <= n; r += 4) {
        mod__v2i p0, p1;
        mod__present(m, r, &p0, &p1);
        mod__v2d v0 = mod__select(p0, (mod__load(x + r) - a) / b, zero);
        mod__v2d v1 = mod__select(p1, (mod__load(x + r + 2) - a) / b, zero);
        mod__store(y + r, v0);
        mod__store(y + r + 2, v1);
        nan -= (mod__v2i)(v0 != v0) + (mod__v2i)(v1 != v1);
    }
    size_t count = (size_t)(nan[0] + nan[1]);
    for (; r < n; r++) {
        y[r] = m != NULL && m[r] ? 0.0 : (x[r] - a) / b;
        count += y[r] != y[r];
    }
    return count;
}

void mod__fill_f64(const double *x, const uint8_t *m, size_t n, double v, double *y)
{
    const mod__v2d fill = {v, v};
    size_t r = 0;
    for (; r + 4 <= n; r += 4) {
        mod__v2i p0, p1;
        mod__present(m, r, &p0, &p1);
        mod__v2d w0 = mod__load(x + r), w1 = mod__load(x + r + 2);
        mod__store(y + r, mod__select((mod__v2i)(w0 == w0) & p0, w0, fill));
        mod__store(y + r + 2, mod__select((mod__v2i)(w1 == w1) & p1, w1, fill));
    }
    for (; r < n; r++)
        y[r] = x[r] != x[r] || (m != NULL && m[r]) ? v : x[r];
}
