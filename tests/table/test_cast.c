/*
 * test_cast.c: converting columns between types: what converts, what fails
 * (naming the row and the value), and invalid values made missing on
 * request.
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

/* Casts column 0 of t and returns its cells as text. */
static const char *cast_ok(tbl_table *t, tbl_type to, bool invalid_to_missing)
{
    wf_error err = {0};
    if (tbl_cast_column(t, 0, to, invalid_to_missing, &err) < 0) fail_msg("cast: %s", err.message);
    assert_int_equal(t->cols[0].type, to);
    return column_text(t, t->cols[0].name);
}

static const char *cast_fails(tbl_table *t, tbl_type to, int code)
{
    static wf_error err;
    wf_error_clear(&err);
    tbl_type before = t->cols[0].type;
    assert_int_equal(tbl_cast_column(t, 0, to, false, &err), code);
    assert_int_equal(t->cols[0].type, before); /* left as it was */
    return err.message;
}

static tbl_table *numbers(const double *v, const bool *missing, size_t n)
{
    tbl_table *t = tbl_new();
    add_numeric(t, "x", v, missing, n);
    return t;
}

static tbl_table *texts(tbl_type type, const char *const *v, size_t n)
{
    tbl_table *t = tbl_new();
    add_text(t, "s", type, v, n);
    return t;
}

static void numeric_to_integer_converts_whole_numbers(void **state)
{
    (void)state;
    const double v[] = {1, -2, 0, 4e15, NAN};
    const bool m[] = {false, false, true, false, false};
    tbl_table *t = numbers(v, m, 5);
    t->cols[0].role = TBL_ROLE_LABEL;
    /* NaN becomes missing: integers have no NaN. */
    assert_string_equal(cast_ok(t, TBL_INTEGER, false), "1,-2,NA,4000000000000000,NA");
    assert_int_equal(t->cols[0].role, TBL_ROLE_LABEL);
    assert_string_equal(t->cols[0].name, "x");
    tbl_free(t);
}

static void numeric_to_integer_fails_on_a_fraction_naming_row_and_value(void **state)
{
    (void)state;
    const double v[] = {1, 2.5, 3};
    tbl_table *t = numbers(v, NULL, 3);
    const char *msg = cast_fails(t, TBL_INTEGER, WF_EPARSE);
    assert_non_null(strstr(msg, "column \"x\", row 2: 2.5 is not an integer"));
    assert_true(t->cols[0].v.f64[1] == 2.5);
    assert_string_equal(cast_ok(t, TBL_INTEGER, true), "1,NA,3");
    tbl_free(t);
    const double big[] = {1e300, INFINITY};
    t = numbers(big, NULL, 2);
    msg = cast_fails(t, TBL_INTEGER, WF_EPARSE);
    assert_non_null(strstr(msg, "row 1: 1e+300 is not an integer"));
    tbl_free(t);
}

static void integer_and_numeric_convert_both_ways(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    const int64_t v[] = {7, -3, 0};
    const bool m[] = {false, false, true};
    add_integer(t, "n", TBL_INTEGER, v, m, 3);
    assert_string_equal(cast_ok(t, TBL_NUMERIC, false), "7,-3,NA");
    assert_string_equal(cast_ok(t, TBL_INTEGER, false), "7,-3,NA");
    tbl_free(t);
}

static void booleans_and_numbers_convert_through_zero_and_one(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    const int64_t b[] = {1, 0, 1};
    add_integer(t, "b", TBL_BOOLEAN, b, NULL, 3);
    assert_string_equal(cast_ok(t, TBL_INTEGER, false), "1,0,1");
    assert_string_equal(cast_ok(t, TBL_BOOLEAN, false), "true,false,true");
    assert_string_equal(cast_ok(t, TBL_NUMERIC, false), "1,0,1");
    assert_string_equal(cast_ok(t, TBL_BOOLEAN, false), "true,false,true");
    tbl_free(t);
    t = tbl_new();
    const int64_t two[] = {0, 2};
    add_integer(t, "n", TBL_INTEGER, two, NULL, 2);
    const char *msg = cast_fails(t, TBL_BOOLEAN, WF_EPARSE);
    assert_non_null(strstr(msg, "row 2: 2 is not a boolean"));
    tbl_free(t);
}

static void strings_parse_to_numbers_with_missing_tokens(void **state)
{
    (void)state;
    const char *s[] = {"1.5", " 2 ", "NA", "", NULL, "-1e3", "?"};
    tbl_table *t = texts(TBL_STRING, s, 7);
    assert_string_equal(cast_ok(t, TBL_NUMERIC, false), "1.5,2,NA,NA,NA,-1000,NA");
    tbl_free(t);
    const char *w[] = {"3", "3.0", "1e3", "-0"};
    t = texts(TBL_STRING, w, 4);
    assert_string_equal(cast_ok(t, TBL_INTEGER, false), "3,3,1000,0");
    tbl_free(t);
}

static void string_that_is_not_a_number_fails_naming_row_and_value(void **state)
{
    (void)state;
    const char *s[] = {"1", "2", "abc", "4"};
    tbl_table *t = texts(TBL_STRING, s, 4);
    const char *msg = cast_fails(t, TBL_NUMERIC, WF_EPARSE);
    assert_non_null(strstr(msg, "column \"s\", row 3: \"abc\" is not a number"));
    msg = cast_fails(t, TBL_INTEGER, WF_EPARSE);
    assert_non_null(strstr(msg, "\"abc\" is not an integer"));
    assert_string_equal(cast_ok(t, TBL_NUMERIC, true), "1,2,NA,4");
    tbl_free(t);
}

