/*
 * test_rows.c: row operations (take, filter, the stable multi-key sort) and
 * combining tables (add rows, add columns).
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

/* x: 3 NA 1 2; s: "c" "a" NA "b"; k: categorical z y x NA. */
static tbl_table *make_small(void)
{
    const double x[] = {3, 0, 1, 2};
    const bool xm[] = {false, true, false, false};
    const char *s[] = {"c", "a", NULL, "b"};
    const char *k[] = {"z", "y", "x", NULL};
    tbl_table *t = tbl_new();
    add_numeric(t, "x", x, xm, 4);
    add_text(t, "s", TBL_STRING, s, 4);
    add_text(t, "k", TBL_CATEGORICAL, k, 4);
    return t;
}

/* ---- take and filter --------------------------------------------------- */

static void take_picks_rows_in_the_given_order_with_repeats(void **state)
{
    (void)state;
    tbl_table *t = make_small(), *out = NULL;
    const size_t rows[] = {3, 1, 3, 0};
    assert_int_equal(tbl_take(t, rows, 4, &out, NULL), 0);
    assert_int_equal(out->nrows, 4);
    assert_string_equal(column_text(out, "x"), "2,NA,2,3");
    assert_string_equal(column_text(out, "s"), "b,a,b,c");
    assert_string_equal(column_text(out, "k"), "NA,y,NA,z");
    assert_int_equal(out->cols[2].v.codes[0], -1);
    tbl_free(out);
    assert_int_equal(tbl_take(t, rows, 0, &out, NULL), 0);
    assert_int_equal(out->nrows, 0);
    assert_int_equal(out->ncols, 3);
    tbl_free(out);
    tbl_free(t);
}

static void take_rejects_a_row_out_of_range(void **state)
{
    (void)state;
    tbl_table *t = make_small(), *out = NULL;
    const size_t rows[] = {0, 4};
    wf_error err = {0};
    assert_int_equal(tbl_take(t, rows, 2, &out, &err), WF_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.message, "row index 4"));
    tbl_free(t);
}

static void filter_keeps_marked_rows_with_their_missing_values(void **state)
{
    (void)state;
    tbl_table *t = make_small(), *out = NULL;
    const bool keep[] = {false, true, true, false};
    assert_int_equal(tbl_filter(t, keep, &out, NULL), 0);
    assert_string_equal(column_text(out, "x"), "NA,1");
    assert_string_equal(column_text(out, "s"), "a,NA");
    assert_string_equal(column_text(out, "k"), "y,x");
    /* The result owns its dictionary. */
    tbl_free(t);
    assert_string_equal(column_text(out, "k"), "y,x");
    tbl_free(out);
}

/* ---- sort -------------------------------------------------------------- */

static const char *sorted(const tbl_table *t, const tbl_sort_key *keys, size_t nkeys,
                          const char *show)
{
    tbl_table *out = NULL;
    wf_error err = {0};
    if (tbl_sort(t, keys, nkeys, &out, &err) < 0) fail_msg("sort: %s", err.message);
    const char *s = column_text(out, show);
    tbl_free(out);
    return s;
}

static void sort_puts_missing_last_in_either_direction(void **state)
{
    (void)state;
    tbl_table *t = make_small();
    tbl_sort_key up = {0, false, false}, down = {0, true, false};
    assert_string_equal(sorted(t, &up, 1, "x"), "1,2,3,NA");
    assert_string_equal(sorted(t, &down, 1, "x"), "3,2,1,NA");
    tbl_sort_key first = {1, false, true};
    assert_string_equal(sorted(t, &first, 1, "s"), "NA,a,b,c");
    tbl_free(t);
}

static void sort_orders_categoricals_by_level_text_not_code(void **state)
{
    (void)state;
    tbl_table *t = make_small();
    /* Codes are z=0 y=1 x=2; by text the order is x y z. */
    tbl_sort_key key = {2, false, false};
    assert_string_equal(sorted(t, &key, 1, "k"), "x,y,z,NA");
    key.descending = true;
    assert_string_equal(sorted(t, &key, 1, "k"), "z,y,x,NA");
    tbl_free(t);
}

static void sort_compares_strings_by_bytes(void **state)
{
    (void)state;
    const char *s[] = {"b", "a", "", "B", "ab", "\xc3\xa9"};
    tbl_table *t = tbl_new();
    add_text(t, "s", TBL_STRING, s, 6);
    tbl_sort_key key = {0, false, false};
    assert_string_equal(sorted(t, &key, 1, "s"), ",B,a,ab,b,\xc3\xa9");
    tbl_free(t);
}

