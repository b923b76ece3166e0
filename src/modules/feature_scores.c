/*
 * feature_scores.c: the statistics that filter-based-feature-selection@1
 * (feature_selection.c) scores columns with, over plain arrays of the rows
 * where both the column and the target have a value: Pearson's r,
 * Spearman's rho, Kendall's tau-b, the levels of a column, the chi-squared
 * statistic and mutual information of two level vectors, and the Fisher
 * score. The papers and definitions are in feature_selection.c's opening
 * comment; each function here says what it computes.
 */
#include "feature_scores.h"

#include "util/util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- correlations -------------------------------------------------------- */

double mod__fs_pearson(const double *x, const double *y, size_t m)
{
    if (m < 2) return 0;
    double mx = 0, my = 0;
    for (size_t i = 0; i < m; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)m;
    my /= (double)m;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < m; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    /* A constant column correlates with nothing: Azure gives it 0. */
    if (sxx == 0 || syy == 0) return 0;
    double r = sxy / sqrt(sxx * syy);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

typedef struct fs_pair {
    double x, y;
    size_t i;
} fs_pair;

static int fs_by_x(const void *a, const void *b)
{
    const fs_pair *p = a, *q = b;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    if (p->y != q->y) return p->y < q->y ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

/* The ranks of x[0..m) (1-based, ties get their mean rank) into r. */
static int fs_ranks(const double *x, size_t m, double *r)
{
    fs_pair *p = wf_mallocarray(m, sizeof *p);
    if (p == NULL) return WF_ENOMEM;
    for (size_t i = 0; i < m; i++)
        p[i] = (fs_pair){.x = x[i], .y = 0, .i = i};
    qsort(p, m, sizeof *p, fs_by_x);
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        while (j < m && p[j].x == p[i].x)
            j++;
        double mean = ((double)i + (double)j + 1) / 2; /* ranks i+1 .. j */
        for (size_t k = i; k < j; k++)
            r[p[k].i] = mean;
        i = j;
    }
    free(p);
    return 0;
}

int mod__fs_spearman(const double *x, const double *y, size_t m, double *score)
{
    double *rx = wf_mallocarray(m, sizeof *rx), *ry = wf_mallocarray(m, sizeof *ry);
    int rc = rx && ry ? 0 : WF_ENOMEM;
    if (rc == 0) rc = fs_ranks(x, m, rx);
    if (rc == 0) rc = fs_ranks(y, m, ry);
    if (rc == 0) *score = mod__fs_pearson(rx, ry, m);
    free(rx);
    free(ry);
    return rc;
}

/* Pairs tied within runs of p (already sorted) that are equal in x, in y,
 * or in both, as asked. */
static uint64_t fs_tied_pairs(const fs_pair *p, size_t m, bool by_x, bool by_y)
{
    uint64_t ties = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        while (j < m && (!by_x || p[j].x == p[i].x) && (!by_y || p[j].y == p[i].y))
            j++;
        ties += (uint64_t)(j - i) * (uint64_t)(j - i - 1) / 2;
        i = j;
    }
    return ties;
}

/* Sorts p by y with a bottom-up merge sort, returning the exchanges: the
 * pairs (i < j) with y[i] > y[j]. */
static uint64_t fs_merge_count(fs_pair *p, fs_pair *tmp, size_t m)
{
    uint64_t swaps = 0;
    for (size_t width = 1; width < m; width *= 2) {
        for (size_t lo = 0; lo < m; lo += 2 * width) {
            size_t mid = lo + width < m ? lo + width : m;
            size_t hi = lo + 2 * width < m ? lo + 2 * width : m;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi) {
                if (p[b].y < p[a].y) {
                    swaps += mid - a; /* p[b] jumps every left one still waiting */
                    tmp[k++] = p[b++];
                } else {
                    tmp[k++] = p[a++];
                }
            }
            while (a < mid)
                tmp[k++] = p[a++];
            while (b < hi)
                tmp[k++] = p[b++];
        }
        memcpy(p, tmp, m * sizeof *p);
    }
    return swaps;
}

/* Kendall's tau-b, counted in O(m log m) as in W. R. Knight, "A Computer
 * Method for Calculating Kendall's Tau with Ungrouped Data", Journal of the
 * American Statistical Association 61 (1966), 436-439: sort by (x, y), count
 * the ties, then count the exchanges a merge sort by y makes (the
 * discordant pairs). */
int mod__fs_kendall(const double *x, const double *y, size_t m, double *score)
{
    *score = 0;
    if (m < 2) return 0;
    fs_pair *p = wf_mallocarray(m, sizeof *p), *tmp = wf_mallocarray(m, sizeof *tmp);
    if (p == NULL || tmp == NULL) {
        free(p);
        free(tmp);
        return WF_ENOMEM;
    }
    for (size_t i = 0; i < m; i++)
        p[i] = (fs_pair){.x = x[i], .y = y[i], .i = i};
    qsort(p, m, sizeof *p, fs_by_x);
    uint64_t n0 = (uint64_t)m * (uint64_t)(m - 1) / 2;
    uint64_t tx = fs_tied_pairs(p, m, true, false);
    uint64_t txy = fs_tied_pairs(p, m, true, true);
    uint64_t swaps = fs_merge_count(p, tmp, m);
    uint64_t ty = fs_tied_pairs(p, m, false, true);
    free(p);
    free(tmp);
    if (tx == n0 || ty == n0) return 0; /* a constant column */
    /* concordant - discordant = n0 - tx - ty + txy - 2 swaps */
    double s = (double)n0 - (double)tx - (double)ty + (double)txy - 2.0 * (double)swaps;
    *score = s / sqrt(((double)n0 - (double)tx) * ((double)n0 - (double)ty));
    return 0;
}

