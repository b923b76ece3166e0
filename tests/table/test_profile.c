/*
 * test_profile.c: column profiles, checked against figures computed outside
 * weft: Fisher's iris data (its statistics as R and pandas report them) and
 * small cases worked by hand.
 */
#include "table/table.h"

#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* cmocka 1.1's assert_float_equal compares floats; statistics need doubles. */
#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.17g, want %.17g (within %g)", #a, a_, b_, (double)(eps));             \
    } while (0)

#define IRIS_ROWS 150

/* Fisher's iris data (Fisher 1936), as R's `iris` holds it: the UCI copy
 * with its two known transcription errors (rows 35 and 38) corrected. */
static const double iris_sepallength[IRIS_ROWS] = {
    5.1, 4.9, 4.7, 4.6, 5.0, 5.4, 4.6, 5.0, 4.4, 4.9, 5.4, 4.8, 4.8, 4.3, 5.8, 5.7, 5.4, 5.1, 5.7,
    5.1, 5.4, 5.1, 4.6, 5.1, 4.8, 5.0, 5.0, 5.2, 5.2, 4.7, 4.8, 5.4, 5.2, 5.5, 4.9, 5.0, 5.5, 4.9,
    4.4, 5.1, 5.0, 4.5, 4.4, 5.0, 5.1, 4.8, 5.1, 4.6, 5.3, 5.0, 7.0, 6.4, 6.9, 5.5, 6.5, 5.7, 6.3,
    4.9, 6.6, 5.2, 5.0, 5.9, 6.0, 6.1, 5.6, 6.7, 5.6, 5.8, 6.2, 5.6, 5.9, 6.1, 6.3, 6.1, 6.4, 6.6,
    6.8, 6.7, 6.0, 5.7, 5.5, 5.5, 5.8, 6.0, 5.4, 6.0, 6.7, 6.3, 5.6, 5.5, 5.5, 6.1, 5.8, 5.0, 5.6,
    5.7, 5.7, 6.2, 5.1, 5.7, 6.3, 5.8, 7.1, 6.3, 6.5, 7.6, 4.9, 7.3, 6.7, 7.2, 6.5, 6.4, 6.8, 5.7,
    5.8, 6.4, 6.5, 7.7, 7.7, 6.0, 6.9, 5.6, 7.7, 6.3, 6.7, 7.2, 6.2, 6.1, 6.4, 7.2, 7.4, 7.9, 6.4,
    6.3, 6.1, 7.7, 6.3, 6.4, 6.0, 6.9, 6.7, 6.9, 5.8, 6.8, 6.7, 6.7, 6.3, 6.5, 6.2, 5.9};
static const double iris_sepalwidth[IRIS_ROWS] = {
    3.5, 3.0, 3.2, 3.1, 3.6, 3.9, 3.4, 3.4, 2.9, 3.1, 3.7, 3.4, 3.0, 3.0, 4.0, 4.4, 3.9, 3.5, 3.8,
    3.8, 3.4, 3.7, 3.6, 3.3, 3.4, 3.0, 3.4, 3.5, 3.4, 3.2, 3.1, 3.4, 4.1, 4.2, 3.1, 3.2, 3.5, 3.6,
    3.0, 3.4, 3.5, 2.3, 3.2, 3.5, 3.8, 3.0, 3.8, 3.2, 3.7, 3.3, 3.2, 3.2, 3.1, 2.3, 2.8, 2.8, 3.3,
    2.4, 2.9, 2.7, 2.0, 3.0, 2.2, 2.9, 2.9, 3.1, 3.0, 2.7, 2.2, 2.5, 3.2, 2.8, 2.5, 2.8, 2.9, 3.0,
    2.8, 3.0, 2.9, 2.6, 2.4, 2.4, 2.7, 2.7, 3.0, 3.4, 3.1, 2.3, 3.0, 2.5, 2.6, 3.0, 2.6, 2.3, 2.7,
    3.0, 2.9, 2.9, 2.5, 2.8, 3.3, 2.7, 3.0, 2.9, 3.0, 3.0, 2.5, 2.9, 2.5, 3.6, 3.2, 2.7, 3.0, 2.5,
    2.8, 3.2, 3.0, 3.8, 2.6, 2.2, 3.2, 2.8, 2.8, 2.7, 3.3, 3.2, 2.8, 3.0, 2.8, 3.0, 2.8, 3.8, 2.8,
    2.8, 2.6, 3.0, 3.4, 3.1, 3.0, 3.1, 3.1, 3.1, 2.7, 3.2, 3.3, 3.0, 2.5, 3.0, 3.4, 3.0};
