/*
 * test_json.c: the JSON reader (src/table/json_read.c) and writer
 * (src/table/json_write.c), on vega's sample files and small documents.
 */
#include "table/table.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLES WEFT_TEST_DATA "/../../.cache/samples/"

static tbl_table *read_ok(const char *text)
{
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_json(text, strlen(text), NULL, &t, &err) < 0)
        fail_msg("unexpected error: %s", err.message);
    assert_non_null(t);
    return t;
}

static wf_error read_fails(const char *text, size_t len)
{
    tbl_table *t = (tbl_table *)1;
    wf_error err = {0};
    int rc = tbl_read_json(text, len, NULL, &t, &err);
    assert_true(rc < 0);
    assert_int_equal(rc, err.code);
    assert_null(t);
    return err;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static tbl_table *read_sample(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s", SAMPLES, name);
    char *data = NULL;
    size_t len = 0;
    wf_error err = {0};
    if (wf_read_file(path, &data, &len, &err) < 0) fail_msg("%s", err.message);
    tbl_table *t = NULL;
    if (tbl_read_json(data, len, NULL, &t, &err) < 0) fail_msg("%s: %s", name, err.message);
    free(data);
    return t;
}

static const char *cell(const tbl_table *t, size_t col, size_t row)
{
    static char buf[256];
    tbl_format_cell(&t->cols[col], row, buf, sizeof buf);
    return buf;
}

static int column(const tbl_table *t, const char *name)
{
    int i = tbl_find_column(t, name);
    if (i < 0) fail_msg("no column \"%s\"", name);
    return i;
}

/* Writes t as JSON into a NUL-terminated string the caller frees. */
static char *write_ok(const tbl_table *t)
{
    wf_buf out = {0};
    wf_error err = {0};
    if (tbl_write_json(t, &out, &err) < 0) fail_msg("%s", err.message);
    assert_non_null(out.data);
    return out.data;
}

/* ---- vega's sample files ----------------------------------------------- */

static void json_reads_cars_with_nulls_and_dates(void **state)
{
    (void)state;
    tbl_table *t = read_sample("cars.json");
    assert_int_equal(t->nrows, 406);
    assert_int_equal(t->ncols, 9);
    assert_string_equal(t->cols[0].name, "Name");
    int mpg = column(t, "Miles_per_Gallon");
    assert_true(tbl_count_missing(&t->cols[mpg], t->nrows) > 0);
    assert_true(tbl_is_missing(&t->cols[mpg], 10)); /* citroen ds-21 pallas: null */
    int hp = column(t, "Horsepower");
    assert_int_equal(t->cols[hp].type, TBL_INTEGER);
    assert_int_equal(tbl_count_missing(&t->cols[hp], t->nrows), 6);
    int year = column(t, "Year");
    assert_int_equal(t->cols[year].type, TBL_DATETIME);
    assert_string_equal(cell(t, year, 0), "1970-01-01");
    int origin = column(t, "Origin");
    assert_int_equal(t->cols[origin].type, TBL_CATEGORICAL);
    assert_int_equal(t->cols[origin].levels.count, 3);
    assert_int_equal(t->cols[column(t, "Acceleration")].type, TBL_NUMERIC);
    tbl_free(t);
}

static void json_reads_penguins(void **state)
{
    (void)state;
    tbl_table *t = read_sample("penguins.json");
    assert_int_equal(t->nrows, 344);
    assert_int_equal(t->ncols, 7);
    int species = column(t, "Species");
    assert_int_equal(t->cols[species].type, TBL_CATEGORICAL);
    assert_int_equal(t->cols[species].levels.count, 3);
    int beak = column(t, "Beak Length (mm)");
    assert_int_equal(t->cols[beak].type, TBL_NUMERIC);
    assert_true(t->cols[beak].v.f64[0] == 39.1);
    assert_int_equal(tbl_count_missing(&t->cols[beak], t->nrows), 2);
    tbl_free(t);
}

static void json_reads_flights_20k_dates_with_slashes(void **state)
{
    (void)state;
    tbl_table *t = read_sample("flights-20k.json");
    assert_int_equal(t->nrows, 20000);
    assert_int_equal(t->ncols, 5);
    int date = column(t, "date");
    assert_int_equal(t->cols[date].type, TBL_DATETIME);
    assert_string_equal(cell(t, date, 0), "2001-01-13T14:56:00Z");
    int delay = column(t, "delay");
    assert_int_equal(t->cols[delay].type, TBL_INTEGER);
    assert_int_equal(t->cols[delay].v.i64[1], -5);
    assert_int_equal(t->cols[column(t, "origin")].type, TBL_CATEGORICAL);
    tbl_free(t);
}

/* ---- shapes and types -------------------------------------------------- */

static void json_records_take_union_of_keys_in_first_seen_order(void **state)
{
    (void)state;
    tbl_table *t = read_ok("[{\"b\": 1, \"a\": \"x\"}, {\"c\": true}, {\"a\": \"y\", \"b\": 3}]");
    assert_int_equal(t->nrows, 3);
    assert_int_equal(t->ncols, 3);
    assert_string_equal(t->cols[0].name, "b");
    assert_string_equal(t->cols[1].name, "a");
    assert_string_equal(t->cols[2].name, "c");
    assert_true(tbl_is_missing(&t->cols[0], 1));
    assert_int_equal(t->cols[0].v.i64[2], 3);
    assert_true(tbl_is_missing(&t->cols[2], 0));
    assert_int_equal(t->cols[2].type, TBL_BOOLEAN);
    assert_int_equal(t->cols[2].v.b8[1], 1);
    tbl_free(t);
}

static void json_reads_object_of_columns(void **state)
{
    (void)state;
    tbl_table *t = read_ok("{\"n\": [1, 2.5, null], \"s\": [\"x\", \"y\", \"z\"]}");
    assert_int_equal(t->nrows, 3);
    assert_int_equal(t->ncols, 2);
    assert_int_equal(t->cols[0].type, TBL_NUMERIC);
    assert_true(t->cols[0].v.f64[1] == 2.5);
    assert_true(tbl_is_missing(&t->cols[0], 2));
    assert_string_equal(cell(t, 1, 2), "z");
    tbl_free(t);
}

static void json_integer_literals_make_integer_columns(void **state)
{
    (void)state;
    tbl_table *t = read_ok("[{\"i\": 1, \"r\": 1.5, \"w\": 2.0, \"big\": 9223372036854775807},"
                           " {\"i\": -2, \"r\": 2, \"w\": 3, \"big\": 1}]");
    assert_int_equal(t->cols[0].type, TBL_INTEGER);
    assert_int_equal(t->cols[1].type, TBL_NUMERIC);
    assert_true(t->cols[1].v.f64[1] == 2.0);
    assert_int_equal(t->cols[2].type, TBL_NUMERIC); /* 2.0 is not written as an integer */
    assert_true(t->cols[2].v.f64[0] == 2.0);
    assert_int_equal(t->cols[3].type, TBL_INTEGER);
    assert_true(t->cols[3].v.i64[0] == INT64_MAX);
    tbl_free(t);
}

static void json_integer_beyond_int64_reads_as_numeric(void **state)
{
    (void)state;
    tbl_table *t = read_ok("[{\"n\": 123456789012345678901234567890}, {\"n\": 1}]");
    assert_int_equal(t->cols[0].type, TBL_NUMERIC);
    assert_true(t->cols[0].v.f64[0] > 1.2e29 && t->cols[0].v.f64[0] < 1.3e29);
    tbl_free(t);
}

static void json_strings_are_inferred_like_csv_text(void **state)
{
    (void)state;
    tbl_table *t = read_ok("{\"when\": [\"2001-01-14\", \"2001/01/14 21:55\", null, \"\"],"
                           " \"num\": [\"1\", \"2.5\", \"NA\", \"-3\"],"
                           " \"flag\": [\"yes\", \"no\", \"true\", null],"
                           " \"kind\": [\"a\", \"b\", \"a\", \"a\"],"
                           " \"name\": [\"ann\", \"bob\", \"cy\", \"di\"]}");
    assert_int_equal(t->cols[0].type, TBL_DATETIME);
    assert_string_equal(cell(t, 0, 1), "2001-01-14T21:55:00Z");
    assert_true(tbl_is_missing(&t->cols[0], 2));
    assert_true(tbl_is_missing(&t->cols[0], 3));
    assert_int_equal(t->cols[1].type, TBL_NUMERIC);
    assert_true(tbl_is_missing(&t->cols[1], 2));
    assert_int_equal(t->cols[2].type, TBL_BOOLEAN);
    assert_int_equal(t->cols[3].type, TBL_CATEGORICAL);
    assert_int_equal(t->cols[3].levels.count, 2);
    assert_int_equal(t->cols[4].type, TBL_STRING);
    tbl_free(t);
}

static void json_numbers_mixed_with_words_become_text(void **state)
{
    (void)state;
    tbl_table *t = read_ok("{\"mixed\": [1, \"one\", 2.5, true],"
                           " \"numeric_text\": [1, \"2\", 3.5, null]}");
    assert_int_equal(t->cols[0].type, TBL_STRING);
    assert_string_equal(cell(t, 0, 0), "1");
    assert_string_equal(cell(t, 0, 2), "2.5");
    assert_string_equal(cell(t, 0, 3), "true");
    assert_int_equal(t->cols[1].type, TBL_NUMERIC);
    assert_true(t->cols[1].v.f64[1] == 2.0);
    tbl_free(t);
}

static void json_all_null_column_is_missing_string(void **state)
{
    (void)state;
    tbl_table *t = read_ok("[{\"a\": null, \"b\": 1}, {\"a\": null, \"b\": 2}]");
    assert_int_equal(t->cols[0].type, TBL_STRING);
    assert_int_equal(tbl_count_missing(&t->cols[0], t->nrows), 2);
    tbl_free(t);
}

static void json_empty_array_is_empty_table(void **state)
{
    (void)state;
    tbl_table *t = read_ok("  [ ]\n");
    assert_int_equal(t->nrows, 0);
    assert_int_equal(t->ncols, 0);
    tbl_free(t);
    t = read_ok("[{}, {}]");
    assert_int_equal(t->nrows, 2);
    assert_int_equal(t->ncols, 0);
    tbl_free(t);
}

/* ---- errors ------------------------------------------------------------ */

static void json_rejects_unequal_column_lengths_naming_column(void **state)
{
    (void)state;
    const char *text = "{\"a\": [1, 2], \"b\": [1, 2, 3]}";
    wf_error err = read_fails(text, strlen(text));
    assert_string_equal(err.message, "column \"b\" has 3 values, but column \"a\" has 2");
    const char *scalar = "{\"a\": [1], \"b\": 7}";
    err = read_fails(scalar, strlen(scalar));
    assert_string_equal(err.message, "column \"b\" is a number, not an array");
}

static void json_rejects_nested_value_naming_record_and_field(void **state)
{
    (void)state;
    const char *text = "[{\"a\": 1}, {\"a\": 2, \"geo\": {\"lat\": 1}}]";
    wf_error err = read_fails(text, strlen(text));
    assert_string_equal(err.message, "record 1, field \"geo\": an object is not a single value");
    const char *columns = "{\"a\": [1, [2]]}";
    err = read_fails(columns, strlen(columns));
    assert_string_equal(err.message, "column \"a\", row 1: an array is not a single value");
}

static void json_rejects_record_that_is_not_an_object(void **state)
{
    (void)state;
    const char *text = "[{\"a\": 1}, {\"a\": 2}, \"three\"]";
    wf_error err = read_fails(text, strlen(text));
    assert_string_equal(err.message, "record 2 is a string, not an object");
}

static void json_rejects_top_level_scalar(void **state)
{
    (void)state;
    wf_error err = read_fails("42", 2);
    assert_contains(err.message, "the document is a number");
    err = read_fails("\"text\"", 6);
    assert_contains(err.message, "a string; expected an array of records or an object");
}

static void json_rejects_empty_file(void **state)
{
    (void)state;
    wf_error err = read_fails("", 0);
    assert_string_equal(err.message, "the file is empty");
    err = read_fails(" \n\t ", 4);
    assert_string_equal(err.message, "the file is empty");
}

static void json_reports_syntax_error_line_and_column(void **state)
{
    (void)state;
    const char *text = "[\n  {\"a\": 1},\n  {\"a\": 2,}\n]";
    wf_error err = read_fails(text, strlen(text));
    assert_int_equal(err.code, WF_EPARSE);
    assert_contains(err.message, "line 3, column 11:");
    wf_error csv = read_fails("a,b\n1,2\n", 8);
    assert_contains(csv.message, "line 1, column 1:");
}

static void json_rejects_invalid_utf8(void **state)
{
    (void)state;
    const char *text = "[{\"a\": \"caf\xe9\"}]";
    wf_error err = read_fails(text, strlen(text));
    assert_contains(err.message, "line 1");
    assert_contains(err.message, "UTF-8");
}

static void json_rejects_duplicate_keys(void **state)
{
    (void)state;
    const char *text = "[{\"a\": 1, \"a\": 2}]";
    wf_error err = read_fails(text, strlen(text));
    assert_contains(err.message, "duplicate");
}

static void json_refuses_sparse_records_far_larger_than_the_text(void **state)
{
    (void)state;
    /* 3000 records with a key each: 9 million cells from 40 KB. */
    wf_buf text = {0};
    wf_buf_puts(&text, "[");
    for (int i = 0; i < 3000; i++)
        wf_buf_printf(&text, "%s{\"k%d\":1}", i ? "," : "", i);
    wf_buf_puts(&text, "]");
    wf_error err = read_fails(text.data, text.len);
    assert_int_equal(err.code, WF_ELIMIT);
    assert_contains(err.message, "3000 records with 3000 distinct keys");
    wf_buf_free(&text);
}

/* ---- writing ----------------------------------------------------------- */

/* A table with one column of each type, rows 0..2, row 2 missing. */
static tbl_table *mixed_table(void)
{
    tbl_table *t = tbl_new();
    wf_error err = {0};
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, "num", TBL_NUMERIC, 3, &err), 0);
    c.v.f64[0] = 0.1;
    c.v.f64[1] = -1e-300;
    assert_int_equal(tbl_set_missing(&c, 2, 3), 0);
    assert_int_equal(tbl_add_column(t, &c, 3, &err), 0);
    assert_int_equal(tbl_column_init(&c, "int", TBL_INTEGER, 3, &err), 0);
    c.v.i64[0] = INT64_MIN;
    c.v.i64[1] = 42;
    assert_int_equal(tbl_set_missing(&c, 2, 3), 0);
    assert_int_equal(tbl_add_column(t, &c, 3, &err), 0);
    assert_int_equal(tbl_column_init(&c, "flag", TBL_BOOLEAN, 3, &err), 0);
    c.v.b8[0] = 1;
    assert_int_equal(tbl_set_missing(&c, 2, 3), 0);
    assert_int_equal(tbl_add_column(t, &c, 3, &err), 0);
    assert_int_equal(tbl_column_init(&c, "when", TBL_DATETIME, 3, &err), 0);
    c.v.i64[0] = 979509300000000; /* 2001-01-14T21:55:00Z */
    c.v.i64[1] = 0;
    assert_int_equal(tbl_set_missing(&c, 2, 3), 0);
    assert_int_equal(tbl_add_column(t, &c, 3, &err), 0);
    assert_int_equal(tbl_column_init(&c, "kind", TBL_CATEGORICAL, 3, &err), 0);
    tbl_strings_builder lv = {0};
    tbl_strings_append(&lv, "low", 3);
    tbl_strings_append(&lv, "high", 4);
    tbl_strings_clear(&c.levels);
    assert_int_equal(tbl_strings_finish(&lv, &c.levels), 0);
    c.v.codes[0] = 1;
    c.v.codes[1] = 0;
    assert_int_equal(tbl_set_missing(&c, 2, 3), 0);
    assert_int_equal(tbl_add_column(t, &c, 3, &err), 0);
    assert_int_equal(tbl_column_init(&c, "text \"q\"", TBL_STRING, 3, &err), 0);
    tbl_strings_builder sb = {0};
    tbl_strings_append(&sb, "say \"hi\"\n", 9);
    tbl_strings_append(&sb, "bad \xff byte", 10);
    tbl_strings_append(&sb, "", 0);
    tbl_strings_clear(&c.str);
    assert_int_equal(tbl_strings_finish(&sb, &c.str), 0);
    assert_int_equal(tbl_set_missing(&c, 2, 3), 0);
    assert_int_equal(tbl_add_column(t, &c, 3, &err), 0);
    return t;
}

