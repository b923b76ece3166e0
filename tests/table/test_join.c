/*
 * test_join.c: the hash join: every join kind, several keys, case-insensitive
 * text keys, integer against numeric keys, missing keys, and output naming.
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

/* left:  id 1 2 3 4 NA, name a b c d e
 * right: id 2 3 3 5 NA, score 20 30 31 50 99 */
static void make_pair(tbl_table **left, tbl_table **right)
{
    const int64_t lid[] = {1, 2, 3, 4, 0};
    const bool lmiss[] = {false, false, false, false, true};
    const char *name[] = {"a", "b", "c", "d", "e"};
    const int64_t rid[] = {2, 3, 3, 5, 0};
    const bool rmiss[] = {false, false, false, false, true};
    const double score[] = {20, 30, 31, 50, 99};
    *left = tbl_new();
    *right = tbl_new();
    add_integer(*left, "id", TBL_INTEGER, lid, lmiss, 5);
    add_text(*left, "name", TBL_STRING, name, 5);
    add_integer(*right, "id", TBL_INTEGER, rid, rmiss, 5);
    add_numeric(*right, "score", score, NULL, 5);
}

static tbl_table *join(const tbl_table *l, const tbl_table *r, tbl_join_kind kind, const size_t *lk,
                       const size_t *rk, size_t nkeys, bool case_sensitive, bool keep_right_keys)
{
    tbl_join_options opt = {kind, lk, rk, nkeys, case_sensitive, keep_right_keys};
    tbl_table *out = NULL;
    wf_error err = {0};
    if (tbl_join(l, r, &opt, &out, &err) < 0) fail_msg("join: %s", err.message);
    return out;
}

static const size_t key0[] = {0};