static void sort_treats_nan_like_missing(void **state)
{
    (void)state;
    const double x[] = {NAN, 2, 0, 1};
    const bool m[] = {false, false, true, false};
    tbl_table *t = tbl_new();
    add_numeric(t, "x", x, m, 4);
    const int64_t id[] = {0, 1, 2, 3};
    add_integer(t, "id", TBL_INTEGER, id, NULL, 4);
    tbl_sort_key key = {0, false, false};
    /* NaN and missing tie, so they keep their order after the values. */
    assert_string_equal(sorted(t, &key, 1, "id"), "3,1,0,2");
    key.missing_first = true;
    assert_string_equal(sorted(t, &key, 1, "id"), "0,2,3,1");
    tbl_free(t);
}

static void sort_is_stable_for_equal_keys(void **state)
{
    (void)state;
    /* Enough rows to go through the merge passes, not only insertion. */
    enum { N = 1000 };
    int64_t key[N], id[N];
    for (int i = 0; i < N; i++) {
        key[i] = (i * 37) % 7;
        id[i] = i;
    }
    tbl_table *t = tbl_new();
    add_integer(t, "key", TBL_INTEGER, key, NULL, N);
    add_integer(t, "id", TBL_INTEGER, id, NULL, N);
    for (int desc = 0; desc < 2; desc++) {
        tbl_sort_key k = {0, desc != 0, false};
        size_t *order = NULL;
        assert_int_equal(tbl_sort_order(t, &k, 1, &order, NULL), 0);
        for (int i = 1; i < N; i++) {
            int64_t a = key[order[i - 1]], b = key[order[i]];
            assert_true(desc ? a >= b : a <= b);
            if (a == b) assert_true(order[i - 1] < order[i]);
        }
        free(order);
    }
    tbl_free(t);
}

static void sort_on_several_keys_breaks_ties_with_the_next_key(void **state)
{
    (void)state;
    const int64_t dept[] = {2, 1, 2, 1, 2};
    const double pay[] = {10, 30, 30, 20, 10};
    const char *name[] = {"ann", "bob", "cy", "di", "ed"};
    tbl_table *t = tbl_new();
    add_integer(t, "dept", TBL_INTEGER, dept, NULL, 5);
    add_numeric(t, "pay", pay, NULL, 5);
    add_text(t, "name", TBL_STRING, name, 5);
    tbl_sort_key keys[] = {{0, false, false}, {1, true, false}};
    /* ann and ed tie on both keys and stay in table order. */
    assert_string_equal(sorted(t, keys, 2, "name"), "bob,di,cy,ann,ed");
    tbl_free(t);
}

static void sort_orders_booleans_and_datetimes_by_value(void **state)
{
    (void)state;
    const int64_t b[] = {1, 0, 1, 0};
    const int64_t when[] = {300, -5, 100, 200};
    tbl_table *t = tbl_new();
    add_integer(t, "b", TBL_BOOLEAN, b, NULL, 4);
    add_integer(t, "when", TBL_DATETIME, when, NULL, 4);
    const int64_t id[] = {0, 1, 2, 3};
    add_integer(t, "id", TBL_INTEGER, id, NULL, 4);
    tbl_sort_key kb = {0, false, false}, kw = {1, false, false};
    assert_string_equal(sorted(t, &kb, 1, "id"), "1,3,0,2");
    assert_string_equal(sorted(t, &kw, 1, "id"), "1,2,3,0");
    tbl_free(t);
}

static void sort_rejects_a_key_column_out_of_range(void **state)
{
    (void)state;
    tbl_table *t = make_small(), *out = NULL;
    tbl_sort_key key = {7, false, false};
    wf_error err = {0};
    assert_int_equal(tbl_sort(t, &key, 1, &out, &err), WF_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.message, "column index 7"));
    tbl_free(t);
}

/* ---- add rows ---------------------------------------------------------- */

static void concat_rows_matches_columns_by_name_and_widens_integers(void **state)
{
    (void)state;
    const int64_t ai[] = {1, 2};
    const char *as[] = {"p", NULL};
    const double bx[] = {2.5};
    const char *bs[] = {"q"};
    tbl_table *a = tbl_new(), *b = tbl_new(), *out = NULL;
    add_integer(a, "x", TBL_INTEGER, ai, NULL, 2);
    add_text(a, "s", TBL_STRING, as, 2);
    add_text(b, "s", TBL_STRING, bs, 1);
    add_numeric(b, "x", bx, NULL, 1);
    a->cols[0].role = TBL_ROLE_LABEL;
    assert_int_equal(tbl_concat_rows(a, b, &out, NULL), 0);
    assert_int_equal(out->nrows, 3);
    assert_string_equal(out->cols[0].name, "x");
    assert_int_equal(out->cols[0].type, TBL_NUMERIC);
    assert_int_equal(out->cols[0].role, TBL_ROLE_LABEL);
    assert_string_equal(column_text(out, "x"), "1,2,2.5");
    assert_string_equal(column_text(out, "s"), "p,NA,q");
    tbl_free(out);
    tbl_free(a);
    tbl_free(b);
}

