/*
 * test_normalize.c: normalize-data@1 against pandas, numpy and scipy on the
 * same data (z-scores, min-max, logistic, tanh, the log-normal CDF),
 * constant columns, missing values, roles, its fitted transform (through
 * Apply Transformation, on the training table and on new data), configure,
 * and its errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "module_test.h"

/* x1, x2 numeric with gaps, n integer, name string, y the label. */
static tbl_table *mixed_table(size_t n, uint64_t seed)
{
    tbl_table *t = mt_random_table(n, 2, 9, seed);
    wf_rng rng = {.state = seed + 1};
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, "n", TBL_INTEGER, n, NULL), 0);
    for (size_t r = 0; r < n; r++)
        c.v.i64[r] = (int64_t)wf_rng_below(&rng, 1000) - 300;
    tbl_set_missing(&c, 3, n);
    assert_int_equal(tbl_add_column(t, &c, n, NULL), 0);
    assert_int_equal(tbl_column_init(&c, "name", TBL_STRING, n, NULL), 0);
    assert_int_equal(tbl_add_column(t, &c, n, NULL), 0);
    assert_int_equal(tbl_column_init(&c, "y", TBL_NUMERIC, n, NULL), 0);
    for (size_t r = 0; r < n; r++)
        c.v.f64[r] = wf_rng_uniform(&rng);
    c.role = TBL_ROLE_LABEL;
    assert_int_equal(tbl_add_column(t, &c, n, NULL), 0);
    return t;
}

#define NUMBERS "{\"include\": [{\"names\": [\"x1\", \"x2\", \"n\"]}]}"

/* The tables of the tests, and what pandas, numpy and scipy compute on
 * them, asked of Python once for the whole file (it starts slowly). */
static tbl_table *mixed, *small, *lognormal, *train, *hard, *big;
static json_t *expected;

static tbl_table *lognormal_table(void)
{
    tbl_table *t = mt_random_table(400, 1, 10, 5);
    /* Some values at or below 0, which map to 0. */
    t->cols[0].v.f64[7] = 0;
    t->cols[0].v.f64[8] = -12.5;
    for (size_t r = 0; r < t->nrows; r += 3)
        t->cols[0].v.f64[r] = exp(t->cols[0].v.f64[r] / 1000.0 * 2.0 - 2.0);
    return t;
}

static int setup(void **state)
{
    (void)state;
    mixed = mixed_table(600, 11);
    small = mt_csv("x1,x2,n\n-3.5,0.25,-2\n-0.1,,0\n0,1.5,3\n2.75,-1,40\n,0.5,-40\n");
    lognormal = lognormal_table();
    train = mixed_table(300, 21);
    /* Hard cases for the variance: a first value far out (x1), values
     * around 1e9 that differ in their last digits (x2), and a column that
     * is constant but for its first value (n). */
    hard = mixed_table(500, 31);
    hard->cols[0].v.f64[0] = 1e12;
    if (hard->cols[0].missing != NULL) hard->cols[0].missing[0] = 0;
    for (size_t r = 0; r < hard->nrows; r++) {
        hard->cols[1].v.f64[r] = 1e9 + (double)(r % 7) * 0.25;
        hard->cols[2].v.i64[r] = r == 0 ? 5 : 3;
    }
    /* Over a million values: fitting and rescaling run on several threads. */
    big = mt_random_table(250000, 5, 50, 41);
    const tbl_table *tables[] = {mixed, small, lognormal, train, hard, big};
    expected = mt_pandas_json(
        "from scipy import stats\n"
        "def each(d, f): return {c: list(f(d[c].astype(float))) for c in ['x1', 'x2', 'n']}\n"
        "r = {}\n"
        "r['zscore'] = each(dfs[0], lambda s: (s - s.mean()) / s.std())\n"
        "r['min-max'] = each(dfs[0], lambda s: (s - s.min()) / (s.max() - s.min()))\n"
        "r['logistic'] = each(dfs[1], lambda s: 1 / (1 + np.exp(-s)))\n"
        "r['tanh'] = each(dfs[1], lambda s: np.tanh(s))\n"
        "s = dfs[2]['x1']\n"
        "shape, loc, scale = stats.lognorm.fit(s[s > 0], floc=0)\n"
        "v = np.where(s > 0, stats.lognorm.cdf(s, shape, 0, scale), 0.0)\n"
        "v[s.isna()] = np.nan\n"
        "r['log-normal'] = list(v)\n"
        "r['train'] = {c: [dfs[3][c].mean(), dfs[3][c].std()] for c in ['x1', 'x2', 'n']}\n"
        "r['hard'] = each(dfs[4], lambda s: (s - s.mean()) / s.std())\n"
        "r['big'] = [[m, s] for m, s in zip(dfs[5].mean(), dfs[5].std())]\n"
        "out(r)\n",
        tables, 6);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(expected);
    tbl_free(mixed);
    tbl_free(small);
    tbl_free(lognormal);
    tbl_free(train);
    tbl_free(hard);
    tbl_free(big);
    return 0;
}

