/*
 * feature_scores.h: the statistics of filter-based-feature-selection@1
 * (feature_scores.c), private to src/modules. Each works on m paired values
 * (the rows where both columns have one) and returns 0 or WF_ENOMEM.
 */
#ifndef WEFT_MODULES_FEATURE_SCORES_H
#define WEFT_MODULES_FEATURE_SCORES_H

#include <stddef.h>

/* A number column with more distinct values than this is cut into this
 * many equal-width bins to make its levels. */
#define MOD__FS_BINS 10

/* Pearson's r of x and y; 0 when either is constant or m < 2. */
double mod__fs_pearson(const double *x, const double *y, size_t m);
/* Spearman's rho: Pearson's r of the ranks (ties get their mean rank). */
int mod__fs_spearman(const double *x, const double *y, size_t m, double *score);
/* Kendall's tau-b, by Knight's O(m log m) method; 0 for a constant column. */
int mod__fs_kendall(const double *x, const double *y, size_t m, double *score);

/* Levels 0..*nlevels-1 of m numbers: one per distinct value (in increasing
 * order) when there are at most MOD__FS_BINS, else MOD__FS_BINS equal-width
 * bins over [min, max], the last one closed. */
int mod__fs_number_levels(const double *x, size_t m, size_t *out, size_t *nlevels);
/* Dense levels, in first-seen order, of group ids g[0..m) (each below
 * ngroups). */
int mod__fs_group_levels(const size_t *g, size_t m, size_t ngroups, size_t *out, size_t *nlevels);

/* Pearson's chi-squared statistic (no continuity correction) and the mutual
 * information in nats of level vectors a (na levels) and b (nb levels). */
int mod__fs_contingency(const size_t *a, size_t na, const size_t *b, size_t nb, size_t m,
                        double *chi2, double *mi);
/* The Fisher score of numbers x over classes k[0..m) (nk classes): the
 * spread of the class means over the spread within classes; +infinity when
 * every class is constant and the means differ, 0 when nothing varies. */
int mod__fs_fisher(const double *x, const size_t *k, size_t nk, size_t m, double *score);

#endif