static void join_inner_keeps_matching_pairs_in_left_then_right_order(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    tbl_table *out = join(l, r, TBL_JOIN_INNER, key0, key0, 1, true, false);
    assert_int_equal(out->ncols, 3);
    assert_string_equal(column_text(out, "id"), "2,3,3");
    assert_string_equal(column_text(out, "name"), "b,c,c");
    assert_string_equal(column_text(out, "score"), "20,30,31");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_left_outer_keeps_unmatched_left_rows_with_missing_right_values(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    tbl_table *out = join(l, r, TBL_JOIN_LEFT_OUTER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "name"), "a,b,c,c,d,e");
    assert_string_equal(column_text(out, "id"), "1,2,3,3,4,NA");
    /* The missing left key matches nothing, not even the missing right key. */
    assert_string_equal(column_text(out, "score"), "NA,20,30,31,NA,NA");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_full_outer_appends_unmatched_right_rows_with_their_keys(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    tbl_table *out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, false);
    assert_int_equal(out->nrows, 8);
    assert_string_equal(column_text(out, "name"), "a,b,c,c,d,e,NA,NA");
    assert_string_equal(column_text(out, "score"), "NA,20,30,31,NA,NA,50,99");
    /* Right-only rows carry the right key in the (only) key column. */
    assert_string_equal(column_text(out, "id"), "1,2,3,3,4,NA,5,NA");
    tbl_free(out);

    out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, true);
    assert_string_equal(column_text(out, "id"), "1,2,3,3,4,NA,NA,NA");
    assert_string_equal(column_text(out, "id (2)"), "NA,2,3,3,NA,NA,5,NA");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_left_semi_keeps_each_matching_left_row_once(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    tbl_table *out = join(l, r, TBL_JOIN_LEFT_SEMI, key0, key0, 1, true, true);
    assert_int_equal(out->ncols, 2);
    assert_string_equal(column_text(out, "id"), "2,3");
    assert_string_equal(column_text(out, "name"), "b,c");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_keeps_right_keys_when_asked_and_renames_clashes(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    tbl_table *out = join(l, r, TBL_JOIN_INNER, key0, key0, 1, true, true);
    assert_int_equal(out->ncols, 4);
    assert_string_equal(out->cols[2].name, "id (2)");
    assert_string_equal(column_text(out, "id (2)"), "2,3,3");
    assert_string_equal(out->cols[3].name, "score");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_on_several_keys_needs_all_of_them_equal(void **state)
{
    (void)state;
    const char *lc[] = {"x", "x", "y", "y"};
    const int64_t ln[] = {1, 2, 1, 2};
    const char *rc[] = {"y", "x", "x"};
    const int64_t rn[] = {1, 2, 1};
    const double v[] = {10, 20, 30};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_text(l, "c", TBL_CATEGORICAL, lc, 4);
    add_integer(l, "n", TBL_INTEGER, ln, NULL, 4);
    add_integer(r, "n", TBL_INTEGER, rn, NULL, 3);
    add_text(r, "c", TBL_STRING, rc, 3);
    add_numeric(r, "v", v, NULL, 3);
    const size_t lk[] = {0, 1}, rk[] = {1, 0};
    tbl_table *out = join(l, r, TBL_JOIN_LEFT_OUTER, lk, rk, 2, true, false);
    assert_int_equal(out->ncols, 3);
    assert_string_equal(column_text(out, "v"), "30,20,10,NA");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_text_keys_ignore_case_only_when_asked(void **state)
{
    (void)state;
    const char *lk[] = {"Apple", "pear", "PLUM"};
    const char *rk[] = {"apple", "Plum", "fig"};
    const int64_t v[] = {1, 2, 3};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_text(l, "fruit", TBL_STRING, lk, 3);
    add_text(r, "fruit", TBL_CATEGORICAL, rk, 3);
    add_integer(r, "v", TBL_INTEGER, v, NULL, 3);
    tbl_table *out = join(l, r, TBL_JOIN_LEFT_OUTER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "v"), "NA,NA,NA");
    tbl_free(out);
    out = join(l, r, TBL_JOIN_LEFT_OUTER, key0, key0, 1, false, false);
    assert_string_equal(column_text(out, "v"), "1,NA,2");
    assert_string_equal(column_text(out, "fruit"), "Apple,pear,PLUM");
    tbl_free(out);
    /* Full outer: the unmatched "fig" joins the left's string key column. */
    out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, false, false);
    assert_string_equal(column_text(out, "fruit"), "Apple,pear,PLUM,fig");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_compares_integer_and_numeric_keys_by_value(void **state)
{
    (void)state;
    const int64_t li[] = {2, 3, -1};
    const double rd[] = {2.0, 2.5, -1.0, NAN};
    const char *tag[] = {"two", "two and a half", "minus one", "nan"};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_integer(l, "k", TBL_INTEGER, li, NULL, 3);
    add_numeric(r, "k", rd, NULL, 4);
    add_text(r, "tag", TBL_STRING, tag, 4);
    tbl_table *out = join(l, r, TBL_JOIN_LEFT_OUTER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "tag"), "two,NA,minus one");
    tbl_free(out);
    /* Full outer widens the integer key so the right's 2.5 fits; NaN never
     * matches, not even itself. */
    out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, false);
    assert_int_equal(out->cols[0].type, TBL_NUMERIC);
    assert_string_equal(column_text(out, "k"), "2,3,-1,2.5,NaN");
    tbl_free(out);
    out = join(r, r, TBL_JOIN_INNER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "tag"), "two,two and a half,minus one");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_full_outer_key_type_follows_the_schemas_not_the_rows(void **state)
{
    (void)state;
    /* Every key matches, so no right value lands in the left key; the key
     * still widens, because an output schema must not depend on data. */
    const int64_t li[] = {1, 2};
    const double rd[] = {2, 1};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_integer(l, "k", TBL_INTEGER, li, NULL, 2);
    add_numeric(r, "k", rd, NULL, 2);
    add_numeric(r, "v", rd, NULL, 2);
    tbl_table *out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, false);
    assert_int_equal(out->cols[0].type, TBL_NUMERIC);
    assert_string_equal(column_text(out, "k"), "1,2");
    assert_string_equal(column_text(out, "v"), "1,2");
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_full_outer_adds_new_levels_to_a_categorical_key(void **state)
{
    (void)state;
    const char *lk[] = {"a", "b"};
    const char *rk[] = {"c", "a"};
    const int64_t v[] = {1, 2};
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_text(l, "k", TBL_CATEGORICAL, lk, 2);
    add_text(r, "k", TBL_CATEGORICAL, rk, 2);
    add_integer(r, "v", TBL_INTEGER, v, NULL, 2);
    tbl_table *out = join(l, r, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "k"), "a,b,c");
    assert_string_equal(column_text(out, "v"), "2,NA,1");
    assert_int_equal(out->cols[0].levels.count, 3);
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_of_many_rows_matches_every_pair(void **state)
{
    (void)state;
    /* Enough rows to grow the hash table well past its first size. */
    enum { N = 3000 };
    int64_t lk[N], rk[N];
    for (int i = 0; i < N; i++) {
        lk[i] = i;
        rk[i] = (N - 1 - i) / 2 * 2; /* even keys, each twice */
    }
    tbl_table *l = tbl_new(), *r = tbl_new();
    add_integer(l, "k", TBL_INTEGER, lk, NULL, N);
    add_integer(r, "k", TBL_INTEGER, rk, NULL, N);
    add_integer(r, "row", TBL_INTEGER, lk, NULL, N);
    tbl_table *out = join(l, r, TBL_JOIN_INNER, key0, key0, 1, true, false);
    assert_int_equal(out->nrows, N); /* N/2 even keys, two right rows each */
    for (size_t i = 0; i < out->nrows; i++) {
        int64_t k = out->cols[0].v.i64[i], row = out->cols[1].v.i64[i];
        assert_int_equal(k % 2, 0);
        assert_int_equal(rk[row], k);
        if (i % 2 == 1) assert_true(out->cols[1].v.i64[i - 1] < row); /* right order */
    }
    tbl_free(out);
    tbl_free(l);
    tbl_free(r);
}