/* Runs the method on x1, x2 and n of t and compares every value with
 * expected[method]. */
static void check_method(const char *method, const tbl_table *t, double tol)
{
    char params[256];
    snprintf(params, sizeof params,
             "{\"transformation_method\": \"%s\", \"columns_to_transform\": " NUMBERS "}", method);
    mod_ctx ctx;
    if (mt_run(&ctx, "normalize-data@1", params, t, false) != 0) fail_msg("%s", ctx.err.message);
    const tbl_table *o = mt_table(&ctx, 0);
    json_t *want = json_object_get(expected, method);
    const char *names[] = {"x1", "x2", "n"};
    for (size_t k = 0; k < 3; k++) {
        const tbl_column *c = mt_column(o, names[k]);
        assert_int_equal(c->type, TBL_NUMERIC);
        json_t *w = json_object_get(want, names[k]);
        assert_int_equal(json_array_size(w), t->nrows);
        for (size_t r = 0; r < t->nrows; r++)
            mt_assert_close(mt_cell(c, r), json_array_get(w, r), tol, names[k], r);
    }
    /* Column order and names are kept; the others pass through. */
    assert_int_equal(o->ncols, t->ncols);
    for (size_t j = 0; j < t->ncols; j++)
        assert_string_equal(o->cols[j].name, t->cols[j].name);
    mt_assert_apply_reproduces(&ctx, 0, 1, t);
    mod_ctx_clear(&ctx);
}

static void zscore_equals_pandas_with_the_sample_std(void **state)
{
    (void)state;
    check_method("zscore", mixed, 1e-12);
    /* Roles and the untouched columns pass through; missing stays missing. */
    mod_ctx ctx;
    assert_int_equal(
        mt_run(&ctx, "normalize-data@1", "{\"columns_to_transform\": " NUMBERS "}", mixed, false),
        0);
    const tbl_table *o = mt_table(&ctx, 0);
    assert_int_equal(mt_column(o, "y")->role, TBL_ROLE_LABEL);
    assert_memory_equal(mt_column(o, "y")->v.f64, mt_column(mixed, "y")->v.f64,
                        mixed->nrows * sizeof(double));
    assert_int_equal(mt_column(o, "name")->type, TBL_STRING);
    assert_true(tbl_is_missing(mt_column(o, "n"), 3));
    mod_ctx_clear(&ctx);
}

static void zscore_stays_exact_on_hard_columns(void **state)
{
    (void)state;
    /* check_method reads expected["zscore"]: point it at the hard case. */
    json_t *saved = json_incref(json_object_get(expected, "zscore"));
    json_object_set(expected, "zscore", json_object_get(expected, "hard"));
    check_method("zscore", hard, 1e-12);
    json_object_set_new(expected, "zscore", saved);
}

static void zscore_of_a_large_table_equals_pandas(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "normalize-data@1",
                            "{\"columns_to_transform\": {\"include\": [{\"all\": true}]}}", big,
                            false),
                     0);
    /* pandas' mean and std per column, applied to every value here (the
     * values themselves would make a large JSON). */
    json_t *want = json_object_get(expected, "big");
    for (size_t j = 0; j < big->ncols; j++) {
        double mean = json_number_value(json_array_get(json_array_get(want, j), 0));
        double sd = json_number_value(json_array_get(json_array_get(want, j), 1));
        const tbl_column *x = &big->cols[j], *z = &mt_table(&ctx, 0)->cols[j];
        for (size_t r = 0; r < big->nrows; r++) {
            if (tbl_is_missing(x, r)) {
                assert_true(tbl_is_missing(z, r));
                continue;
            }
            double expect = (x->v.f64[r] - mean) / sd;
            if (fabs(z->v.f64[r] - expect) > 1e-12)
                fail_msg("%s row %zu: %.17g, expected %.17g", x->name, r, z->v.f64[r], expect);
        }
    }
    mt_assert_apply_reproduces(&ctx, 0, 1, big);
    mod_ctx_clear(&ctx);
}

