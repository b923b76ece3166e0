/*
 * test_group.c: group-by (first-seen group numbering, missing as a key
 * value, several keys) and distinct rows.
 */
#include "table/table.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "table_builders.h"

typedef struct groups {
    size_t *of, *first, n;
} groups;

static groups group(const tbl_table *t, const size_t *keys, size_t nkeys)
{
    groups g;
    wf_error err = {0};
    if (tbl_group_by(t, keys, nkeys, &g.of, &g.first, &g.n, &err) < 0)
        fail_msg("group_by: %s", err.message);
    return g;
}

static void groups_free(groups *g)
{
    free(g->of);
    free(g->first);
}

static void group_by_numbers_groups_in_first_seen_order(void **state)
{
    (void)state;
    const double x[] = {5, 1, 5, 2, 1, 5};
    tbl_table *t = tbl_new();
    add_numeric(t, "x", x, NULL, 6);
    const size_t key[] = {0};
    groups g = group(t, key, 1);
    assert_int_equal(g.n, 3);
    const size_t want_of[] = {0, 1, 0, 2, 1, 0}, want_first[] = {0, 1, 3};
    for (size_t r = 0; r < 6; r++)
        assert_int_equal(g.of[r], want_of[r]);
    for (size_t k = 0; k < 3; k++)
        assert_int_equal(g.first[k], want_first[k]);
    groups_free(&g);
    tbl_free(t);
}

static void group_by_treats_missing_as_its_own_key_value(void **state)
{
    (void)state;
    const char *s[] = {"a", NULL, "", NULL, "a"};
    const double x[] = {0, NAN, 0, NAN, -0.0};
    const bool xm[] = {true, false, false, false, false};
    tbl_table *t = tbl_new();
    add_text(t, "s", TBL_STRING, s, 5);
    add_numeric(t, "x", x, xm, 5);
    const size_t ks[] = {0}, kx[] = {1};
    groups g = group(t, ks, 1);
    /* Missing is not the empty string. */
    assert_int_equal(g.n, 3);
    assert_int_equal(g.of[1], g.of[3]);
    assert_int_equal(g.of[0], g.of[4]);
    assert_true(g.of[2] != g.of[1]);
    groups_free(&g);
    g = group(t, kx, 1);
    /* missing | NaN NaN | 0 and -0 */
    assert_int_equal(g.n, 3);
    assert_int_equal(g.of[1], g.of[3]);
    assert_int_equal(g.of[2], g.of[4]);
    assert_true(g.of[0] != g.of[1] && g.of[0] != g.of[2]);
    groups_free(&g);
    tbl_free(t);
}

static void group_by_several_keys_needs_every_key_equal(void **state)
{
    (void)state;
    const char *c[] = {"x", "x", "y", "x", "y"};
    const int64_t n[] = {1, 2, 1, 1, 1};
    const int64_t b[] = {1, 1, 0, 1, 1};
    tbl_table *t = tbl_new();
    add_text(t, "c", TBL_CATEGORICAL, c, 5);
    add_integer(t, "n", TBL_INTEGER, n, NULL, 5);
    add_integer(t, "b", TBL_BOOLEAN, b, NULL, 5);
    const size_t two[] = {0, 1}, three[] = {0, 1, 2};
    groups g = group(t, two, 2);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.of[3], g.of[0]);
    assert_int_equal(g.of[4], g.of[2]);
    groups_free(&g);
    g = group(t, three, 3);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.of[3], g.of[0]);
    assert_true(g.of[4] != g.of[2]);
    groups_free(&g);
    tbl_free(t);
}

static void group_by_many_rows_finds_every_group(void **state)
{
    (void)state;
    enum { N = 10000 };
    int64_t k[N];
    for (int i = 0; i < N; i++)
        k[i] = (int64_t)((i * 7919) % 97) * 1000003;
    tbl_table *t = tbl_new();
    add_integer(t, "k", TBL_INTEGER, k, NULL, N);
    const size_t key[] = {0};
    groups g = group(t, key, 1);
    assert_int_equal(g.n, 97);
    for (size_t r = 0; r < N; r++)
        assert_int_equal(k[g.first[g.of[r]]], k[r]);
    for (size_t i = 1; i < g.n; i++)
        assert_true(g.first[i - 1] < g.first[i]);
    groups_free(&g);
    tbl_free(t);
}

static void group_by_of_no_rows_has_no_groups(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    add_numeric(t, "x", NULL, NULL, 0);
    const size_t key[] = {0};
    groups g = group(t, key, 1);
    assert_int_equal(g.n, 0);
    groups_free(&g);
    tbl_free(t);
}

static void group_by_rejects_a_key_out_of_range(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    const double x[] = {1};
    add_numeric(t, "x", x, NULL, 1);
    const size_t key[] = {3};
    size_t *of = NULL, *first = NULL, n = 0;
    wf_error err = {0};
    assert_int_equal(tbl_group_by(t, key, 1, &of, &first, &n, &err), WF_EINVAL);
    assert_null(of);
    assert_null(first);
    assert_non_null(strstr(err.message, "column index 3"));
    tbl_free(t);
}

static void distinct_over_all_columns_keeps_first_occurrences_in_order(void **state)
{
    (void)state;
    const char *s[] = {"a", "b", "a", "a", NULL, NULL};
    const int64_t n[] = {1, 1, 1, 2, 0, 0};
    const int64_t id[] = {0, 1, 2, 3, 4, 5};
    tbl_table *t = tbl_new(), *out = NULL;
    add_text(t, "s", TBL_CATEGORICAL, s, 6);
    add_integer(t, "n", TBL_INTEGER, n, NULL, 6);
    assert_int_equal(tbl_distinct(t, NULL, 0, &out, NULL), 0);
    assert_string_equal(column_text(out, "s"), "a,b,a,NA");
    assert_string_equal(column_text(out, "n"), "1,1,2,0");
    tbl_free(out);
    add_integer(t, "id", TBL_INTEGER, id, NULL, 6);
    const size_t key[] = {0};
    assert_int_equal(tbl_distinct(t, key, 1, &out, NULL), 0);
    /* Keys pick the rows; every column comes along. */
    assert_int_equal(out->ncols, 3);
    assert_string_equal(column_text(out, "id"), "0,1,4");
    tbl_free(out);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(group_by_numbers_groups_in_first_seen_order),
        cmocka_unit_test(group_by_treats_missing_as_its_own_key_value),
        cmocka_unit_test(group_by_several_keys_needs_every_key_equal),
        cmocka_unit_test(group_by_many_rows_finds_every_group),
        cmocka_unit_test(group_by_of_no_rows_has_no_groups),
        cmocka_unit_test(group_by_rejects_a_key_out_of_range),
        cmocka_unit_test(distinct_over_all_columns_keeps_first_occurrences_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
