/*
 * test_transforms.c: convert-to-indicator-values@1 against
 * pandas.get_dummies, select-columns-transform@1, apply-transformation@1
 * (configure, unknown modules, transforms handed to the wrong module), and
 * a chain of fitted transforms (clean, then normalize) applied to new data
 * against the same computation in pandas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "module_test.h"

static tbl_table *colors, *train, *test;
static json_t *expected;

/* id, color (categorical, first seen: red, green, blue; gaps), size. */
static tbl_table *colors_table(void)
{
    tbl_table *t = mt_csv("id,color,size\n1,red,3\n2,green,1\n3,,2\n4,blue,5\n5,red,4\n6,green,\n");
    tbl_cast_column(t, 1, TBL_CATEGORICAL, false, NULL);
    return t;
}

static int setup(void **state)
{
    (void)state;
    colors = colors_table();
    train = mt_random_table(400, 3, 8, 101);
    test = mt_random_table(60, 3, 8, 102);
    const tbl_table *tables[] = {colors, train, test};
    expected = mt_pandas_json(
        "c = dfs[0]['color']\n"
        "cat = pd.Categorical(c, categories=pd.unique(c.dropna()))\n"
        "dummies = pd.get_dummies(cat, prefix='color', prefix_sep='-')\n"
        "r = {'dummies': {k: list(v) for k, v in dummies.items()}, 'order': "
        "list(dummies.columns)}\n"
        "tr, te = dfs[1], dfs[2]\n"
        "cleaned = tr.fillna(tr.mean())\n"
        "r['chain'] = {k: list(v) for k, v in\n"
        "              ((te.fillna(tr.mean()) - cleaned.mean()) / cleaned.std()).items()}\n"
        "out(r)\n",
        tables, 3);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(expected);
    tbl_free(colors);
    tbl_free(train);
    tbl_free(test);
    return 0;
}

/* ---- convert-to-indicator-values@1 -------------------------------------- */

static void indicators_equal_pandas_get_dummies(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "convert-to-indicator-values@1",
                            "{\"categorical_columns_to_convert\": {\"include\": [{\"names\": "
                            "[\"color\"]}]}}",
                            colors, false),
                     0);
    const tbl_table *o = mt_table(&ctx, 0);
    /* id, color, then its indicators in level order, then size. */
    json_t *order = json_object_get(expected, "order");
    assert_int_equal(o->ncols, 3 + json_array_size(order));
    assert_string_equal(o->cols[1].name, "color");
    for (size_t i = 0; i < json_array_size(order); i++) {
        const char *name = json_string_value(json_array_get(order, i));
        const tbl_column *c = &o->cols[2 + i];
        assert_string_equal(c->name, name);
        assert_int_equal(c->type, TBL_INTEGER);
        json_t *want = json_object_get(json_object_get(expected, "dummies"), name);
        for (size_t r = 0; r < colors->nrows; r++)
            assert_int_equal(c->v.i64[r], json_is_true(json_array_get(want, r)) ||
                                              json_integer_value(json_array_get(want, r)) == 1);
    }
    assert_string_equal(o->cols[o->ncols - 1].name, "size");
    mt_assert_apply_reproduces(&ctx, 0, 1, colors);
    mod_ctx_clear(&ctx);
}

static void overwrite_replaces_the_column_and_new_levels_give_zeros(void **state)
{
    (void)state;
    mod_ctx ctx, app;
    assert_int_equal(mt_run(&ctx, "convert-to-indicator-values@1",
                            "{\"overwrite_categorical_columns\": true, "
                            "\"categorical_columns_to_convert\": {\"include\": [{\"type\": "
                            "\"categorical\"}]}}",
                            colors, false),
                     0);
    const tbl_table *o = mt_table(&ctx, 0);
    const char *names[] = {"id", "color-red", "color-green", "color-blue", "size"};
    assert_int_equal(o->ncols, 5);
    for (size_t j = 0; j < 5; j++)
        assert_string_equal(o->cols[j].name, names[j]);
    /* The missing color: 0 everywhere. */
    assert_true(o->cols[1].v.i64[2] == 0 && o->cols[2].v.i64[2] == 0 && o->cols[3].v.i64[2] == 0);
    mt_assert_apply_reproduces(&ctx, 0, 1, colors);

    /* New data as plain text, with a level never seen: the same columns. */
    tbl_table *fresh = mt_csv("color,id,size\nblue,7,1\nmauve,8,2\n");
    assert_int_equal(fresh->cols[0].type, TBL_STRING);
    assert_int_equal(mt_apply_transform(&app, mt_json(&ctx, 1), fresh, false), 0);
    o = mt_table(&app, 0);
    assert_int_equal(o->ncols, 5);
    assert_string_equal(o->cols[0].name, "color-red");
    assert_int_equal(o->cols[2].v.i64[0], 1); /* blue */
    for (size_t j = 0; j < 3; j++)
        assert_int_equal(o->cols[j].v.i64[1], 0); /* mauve */
    mod_ctx_clear(&app);
    tbl_table *numbers = mt_csv("color,id,size\n1,2,3\n");
    assert_int_equal(mt_apply_transform(&app, mt_json(&ctx, 1), numbers, false), WF_ETYPE);
    mt_assert_contains(app.err.message, "column \"color\" is integer");
    mod_ctx_clear(&app);
    tbl_free(numbers);
    tbl_free(fresh);
    mod_ctx_clear(&ctx);
}