static void min_max_equals_pandas(void **state)
{
    (void)state;
    check_method("min-max", mixed, 1e-12);
}

static void logistic_and_tanh_equal_numpy(void **state)
{
    (void)state;
    check_method("logistic", small, 1e-15);
    check_method("tanh", small, 1e-15);
}

static void log_normal_equals_the_scipy_cdf_of_the_fitted_distribution(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "normalize-data@1",
                            "{\"transformation_method\": \"log-normal\", \"columns_to_transform\": "
                            "{\"include\": [{\"type\": \"numeric\"}]}}",
                            lognormal, false),
                     0);
    json_t *want = json_object_get(expected, "log-normal");
    for (size_t r = 0; r < lognormal->nrows; r++)
        mt_assert_close(mt_cell(mt_column(mt_table(&ctx, 0), "x1"), r), json_array_get(want, r),
                        1e-9, "x1", r);
    mt_assert_apply_reproduces(&ctx, 0, 1, lognormal);
    mod_ctx_clear(&ctx);
}

static void constant_columns_become_zero_unless_unchecked(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("a,b\n5,1\n5,2\n,3\n5,4\n");
    mod_ctx ctx;
    const char *sel = "\"columns_to_transform\": {\"include\": [{\"names\": [\"a\", \"b\"]}]}";
    char params[256];
    for (int m = 0; m < 2; m++) {
        snprintf(params, sizeof params, "{\"transformation_method\": \"%s\", %s}",
                 m == 0 ? "zscore" : "tanh", sel);
        assert_int_equal(mt_run(&ctx, "normalize-data@1", params, t, false), 0);
        const tbl_column *a = mt_column(mt_table(&ctx, 0), "a");
        assert_true(mt_cell(a, 0) == 0 && mt_cell(a, 1) == 0 && mt_cell(a, 3) == 0);
        assert_true(tbl_is_missing(a, 2));
        mod_ctx_clear(&ctx);
    }
    snprintf(params, sizeof params, "{\"use_0_for_constant_columns_when_checked\": false, %s}",
             sel);
    assert_int_equal(mt_run(&ctx, "normalize-data@1", params, t, false), 0);
    /* 0 / 0: missing, as pandas gives NaN. */
    const tbl_column *a = mt_column(mt_table(&ctx, 0), "a");
    for (size_t r = 0; r < 4; r++)
        assert_true(tbl_is_missing(a, r));
    assert_true(fabs(mt_cell(mt_column(mt_table(&ctx, 0), "b"), 0) + 1.161895003862225) < 1e-12);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void the_transform_scales_new_data_with_the_training_statistics(void **state)
{
    (void)state;
    tbl_table *test = mixed_table(50, 22);
    mod_ctx ctx, app;
    assert_int_equal(
        mt_run(&ctx, "normalize-data@1", "{\"columns_to_transform\": " NUMBERS "}", train, false),
        0);
    json_t *tr = mt_json(&ctx, 1);
    assert_string_equal(json_string_value(json_object_get(tr, "kind")), "transform");
    assert_string_equal(json_string_value(json_object_get(tr, "module")), "normalize-data@1");
    assert_int_equal(json_array_size(json_object_get(tr, "columns")), 3);
    if (mt_apply_transform(&app, tr, test, false) != 0) fail_msg("%s", app.err.message);
    /* The training mean and std, from pandas, applied to the test rows. */
    json_t *stats = json_object_get(expected, "train");
    const char *names[] = {"x1", "x2", "n"};
    for (size_t k = 0; k < 3; k++) {
        json_t *ms = json_object_get(stats, names[k]);
        double mean = json_number_value(json_array_get(ms, 0));
        double sd = json_number_value(json_array_get(ms, 1));
        for (size_t r = 0; r < test->nrows; r++) {
            double x = mt_cell(mt_column(test, names[k]), r);
            double got = mt_cell(mt_column(mt_table(&app, 0), names[k]), r);
            if (isnan(x)) {
                assert_true(isnan(got));
                continue;
            }
            if (fabs(got - (x - mean) / sd) > 1e-12)
                fail_msg("%s row %zu: %.17g, expected %.17g", names[k], r, got, (x - mean) / sd);
        }
    }
    mod_ctx_clear(&app);

    /* Integer data where the transform was fitted on numbers converts. */
    tbl_table *ints = mt_csv("x1,x2,n\n1,2,3\n4,5,6\n");
    assert_int_equal(ints->cols[0].type, TBL_INTEGER);
    assert_int_equal(mt_apply_transform(&app, tr, ints, false), 0);
    mod_ctx_clear(&app);

    /* A missing column, and a column of the wrong type, fail naming it. */
    tbl_table *lacking = mt_csv("x1,n\n1,2\n");
    assert_int_not_equal(mt_apply_transform(&app, tr, lacking, false), 0);
    mt_assert_contains(app.err.message, "no column \"x2\"");
    mod_ctx_clear(&app);
    tbl_table *text = mt_csv("x1,x2,n\n1,abc,2\n");
    assert_int_equal(mt_apply_transform(&app, tr, text, false), WF_ETYPE);
    mt_assert_contains(app.err.message, "column \"x2\" is string");
    mod_ctx_clear(&app);
    /* Configure checks the same against a schema. */
    assert_int_not_equal(mt_apply_transform(&app, tr, lacking, true), 0);
    mt_assert_contains(app.err.message, "\"x2\"");
    mod_ctx_clear(&app);

    tbl_free(text);
    tbl_free(lacking);
    tbl_free(ints);
    mod_ctx_clear(&ctx);
    tbl_free(test);
}

static void configure_gives_numeric_columns_in_place(void **state)
{
    (void)state;
    tbl_table *t = mixed_table(10, 3);
    tbl_table *schema = NULL;
    assert_int_equal(tbl_take(t, NULL, 0, &schema, NULL), 0);
    mod_ctx ctx;
    assert_int_equal(
        mt_run(&ctx, "normalize-data@1", "{\"columns_to_transform\": " NUMBERS "}", schema, true),
        0);
    const tbl_table *o = mt_table(&ctx, 0);
    assert_int_equal(o->nrows, 0);
    assert_int_equal(o->ncols, 5);
    assert_int_equal(mt_column(o, "n")->type, TBL_NUMERIC);
    assert_int_equal(mt_column(o, "name")->type, TBL_STRING);
    assert_null(ctx.outputs[1].json); /* no transform from a schema */
    mod_ctx_clear(&ctx);
    /* An unknown input schema: the parameters are still checked. */
    assert_int_equal(
        mt_run(&ctx, "normalize-data@1", "{\"columns_to_transform\": {\"x\": 1}}", NULL, true),
        WF_EINVAL);
    assert_non_null(mt_field_error(&ctx, "columns_to_transform"));
    mod_ctx_clear(&ctx);
    tbl_free(schema);
    tbl_free(t);
}

static void normalize_rejects_bad_columns_and_parameters(void **state)
{
    (void)state;
    tbl_table *t = mixed_table(10, 3);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "normalize-data@1",
                            "{\"columns_to_transform\": {\"include\": [{\"names\": [\"x1\", "
                            "\"name\"]}]}}",
                            t, false),
                     WF_ETYPE);
    mt_assert_contains(mt_field_error(&ctx, "columns_to_transform"), "column \"name\" is string");
    mod_ctx_clear(&ctx);
    /* The same in configure, so the canvas marks it before a run. */
    assert_int_equal(mt_run(&ctx, "normalize-data@1",
                            "{\"columns_to_transform\": {\"include\": [{\"names\": [\"name\"]}]}}",
                            t, true),
                     WF_ETYPE);
    mod_ctx_clear(&ctx);
    assert_int_not_equal(mt_run(&ctx, "normalize-data@1",
                                "{\"columns_to_transform\": {\"include\": [{\"names\": "
                                "[\"price\"]}]}}",
                                t, false),
                         0);
    mt_assert_contains(mt_field_error(&ctx, "columns_to_transform"), "price");
    mod_ctx_clear(&ctx);
    assert_int_equal(
        mt_run(&ctx, "normalize-data@1",
               "{\"transformation_method\": \"ZScore\", \"columns_to_transform\": " NUMBERS "}", t,
               false),
        WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "transformation_method"), "\"ZScore\" is not one of");
    mod_ctx_clear(&ctx);
    assert_int_not_equal(mt_run(&ctx, "normalize-data@1", "{}", t, false), 0);
    assert_non_null(mt_field_error(&ctx, "columns_to_transform"));
    mod_ctx_clear(&ctx);
    assert_int_equal(
        mt_run(&ctx, "normalize-data@1", "{\"columns_to_transform\": " NUMBERS "}", NULL, false),
        WF_EINVAL); /* run needs its input */
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void damaged_transforms_fail_clearly(void **state)
{
    (void)state;
    tbl_table *t = mixed_table(20, 4);
    mod_ctx ctx, app;
    assert_int_equal(
        mt_run(&ctx, "normalize-data@1", "{\"columns_to_transform\": " NUMBERS "}", t, false), 0);
    json_t *good = mt_json(&ctx, 1);
    const char *cases[][2] = {
        {"{\"kind\": \"model\"}", "not a fitted transform"},
        {"{\"kind\": \"transform\", \"module\": \"no-such-module@1\", \"columns\": [], "
         "\"state\": {}}",
         "not a known module"},
        {"{\"kind\": \"transform\", \"module\": \"split-data@1\", \"columns\": [], \"state\": {}}",
         "does not apply transforms"},
        {"{\"kind\": \"transform\", \"module\": \"normalize-data@1\", \"columns\": [{\"name\": "
         "\"x1\", \"type\": \"numeric\"}], \"state\": {\"method\": \"cube\"}}",
         "unknown method \"cube\""},
        {"{\"kind\": \"transform\", \"module\": \"normalize-data@1\", \"columns\": [{\"name\": "
         "\"x1\", \"type\": \"numeric\"}], \"state\": {\"method\": \"zscore\", "
         "\"constant_columns_to_zero\": true, \"parameters\": []}}",
         "\"parameters\" is not a list of 1"},
        {"{\"kind\": \"transform\", \"module\": \"normalize-data@1\", \"columns\": [{\"name\": "
         "\"x1\", \"type\": \"numeric\"}], \"state\": {\"method\": \"zscore\", "
         "\"constant_columns_to_zero\": true, \"parameters\": [{\"constant\": false, \"mean\": "
         "\"1\", \"std\": 2}]}}",
         "\"mean\" is not a number"},
        {"{\"kind\": \"transform\", \"module\": \"normalize-data@1\", \"columns\": [{\"name\": "
         "\"x1\"}], \"state\": {}}",
         "has no name or type"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *bad = json_loads(cases[i][0], 0, NULL);
        assert_non_null(bad);
        assert_int_not_equal(mt_apply_transform(&app, bad, t, false), 0);
        mt_assert_contains(app.err.message, cases[i][1]);
        mod_ctx_clear(&app);
        json_decref(bad);
    }
    /* Missing inputs. */
    assert_int_equal(mt_apply_transform(&app, good, NULL, false), WF_EINVAL);
    mt_assert_contains(app.err.message, "\"dataset\" is missing");
    mod_ctx_clear(&app);
    assert_int_equal(mt_apply_transform(&app, good, NULL, true), 0); /* unknown schema */
    assert_null(app.outputs[0].table);
    mod_ctx_clear(&app);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zscore_equals_pandas_with_the_sample_std),
        cmocka_unit_test(zscore_stays_exact_on_hard_columns),
        cmocka_unit_test(zscore_of_a_large_table_equals_pandas),
        cmocka_unit_test(min_max_equals_pandas),
        cmocka_unit_test(logistic_and_tanh_equal_numpy),
        cmocka_unit_test(log_normal_equals_the_scipy_cdf_of_the_fitted_distribution),
        cmocka_unit_test(constant_columns_become_zero_unless_unchecked),
        cmocka_unit_test(the_transform_scales_new_data_with_the_training_statistics),
        cmocka_unit_test(configure_gives_numeric_columns_in_place),
        cmocka_unit_test(normalize_rejects_bad_columns_and_parameters),
        cmocka_unit_test(damaged_transforms_fail_clearly),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
