/*
 * test_clip.c: clip-values@1 against numpy and pandas on the same data
 * (percentile thresholds as numpy.percentile's default method, clip,
 * substitution by the mean or the median), constant thresholds, missing
 * substitutes, new and indicator columns, its fitted transform, configure
 * and its errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "module_test.h"

static tbl_table *data;
static json_t *expected;

static int setup(void **state)
{
    (void)state;
    data = mt_random_table(700, 2, 12, 33);
    /* A few ties at the top, so percentiles meet equal values. */
    for (size_t r = 0; r < 20; r++)
        data->cols[0].v.f64[r * 5] = 1100;
    const tbl_table *tables[] = {data};
    expected =
        mt_pandas_json("r = {}\n"
                       "for c in ['x1', 'x2']:\n"
                       "    s = dfs[0][c]\n"
                       "    v = s.dropna().values\n"
                       "    hi, lo = np.percentile(v, 95), np.percentile(v, 5)\n"
                       "    r[c] = {'hi': hi, 'lo': lo, 'both': s.clip(lower=lo, upper=hi),\n"
                       "            'mean_peaks': s.where(~(s > hi), s.mean()),\n"
                       "            'median_subpeaks': s.where(~(s < lo), s.median()),\n"
                       "            'p0': np.percentile(v, 0), 'p100': np.percentile(v, 100),\n"
                       "            'p37': np.percentile(v, 37.5)}\n"
                       "out(r)\n",
                       tables, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(expected);
    tbl_free(data);
    return 0;
}

#define BOTH "{\"include\": [{\"names\": [\"x1\", \"x2\"]}]}"

/* Every value of x1 and x2 in the output against expected[c][key]. */
static void check_against(const mod_ctx *ctx, const char *key)
{
    const char *names[] = {"x1", "x2"};
    for (size_t k = 0; k < 2; k++) {
        json_t *want = json_object_get(json_object_get(expected, names[k]), key);
        const tbl_column *c = mt_column(mt_table(ctx, 0), names[k]);
        assert_int_equal(json_array_size(want), data->nrows);
        for (size_t r = 0; r < data->nrows; r++)
            mt_assert_close(mt_cell(c, r), json_array_get(want, r), 1e-12, names[k], r);
    }
}

static void percentile_thresholds_equal_numpy_percentile(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "clip-values@1",
                            "{\"set_of_thresholds\": \"clip-peaks-and-subpeaks\", "
                            "\"upper_threshold\": \"percentile\", "
                            "\"percentile_value_for_upper_threshold\": 95, \"lower_threshold\": "
                            "\"percentile\", \"percentile_value_for_lower_threshold\": 5, "
                            "\"list_of_columns\": " BOTH "}",
                            data, false),
                     0);
    check_against(&ctx, "both");
    /* The thresholds in the transform are numpy's, exactly. */
    json_t *params = json_object_get(json_object_get(mt_json(&ctx, 1), "state"), "parameters");
    const char *names[] = {"x1", "x2"};
    for (size_t k = 0; k < 2; k++) {
        json_t *want = json_object_get(expected, names[k]);
        json_t *p = json_array_get(params, k);
        assert_true(json_number_value(json_object_get(p, "upper")) ==
                    json_number_value(json_object_get(want, "hi")));
        assert_true(json_number_value(json_object_get(p, "lower")) ==
                    json_number_value(json_object_get(want, "lo")));
    }
    mt_assert_apply_reproduces(&ctx, 0, 1, data);
    mod_ctx_clear(&ctx);

    /* The ends and a fractional percentile. */
    const char *keys[] = {"p0", "p100", "p37"};
    const double pcts[] = {0, 100, 37.5};
    for (size_t i = 0; i < 3; i++) {
        char params_json[256];
        snprintf(params_json, sizeof params_json,
                 "{\"upper_threshold\": \"percentile\", \"percentile_value_for_upper_threshold\": "
                 "%g, \"list_of_columns\": " BOTH "}",
                 pcts[i]);
        assert_int_equal(mt_run(&ctx, "clip-values@1", params_json, data, false), 0);
        json_t *p = json_array_get(
            json_object_get(json_object_get(mt_json(&ctx, 1), "state"), "parameters"), 0);
        assert_true(json_number_value(json_object_get(p, "upper")) ==
                    json_number_value(json_object_get(json_object_get(expected, "x1"), keys[i])));
        mod_ctx_clear(&ctx);
    }
}