static void concat_rows_merges_categorical_dictionaries(void **state)
{
    (void)state;
    const char *av[] = {"red", "blue", NULL};
    const char *bv[] = {"green", "red"};
    tbl_table *a = tbl_new(), *b = tbl_new(), *out = NULL;
    add_text(a, "c", TBL_CATEGORICAL, av, 3);
    add_text(b, "c", TBL_CATEGORICAL, bv, 2);
    assert_int_equal(tbl_concat_rows(a, b, &out, NULL), 0);
    assert_int_equal(out->cols[0].type, TBL_CATEGORICAL);
    assert_int_equal(out->cols[0].levels.count, 3);
    assert_string_equal(column_text(out, "c"), "red,blue,NA,green,red");
    assert_int_equal(out->cols[0].v.codes[0], out->cols[0].v.codes[4]);
    tbl_free(out);
    tbl_free(a);
    tbl_free(b);
}

static void concat_rows_rejects_mismatched_columns(void **state)
{
    (void)state;
    const int64_t v[] = {1};
    const char *s[] = {"x"};
    tbl_table *a = tbl_new(), *b = tbl_new(), *c = tbl_new(), *out = NULL;
    add_integer(a, "x", TBL_INTEGER, v, NULL, 1);
    add_text(b, "x", TBL_STRING, s, 1);
    add_integer(c, "y", TBL_INTEGER, v, NULL, 1);
    wf_error err = {0};
    assert_int_equal(tbl_concat_rows(a, b, &out, &err), WF_ETYPE);
    assert_null(out);
    assert_non_null(strstr(err.message, "column \"x\" is integer in the first table and string"));
    wf_error_clear(&err);
    assert_int_equal(tbl_concat_rows(a, c, &out, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "\"x\""));
    tbl_free(a);
    tbl_free(b);
    tbl_free(c);
}

/* ---- add columns ------------------------------------------------------- */

static void add_columns_appends_and_renames_clashing_names(void **state)
{
    (void)state;
    const int64_t v[] = {1, 2};
    const double w[] = {0.5, 1.5};
    tbl_table *a = tbl_new(), *b = tbl_new(), *out = NULL;
    add_integer(a, "id", TBL_INTEGER, v, NULL, 2);
    add_numeric(a, "id (2)", w, NULL, 2);
    add_numeric(b, "id", w, NULL, 2);
    add_numeric(b, "z", w, NULL, 2);
    assert_int_equal(tbl_add_columns(a, b, &out, NULL), 0);
    assert_int_equal(out->ncols, 4);
    assert_string_equal(out->cols[0].name, "id");
    assert_string_equal(out->cols[1].name, "id (2)");
    assert_string_equal(out->cols[2].name, "id (3)");
    assert_string_equal(out->cols[3].name, "z");
    assert_string_equal(column_text(out, "id (3)"), "0.5,1.5");
    tbl_free(out);
    tbl_free(a);
    tbl_free(b);
}

static void add_columns_rejects_tables_of_different_lengths(void **state)
{
    (void)state;
    const int64_t v[] = {1, 2, 3};
    tbl_table *a = tbl_new(), *b = tbl_new(), *out = NULL;
    add_integer(a, "a", TBL_INTEGER, v, NULL, 3);
    add_integer(b, "b", TBL_INTEGER, v, NULL, 2);
    wf_error err = {0};
    assert_int_equal(tbl_add_columns(a, b, &out, &err), WF_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.message, "3 and 2"));
    tbl_free(a);
    tbl_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(take_picks_rows_in_the_given_order_with_repeats),
        cmocka_unit_test(take_rejects_a_row_out_of_range),
        cmocka_unit_test(filter_keeps_marked_rows_with_their_missing_values),
        cmocka_unit_test(sort_puts_missing_last_in_either_direction),
        cmocka_unit_test(sort_orders_categoricals_by_level_text_not_code),
        cmocka_unit_test(sort_compares_strings_by_bytes),
        cmocka_unit_test(sort_treats_nan_like_missing),
        cmocka_unit_test(sort_is_stable_for_equal_keys),
        cmocka_unit_test(sort_on_several_keys_breaks_ties_with_the_next_key),
        cmocka_unit_test(sort_orders_booleans_and_datetimes_by_value),
        cmocka_unit_test(sort_rejects_a_key_column_out_of_range),
        cmocka_unit_test(concat_rows_matches_columns_by_name_and_widens_integers),
        cmocka_unit_test(concat_rows_merges_categorical_dictionaries),
        cmocka_unit_test(concat_rows_rejects_mismatched_columns),
        cmocka_unit_test(add_columns_appends_and_renames_clashing_names),
        cmocka_unit_test(add_columns_rejects_tables_of_different_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