static const double iris_petallength[IRIS_ROWS] = {
    1.4, 1.4, 1.3, 1.5, 1.4, 1.7, 1.4, 1.5, 1.4, 1.5, 1.5, 1.6, 1.4, 1.1, 1.2, 1.5, 1.3, 1.4, 1.7,
    1.5, 1.7, 1.5, 1.0, 1.7, 1.9, 1.6, 1.6, 1.5, 1.4, 1.6, 1.6, 1.5, 1.5, 1.4, 1.5, 1.2, 1.3, 1.4,
    1.3, 1.5, 1.3, 1.3, 1.3, 1.6, 1.9, 1.4, 1.6, 1.4, 1.5, 1.4, 4.7, 4.5, 4.9, 4.0, 4.6, 4.5, 4.7,
    3.3, 4.6, 3.9, 3.5, 4.2, 4.0, 4.7, 3.6, 4.4, 4.5, 4.1, 4.5, 3.9, 4.8, 4.0, 4.9, 4.7, 4.3, 4.4,
    4.8, 5.0, 4.5, 3.5, 3.8, 3.7, 3.9, 5.1, 4.5, 4.5, 4.7, 4.4, 4.1, 4.0, 4.4, 4.6, 4.0, 3.3, 4.2,
    4.2, 4.2, 4.3, 3.0, 4.1, 6.0, 5.1, 5.9, 5.6, 5.8, 6.6, 4.5, 6.3, 5.8, 6.1, 5.1, 5.3, 5.5, 5.0,
    5.1, 5.3, 5.5, 6.7, 6.9, 5.0, 5.7, 4.9, 6.7, 4.9, 5.7, 6.0, 4.8, 4.9, 5.6, 5.8, 6.1, 6.4, 5.6,
    5.1, 5.6, 6.1, 5.6, 5.5, 4.8, 5.4, 5.6, 5.1, 5.1, 5.9, 5.7, 5.2, 5.0, 5.2, 5.4, 5.1};
static const double iris_petalwidth[IRIS_ROWS] = {
    0.2, 0.2, 0.2, 0.2, 0.2, 0.4, 0.3, 0.2, 0.2, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.4, 0.4, 0.3, 0.3,
    0.3, 0.2, 0.4, 0.2, 0.5, 0.2, 0.2, 0.4, 0.2, 0.2, 0.2, 0.2, 0.4, 0.1, 0.2, 0.2, 0.2, 0.2, 0.1,
    0.2, 0.2, 0.3, 0.3, 0.2, 0.6, 0.4, 0.3, 0.2, 0.2, 0.2, 0.2, 1.4, 1.5, 1.5, 1.3, 1.5, 1.3, 1.6,
    1.0, 1.3, 1.4, 1.0, 1.5, 1.0, 1.4, 1.3, 1.4, 1.5, 1.0, 1.5, 1.1, 1.8, 1.3, 1.5, 1.2, 1.3, 1.4,
    1.4, 1.7, 1.5, 1.0, 1.1, 1.0, 1.2, 1.6, 1.5, 1.6, 1.5, 1.3, 1.3, 1.3, 1.2, 1.4, 1.2, 1.0, 1.3,
    1.2, 1.3, 1.3, 1.1, 1.3, 2.5, 1.9, 2.1, 1.8, 2.2, 2.1, 1.7, 1.8, 1.8, 2.5, 2.0, 1.9, 2.1, 2.0,
    2.4, 2.3, 1.8, 2.2, 2.3, 1.5, 2.3, 2.0, 2.0, 1.8, 2.1, 1.8, 1.8, 1.8, 2.1, 1.6, 1.9, 2.0, 2.2,
    1.5, 1.4, 2.3, 2.4, 1.8, 1.8, 2.1, 2.4, 2.3, 1.9, 2.3, 2.5, 2.3, 1.9, 2.0, 2.3, 1.8};

