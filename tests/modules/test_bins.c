/*
 * test_bins.c: group-data-into-bins@1 against pandas on the same data
 * (quantile edges and codes as pandas.qcut, equal widths as pandas.cut,
 * custom edges, bin means as a groupby), its outputs and output modes,
 * its fitted transform on new data, configure and its errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "module_test.h"

static tbl_table *data;
static json_t *expected;

/* x1 normal with gaps; k integer in 0..5 (many ties); x2 normal. */
static int setup(void **state)
{
    (void)state;
    data = mt_random_table(900, 2, 15, 77);
    wf_rng rng = {.state = 78};
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, "k", TBL_INTEGER, data->nrows, NULL), 0);
    for (size_t r = 0; r < data->nrows; r++)
        c.v.i64[r] = (int64_t)wf_rng_below(&rng, 6) * (int64_t)wf_rng_below(&rng, 2);
    tbl_set_missing(&c, 4, data->nrows);
    assert_int_equal(tbl_add_column(data, &c, data->nrows, NULL), 0);
    const tbl_table *tables[] = {data};
    expected = mt_pandas_json(
        "d = dfs[0]\n"
        "r = {}\n"
        "for c in ['x1', 'k']:\n"
        "    s = d[c]\n"
        "    codes, bins = pd.qcut(s, 10, labels=False, retbins=True, duplicates='drop')\n"
        "    means = s.groupby(codes).mean()\n"
        "    r['q_' + c] = {'codes': codes, 'inner': bins[1:-1], 'outer': [bins[0], bins[-1]],\n"
        "                   'means': [means.get(i, np.nan) for i in range(len(bins) - 1)]}\n"
        "    codes, bins = pd.cut(s, 7, labels=False, retbins=True)\n"
        "    r['w_' + c] = {'codes': codes, 'inner': bins[1:-1]}\n"
        "r['custom'] = pd.cut(d['x1'], [-np.inf, 1000, 1000.5, 1050, np.inf], labels=False)\n"
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

/* Runs the module on `data` with params; fails on error. */
static void run_bins(mod_ctx *ctx, const char *params)
{
    if (mt_run(ctx, "group-data-into-bins@1", params, data, false) != 0)
        fail_msg("%s: %s", params, ctx->err.message);
}

/* The codes of the output column `name` (integers from 1) against pandas'
 * codes (from 0). */
static void check_codes(const mod_ctx *ctx, const char *name, const json_t *codes)
{
    const tbl_column *c = mt_column(mt_table(ctx, 0), name);
    assert_int_equal(c->type, TBL_INTEGER);
    for (size_t r = 0; r < data->nrows; r++) {
        const json_t *w = json_array_get(codes, r);
        if (json_is_null(w)) {
            assert_true(tbl_is_missing(c, r));
            continue;
        }
        /* pandas' codes are floats (NaN marks the missing ones). */
        double want = json_number_value(w) + 1;
        if (tbl_is_missing(c, r) || (double)c->v.i64[r] != want)
            fail_msg("%s row %zu: bin %lld, pandas says %g", name, r, (long long)c->v.i64[r], want);
    }
}

/* The transform's inner edges of column k against pandas' bins[1:-1]. */
static void check_inner_edges(const mod_ctx *ctx, size_t k, const json_t *inner)
{
    json_t *p =
        json_array_get(json_object_get(json_object_get(mt_json(ctx, 1), "state"), "parameters"), k);
    json_t *mine = json_object_get(p, "inner_edges");
    assert_int_equal(json_array_size(mine), json_array_size(inner));
    for (size_t i = 0; i < json_array_size(inner); i++)
        mt_assert_close(json_number_value(json_array_get(mine, i)), json_array_get(inner, i), 0,
                        "edge", i);
}

#define BOTH "\"columns_to_bin\": {\"include\": [{\"names\": [\"x1\", \"k\"]}]}"

static void quantile_bins_equal_pandas_qcut(void **state)
{
    (void)state;
    mod_ctx ctx;
    run_bins(&ctx, "{\"tag_columns_as_categorical\": false, " BOTH "}");
    const char *names[] = {"x1", "k"};
    for (size_t k = 0; k < 2; k++) {
        char key[16], name[32];
        snprintf(key, sizeof key, "q_%s", names[k]);
        snprintf(name, sizeof name, "%s_quantized", names[k]);
        json_t *want = json_object_get(expected, key);
        check_codes(&ctx, name, json_object_get(want, "codes"));
        check_inner_edges(&ctx, k, json_object_get(want, "inner"));
    }
    /* k has 6 values: equal quantiles merged into fewer bins. */
    assert_true(json_array_size(json_object_get(json_object_get(expected, "q_k"), "inner")) < 9);
    mt_assert_apply_reproduces(&ctx, 0, 1, data);
    mod_ctx_clear(&ctx);
}

static void equal_width_and_custom_edges_equal_pandas_cut(void **state)
{
    (void)state;
    mod_ctx ctx;
    run_bins(&ctx, "{\"binning_mode\": \"equal-width\", \"number_of_bins\": 7, "
                   "\"tag_columns_as_categorical\": false, " BOTH "}");
    check_codes(&ctx, "x1_quantized", json_object_get(json_object_get(expected, "w_x1"), "codes"));
    check_codes(&ctx, "k_quantized", json_object_get(json_object_get(expected, "w_k"), "codes"));
    check_inner_edges(&ctx, 0, json_object_get(json_object_get(expected, "w_x1"), "inner"));
    check_inner_edges(&ctx, 1, json_object_get(json_object_get(expected, "w_k"), "inner"));
    mt_assert_apply_reproduces(&ctx, 0, 1, data);
    mod_ctx_clear(&ctx);

    run_bins(&ctx, "{\"binning_mode\": \"custom-edges\", \"comma_separated_list_of_bin_edges\": "
                   "\"1000, 1000.5 ,1050\", \"tag_columns_as_categorical\": false, "
                   "\"columns_to_bin\": {\"include\": [{\"names\": [\"x1\"]}]}}");
    check_codes(&ctx, "x1_quantized", json_object_get(expected, "custom"));
    json_t *labels = json_object_get(
        json_array_get(json_object_get(json_object_get(mt_json(&ctx, 1), "state"), "parameters"),
                       0),
        "labels");
    assert_string_equal(json_string_value(json_array_get(labels, 0)), "(-inf, 1000]");
    assert_string_equal(json_string_value(json_array_get(labels, 1)), "(1000, 1000.5]");
    assert_string_equal(json_string_value(json_array_get(labels, 3)), "(1050, inf)");
    mt_assert_apply_reproduces(&ctx, 0, 1, data);
    mod_ctx_clear(&ctx);
}

static void outputs_are_percent_fraction_label_or_bin_mean(void **state)
{
    (void)state;
    mod_ctx ctx;
    json_t *q = json_object_get(expected, "q_x1");
    json_t *codes = json_object_get(q, "codes");
    size_t nbins = json_array_size(json_object_get(q, "inner")) + 1;
    const char *outputs[] = {"percent", "p-quantile", "bin-mean"};
    for (size_t o = 0; o < 3; o++) {
        char params[256];
        snprintf(params, sizeof params,
                 "{\"quantile_normalization\": \"%s\", \"tag_columns_as_categorical\": false, "
                 "\"output_mode\": \"result-only\", \"columns_to_bin\": {\"include\": "
                 "[{\"names\": [\"x1\"]}]}}",
                 outputs[o]);
        run_bins(&ctx, params);
        const tbl_column *c = mt_column(mt_table(&ctx, 0), "x1");
        assert_int_equal(mt_table(&ctx, 0)->ncols, 1);
        assert_int_equal(c->type, TBL_NUMERIC);
        for (size_t r = 0; r < data->nrows; r++) {
            json_t *code = json_array_get(codes, r);
            if (json_is_null(code)) {
                assert_true(tbl_is_missing(c, r));
                continue;
            }
            double i = json_number_value(code) + 1, want = 0;
            if (o == 0) want = 100.0 * i / (double)nbins;
            if (o == 1) want = i / (double)nbins;
            if (o == 2)
                want = json_number_value(
                    json_array_get(json_object_get(q, "means"), (size_t)json_number_value(code)));
            if (fabs(mt_cell(c, r) - want) > 1e-9 * fabs(want))
                fail_msg("%s row %zu: %.17g, expected %.17g", outputs[o], r, mt_cell(c, r), want);
        }
        mt_assert_apply_reproduces(&ctx, 0, 1, data);
        mod_ctx_clear(&ctx);
    }

    /* Labels, as a categorical column whose levels are the bins in order. */
    tbl_table *t = mt_csv("v\n1\n2\n3\n4\n");
    assert_int_equal(mt_run(&ctx, "group-data-into-bins@1",
                            "{\"number_of_bins\": 2, \"quantile_normalization\": \"label\", "
                            "\"output_mode\": \"inplace\", \"columns_to_bin\": {\"include\": "
                            "[{\"names\": [\"v\"]}]}}",
                            t, false),
                     0);
    const tbl_column *c = &mt_table(&ctx, 0)->cols[0];
    assert_int_equal(c->type, TBL_CATEGORICAL);
    assert_int_equal(c->levels.count, 2);
    char text[32];
    tbl_format_cell(c, 0, text, sizeof text);
    assert_string_equal(text, "[1, 2.5]");
    tbl_format_cell(c, 3, text, sizeof text);
    assert_string_equal(text, "(2.5, 4]");
    assert_int_equal(c->v.codes[1], 0);
    assert_int_equal(c->v.codes[2], 1);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void output_modes_append_replace_or_keep_only_the_bins(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("a,b,c\n1,2,x\n3,4,y\n5,6,z\n");
    t->cols[1].role = TBL_ROLE_LABEL;
    const char *sel = "\"columns_to_bin\": {\"include\": [{\"names\": [\"a\", \"b\"]}]}";
    mod_ctx ctx;
    char params[256];
    snprintf(params, sizeof params, "{\"number_of_bins\": 2, %s}", sel);
    assert_int_equal(mt_run(&ctx, "group-data-into-bins@1", params, t, false), 0);
    const tbl_table *o = mt_table(&ctx, 0);
    const char *append[] = {"a", "b", "c", "a_quantized", "b_quantized"};
    assert_int_equal(o->ncols, 5);
    for (size_t j = 0; j < 5; j++)
        assert_string_equal(o->cols[j].name, append[j]);
    assert_int_equal(o->cols[4].role, TBL_ROLE_FEATURE);
    assert_int_equal(o->cols[4].type, TBL_CATEGORICAL); /* tagged by default */
    mod_ctx_clear(&ctx);

    snprintf(params, sizeof params, "{\"output_mode\": \"inplace\", %s}", sel);
    assert_int_equal(mt_run(&ctx, "group-data-into-bins@1", params, t, false), 0);
    o = mt_table(&ctx, 0);
    assert_int_equal(o->ncols, 3);
    assert_string_equal(o->cols[1].name, "b");
    assert_int_equal(o->cols[1].role, TBL_ROLE_LABEL);
    assert_int_equal(o->cols[1].type, TBL_CATEGORICAL);
    mod_ctx_clear(&ctx);

    snprintf(params, sizeof params,
             "{\"output_mode\": \"result-only\", \"tag_columns_as_categorical\": false, %s}", sel);
    assert_int_equal(mt_run(&ctx, "group-data-into-bins@1", params, t, false), 0);
    o = mt_table(&ctx, 0);
    assert_int_equal(o->ncols, 2);
    assert_string_equal(o->cols[0].name, "a");
    assert_int_equal(o->cols[0].type, TBL_INTEGER);
    mt_assert_apply_reproduces(&ctx, 0, 1, t);
    mod_ctx_clear(&ctx);

    /* Configure gives the run's schema (the levels come with the data). */
    tbl_table *schema = NULL;
    assert_int_equal(tbl_take(t, NULL, 0, &schema, NULL), 0);
    snprintf(params, sizeof params, "{\"quantile_normalization\": \"bin-mean\", %s}", sel);
    assert_int_equal(mt_run(&ctx, "group-data-into-bins@1", params, schema, true), 0);
    o = mt_table(&ctx, 0);
    assert_int_equal(o->ncols, 5);
    assert_string_equal(o->cols[3].name, "a_quantized");
    assert_int_equal(o->cols[3].type, TBL_CATEGORICAL);
    mod_ctx_clear(&ctx);
    tbl_free(schema);
    tbl_free(t);
}

static void new_values_fall_into_the_training_bins(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("v\n10\n20\n30\n40\n");
    mod_ctx ctx, app;
    assert_int_equal(mt_run(&ctx, "group-data-into-bins@1",
                            "{\"number_of_bins\": 2, \"tag_columns_as_categorical\": false, "
                            "\"output_mode\": \"inplace\", \"columns_to_bin\": {\"include\": "
                            "[{\"names\": [\"v\"]}]}}",
                            t, false),
                     0);
    /* Edges 10, 25, 40: below and above the training range go to the end
     * bins; 25 itself is in the first (right-closed). */
    tbl_table *fresh = mt_csv("v,w\n-1000,a\n25,b\n25.5,c\n1e9,d\n,e\n");
    assert_int_equal(mt_apply_transform(&app, mt_json(&ctx, 1), fresh, false), 0);
    const tbl_column *v = &mt_table(&app, 0)->cols[0];
    assert_int_equal(v->v.i64[0], 1);
    assert_int_equal(v->v.i64[1], 1);
    assert_int_equal(v->v.i64[2], 2);
    assert_int_equal(v->v.i64[3], 2);
    assert_true(tbl_is_missing(v, 4));
    mod_ctx_clear(&app);
    tbl_table *text = mt_csv("v\nabc\n");
    assert_int_equal(mt_apply_transform(&app, mt_json(&ctx, 1), text, false), WF_ETYPE);
    mt_assert_contains(app.err.message, "column \"v\" is string");
    mod_ctx_clear(&app);
    tbl_free(text);
    tbl_free(fresh);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void bins_reject_bad_edges_and_columns(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("v,s\n1,x\n2,y\n");
    const char *cases[][2] = {
        {"\"10, 5\"", "edge 2 (5) is not above edge 1 (10)"},
        {"\"1, x, 3\"", "edge 2, \"x\", is not a number"},
        {"\" , \"", "give at least one edge"},
        {"\"1,,2\"", "edge 2, \"\", is not a number"},
    };
    mod_ctx ctx;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char params[256];
        snprintf(params, sizeof params,
                 "{\"binning_mode\": \"custom-edges\", \"comma_separated_list_of_bin_edges\": %s, "
                 "\"columns_to_bin\": {\"include\": [{\"names\": [\"v\"]}]}}",
                 cases[i][0]);
        assert_int_equal(mt_run(&ctx, "group-data-into-bins@1", params, t, true), WF_EINVAL);
        mt_assert_contains(mt_field_error(&ctx, "comma_separated_list_of_bin_edges"), cases[i][1]);
        mod_ctx_clear(&ctx);
    }
    assert_int_equal(mt_run(&ctx, "group-data-into-bins@1",
                            "{\"columns_to_bin\": {\"include\": [{\"all\": true}]}}", t, false),
                     WF_ETYPE);
    mt_assert_contains(mt_field_error(&ctx, "columns_to_bin"), "column \"s\" is");
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "group-data-into-bins@1",
                            "{\"number_of_bins\": 0, \"columns_to_bin\": {\"include\": "
                            "[{\"names\": [\"v\"]}]}}",
                            t, false),
                     WF_EINVAL);
    mt_assert_contains(ctx.err.message, "parameter \"number_of_bins\"");
    mod_ctx_clear(&ctx);
    assert_int_not_equal(mt_run(&ctx, "group-data-into-bins@1",
                                "{\"columns_to_bin\": {\"include\": [{\"names\": [\"w\"]}]}}", t,
                                false),
                         0);
    mt_assert_contains(mt_field_error(&ctx, "columns_to_bin"), "\"w\"");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quantile_bins_equal_pandas_qcut),
        cmocka_unit_test(equal_width_and_custom_edges_equal_pandas_cut),
        cmocka_unit_test(outputs_are_percent_fraction_label_or_bin_mean),
        cmocka_unit_test(output_modes_append_replace_or_keep_only_the_bins),
        cmocka_unit_test(new_values_fall_into_the_training_bins),
        cmocka_unit_test(bins_reject_bad_edges_and_columns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