static void json_write_emits_records_with_null_for_missing(void **state)
{
    (void)state;
    tbl_table *t = mixed_table();
    char *json = write_ok(t);
    assert_string_equal(json, "[\n"
                              "{\"num\":0.1,\"int\":-9223372036854775808,\"flag\":true,"
                              "\"when\":\"2001-01-14T21:55:00Z\",\"kind\":\"high\","
                              "\"text \\\"q\\\"\":\"say \\\"hi\\\"\\n\"},\n"
                              "{\"num\":-1e-300,\"int\":42,\"flag\":false,\"when\":\"1970-01-01\","
                              "\"kind\":\"low\",\"text \\\"q\\\"\":\"bad \xef\xbf\xbd byte\"},\n"
                              "{\"num\":null,\"int\":null,\"flag\":null,\"when\":null,"
                              "\"kind\":null,\"text \\\"q\\\"\":null}\n"
                              "]\n");
    free(json);
    tbl_free(t);
}

static void json_write_turns_nan_and_infinity_into_null(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    wf_error err = {0};
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, "x", TBL_NUMERIC, 3, &err), 0);
    c.v.f64[0] = NAN;
    c.v.f64[1] = INFINITY;
    c.v.f64[2] = -INFINITY;
    assert_int_equal(tbl_add_column(t, &c, 3, &err), 0);
    char *json = write_ok(t);
    assert_string_equal(json, "[\n{\"x\":null},\n{\"x\":null},\n{\"x\":null}\n]\n");
    free(json);
    tbl_free(t);
}

