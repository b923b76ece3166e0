/*
 * test_clean.c: clean-missing-data@1 against pandas on the same data
 * (fillna with a value, the mean, the median and the mode; dropna by rows
 * and by columns), the missing-value ratio range, indicator columns, its
 * fitted transform (on the training table and on new data), configure,
 * and its errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "module_test.h"

/* id (no gaps), x1 and x2 numeric, k integer, s text, flag boolean, with
 * gaps of different sizes: x1 ~10%, x2 ~3%, k ~20%, s ~10%, flag ~5%. */
static tbl_table *dirty_table(size_t n, uint64_t seed)
{
    wf_rng rng = {.state = seed};
    const char *colors[] = {"red", "green", "blue", "teal"};
    wf_buf b = {0};
    wf_buf_puts(&b, "id,x1,x2,k,s,flag\n");
    for (size_t r = 0; r < n; r++) {
        wf_buf_printf(&b, "%zu,", r);
        if (wf_rng_below(&rng, 10) != 0) wf_buf_printf(&b, "%.17g", 50 + 9 * wf_rng_normal(&rng));
        wf_buf_puts(&b, ",");
        if (wf_rng_below(&rng, 33) != 0) wf_buf_printf(&b, "%.17g", wf_rng_uniform(&rng) * 1e6);
        wf_buf_puts(&b, ",");
        if (wf_rng_below(&rng, 5) != 0) wf_buf_printf(&b, "%d", (int)wf_rng_below(&rng, 9) - 4);
        wf_buf_puts(&b, ",");
        if (wf_rng_below(&rng, 10) != 0) wf_buf_puts(&b, colors[wf_rng_below(&rng, 4)]);
        wf_buf_puts(&b, ",");
        if (wf_rng_below(&rng, 20) != 0) wf_buf_puts(&b, wf_rng_below(&rng, 3) ? "true" : "false");
        wf_buf_puts(&b, "\n");
    }
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    return t;
}

static tbl_table *dirty;
static json_t *expected;