#include "table_builders.h"

static tbl_table *make_iris(void)
{
    tbl_table *t = tbl_new();
    assert_non_null(t);
    add_numeric(t, "sepallength", iris_sepallength, NULL, IRIS_ROWS);
    add_numeric(t, "sepalwidth", iris_sepalwidth, NULL, IRIS_ROWS);
    add_numeric(t, "petallength", iris_petallength, NULL, IRIS_ROWS);
    add_numeric(t, "petalwidth", iris_petalwidth, NULL, IRIS_ROWS);
    const char *cls[IRIS_ROWS];
    for (size_t i = 0; i < IRIS_ROWS; i++)
        cls[i] = i < 50 ? "Iris-setosa" : i < 100 ? "Iris-versicolor" : "Iris-virginica";
    add_text(t, "class", TBL_CATEGORICAL, cls, IRIS_ROWS);
    t->cols[4].role = TBL_ROLE_LABEL;
    return t;
}

static tbl_profile *profile_of(const tbl_table *t)
{
    tbl_profile *p = NULL;
    wf_error err = {0};
    assert_int_equal(tbl_profile_table(t, &p, &err), 0);
    assert_non_null(p);
    return p;
}

/* ---- iris -------------------------------------------------------------- */

static void iris_profile_matches_published_statistics(void **state)
{
    (void)state;
    tbl_table *t = make_iris();
    tbl_profile *p = profile_of(t);
    assert_int_equal(p->nrows, 150);
    assert_int_equal(p->ncols, 5);

    const tbl_column_profile *sl = &p->columns[0];
    assert_string_equal(sl->name, "sepallength");
    assert_true(sl->has_stats);
    assert_int_equal(sl->count, 150);
    assert_int_equal(sl->missing, 0);
    assert_int_equal(sl->unique, 35);
    assert_near(sl->mean, 5.8433, 1e-4);
    assert_near(sl->stddev, 0.8281, 1e-4);
    assert_near(sl->median, 5.80, 1e-12);
    assert_near(sl->min, 4.3, 1e-12);
    assert_near(sl->max, 7.9, 1e-12);
    assert_near(sl->q1, 5.1, 1e-12);
    assert_near(sl->q3, 6.4, 1e-12);
    assert_string_equal(sl->mode, "5");
    assert_int_equal(sl->mode_count, 10);
    assert_int_equal(sl->ntop, 0);

    const tbl_column_profile *sw = &p->columns[1];
    assert_near(sw->mean, 3.0573, 1e-4);
    assert_near(sw->stddev, 0.4359, 1e-4);
    assert_near(sw->median, 3.0, 1e-12);
    assert_near(sw->q1, 2.8, 1e-12);
    assert_near(sw->q3, 3.3, 1e-12);

    const tbl_column_profile *pl = &p->columns[2];
    assert_near(pl->mean, 3.758, 1e-4);
    assert_near(pl->stddev, 1.7653, 1e-4);
    assert_near(pl->median, 4.35, 1e-12);
    assert_near(pl->q1, 1.6, 1e-12);
    assert_near(pl->q3, 5.1, 1e-12);
    assert_near(pl->min, 1.0, 1e-12);
    assert_near(pl->max, 6.9, 1e-12);
    assert_int_equal(pl->unique, 43);
    assert_string_equal(pl->mode, "1.4");
    assert_int_equal(pl->mode_count, 13);

    const tbl_column_profile *pw = &p->columns[3];
    assert_near(pw->mean, 1.1993, 1e-4);
    assert_near(pw->stddev, 0.7622, 1e-4);
    assert_near(pw->median, 1.3, 1e-12);
    assert_string_equal(pw->mode, "0.2");
    assert_int_equal(pw->mode_count, 29);

    const tbl_column_profile *cls = &p->columns[4];
    assert_int_equal(cls->type, TBL_CATEGORICAL);
    assert_int_equal(cls->role, TBL_ROLE_LABEL);
    assert_false(cls->has_stats);
    assert_int_equal(cls->unique, 3);
    assert_int_equal(cls->missing, 0);
    assert_int_equal(cls->ntop, 3);
    assert_string_equal(cls->top[0].value, "Iris-setosa");
    assert_string_equal(cls->top[1].value, "Iris-versicolor");
    assert_string_equal(cls->top[2].value, "Iris-virginica");
    for (size_t k = 0; k < 3; k++)
        assert_int_equal(cls->top[k].count, 50);
    assert_string_equal(cls->mode, "Iris-setosa");
    assert_int_equal(cls->mode_count, 50);
    assert_int_equal(cls->nbins, 0);

    tbl_profile_free(p);
    tbl_free(t);
}