static void json_write_of_empty_table_is_empty_array(void **state)
{
    (void)state;
    tbl_table *t = tbl_new();
    char *json = write_ok(t);
    assert_string_equal(json, "[]\n");
    free(json);
    tbl_free(t);
}

static void json_write_numbers_round_trip_exactly(void **state)
{
    (void)state;
    static const double values[] = {
        0.1, 1.0 / 3.0, -2.5e-308, 1.7976931348623157e308, 123456.789, 5e-324, 0.30000000000000004};
    size_t n = sizeof values / sizeof values[0];
    tbl_table *t = tbl_new();
    wf_error err = {0};
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, "x", TBL_NUMERIC, n, &err), 0);
    memcpy(c.v.f64, values, sizeof values);
    assert_int_equal(tbl_add_column(t, &c, n, &err), 0);
    char *json = write_ok(t);
    tbl_table *back = read_ok(json);
    assert_int_equal(back->cols[0].type, TBL_NUMERIC);
    for (size_t i = 0; i < n; i++)
        assert_memory_equal(&back->cols[0].v.f64[i], &values[i], 8);
    free(json);
    tbl_free(back);
    tbl_free(t);
}

static void json_round_trip_keeps_every_value_of_cars(void **state)
{
    (void)state;
    tbl_table *t = read_sample("cars.json");
    char *json = write_ok(t);
    tbl_table *back = read_ok(json);
    assert_int_equal(back->nrows, t->nrows);
    assert_int_equal(back->ncols, t->ncols);
    for (size_t c = 0; c < t->ncols; c++) {
        assert_string_equal(back->cols[c].name, t->cols[c].name);
        assert_int_equal(back->cols[c].type, t->cols[c].type);
        for (size_t r = 0; r < t->nrows; r++) {
            char a[256], b[256];
            tbl_format_cell(&t->cols[c], r, a, sizeof a);
            tbl_format_cell(&back->cols[c], r, b, sizeof b);
            assert_string_equal(a, b);
            assert_int_equal(tbl_is_missing(&t->cols[c], r), tbl_is_missing(&back->cols[c], r));
        }
    }
    char *again = write_ok(back);
    assert_string_equal(again, json);
    free(again);
    free(json);
    tbl_free(back);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_reads_cars_with_nulls_and_dates),
        cmocka_unit_test(json_reads_penguins),
        cmocka_unit_test(json_reads_flights_20k_dates_with_slashes),
        cmocka_unit_test(json_records_take_union_of_keys_in_first_seen_order),
        cmocka_unit_test(json_reads_object_of_columns),
        cmocka_unit_test(json_integer_literals_make_integer_columns),
        cmocka_unit_test(json_integer_beyond_int64_reads_as_numeric),
        cmocka_unit_test(json_strings_are_inferred_like_csv_text),
        cmocka_unit_test(json_numbers_mixed_with_words_become_text),
        cmocka_unit_test(json_all_null_column_is_missing_string),
        cmocka_unit_test(json_empty_array_is_empty_table),
        cmocka_unit_test(json_rejects_unequal_column_lengths_naming_column),
        cmocka_unit_test(json_rejects_nested_value_naming_record_and_field),
        cmocka_unit_test(json_rejects_record_that_is_not_an_object),
        cmocka_unit_test(json_rejects_top_level_scalar),
        cmocka_unit_test(json_rejects_empty_file),
        cmocka_unit_test(json_reports_syntax_error_line_and_column),
        cmocka_unit_test(json_rejects_invalid_utf8),
        cmocka_unit_test(json_rejects_duplicate_keys),
        cmocka_unit_test(json_refuses_sparse_records_far_larger_than_the_text),
        cmocka_unit_test(json_write_emits_records_with_null_for_missing),
        cmocka_unit_test(json_write_turns_nan_and_infinity_into_null),
        cmocka_unit_test(json_write_of_empty_table_is_empty_array),
        cmocka_unit_test(json_write_numbers_round_trip_exactly),
        cmocka_unit_test(json_round_trip_keeps_every_value_of_cars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
