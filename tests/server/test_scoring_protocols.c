/*
 * test_scoring_protocols.c: the request formats of an endpoint, without a
 * server (endpoints_int.h). Numbers in replies are written as the C
 * library writes them (tbl_format_cell: %.15g when it reads back, else
 * %.17g), for hundreds of thousands of doubles; each protocol's request
 * shapes give the same rows; replies are JSON of the protocol's shape, and
 * strings are escaped as jansson reads them back; errors take each
 * protocol's shape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "server/endpoints_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ------------------------------------------------------------- */

static void check_double(double v)
{
    char want[64], got[64];
    tbl_column c = {.type = TBL_NUMERIC, .v.f64 = &v};
    size_t wn = tbl_format_cell(&c, 0, want, sizeof want);
    size_t gn = srv__format_double(v, got, sizeof got);
    got[gn] = '\0';
    /* The reply writes negative zero as a double, as tbl_write_json does. */
    if (v == 0 && signbit(v)) {
        assert_string_equal(got, "-0.0");
        return;
    }
    if (wn != gn || strcmp(want, got) != 0)
        fail_msg("%.17g: libc \"%s\", reply \"%s\"", v, want, got);
}

static void doubles_are_written_as_the_c_library_writes_them(void **state)
{
    (void)state;
    static const double special[] = {0.0,
                                     -0.0,
                                     0.1,
                                     0.2 + 0.1,
                                     1.0 / 3,
                                     -2.0 / 3,
                                     11.5,
                                     12.25,
                                     0.001,
                                     0.0001,
                                     0.00012345678901234567,
                                     1e-5,
                                     1.5e-7,
                                     123456789.125,
                                     99999999999999.99,
                                     1e14,
                                     1e15,
                                     1e15 + 0.5,
                                     9007199254740993.0,
                                     1e22,
                                     1.7976931348623157e308,
                                     4.9406564584124654e-324,
                                     14.738275072194448,
                                     13.83378866167026,
                                     -1234.5678};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        check_double(special[i]);
    /* Random doubles over many magnitudes, and random short decimals. */
    wf_rng rng = {.state = 11};
    for (int i = 0; i < 200000; i++) {
        double mant = wf_rng_uniform(&rng) * 2 - 1;
        int e = (int)wf_rng_below(&rng, 40) - 20;
        check_double(ldexp(mant, e * 3));
        double dec = (double)(int64_t)wf_rng_below(&rng, 2000000) / (double)(1 << (i % 8));
        check_double(dec / 100.0);
    }
}

/* ---- requests and replies ------------------------------------------------ */

#define SCHEMA                                                                                     \
    "{\\\"columns\\\": [{\\\"name\\\": \\\"x\\\", \\\"type\\\": \\\"numeric\\\"},"                 \
    " {\\\"name\\\": \\\"n\\\", \\\"type\\\": \\\"integer\\\"},"                                   \
    " {\\\"name\\\": \\\"s\\\", \\\"type\\\": \\\"string\\\"}]}"

static const char identity[] =
    "{\"format\": \"weft.pipeline/1\", \"nodes\": ["
    " {\"id\": \"in\", \"module\": \"web-service-input@1\", \"params\": {\"schema\": \"" SCHEMA
    "\"}},"
    " {\"id\": \"out\", \"module\": \"web-service-output@1\"}],"
    " \"edges\": [{\"from\": \"in.dataset\", \"to\": \"out.dataset\"}]}";

static eng_scoring_plan *plan;

static int setup(void **state)
{
    (void)state;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    if (eng_pipeline_parse(identity, strlen(identity), &p, &err) < 0 ||
        eng_scoring_compile(p, NULL, &plan, &err) < 0)
        fail_msg("%s", err.message);
    eng_pipeline_free(p);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    eng_scoring_plan_free(plan);
    return 0;
}