/* Counts from numpy.histogram(sepal_length, bins=20). */
static void iris_histogram_matches_numpy_equal_width_bins(void **state)
{
    (void)state;
    static const size_t expected[TBL_PROFILE_BINS] = {4,  5,  7, 16, 9, 5, 13, 14, 10, 6,
                                                      10, 16, 7, 11, 4, 2, 4,  1,  5,  1};
    tbl_table *t = make_iris();
    tbl_profile *p = profile_of(t);
    const tbl_column_profile *sl = &p->columns[0];
    assert_int_equal(sl->nbins, TBL_PROFILE_BINS);
    size_t total = 0;
    for (size_t k = 0; k < sl->nbins; k++) {
        assert_int_equal(sl->bins[k].count, expected[k]);
        assert_near(sl->bins[k].hi - sl->bins[k].lo, (7.9 - 4.3) / 20, 1e-9);
        if (k > 0) assert_true(sl->bins[k].lo == sl->bins[k - 1].hi);
        total += sl->bins[k].count;
    }
    assert_int_equal(total, 150);
    assert_true(sl->bins[0].lo == 4.3);
    assert_true(sl->bins[TBL_PROFILE_BINS - 1].hi == 7.9);
    tbl_profile_free(p);
    tbl_free(t);
}

/* ---- small cases worked by hand ---------------------------------------- */

static void profile_leaves_missing_and_nan_out_of_numeric_statistics(void **state)
{
    (void)state;
    /* Values 1, 3, 2, 4: mean 2.5; deviations -1.5 .5 -.5 1.5, so the sum of
     * squares is 5 and the sample sd sqrt(5/3); quantiles at positions
     * 0.75, 1.5 and 2.25 of 1 2 3 4. */
    const double v[] = {1, 0, 3, NAN, 2, 4};
    const bool miss[] = {false, true, false, false, false, false};
    tbl_table *t = tbl_new();
    add_numeric(t, "x", v, miss, 6);
    tbl_profile *p = profile_of(t);
    const tbl_column_profile *x = &p->columns[0];
    assert_int_equal(x->count, 6);
    assert_int_equal(x->missing, 2);
    assert_int_equal(x->unique, 4);
    assert_near(x->mean, 2.5, 1e-12);
    assert_near(x->stddev, sqrt(5.0 / 3.0), 1e-12);
    assert_near(x->median, 2.5, 1e-12);
    assert_near(x->q1, 1.75, 1e-12);
    assert_near(x->q3, 3.25, 1e-12);
    assert_near(x->min, 1, 0);
    assert_near(x->max, 4, 0);
    size_t total = 0;
    for (size_t k = 0; k < x->nbins; k++)
        total += x->bins[k].count;
    assert_int_equal(total, 4);
    assert_int_equal(x->bins[0].count, 1);
    assert_int_equal(x->bins[TBL_PROFILE_BINS - 1].count, 1); /* the max, in the closed bin */
    tbl_profile_free(p);
    tbl_free(t);
}