static void mean_and_median_substitutes_equal_pandas(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "clip-values@1",
                            "{\"upper_threshold\": \"percentile\", "
                            "\"percentile_value_for_upper_threshold\": 95, "
                            "\"upper_substitute_value\": \"mean\", \"list_of_columns\": " BOTH "}",
                            data, false),
                     0);
    check_against(&ctx, "mean_peaks");
    mt_assert_apply_reproduces(&ctx, 0, 1, data);
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "clip-values@1",
                            "{\"set_of_thresholds\": \"clip-subpeaks\", \"lower_threshold\": "
                            "\"percentile\", \"percentile_value_for_lower_threshold\": 5, "
                            "\"lower_substitute_value\": \"median\", \"list_of_columns\": " BOTH
                            "}",
                            data, false),
                     0);
    check_against(&ctx, "median_subpeaks");
    mt_assert_apply_reproduces(&ctx, 0, 1, data);
    mod_ctx_clear(&ctx);
}

static void constants_clip_and_missing_substitutes(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("a,b,label\n5,0.5,x\n-3,,y\n120,7,z\n,99,w\n99,100,v\n");
    t->cols[2].role = TBL_ROLE_LABEL;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "clip-values@1",
                            "{\"set_of_thresholds\": \"clip-peaks-and-subpeaks\", "
                            "\"lower_substitute_value\": \"missing\", \"list_of_columns\": "
                            "{\"include\": [{\"names\": [\"a\", \"b\"]}]}}",
                            t, false),
                     0);
    const tbl_table *o = mt_table(&ctx, 0);
    const tbl_column *a = mt_column(o, "a"), *b = mt_column(o, "b");
    assert_int_equal(a->type, TBL_NUMERIC); /* integers become numbers */
    assert_true(mt_cell(a, 0) == 5);
    assert_true(tbl_is_missing(a, 1)); /* -3 < 1: a subpeak, substituted by missing */
    assert_true(mt_cell(a, 2) == 99);  /* 120 > 99 */
    assert_true(tbl_is_missing(a, 3)); /* missing stays missing */
    assert_true(mt_cell(a, 4) == 99);  /* equal to the threshold: kept */
    assert_true(tbl_is_missing(b, 0)); /* 0.5 < 1 */
    assert_true(tbl_is_missing(b, 1));
    assert_true(mt_cell(b, 3) == 99 && mt_cell(b, 4) == 99);
    assert_int_equal(mt_column(o, "label")->role, TBL_ROLE_LABEL);
    mt_assert_apply_reproduces(&ctx, 0, 1, t);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void without_overwrite_new_columns_and_indicators_follow(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("a,b\n5,0.5\n200,\n-7,300\n");
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "clip-values@1",
                            "{\"overwrite_flag\": false, \"add_indicator_columns\": true, "
                            "\"list_of_columns\": {\"include\": [{\"all\": true}]}}",
                            t, false),
                     0);
    const tbl_table *o = mt_table(&ctx, 0);
    const char *names[] = {"a", "b", "a_clipped", "b_clipped", "a_is_clipped", "b_is_clipped"};
    assert_int_equal(o->ncols, 6);
    for (size_t j = 0; j < 6; j++)
        assert_string_equal(o->cols[j].name, names[j]);
    assert_int_equal(o->cols[0].type, TBL_INTEGER); /* kept as it was */
    assert_int_equal(o->cols[0].v.i64[1], 200);
    assert_true(mt_cell(&o->cols[2], 1) == 99);
    assert_true(mt_cell(&o->cols[3], 2) == 99);
    assert_true(tbl_is_missing(&o->cols[3], 1));
    const uint8_t flags_a[] = {0, 1, 0}, flags_b[] = {0, 0, 1};
    assert_memory_equal(o->cols[4].v.b8, flags_a, 3);
    assert_memory_equal(o->cols[5].v.b8, flags_b, 3);
    mt_assert_apply_reproduces(&ctx, 0, 1, t);
    mod_ctx_clear(&ctx);

    /* Configure gives the same schema from the columns alone. */
    tbl_table *schema = NULL;
    assert_int_equal(tbl_take(t, NULL, 0, &schema, NULL), 0);
    assert_int_equal(mt_run(&ctx, "clip-values@1",
                            "{\"overwrite_flag\": false, \"add_indicator_columns\": true, "
                            "\"list_of_columns\": {\"include\": [{\"all\": true}]}}",
                            schema, true),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 6);
    assert_int_equal(mt_table(&ctx, 0)->cols[5].type, TBL_BOOLEAN);
    mod_ctx_clear(&ctx);
    tbl_free(schema);
    tbl_free(t);
}