/* Decodes, scores and encodes body; returns the reply parsed by jansson. */
static json_t *roundtrip(srv__protocol proto, const char *body, tbl_table **rows_out)
{
    srv__scoring_request sr = {0};
    tbl_table *rows = NULL;
    eng_scoring_result *res = NULL;
    wf_buf out = {0};
    wf_error err = {0};
    if (srv__scoring_decode(proto, body, strlen(body), plan, &sr, &err) < 0 ||
        eng_scoring_rows_table(plan, &sr.rows, &rows, &err) < 0 ||
        eng_scoring_run(plan, rows, &res, &err) < 0)
        fail_msg("%s: %s", body, err.message);
    srv__deployment d = {.name = "ep\"1", .version = 3, .state = "healthy", .plan = plan};
    assert_int_equal(srv__scoring_encode(proto, eng_scoring_output(res), &d, &sr, &out, &err), 0);
    json_error_t jerr;
    json_t *reply = json_loadb(out.data, out.len, 0, &jerr);
    if (reply == NULL) fail_msg("not JSON (%s): %s", jerr.text, out.data);
    wf_buf_free(&out);
    eng_scoring_result_free(res);
    srv__scoring_request_clear(&sr);
    if (rows_out != NULL)
        *rows_out = rows;
    else
        tbl_free(rows);
    return reply;
}

static void decode_fails(srv__protocol proto, const char *body, const char *expect)
{
    srv__scoring_request sr = {0};
    tbl_table *rows = NULL;
    wf_error err = {0};
    int rc = srv__scoring_decode(proto, body, strlen(body), plan, &sr, &err);
    if (rc == 0) rc = eng_scoring_rows_table(plan, &sr.rows, &rows, &err);
    assert_int_equal(rc, WF_EINVAL);
    if (strstr(err.message, expect) == NULL)
        fail_msg("expected \"%s\" in: %s", expect, err.message);
    srv__scoring_request_clear(&sr);
    tbl_free(rows);
}

/* The rows [{x: 1.5, n: 2, s: "a\"b"}, {x: null, n: -7, s: "é\n"}]. */
static void assert_the_rows(const json_t *records)
{
    assert_int_equal(json_array_size(records), 2);
    const json_t *a = json_array_get(records, 0), *b = json_array_get(records, 1);
    assert_true(json_real_value(json_object_get(a, "x")) == 1.5);
    assert_int_equal(json_integer_value(json_object_get(a, "n")), 2);
    assert_string_equal(json_string_value(json_object_get(a, "s")), "a\"b");
    assert_true(json_is_null(json_object_get(b, "x")));
    assert_int_equal(json_integer_value(json_object_get(b, "n")), -7);
    assert_string_equal(json_string_value(json_object_get(b, "s")), "\xc3\xa9\n");
}

static void every_shape_gives_the_same_rows(void **state)
{
    (void)state;
    const char *native[] = {
        "{\"Inputs\": {\"WebServiceInput0\": [{\"x\": 1.5, \"n\": 2, \"s\": \"a\\\"b\"},"
        " {\"s\": \"\\u00e9\\n\", \"n\": \"-7\", \"x\": null}]}, \"GlobalParameters\": {}}",
        "{\"Inputs\": {\"in\": [{\"x\": 1.5, \"n\": 2, \"s\": \"a\\\"b\"},"
        " {\"x\": null, \"n\": -7, \"s\": \"\\u00e9\\n\"}]}}",
        "{\"Inputs\": {\"input1\": {\"ColumnNames\": [\"s\", \"n\", \"x\"],"
        " \"Values\": [[\"a\\\"b\", 2, 1.5], [\"\\u00e9\\n\", -7.0, null]]}}}",
    };
    for (size_t i = 0; i < 3; i++) {
        json_t *r = roundtrip(SRV__NATIVE, native[i], NULL);
        assert_the_rows(json_object_get(json_object_get(r, "Results"), "WebServiceOutput0"));
        json_decref(r);
    }
    const char *mlflow[] = {
        "{\"dataframe_split\": {\"columns\": [\"x\", \"n\", \"s\"], \"data\": [[1.5, 2, "
        "\"a\\\"b\"], [null, -7, \"\\u00e9\\n\"]]}}",
        "{\"dataframe_split\": {\"data\": [[1.5, 2, \"a\\\"b\"], [null, -7, \"\\u00e9\\n\"]]}}",
        "{\"dataframe_records\": [{\"x\": 1.5, \"n\": 2, \"s\": \"a\\\"b\"}, {\"x\": null, \"n\": "
        "-7, \"s\": \"\\u00e9\\n\"}]}",
        "{\"instances\": [[1.5, 2, \"a\\\"b\"], [null, -7, \"\\u00e9\\n\"]]}",
        "{\"inputs\": {\"x\": [1.5, null], \"n\": [2, -7], \"s\": [\"a\\\"b\", \"\\u00e9\\n\"]}}",
        "{\"inputs\": [{\"x\": 1.5, \"n\": 2, \"s\": \"a\\\"b\"}, {\"x\": null, \"n\": -7, \"s\": "
        "\"\\u00e9\\n\"}], \"params\": {}}",
    };
    for (size_t i = 0; i < sizeof mlflow / sizeof mlflow[0]; i++) {
        json_t *r = roundtrip(SRV__MLFLOW, mlflow[i], NULL);
        assert_the_rows(json_object_get(r, "predictions"));
        json_decref(r);
    }
    /* A single value per column is one row. */
    tbl_table *rows = NULL;
    json_t *r = roundtrip(SRV__MLFLOW, "{\"inputs\": {\"x\": 2, \"n\": 3, \"s\": \"q\"}}", &rows);
    assert_int_equal(rows->nrows, 1);
    tbl_free(rows);
    json_decref(r);
}