static void profile_mode_ties_go_to_the_value_seen_first(void **state)
{
    (void)state;
    const int64_t v[] = {3, 1, 3, 1, 2};
    const char *s[] = {"b", "a", "a", "b", "c"};
    tbl_table *t = tbl_new();
    add_integer(t, "n", TBL_INTEGER, v, NULL, 5);
    add_text(t, "s", TBL_STRING, s, 5);
    tbl_profile *p = profile_of(t);
    assert_string_equal(p->columns[0].mode, "3");
    assert_int_equal(p->columns[0].mode_count, 2);
    assert_int_equal(p->columns[0].unique, 3);
    assert_near(p->columns[0].median, 2, 0);
    assert_string_equal(p->columns[1].mode, "b");
    assert_int_equal(p->columns[1].mode_count, 2);
    assert_int_equal(p->columns[1].ntop, 3);
    assert_string_equal(p->columns[1].top[0].value, "b");
    assert_string_equal(p->columns[1].top[1].value, "a");
    assert_string_equal(p->columns[1].top[2].value, "c");
    assert_int_equal(p->columns[1].top[2].count, 1);
    tbl_profile_free(p);
    tbl_free(t);
}

static void profile_of_strings_keeps_the_ten_most_frequent_categories(void **state)
{
    (void)state;
    /* "v0" once, "v1" twice, ... "v11" twelve times, then two missing. */
    enum { N = 78 + 2 };
    const char *v[N];
    static char names[12][8];
    size_t at = 0;
    for (int k = 0; k < 12; k++) {
        snprintf(names[k], sizeof names[k], "v%d", k);
        for (int i = 0; i <= k; i++)
            v[at++] = names[k];
    }
    v[at++] = NULL;
    v[at++] = NULL;
    tbl_table *t = tbl_new();
    add_text(t, "s", TBL_STRING, v, N);
    tbl_profile *p = profile_of(t);
    const tbl_column_profile *s = &p->columns[0];
    assert_false(s->has_stats);
    assert_int_equal(s->missing, 2);
    assert_int_equal(s->unique, 12);
    assert_int_equal(s->ntop, TBL_PROFILE_TOP);
    for (int k = 0; k < TBL_PROFILE_TOP; k++) {
        assert_string_equal(s->top[k].value, names[11 - k]);
        assert_int_equal(s->top[k].count, (size_t)(12 - k));
    }
    assert_string_equal(s->mode, "v11");
    tbl_profile_free(p);
    tbl_free(t);
}

static void profile_of_categorical_ignores_unused_levels(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    const char *v[] = {"x", "y", "z", "x"};
    add_text(t, "c", TBL_CATEGORICAL, v, 4);
    /* Point the y row at no level and mark it missing: y stays a level,
     * but no row uses it. */
    assert_int_equal(tbl_set_missing(&t->cols[0], 1, 4), 0);
    tbl_profile *p = profile_of(t);
    assert_int_equal(p->columns[0].missing, 1);
    assert_int_equal(p->columns[0].unique, 2);
    assert_int_equal(p->columns[0].ntop, 2);
    assert_string_equal(p->columns[0].top[0].value, "x");
    assert_int_equal(p->columns[0].top[0].count, 2);
    tbl_profile_free(p);
    tbl_free(t);
}

static void profile_of_booleans_has_statistics_and_top_values(void **state)
{
    (void)state;
    const int64_t v[] = {0, 1, 1, 0, 1};
    const bool miss[] = {false, false, false, true, false};
    tbl_table *t = tbl_new();
    add_integer(t, "b", TBL_BOOLEAN, v, miss, 5);
    tbl_profile *p = profile_of(t);
    const tbl_column_profile *b = &p->columns[0];
    assert_true(b->has_stats);
    assert_int_equal(b->missing, 1);
    assert_int_equal(b->unique, 2);
    assert_near(b->mean, 0.75, 1e-12);
    assert_string_equal(b->mode, "true");
    assert_int_equal(b->mode_count, 3);
    assert_int_equal(b->ntop, 2);
    assert_string_equal(b->top[0].value, "true");
    assert_int_equal(b->top[0].count, 3);
    assert_string_equal(b->top[1].value, "false");
    assert_int_equal(b->top[1].count, 1);
    tbl_profile_free(p);
    tbl_free(t);
}