static void indicators_need_categorical_columns(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "convert-to-indicator-values@1",
                            "{\"categorical_columns_to_convert\": {\"include\": [{\"names\": "
                            "[\"color\", \"size\"]}]}}",
                            colors, true),
                     WF_ETYPE);
    mt_assert_contains(mt_field_error(&ctx, "categorical_columns_to_convert"),
                       "column \"size\" is integer: only categorical columns");
    mod_ctx_clear(&ctx);
    /* Configure gives the run's schema: the levels come with the schema. */
    tbl_table *schema = NULL;
    assert_int_equal(tbl_take(colors, NULL, 0, &schema, NULL), 0);
    assert_int_equal(mt_run(&ctx, "convert-to-indicator-values@1",
                            "{\"categorical_columns_to_convert\": {\"include\": [{\"names\": "
                            "[\"color\"]}]}}",
                            schema, true),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 6);
    assert_string_equal(mt_table(&ctx, 0)->cols[4].name, "color-blue");
    mod_ctx_clear(&ctx);
    tbl_free(schema);
}

/* ---- select-columns-transform@1 ----------------------------------------- */

static int select_transform(mod_ctx *ctx, const tbl_table *in)
{
    return mt_run(ctx, "select-columns-transform@1", "{}", in, false);
}

static void select_columns_transform_selects_by_name_in_training_order(void **state)
{
    (void)state;
    tbl_table *wanted = mt_csv("size,id\n1,2\n");
    mod_ctx ctx, app;
    assert_int_equal(select_transform(&ctx, wanted), 0);
    json_t *tr = mt_json(&ctx, 0);
    assert_string_equal(json_string_value(json_object_get(tr, "module")),
                        "select-columns-transform@1");
    assert_int_equal(mt_apply_transform(&app, tr, colors, false), 0);
    const tbl_table *o = mt_table(&app, 0);
    assert_int_equal(o->ncols, 2);
    assert_string_equal(o->cols[0].name, "size");
    assert_string_equal(o->cols[1].name, "id");
    assert_int_equal(o->nrows, colors->nrows);
    assert_true(tbl_is_missing(&o->cols[0], 5)); /* values and gaps are kept */
    mod_ctx_clear(&app);

    /* Configure of Apply Transformation gives the selected schema. */
    tbl_table *schema = NULL;
    assert_int_equal(tbl_take(colors, NULL, 0, &schema, NULL), 0);
    assert_int_equal(mt_apply_transform(&app, tr, schema, true), 0);
    assert_int_equal(mt_table(&app, 0)->ncols, 2);
    mod_ctx_clear(&app);

    /* A table without a selected column, or with one of another kind. */
    tbl_table *lacking = mt_csv("id,color\n1,x\n");
    assert_int_equal(mt_apply_transform(&app, tr, lacking, false), WF_ENOTFOUND);
    mt_assert_contains(app.err.message, "no column \"size\", which the select-columns-transform@1");
    mod_ctx_clear(&app);
    tbl_table *text = mt_csv("id,size\n1,big\n");
    assert_int_equal(mt_apply_transform(&app, tr, text, false), WF_ETYPE);
    mt_assert_contains(app.err.message, "column \"size\" is string");
    mod_ctx_clear(&app);
    /* Its configure has no table to give; its run needs the input. */
    mod_ctx_clear(&ctx);
    assert_int_equal(mt_run(&ctx, "select-columns-transform@1", "{}", wanted, true), 0);
    assert_null(ctx.outputs[0].json);
    mod_ctx_clear(&ctx);
    assert_int_equal(select_transform(&ctx, NULL), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "\"dataset_with_desired_columns\" is missing");
    mod_ctx_clear(&ctx);
    tbl_free(text);
    tbl_free(lacking);
    tbl_free(schema);
    tbl_free(wanted);
}

/* ---- apply-transformation@1 --------------------------------------------- */