static void v2_tensors_are_columns(void **state)
{
    (void)state;
    json_t *r =
        roundtrip(SRV__V2,
                  "{\"id\": \"r\\\"1\", \"inputs\": ["
                  "{\"name\": \"x\", \"shape\": [2, 1], \"datatype\": \"FP64\", "
                  "\"data\": [[1.5], [null]]},"
                  "{\"name\": \"n\", \"shape\": [2], \"datatype\": \"INT64\", \"data\": [2, "
                  "-7]},"
                  "{\"name\": \"s\", \"shape\": [2], \"datatype\": \"BYTES\", \"data\": "
                  "[\"a\\\"b\", \"\\u00e9\\n\"]}],"
                  " \"outputs\": [{\"name\": \"s\"}, {\"name\": \"n\"}]}",
                  NULL);
    assert_string_equal(json_string_value(json_object_get(r, "model_name")), "ep\"1");
    assert_string_equal(json_string_value(json_object_get(r, "model_version")), "3");
    assert_string_equal(json_string_value(json_object_get(r, "id")), "r\"1");
    const json_t *outs = json_object_get(r, "outputs");
    /* In the table's order, only those asked for. */
    assert_int_equal(json_array_size(outs), 2);
    const json_t *n = json_array_get(outs, 0), *s = json_array_get(outs, 1);
    assert_string_equal(json_string_value(json_object_get(n, "name")), "n");
    assert_string_equal(json_string_value(json_object_get(n, "datatype")), "INT64");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(n, "shape"), 0)), 2);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(n, "data"), 1)), -7);
    assert_string_equal(json_string_value(json_object_get(s, "datatype")), "BYTES");
    assert_string_equal(json_string_value(json_array_get(json_object_get(s, "data"), 0)), "a\"b");
    json_decref(r);
    r = roundtrip(SRV__V2,
                  "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", "
                  "\"data\": [0.1]}, {\"name\": \"n\", \"shape\": [1], \"datatype\": \"INT8\", "
                  "\"data\": [1]}, {\"name\": \"s\", \"shape\": [1], \"datatype\": \"BYTES\", "
                  "\"data\": [\"z\"]}]}",
                  NULL);
    outs = json_object_get(r, "outputs");
    assert_int_equal(json_array_size(outs), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(outs, 0), "datatype")),
                        "FP64");
    assert_null(json_object_get(r, "id"));
    json_decref(r);
}