static int setup(void **state)
{
    (void)state;
    dirty = dirty_table(500, 7);
    const tbl_table *tables[] = {dirty};
    expected = mt_pandas_json(
        "d = dfs[0]\n"
        "flag = d['flag'].map({True: 1.0, False: 0.0, 'true': 1.0, 'false': 0.0})\n"
        "r = {}\n"
        "r['mean'] = {c: d[c].fillna(d[c].mean()) for c in ['x1', 'x2', 'k']}\n"
        "r['mean']['flag'] = flag.fillna(flag.mean())\n"
        "r['median'] = {c: d[c].fillna(d[c].median()) for c in ['x1', 'x2', 'k']}\n"
        "r['mode'] = {c: d[c].fillna(d[c].mode()[0]) for c in ['x1', 'x2', 'k', 's']}\n"
        "r['mode']['flag'] = flag.fillna(flag.mode()[0])\n"
        "r['rows'] = d.dropna(subset=['x1', 'k'])['id']\n"
        "sel = ['x1', 'x2', 'k', 's', 'flag']\n"
        "r['dropped'] = [c for c in sel if 0.05 <= d[c].isna().mean() <= 1 and d[c].isna().any()]\n"
        "r['missing'] = {c: d[c].isna() for c in sel}\n"
        "out(r)\n",
        tables, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(expected);
    tbl_free(dirty);
    return 0;
}

#define ALL "{\"include\": [{\"names\": [\"x1\", \"x2\", \"k\", \"s\", \"flag\"]}]}"
#define NUMBERS "{\"include\": [{\"names\": [\"x1\", \"x2\", \"k\"]}]}"

/* Runs clean-missing-data on `dirty` with `params`; fails on error. */
static void run_clean(mod_ctx *ctx, const char *params)
{
    if (mt_run(ctx, "clean-missing-data@1", params, dirty, false) != 0)
        fail_msg("%s: %s", params, ctx->err.message);
}

/* Compares the numeric-valued columns of the output with expected[key]. */
static void check_numbers(const mod_ctx *ctx, const char *key, double tol)
{
    json_t *want = json_object_get(expected, key);
    const char *name;
    json_t *values;
    json_object_foreach(want, name, values)
    {
        const tbl_column *c = mt_column(mt_table(ctx, 0), name);
        if (c->type == TBL_STRING || c->type == TBL_CATEGORICAL) continue;
        for (size_t r = 0; r < dirty->nrows; r++)
            mt_assert_close(mt_cell(c, r), json_array_get(values, r), tol, name, r);
        assert_null(c->missing);
    }
}

static void mean_fill_equals_pandas(void **state)
{
    (void)state;
    mod_ctx ctx;
    run_clean(&ctx, "{\"cleaning_mode\": \"replace-with-mean\", \"columns_to_be_cleaned\": "
                    "{\"include\": [{\"names\": [\"x1\", \"x2\", \"k\", \"flag\"]}]}}");
    check_numbers(&ctx, "mean", 1e-9);
    /* Integer and boolean columns become numeric; the others pass. */
    assert_int_equal(mt_column(mt_table(&ctx, 0), "k")->type, TBL_NUMERIC);
    assert_int_equal(mt_column(mt_table(&ctx, 0), "flag")->type, TBL_NUMERIC);
    assert_int_equal(mt_column(mt_table(&ctx, 0), "id")->type, TBL_INTEGER);
    assert_int_equal(mt_table(&ctx, 0)->ncols, dirty->ncols);
    mt_assert_apply_reproduces(&ctx, 0, 1, dirty);
    mod_ctx_clear(&ctx);
}

static void median_fill_equals_pandas(void **state)
{
    (void)state;
    mod_ctx ctx;
    run_clean(&ctx,
              "{\"cleaning_mode\": \"replace-with-median\", \"columns_to_be_cleaned\": " NUMBERS
              "}");
    check_numbers(&ctx, "median", 0);
    mt_assert_apply_reproduces(&ctx, 0, 1, dirty);
    mod_ctx_clear(&ctx);
}

static void mode_fill_equals_pandas_for_every_type(void **state)
{
    (void)state;
    mod_ctx ctx;
    run_clean(&ctx,
              "{\"cleaning_mode\": \"replace-with-mode\", \"columns_to_be_cleaned\": " ALL "}");
    check_numbers(&ctx, "mode", 0);
    /* Types are kept by the mode. */
    const tbl_table *o = mt_table(&ctx, 0);
    assert_int_equal(mt_column(o, "k")->type, TBL_INTEGER);
    assert_int_equal(mt_column(o, "flag")->type, TBL_BOOLEAN);
    const tbl_column *s = mt_column(o, "s");
    json_t *want = json_object_get(json_object_get(expected, "mode"), "s");
    for (size_t r = 0; r < dirty->nrows; r++) {
        char text[64];
        tbl_format_cell(s, r, text, sizeof text);
        assert_string_equal(text, json_string_value(json_array_get(want, r)));
    }
    mt_assert_apply_reproduces(&ctx, 0, 1, dirty);
    mod_ctx_clear(&ctx);

    /* Ties go to the smallest value, as pandas' mode()[0]. */
    tbl_table *t = mt_csv("a,b,c\n3,z,true\n1,y,false\n3,y,\n1,z,\n,,\n");
    assert_int_equal(mt_run(&ctx, "clean-missing-data@1",
                            "{\"cleaning_mode\": \"replace-with-mode\", \"columns_to_be_cleaned\": "
                            "{\"include\": [{\"all\": true}]}}",
                            t, false),
                     0);
    o = mt_table(&ctx, 0);
    assert_int_equal(o->cols[0].v.i64[4], 1);
    char text[16];
    tbl_format_cell(&o->cols[1], 4, text, sizeof text);
    assert_string_equal(text, "y");
    assert_int_equal(o->cols[2].v.b8[4], 0);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void custom_values_are_read_as_each_columns_type(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("n,k,s,d,b\n1.5,2,x,2020-01-02,true\n,,,,\n");
    mod_ctx ctx;
    assert_int_equal(
        mt_run(&ctx, "clean-missing-data@1",
               "{\"replacement_value\": \"7\", \"columns_to_be_cleaned\": {\"include\": "
               "[{\"names\": [\"n\", \"k\", \"s\"]}]}}",
               t, false),
        0);
    const tbl_table *o = mt_table(&ctx, 0);
    assert_true(o->cols[0].v.f64[1] == 7.0);
    assert_int_equal(o->cols[1].v.i64[1], 7);
    char text[32];
    tbl_format_cell(&o->cols[2], 1, text, sizeof text);
    assert_string_equal(text, "7");
    assert_true(tbl_is_missing(&o->cols[3], 1)); /* not selected */
    mt_assert_apply_reproduces(&ctx, 0, 1, t);
    mod_ctx_clear(&ctx);

    assert_int_equal(mt_run(&ctx, "clean-missing-data@1",
                            "{\"replacement_value\": \"2021-06-01\", \"columns_to_be_cleaned\": "
                            "{\"include\": [{\"names\": [\"d\"]}]}}",
                            t, false),
                     0);
    tbl_format_cell(&mt_table(&ctx, 0)->cols[3], 1, text, sizeof text);
    assert_string_equal(text, "2021-06-01");
    mt_assert_apply_reproduces(&ctx, 0, 1, t);
    mod_ctx_clear(&ctx);

    /* A value that is not of a selected column's type names the column. */
    assert_int_equal(mt_run(&ctx, "clean-missing-data@1",
                            "{\"replacement_value\": \"abc\", \"columns_to_be_cleaned\": "
                            "{\"include\": [{\"names\": [\"s\", \"n\"]}]}}",
                            t, true),
                     WF_ETYPE);
    mt_assert_contains(mt_field_error(&ctx, "replacement_value"),
                       "\"abc\" is not a value of column \"n\", which is numeric");
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "clean-missing-data@1",
                            "{\"replacement_value\": \"maybe\", \"columns_to_be_cleaned\": "
                            "{\"include\": [{\"names\": [\"b\"]}]}}",
                            t, false),
                     WF_ETYPE);
    mt_assert_contains(ctx.err.message, "column \"b\", which is boolean");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void remove_entire_row_equals_pandas_dropna(void **state)
{
    (void)state;
    mod_ctx ctx;
    run_clean(&ctx, "{\"cleaning_mode\": \"remove-entire-row\", \"columns_to_be_cleaned\": "
                    "{\"include\": [{\"names\": [\"x1\", \"k\"]}]}}");
    json_t *rows = json_object_get(expected, "rows");
    const tbl_column *id = mt_column(mt_table(&ctx, 0), "id");
    assert_int_equal(mt_table(&ctx, 0)->nrows, json_array_size(rows));
    for (size_t r = 0; r < json_array_size(rows); r++)
        assert_int_equal(id->v.i64[r], json_integer_value(json_array_get(rows, r)));
    assert_true(json_array_size(rows) < dirty->nrows);
    mt_assert_apply_reproduces(&ctx, 0, 1, dirty);
    mod_ctx_clear(&ctx);
}

static void remove_entire_column_drops_columns_in_the_ratio_range(void **state)
{
    (void)state;
    mod_ctx ctx;
    run_clean(&ctx, "{\"cleaning_mode\": \"remove-entire-column\", "
                    "\"minimum_missing_value_ratio\": 0.05, \"columns_to_be_cleaned\": " ALL "}");
    json_t *dropped = json_object_get(expected, "dropped");
    const tbl_table *o = mt_table(&ctx, 0);
    assert_int_equal(o->ncols, dirty->ncols - json_array_size(dropped));
    for (size_t k = 0; k < json_array_size(dropped); k++)
        assert_true(tbl_find_column(o, json_string_value(json_array_get(dropped, k))) < 0);
    assert_true(tbl_find_column(o, "x2") >= 0); /* ~3% missing: below the minimum */
    mt_assert_apply_reproduces(&ctx, 0, 1, dirty);
    mod_ctx_clear(&ctx);
}

static void the_ratio_range_chooses_the_columns(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("a,b,c\n1,1,1\n,2,3\n,,4\n,5,6\n"); /* ratios 0.75, 0.25, 0 */
    mod_ctx ctx;
    assert_int_equal(
        mt_run(&ctx, "clean-missing-data@1",
               "{\"minimum_missing_value_ratio\": 0.2, \"maximum_missing_value_ratio\": "
               "0.5, \"replacement_value\": \"-1\", \"columns_to_be_cleaned\": "
               "{\"include\": [{\"all\": true}]}}",
               t, false),
        0);
    const tbl_table *o = mt_table(&ctx, 0);
    assert_true(tbl_is_missing(&o->cols[0], 1)); /* 0.75: above the maximum */
    assert_int_equal(o->cols[1].v.i64[2], -1);   /* 0.25: cleaned */
    json_t *cols = json_object_get(mt_json(&ctx, 1), "columns");
    assert_int_equal(json_array_size(cols), 1);
    mod_ctx_clear(&ctx);

    assert_int_equal(
        mt_run(&ctx, "clean-missing-data@1",
               "{\"minimum_missing_value_ratio\": 0.6, \"maximum_missing_value_ratio\": "
               "0.5, \"columns_to_be_cleaned\": {\"include\": [{\"all\": true}]}}",
               t, true),
        WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "minimum_missing_value_ratio"),
                       "0.59999999999999998 is above maximum_missing_value_ratio, 0.5");
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "clean-missing-data@1",
                            "{\"maximum_missing_value_ratio\": 1.5, \"columns_to_be_cleaned\": "
                            "{\"include\": [{\"all\": true}]}}",
                            t, false),
                     WF_EINVAL);
    mt_assert_contains(ctx.err.message, "parameter \"maximum_missing_value_ratio\"");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void indicator_columns_flag_what_was_missing(void **state)
{
    (void)state;
    mod_ctx ctx;
    run_clean(&ctx,
              "{\"cleaning_mode\": \"replace-with-mode\", "
              "\"generate_missing_value_indicator_column\": true, \"columns_to_be_cleaned\": " ALL
              "}");
    const tbl_table *o = mt_table(&ctx, 0);
    assert_int_equal(o->ncols, dirty->ncols + 5);
    json_t *missing = json_object_get(expected, "missing");
    const char *names[] = {"x1", "x2", "k", "s", "flag"};
    for (size_t k = 0; k < 5; k++) {
        char name[32];
        snprintf(name, sizeof name, "%s_is_missing", names[k]);
        const tbl_column *c = &o->cols[dirty->ncols + k];
        assert_string_equal(c->name, name);
        assert_int_equal(c->type, TBL_BOOLEAN);
        json_t *want = json_object_get(missing, names[k]);
        for (size_t r = 0; r < dirty->nrows; r++)
            assert_int_equal(c->v.b8[r], json_is_true(json_array_get(want, r)));
    }
    mt_assert_apply_reproduces(&ctx, 0, 1, dirty);
    mod_ctx_clear(&ctx);

    /* An indicator name that is taken gets " (2)", as Add Columns does. */
    tbl_table *t = mt_csv("a,a_is_missing\n1,x\n,y\n");
    assert_int_equal(mt_run(&ctx, "clean-missing-data@1",
                            "{\"generate_missing_value_indicator_column\": true, "
                            "\"columns_to_be_cleaned\": {\"include\": [{\"names\": [\"a\"]}]}}",
                            t, false),
                     0);
    assert_string_equal(mt_table(&ctx, 0)->cols[2].name, "a_is_missing (2)");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void the_transform_fills_new_data_with_the_training_values(void **state)
{
    (void)state;
    mod_ctx ctx, app;
    run_clean(&ctx, "{\"cleaning_mode\": \"replace-with-mean\", "
                    "\"generate_missing_value_indicator_column\": true, \"columns_to_be_cleaned\": "
                    "{\"include\": [{\"names\": [\"x1\", \"k\"]}]}}");
    tbl_table *fresh = mt_csv("k,x1,extra\n,1.5,a\n3,,b\n");
    assert_int_equal(mt_apply_transform(&app, mt_json(&ctx, 1), fresh, false), 0);
    const tbl_table *o = mt_table(&app, 0);
    /* The fills are the training means (pandas'), not the new rows'. */
    json_t *want = json_object_get(expected, "mean");
    const tbl_column *x1 = mt_column(dirty, "x1"), *k = mt_column(dirty, "k");
    size_t rx = 0, rk = 0;
    while (!tbl_is_missing(x1, rx))
        rx++;
    while (!tbl_is_missing(k, rk))
        rk++;
    mt_assert_close(mt_cell(mt_column(o, "x1"), 1), json_array_get(json_object_get(want, "x1"), rx),
                    1e-9, "x1", 1);
    mt_assert_close(mt_cell(mt_column(o, "k"), 0), json_array_get(json_object_get(want, "k"), rk),
                    1e-9, "k", 0);
    assert_int_equal(mt_column(o, "k")->type, TBL_NUMERIC);
    assert_true(mt_column(o, "x1_is_missing")->v.b8[1]);
    assert_true(mt_column(o, "k_is_missing")->v.b8[0]);
    assert_string_equal(o->cols[2].name, "extra");
    mod_ctx_clear(&app);

    /* A table without a cleaned column fails, naming it. */
    tbl_table *lacking = mt_csv("x1\n1\n");
    assert_int_equal(mt_apply_transform(&app, mt_json(&ctx, 1), lacking, false), WF_ENOTFOUND);
    mt_assert_contains(app.err.message, "no column \"k\"");
    mod_ctx_clear(&app);
    tbl_table *text = mt_csv("x1,k\n1,a\n");
    assert_int_equal(mt_apply_transform(&app, mt_json(&ctx, 1), text, false), WF_ETYPE);
    mt_assert_contains(app.err.message, "column \"k\" is");
    mod_ctx_clear(&app);
    tbl_free(text);
    tbl_free(lacking);
    tbl_free(fresh);
    mod_ctx_clear(&ctx);
}

static void a_column_without_values_stays_missing(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("a,b\n,1\n,2\n");
    assert_int_equal(t->cols[0].type, TBL_STRING);
    mod_ctx ctx;
    tbl_cast_column(t, 0, TBL_NUMERIC, false, NULL);
    assert_int_equal(
        mt_run(&ctx, "clean-missing-data@1",
               "{\"cleaning_mode\": \"replace-with-median\", \"columns_to_be_cleaned\": "
               "{\"include\": [{\"names\": [\"a\"]}]}}",
               t, false),
        0);
    assert_true(tbl_is_missing(&mt_table(&ctx, 0)->cols[0], 0));
    assert_true(json_is_null(json_object_get(
        json_array_get(json_object_get(json_object_get(mt_json(&ctx, 1), "state"), "fills"), 0),
        "fill")));
    mt_assert_apply_reproduces(&ctx, 0, 1, t);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void configure_knows_the_schema_unless_it_depends_on_the_data(void **state)
{
    (void)state;
    tbl_table *schema = NULL;
    assert_int_equal(tbl_take(dirty, NULL, 0, &schema, NULL), 0);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "clean-missing-data@1",
                            "{\"cleaning_mode\": \"replace-with-mean\", "
                            "\"generate_missing_value_indicator_column\": true, "
                            "\"columns_to_be_cleaned\": " NUMBERS "}",
                            schema, true),
                     0);
    const tbl_table *o = mt_table(&ctx, 0);
    assert_int_equal(o->ncols, dirty->ncols + 3);
    assert_int_equal(mt_column(o, "k")->type, TBL_NUMERIC);
    assert_string_equal(o->cols[dirty->ncols + 2].name, "k_is_missing");
    /* The same schema as the run's. */
    mod_ctx run;
    run_clean(&run, "{\"cleaning_mode\": \"replace-with-mean\", "
                    "\"generate_missing_value_indicator_column\": true, "
                    "\"columns_to_be_cleaned\": " NUMBERS "}");
    tbl_table *run_schema = NULL;
    assert_int_equal(tbl_take(mt_table(&run, 0), NULL, 0, &run_schema, NULL), 0);
    mt_assert_tables_equal(o, run_schema);
    tbl_free(run_schema);
    mod_ctx_clear(&run);
    mod_ctx_clear(&ctx);

    const char *unknown[] = {
        "{\"cleaning_mode\": \"remove-entire-column\", \"columns_to_be_cleaned\": " ALL "}",
        "{\"minimum_missing_value_ratio\": 0.1, \"generate_missing_value_indicator_column\": "
        "true, \"columns_to_be_cleaned\": " ALL "}",
    };
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(mt_run(&ctx, "clean-missing-data@1", unknown[i], schema, true), 0);
        assert_null(ctx.outputs[0].table);
        mod_ctx_clear(&ctx);
    }
    /* Rows removed: the schema is the input's. */
    assert_int_equal(mt_run(&ctx, "clean-missing-data@1",
                            "{\"cleaning_mode\": \"remove-entire-row\", "
                            "\"minimum_missing_value_ratio\": 0.1, \"columns_to_be_cleaned\": " ALL
                            "}",
                            schema, true),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, dirty->ncols);
    mod_ctx_clear(&ctx);
    tbl_free(schema);
}