static void a_transform_given_to_another_module_fails_clearly(void **state)
{
    (void)state;
    mod_ctx ctx, app;
    assert_int_equal(mt_run(&ctx, "normalize-data@1",
                            "{\"columns_to_transform\": {\"include\": [{\"names\": [\"x1\"]}]}}",
                            train, false),
                     0);
    json_t *tr = json_deep_copy(mt_json(&ctx, 1));
    json_object_set_new(tr, "module", json_string("clip-values@1"));
    assert_int_equal(mt_apply_transform(&app, tr, train, false), WF_EINVAL);
    mt_assert_contains(app.err.message, "applying the clip-values@1 transform");
    mt_assert_contains(app.err.message, "damaged");
    mod_ctx_clear(&app);
    /* Configure with the transform only: checked, the output unknown. */
    json_object_set_new(tr, "module", json_string("no-such@1"));
    assert_int_equal(mt_apply_transform(&app, tr, NULL, true), WF_ENOTFOUND);
    mt_assert_contains(app.err.message, "\"no-such@1\", which is not a known module");
    mod_ctx_clear(&app);
    json_decref(tr);
    mod_ctx_clear(&ctx);
}

static void chained_transforms_apply_the_training_statistics(void **state)
{
    (void)state;
    /* Training: clean (mean) then normalize (zscore) all of x1..x3. */
    mod_ctx clean, norm, a1, a2;
    const char *all = "{\"include\": [{\"type\": \"numeric\"}]}";
    char params[256];
    snprintf(params, sizeof params,
             "{\"cleaning_mode\": \"replace-with-mean\", \"columns_to_be_cleaned\": %s}", all);
    assert_int_equal(mt_run(&clean, "clean-missing-data@1", params, train, false), 0);
    snprintf(params, sizeof params, "{\"columns_to_transform\": %s}", all);
    assert_int_equal(mt_run(&norm, "normalize-data@1", params, mt_table(&clean, 0), false), 0);
    /* Inference: the same two steps as Apply Transformation on new rows. */
    assert_int_equal(mt_apply_transform(&a1, mt_json(&clean, 1), test, false), 0);
    assert_int_equal(mt_apply_transform(&a2, mt_json(&norm, 1), mt_table(&a1, 0), false), 0);
    json_t *want = json_object_get(expected, "chain");
    const char *names[] = {"x1", "x2", "x3"};
    for (size_t k = 0; k < 3; k++)
        for (size_t r = 0; r < test->nrows; r++)
            mt_assert_close(mt_cell(mt_column(mt_table(&a2, 0), names[k]), r),
                            json_array_get(json_object_get(want, names[k]), r), 1e-12, names[k], r);
    mod_ctx_clear(&a2);
    mod_ctx_clear(&a1);
    mod_ctx_clear(&norm);
    mod_ctx_clear(&clean);
}

/* ---- every module with a fitted transform -------------------------------- */

static void without_an_input_schema_only_the_parameters_are_checked(void **state)
{
    (void)state;
    const char *modules[][2] = {
        {"clean-missing-data@1", "columns_to_be_cleaned"},
        {"clip-values@1", "list_of_columns"},
        {"normalize-data@1", "columns_to_transform"},
        {"group-data-into-bins@1", "columns_to_bin"},
        {"convert-to-indicator-values@1", "categorical_columns_to_convert"},
    };
    for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++) {
        char params[256];
        mod_ctx ctx;
        snprintf(params, sizeof params, "{\"%s\": {\"include\": [{\"all\": true}]}}",
                 modules[i][1]);
        if (mt_run(&ctx, modules[i][0], params, NULL, true) != 0)
            fail_msg("%s: %s", modules[i][0], ctx.err.message);
        assert_null(ctx.outputs[0].table); /* unknown */
        assert_null(ctx.outputs[1].json);
        mod_ctx_clear(&ctx);
        /* A selection that does not parse is reported on its field. */
        snprintf(params, sizeof params, "{\"%s\": {\"include\": [{\"colour\": 1}]}}",
                 modules[i][1]);
        assert_int_not_equal(mt_run(&ctx, modules[i][0], params, NULL, true), 0);
        if (mt_field_error(&ctx, modules[i][1]) == NULL)
            fail_msg("%s: no error on %s", modules[i][0], modules[i][1]);
        mod_ctx_clear(&ctx);
        /* Run needs its input. */
        snprintf(params, sizeof params, "{\"%s\": {\"include\": [{\"all\": true}]}}",
                 modules[i][1]);
        assert_int_equal(mt_run(&ctx, modules[i][0], params, NULL, false), WF_EINVAL);
        mt_assert_contains(ctx.err.message, "input \"dataset\" is missing");
        mod_ctx_clear(&ctx);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(indicators_equal_pandas_get_dummies),
        cmocka_unit_test(overwrite_replaces_the_column_and_new_levels_give_zeros),
        cmocka_unit_test(indicators_need_categorical_columns),
        cmocka_unit_test(select_columns_transform_selects_by_name_in_training_order),
        cmocka_unit_test(a_transform_given_to_another_module_fails_clearly),
        cmocka_unit_test(chained_transforms_apply_the_training_statistics),
        cmocka_unit_test(without_an_input_schema_only_the_parameters_are_checked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