static void what_is_wrong_is_said(void **state)
{
    (void)state;
    decode_fails(SRV__NATIVE, "[1]", "must be a JSON object");
    decode_fails(SRV__NATIVE, "{\"Inputs\": 3}", "\"Inputs\"");
    decode_fails(SRV__NATIVE, "{\"Inputs\": {\"Other\": []}}", "no \"WebServiceInput0\"");
    decode_fails(SRV__NATIVE,
                 "{\"Inputs\": {\"WebServiceInput0\": [{\"x\": 1, \"n\": 2.5, \"s\": "
                 "\"a\"}]}}",
                 "row 1, column \"n\": 2.5 is not an integer");
    decode_fails(SRV__NATIVE, "{\"Inputs\": ", "not JSON: line 1, column 12");
    decode_fails(SRV__MLFLOW, "{}", "one of \"dataframe_split\"");
    decode_fails(SRV__MLFLOW, "{\"instances\": [1, 2]}", "holds single values");
    decode_fails(SRV__MLFLOW, "{\"inputs\": {\"x\": [1], \"n\": 2, \"s\": \"a\"}}",
                 "must all be arrays of values, or all single values");
    decode_fails(SRV__MLFLOW, "{\"dataframe_split\": [1]}", "\"dataframe_split\" must be");
    decode_fails(SRV__V2, "{\"inputs\": []}", "one tensor per column");
    decode_fails(SRV__V2,
                 "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 2], \"datatype\": \"FP64\", "
                 "\"data\": [1, 2, 3, 4]}]}",
                 "shape must be [n] or [n, 1]");
    decode_fails(SRV__V2,
                 "{\"inputs\": [{\"name\": \"x\", \"shape\": [3], \"datatype\": \"FP64\", "
                 "\"data\": [1, 2]}]}",
                 "shape says 3 values, data holds 2");
    decode_fails(SRV__V2,
                 "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FLOAT\", "
                 "\"data\": [1]}]}",
                 "datatype");
    decode_fails(SRV__V2,
                 "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP64\", "
                 "\"data\": [1]}, {\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP64\", "
                 "\"data\": [1]}]}",
                 "given twice");
    decode_fails(SRV__V2,
                 "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP64\", "
                 "\"data\": [1]}]}",
                 "column \"n\" is missing");

    /* Each protocol's error shape. */
    srv_response res = {0};
    srv__scoring_error(&res, SRV__MLFLOW, 400, "bad_request", "row %d bad", 3);
    assert_int_equal(res.status, 400);
    assert_string_equal(json_string_value(json_object_get(res.json, "error_code")), "BAD_REQUEST");
    assert_string_equal(json_string_value(json_object_get(res.json, "message")), "row 3 bad");
    srv__response_clear(&res);
    srv__scoring_error(&res, SRV__V2, 401, "unauthorized", "no key");
    assert_string_equal(json_string_value(json_object_get(res.json, "error")), "no key");
    srv__response_clear(&res);
    srv__scoring_error(&res, SRV__NATIVE, 413, "too_large", "big");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(res.json, "error"), "code")),
        "too_large");
    srv__response_clear(&res);
}

/* Table strings may hold any bytes; the reply is still valid JSON. */
static void replies_are_valid_json_whatever_the_strings(void **state)
{
    (void)state;
    json_t *r = roundtrip(SRV__NATIVE,
                          "{\"Inputs\": {\"WebServiceInput0\": [{\"x\": 0.30000000000000004, "
                          "\"n\": 9007199254740993, \"s\": \"\\u0001\\t\\\\\\ud83d\\ude00\"}]}}",
                          NULL);
    const json_t *row =
        json_array_get(json_object_get(json_object_get(r, "Results"), "WebServiceOutput0"), 0);
    assert_true(json_real_value(json_object_get(row, "x")) == 0.30000000000000004);
    assert_int_equal(json_integer_value(json_object_get(row, "n")), 9007199254740993LL);
    assert_string_equal(json_string_value(json_object_get(row, "s")), "\x01\t\\\xf0\x9f\x98\x80");
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(doubles_are_written_as_the_c_library_writes_them),
        cmocka_unit_test(every_shape_gives_the_same_rows),
        cmocka_unit_test(v2_tensors_are_columns),
        cmocka_unit_test(what_is_wrong_is_said),
        cmocka_unit_test(replies_are_valid_json_whatever_the_strings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