/* ---- levels and contingency --------------------------------------------- */

static int fs_compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Levels 0..*nlevels-1 of m numbers: one per distinct value (in increasing
 * order) when there are at most MOD__FS_BINS of them, else MOD__FS_BINS equal-width
 * bins over [min, max]. */
int mod__fs_number_levels(const double *x, size_t m, size_t *out, size_t *nlevels)
{
    double *s = wf_mallocarray(m, sizeof *s);
    if (s == NULL) return WF_ENOMEM;
    memcpy(s, x, m * sizeof *s);
    qsort(s, m, sizeof *s, fs_compare_double);
    size_t distinct = 0;
    for (size_t i = 0; i < m; i++)
        if (i == 0 || s[i] != s[distinct - 1]) s[distinct++] = s[i];
    if (distinct <= MOD__FS_BINS) {
        for (size_t i = 0; i < m; i++) {
            size_t lo = 0, hi = distinct; /* binary search for x[i] in s */
            while (hi - lo > 1) {
                size_t mid = (lo + hi) / 2;
                if (s[mid] <= x[i])
                    lo = mid;
                else
                    hi = mid;
            }
            out[i] = lo;
        }
        *nlevels = distinct;
    } else {
        double lo = s[0], hi = s[distinct - 1];
        for (size_t i = 0; i < m; i++) {
            double b = floor((x[i] - lo) / (hi - lo) * MOD__FS_BINS);
            out[i] = b >= MOD__FS_BINS - 1 ? MOD__FS_BINS - 1 : b <= 0 ? 0 : (size_t)b;
        }
        *nlevels = MOD__FS_BINS;
    }
    free(s);
    return 0;
}

/* Renumbers group ids g[0..m) (each below ngroups) to dense levels in
 * first-seen order. */
int mod__fs_group_levels(const size_t *g, size_t m, size_t ngroups, size_t *out, size_t *nlevels)
{
    size_t *map = wf_mallocarray(ngroups, sizeof *map);
    if (map == NULL) return WF_ENOMEM;
    for (size_t i = 0; i < ngroups; i++)
        map[i] = SIZE_MAX;
    size_t next = 0;
    for (size_t i = 0; i < m; i++) {
        if (map[g[i]] == SIZE_MAX) map[g[i]] = next++;
        out[i] = map[g[i]];
    }
    free(map);
    *nlevels = next;
    return 0;
}

static int fs_compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Chi squared and mutual information of two level vectors a (na levels) and
 * b (nb levels) over m rows. Only the cells that occur are visited (sorted
 * cell codes), since sum (O - E)^2 / E = sum O^2 / E - m. */
int mod__fs_contingency(const size_t *a, size_t na, const size_t *b, size_t nb, size_t m,
                        double *chi2, double *mi)
{
    *chi2 = *mi = 0;
    if (m == 0) return 0;
    uint64_t *cell = wf_mallocarray(m, sizeof *cell);
    size_t *ra = wf_calloc(na, sizeof *ra), *cb = wf_calloc(nb, sizeof *cb);
    if (cell == NULL || ra == NULL || cb == NULL) {
        free(cell);
        free(ra);
        free(cb);
        return WF_ENOMEM;
    }
    for (size_t i = 0; i < m; i++) {
        cell[i] = (uint64_t)a[i] * nb + b[i];
        ra[a[i]]++;
        cb[b[i]]++;
    }
    qsort(cell, m, sizeof *cell, fs_compare_u64);
    double dm = (double)m, sum = 0, info = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        while (j < m && cell[j] == cell[i])
            j++;
        double o = (double)(j - i);
        double e = (double)ra[cell[i] / nb] * (double)cb[cell[i] % nb] / dm;
        sum += o * o / e;
        info += o / dm * log(o * dm / ((double)ra[cell[i] / nb] * (double)cb[cell[i] % nb]));
        i = j;
    }
    free(cell);
    free(ra);
    free(cb);
    *chi2 = sum - dm < 0 ? 0 : sum - dm;
    *mi = info < 0 ? 0 : info;
    return 0;
}

/* The Fisher score (R. O. Duda, P. E. Hart and D. G. Stork, Pattern
 * Classification, 2nd ed., Wiley 2001; Q. Gu, Z. Li and J. Han, "Generalized
 * Fisher Score for Feature Selection", UAI 2011) of numbers x over classes
 * k[0..m): sum_c n_c (mean_c - mean)^2 / sum_c n_c var_c, var_c dividing by
 * n_c. A column whose classes are each constant, and differ, scores
 * +infinity. */
int mod__fs_fisher(const double *x, const size_t *k, size_t nk, size_t m, double *score)
{
    *score = 0;
    double *sum = wf_calloc(nk, sizeof *sum), *sq = wf_calloc(nk, sizeof *sq);
    size_t *n = wf_calloc(nk, sizeof *n);
    if (sum == NULL || sq == NULL || n == NULL) {
        free(sum);
        free(sq);
        free(n);
        return WF_ENOMEM;
    }
    double mean = 0;
    for (size_t i = 0; i < m; i++) {
        sum[k[i]] += x[i];
        n[k[i]]++;
        mean += x[i];
    }
    mean /= (double)m;
    for (size_t i = 0; i < m; i++) {
        double d = x[i] - sum[k[i]] / (double)n[k[i]];
        sq[k[i]] += d * d;
    }
    double between = 0, within = 0;
    for (size_t c = 0; c < nk; c++) {
        if (n[c] == 0) continue;
        double d = sum[c] / (double)n[c] - mean;
        between += (double)n[c] * d * d;
        within += sq[c]; /* n_c times the variance within c */
    }
    free(sum);
    free(sq);
    free(n);
    if (m > 0) *score = within > 0 ? between / within : between > 0 ? INFINITY : 0;
    return 0;
}