static void strings_parse_to_booleans_and_datetimes(void **state)
{
    (void)state;
    const char *b[] = {"true", "no", "1", "False", "0"};
    tbl_table *t = texts(TBL_STRING, b, 5);
    assert_string_equal(cast_ok(t, TBL_BOOLEAN, false), "true,false,true,false,false");
    tbl_free(t);
    const char *d[] = {"2024-02-29", "2024-03-01T12:30:00Z", NULL};
    t = texts(TBL_STRING, d, 3);
    assert_string_equal(cast_ok(t, TBL_DATETIME, false), "2024-02-29,2024-03-01T12:30:00Z,NA");
    assert_string_equal(cast_ok(t, TBL_STRING, false), "2024-02-29,2024-03-01T12:30:00Z,NA");
    tbl_free(t);
    const char *bad[] = {"2023-02-29"};
    t = texts(TBL_STRING, bad, 1);
    const char *msg = cast_fails(t, TBL_DATETIME, WF_EPARSE);
    assert_non_null(strstr(msg, "row 1: \"2023-02-29\" is not a date-time"));
    tbl_free(t);
}

static void numbers_format_to_text_that_round_trips(void **state)
{
    (void)state;
    const double v[] = {0.1, 1.0 / 3.0, -2, NAN};
    tbl_table *t = numbers(v, NULL, 4);
    assert_string_equal(cast_ok(t, TBL_STRING, false), "0.1,0.33333333333333331,-2,NA");
    assert_string_equal(cast_ok(t, TBL_NUMERIC, false), "0.1,0.33333333333333331,-2,NA");
    assert_true(t->cols[0].v.f64[1] == 1.0 / 3.0);
    tbl_free(t);
}

static void numbers_become_categorical_levels(void **state)
{
    (void)state;
    const double v[] = {2, 1, 2, 0};
    const bool m[] = {false, false, false, true};
    tbl_table *t = numbers(v, m, 4);
    assert_string_equal(cast_ok(t, TBL_CATEGORICAL, false), "2,1,2,NA");
    assert_int_equal(t->cols[0].levels.count, 2);
    assert_int_equal(t->cols[0].v.codes[3], -1);
    /* and back, parsing each level */
    assert_string_equal(cast_ok(t, TBL_INTEGER, false), "2,1,2,NA");
    tbl_free(t);
}

static void strings_and_categoricals_convert_both_ways(void **state)
{
    (void)state;
    const char *s[] = {"red", "blue", NULL, "red", ""};
    tbl_table *t = texts(TBL_STRING, s, 5);
    assert_string_equal(cast_ok(t, TBL_CATEGORICAL, false), "red,blue,NA,red,");
    assert_int_equal(t->cols[0].levels.count, 3);
    assert_string_equal(cast_ok(t, TBL_STRING, false), "red,blue,NA,red,");
    tbl_free(t);
}

static void categorical_with_a_bad_level_fails_at_its_first_row(void **state)
{
    (void)state;
    const char *s[] = {"1", "x", "2", "x"};
    tbl_table *t = texts(TBL_CATEGORICAL, s, 4);
    const char *msg = cast_fails(t, TBL_NUMERIC, WF_EPARSE);
    assert_non_null(strstr(msg, "row 2: \"x\" is not a number"));
    assert_string_equal(cast_ok(t, TBL_NUMERIC, true), "1,NA,2,NA");
    tbl_free(t);
}

static void datetimes_do_not_convert_to_numbers(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    const int64_t v[] = {0};
    add_integer(t, "when", TBL_DATETIME, v, NULL, 1);
    const char *msg = cast_fails(t, TBL_INTEGER, WF_ETYPE);
    assert_non_null(strstr(msg, "cannot convert datetime to integer"));
    assert_string_equal(cast_ok(t, TBL_CATEGORICAL, false), "1970-01-01");
    assert_string_equal(cast_ok(t, TBL_DATETIME, false), "1970-01-01");
    tbl_free(t);
}

static void cast_rejects_bad_arguments(void **state)
{
    (void)state;
    const double v[] = {1};
    tbl_table *t = numbers(v, NULL, 1);
    wf_error err = {0};
    assert_int_equal(tbl_cast_column(t, 1, TBL_STRING, false, &err), WF_EINVAL);
    wf_error_clear(&err);
    assert_int_equal(tbl_cast_column(t, 0, (tbl_type)42, false, &err), WF_EINVAL);
    assert_int_equal(tbl_cast_column(t, 0, TBL_NUMERIC, false, NULL), 0); /* same type */
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numeric_to_integer_converts_whole_numbers),
        cmocka_unit_test(numeric_to_integer_fails_on_a_fraction_naming_row_and_value),
        cmocka_unit_test(integer_and_numeric_convert_both_ways),
        cmocka_unit_test(booleans_and_numbers_convert_through_zero_and_one),
        cmocka_unit_test(strings_parse_to_numbers_with_missing_tokens),
        cmocka_unit_test(string_that_is_not_a_number_fails_naming_row_and_value),
        cmocka_unit_test(strings_parse_to_booleans_and_datetimes),
        cmocka_unit_test(numbers_format_to_text_that_round_trips),
        cmocka_unit_test(numbers_become_categorical_levels),
        cmocka_unit_test(strings_and_categoricals_convert_both_ways),
        cmocka_unit_test(categorical_with_a_bad_level_fails_at_its_first_row),
        cmocka_unit_test(datetimes_do_not_convert_to_numbers),
        cmocka_unit_test(cast_rejects_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