static void the_transform_clips_new_rows_with_the_training_percentiles(void **state)
{
    (void)state;
    mod_ctx ctx, app;
    assert_int_equal(
        mt_run(&ctx, "clip-values@1",
               "{\"upper_threshold\": \"percentile\", "
               "\"percentile_value_for_upper_threshold\": 95, \"list_of_columns\": " BOTH "}",
               data, false),
        0);
    /* One scoring row far above: clipped to the training 95th percentile. */
    tbl_table *row = mt_csv("x2,x1\n1e9,5\n");
    assert_int_equal(mt_apply_transform(&app, mt_json(&ctx, 1), row, false), 0);
    mt_assert_close(mt_cell(mt_column(mt_table(&app, 0), "x2"), 0),
                    json_object_get(json_object_get(expected, "x2"), "hi"), 0, "x2", 0);
    assert_true(mt_cell(mt_column(mt_table(&app, 0), "x1"), 0) == 5);
    mod_ctx_clear(&app);
    tbl_table *lacking = mt_csv("x2\n1\n");
    assert_int_equal(mt_apply_transform(&app, mt_json(&ctx, 1), lacking, false), WF_ENOTFOUND);
    mt_assert_contains(app.err.message, "no column \"x1\"");
    mod_ctx_clear(&app);
    tbl_free(lacking);
    tbl_free(row);
    mod_ctx_clear(&ctx);
}

static void clip_rejects_bad_thresholds_and_columns(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("a,s\n1,x\n50,y\n");
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "clip-values@1",
                            "{\"set_of_thresholds\": \"clip-peaks-and-subpeaks\", "
                            "\"constant_value_for_lower_threshold\": 10, "
                            "\"constant_value_for_upper_threshold\": 5, \"list_of_columns\": "
                            "{\"include\": [{\"names\": [\"a\"]}]}}",
                            t, true),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "constant_value_for_lower_threshold"),
                       "the lower threshold, 10, is above the upper one, 5");
    mod_ctx_clear(&ctx);
    /* A constant against a percentile: known only from the data. */
    assert_int_equal(mt_run(&ctx, "clip-values@1",
                            "{\"set_of_thresholds\": \"clip-peaks-and-subpeaks\", "
                            "\"upper_threshold\": \"percentile\", "
                            "\"percentile_value_for_upper_threshold\": 10, "
                            "\"constant_value_for_lower_threshold\": 40, \"list_of_columns\": "
                            "{\"include\": [{\"names\": [\"a\"]}]}}",
                            t, false),
                     WF_EINVAL);
    mt_assert_contains(ctx.err.message, "column \"a\": the lower threshold, 40, is above");
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "clip-values@1",
                            "{\"list_of_columns\": {\"include\": [{\"all\": true}]}}", t, false),
                     WF_ETYPE);
    mt_assert_contains(mt_field_error(&ctx, "list_of_columns"), "column \"s\" is");
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "clip-values@1",
                            "{\"upper_threshold\": \"percentile\", "
                            "\"percentile_value_for_upper_threshold\": 101, \"list_of_columns\": "
                            "{\"include\": [{\"names\": [\"a\"]}]}}",
                            t, false),
                     WF_EINVAL);
    mt_assert_contains(ctx.err.message, "parameter \"percentile_value_for_upper_threshold\"");
    mod_ctx_clear(&ctx);
    assert_int_not_equal(mt_run(&ctx, "clip-values@1",
                                "{\"list_of_columns\": {\"include\": [{\"names\": [\"z\"]}]}}", t,
                                false),
                         0);
    mt_assert_contains(mt_field_error(&ctx, "list_of_columns"), "\"z\"");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percentile_thresholds_equal_numpy_percentile),
        cmocka_unit_test(mean_and_median_substitutes_equal_pandas),
        cmocka_unit_test(constants_clip_and_missing_substitutes),
        cmocka_unit_test(without_overwrite_new_columns_and_indicators_follow),
        cmocka_unit_test(the_transform_clips_new_rows_with_the_training_percentiles),
        cmocka_unit_test(clip_rejects_bad_thresholds_and_columns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