static void join_rejects_keys_that_cannot_match(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    const size_t lk[] = {1}, bad[] = {9};
    tbl_join_options opt = {TBL_JOIN_INNER, lk, key0, 1, true, false};
    tbl_table *out = NULL;
    wf_error err = {0};
    assert_int_equal(tbl_join(l, r, &opt, &out, &err), WF_ETYPE);
    assert_null(out);
    assert_non_null(strstr(err.message, "\"name\" is string"));
    assert_non_null(strstr(err.message, "\"id\" is integer"));
    wf_error_clear(&err);
    opt.left_keys = bad;
    assert_int_equal(tbl_join(l, r, &opt, &out, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "index 9"));
    wf_error_clear(&err);
    opt.nkeys = 0;
    assert_int_equal(tbl_join(l, r, &opt, &out, &err), WF_EINVAL);
    tbl_free(l);
    tbl_free(r);
}

static void join_with_an_empty_side_gives_the_outer_rows(void **state)
{
    (void)state;
    tbl_table *l, *r;
    make_pair(&l, &r);
    tbl_table *empty = NULL;
    assert_int_equal(tbl_take(r, NULL, 0, &empty, NULL), 0);
    tbl_table *out = join(l, empty, TBL_JOIN_LEFT_OUTER, key0, key0, 1, true, false);
    assert_int_equal(out->nrows, 5);
    assert_string_equal(column_text(out, "score"), "NA,NA,NA,NA,NA");
    tbl_free(out);
    out = join(empty, l, TBL_JOIN_FULL_OUTER, key0, key0, 1, true, false);
    assert_string_equal(column_text(out, "id"), "1,2,3,4,NA");
    assert_string_equal(column_text(out, "name"), "a,b,c,d,e");
    tbl_free(out);
    tbl_free(empty);
    tbl_free(l);
    tbl_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(join_inner_keeps_matching_pairs_in_left_then_right_order),
        cmocka_unit_test(join_left_outer_keeps_unmatched_left_rows_with_missing_right_values),
        cmocka_unit_test(join_full_outer_appends_unmatched_right_rows_with_their_keys),
        cmocka_unit_test(join_left_semi_keeps_each_matching_left_row_once),
        cmocka_unit_test(join_keeps_right_keys_when_asked_and_renames_clashes),
        cmocka_unit_test(join_on_several_keys_needs_all_of_them_equal),
        cmocka_unit_test(join_text_keys_ignore_case_only_when_asked),
        cmocka_unit_test(join_compares_integer_and_numeric_keys_by_value),
        cmocka_unit_test(join_full_outer_key_type_follows_the_schemas_not_the_rows),
        cmocka_unit_test(join_full_outer_adds_new_levels_to_a_categorical_key),
        cmocka_unit_test(join_of_many_rows_matches_every_pair),
        cmocka_unit_test(join_rejects_keys_that_cannot_match),
        cmocka_unit_test(join_with_an_empty_side_gives_the_outer_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