static void profile_of_datetimes_reports_the_mode_as_iso_text(void **state)
{
    (void)state;
    int64_t day = 86400LL * 1000000;
    const int64_t v[] = {0, day, day, 3 * day};
    tbl_table *t = tbl_new();
    add_integer(t, "when", TBL_DATETIME, v, NULL, 4);
    tbl_profile *p = profile_of(t);
    const tbl_column_profile *d = &p->columns[0];
    assert_true(d->has_stats);
    assert_string_equal(d->mode, "1970-01-02");
    assert_int_equal(d->mode_count, 2);
    assert_near(d->min, 0, 0);
    assert_near(d->max, (double)(3 * day), 0);
    assert_near(d->median, (double)day, 0);
    assert_int_equal(d->nbins, TBL_PROFILE_BINS);
    tbl_profile_free(p);
    tbl_free(t);
}

static void profile_of_a_constant_column_has_one_bin(void **state)
{
    (void)state;
    const double v[] = {7, 7, 7};
    tbl_table *t = tbl_new();
    add_numeric(t, "k", v, NULL, 3);
    tbl_profile *p = profile_of(t);
    assert_int_equal(p->columns[0].nbins, 1);
    assert_int_equal(p->columns[0].bins[0].count, 3);
    assert_near(p->columns[0].stddev, 0, 0);
    tbl_profile_free(p);
    tbl_free(t);
}

/* ---- JSON -------------------------------------------------------------- */

static void profile_json_has_snake_case_keys_and_null_for_nan(void **state)
{
    (void)state;
    const double v[] = {1, INFINITY};
    const double none[] = {0, 0};
    const bool all[] = {true, true};
    const char *s[] = {"a", NULL};
    tbl_table *t = tbl_new();
    add_numeric(t, "x", v, NULL, 2);
    add_numeric(t, "empty", none, all, 2);
    add_text(t, "s", TBL_STRING, s, 2);
    tbl_profile *p = profile_of(t);
    json_t *j = tbl_profile_to_json(p);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "nrows")), 2);
    json_t *cols = json_object_get(j, "columns");
    assert_int_equal(json_array_size(cols), 3);

    json_t *x = json_array_get(cols, 0);
    assert_string_equal(json_string_value(json_object_get(x, "name")), "x");
    assert_string_equal(json_string_value(json_object_get(x, "type")), "numeric");
    assert_string_equal(json_string_value(json_object_get(x, "role")), "feature");
    assert_int_equal(json_integer_value(json_object_get(x, "count")), 2);
    assert_int_equal(json_integer_value(json_object_get(x, "mode_count")), 1);
    assert_near(json_real_value(json_object_get(x, "min")), 1, 0);
    assert_true(json_is_null(json_object_get(x, "max")));  /* infinity */
    assert_true(json_is_null(json_object_get(x, "mean"))); /* infinity */
    assert_true(json_is_null(json_object_get(x, "std")));
    assert_non_null(json_object_get(x, "q1"));
    assert_non_null(json_object_get(x, "q3"));
    assert_non_null(json_object_get(x, "median"));
    assert_true(json_is_array(json_object_get(x, "histogram")));
    assert_null(json_object_get(x, "top"));

    json_t *e = json_array_get(cols, 1);
    assert_int_equal(json_integer_value(json_object_get(e, "missing")), 2);
    assert_int_equal(json_integer_value(json_object_get(e, "unique")), 0);
    assert_true(json_is_null(json_object_get(e, "mode")));
    assert_true(json_is_null(json_object_get(e, "min")));
    assert_int_equal(json_array_size(json_object_get(e, "histogram")), 0);

    json_t *st = json_array_get(cols, 2);
    assert_null(json_object_get(st, "min"));
    json_t *top = json_object_get(st, "top");
    assert_int_equal(json_array_size(top), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(top, 0), "value")), "a");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(top, 0), "count")), 1);
    json_decref(j);
    tbl_profile_free(p);
    tbl_free(t);
}