static void clean_rejects_columns_the_mode_cannot_take(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(
        mt_run(&ctx, "clean-missing-data@1",
               "{\"cleaning_mode\": \"replace-with-mean\", \"columns_to_be_cleaned\": " ALL "}",
               dirty, true),
        WF_ETYPE);
    mt_assert_contains(mt_field_error(&ctx, "columns_to_be_cleaned"), "column \"s\" is");
    mt_assert_contains(ctx.err.message, "replace-with-mean works on numeric, integer and boolean");
    mod_ctx_clear(&ctx);
    assert_int_equal(
        mt_run(&ctx, "clean-missing-data@1",
               "{\"cleaning_mode\": \"replace-with-median\", \"columns_to_be_cleaned\": "
               "{\"include\": [{\"names\": [\"flag\"]}]}}",
               dirty, false),
        WF_ETYPE);
    mt_assert_contains(ctx.err.message, "column \"flag\" is boolean");
    mod_ctx_clear(&ctx);
    assert_int_not_equal(mt_run(&ctx, "clean-missing-data@1",
                                "{\"columns_to_be_cleaned\": {\"include\": [{\"names\": "
                                "[\"price\"]}]}}",
                                dirty, false),
                         0);
    mt_assert_contains(mt_field_error(&ctx, "columns_to_be_cleaned"), "\"price\"");
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "clean-missing-data@1",
                            "{\"cleaning_mode\": \"mice\", \"columns_to_be_cleaned\": " ALL "}",
                            dirty, false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "cleaning_mode"), "\"mice\" is not one of");
    mod_ctx_clear(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mean_fill_equals_pandas),
        cmocka_unit_test(median_fill_equals_pandas),
        cmocka_unit_test(mode_fill_equals_pandas_for_every_type),
        cmocka_unit_test(custom_values_are_read_as_each_columns_type),
        cmocka_unit_test(remove_entire_row_equals_pandas_dropna),
        cmocka_unit_test(remove_entire_column_drops_columns_in_the_ratio_range),
        cmocka_unit_test(the_ratio_range_chooses_the_columns),
        cmocka_unit_test(indicator_columns_flag_what_was_missing),
        cmocka_unit_test(the_transform_fills_new_data_with_the_training_values),
        cmocka_unit_test(a_column_without_values_stays_missing),
        cmocka_unit_test(configure_knows_the_schema_unless_it_depends_on_the_data),
        cmocka_unit_test(clean_rejects_columns_the_mode_cannot_take),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