static void profile_json_histogram_bins_have_lo_hi_and_count(void **state)
{
    (void)state;
    tbl_table *t = make_iris();
    tbl_profile *p = profile_of(t);
    json_t *j = tbl_profile_to_json(p);
    assert_non_null(j);
    json_t *h = json_object_get(json_array_get(json_object_get(j, "columns"), 0), "histogram");
    assert_int_equal(json_array_size(h), TBL_PROFILE_BINS);
    json_t *first = json_array_get(h, 0);
    assert_near(json_real_value(json_object_get(first, "lo")), 4.3, 1e-12);
    assert_int_equal(json_integer_value(json_object_get(first, "count")), 4);
    assert_near(json_real_value(json_object_get(json_array_get(h, 19), "hi")), 7.9, 1e-12);
    json_decref(j);
    tbl_profile_free(p);
    tbl_free(t);
}

static void profile_is_deterministic(void **state)
{
    (void)state;
    tbl_table *t = make_iris();
    tbl_profile *p1 = profile_of(t), *p2 = profile_of(t);
    json_t *j1 = tbl_profile_to_json(p1), *j2 = tbl_profile_to_json(p2);
    char *s1 = json_dumps(j1, JSON_COMPACT), *s2 = json_dumps(j2, JSON_COMPACT);
    assert_non_null(s1);
    assert_string_equal(s1, s2);
    free(s1);
    free(s2);
    json_decref(j1);
    json_decref(j2);
    tbl_profile_free(p1);
    tbl_profile_free(p2);
    tbl_free(t);
}

static void profile_json_replaces_invalid_utf8(void **state)
{
    (void)state;
    const char *s[] = {"ok\xff", "ok\xff"};
    tbl_table *t = tbl_new();
    add_text(t, "bad\xc3", TBL_STRING, s, 2);
    tbl_profile *p = profile_of(t);
    json_t *j = tbl_profile_to_json(p);
    assert_non_null(j);
    json_t *c = json_array_get(json_object_get(j, "columns"), 0);
    assert_string_equal(json_string_value(json_object_get(c, "name")), "bad\xef\xbf\xbd");
    assert_string_equal(json_string_value(json_object_get(c, "mode")), "ok\xef\xbf\xbd");
    json_decref(j);
    tbl_profile_free(p);
    tbl_free(t);
}

static void profile_of_a_table_without_rows_has_no_statistics(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    add_numeric(t, "x", NULL, NULL, 0);
    tbl_profile *p = profile_of(t);
    assert_int_equal(p->columns[0].count, 0);
    assert_null(p->columns[0].mode);
    assert_true(isnan(p->columns[0].mean));
    assert_int_equal(p->columns[0].nbins, 0);
    tbl_profile_free(p);
    tbl_free(t);
    tbl_profile_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(iris_profile_matches_published_statistics),
        cmocka_unit_test(iris_histogram_matches_numpy_equal_width_bins),
        cmocka_unit_test(profile_leaves_missing_and_nan_out_of_numeric_statistics),
        cmocka_unit_test(profile_mode_ties_go_to_the_value_seen_first),
        cmocka_unit_test(profile_of_strings_keeps_the_ten_most_frequent_categories),
        cmocka_unit_test(profile_of_categorical_ignores_unused_levels),
        cmocka_unit_test(profile_of_booleans_has_statistics_and_top_values),
        cmocka_unit_test(profile_of_datetimes_reports_the_mode_as_iso_text),
        cmocka_unit_test(profile_of_a_constant_column_has_one_bin),
        cmocka_unit_test(profile_json_has_snake_case_keys_and_null_for_nan),
        cmocka_unit_test(profile_json_histogram_bins_have_lo_hi_and_count),
        cmocka_unit_test(profile_is_deterministic),
        cmocka_unit_test(profile_json_replaces_invalid_utf8),
        cmocka_unit_test(profile_of_a_table_without_rows_has_no_statistics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
