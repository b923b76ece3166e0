/*
 * test_evaluate_projection.c: the 2-D projection of a clustering report
 * (Evaluate Model on Assign Data to Clusters' output; docs/formats.md 4.3):
 * the rows on the first two principal components of the standardised
 * numeric feature columns, checked against numpy's eigendecomposition of
 * the correlation matrix; the row sampling of large tables; the distances
 * when no feature column is left; and a single column.
 */
#include "module_test.h"

/* A scored table of n rows as Assign Data to Clusters makes it: `nfeat`
 * numeric feature columns x1.. (correlated, in different units, a missing
 * value now and then when `gaps`, and x<nfeat> constant when `constant`),
 * then Assignments (k clusters) and the k distance columns, with the score
 * role. nfeat may be 0 (the scores alone). */
static tbl_table *scored_table(size_t n, size_t nfeat, size_t k, bool gaps, bool constant,
                               uint64_t seed)
{
    wf_rng rng = {.state = seed};
    tbl_table *t = tbl_new();
    double *latent = wf_mallocarray(n, sizeof *latent);
    assert_non_null(t);
    assert_non_null(latent);
    for (size_t r = 0; r < n; r++)
        latent[r] = wf_rng_normal(&rng);
    for (size_t j = 0; j < nfeat; j++) {
        char name[32];
        snprintf(name, sizeof name, "x%zu", j + 1);
        tbl_column c;
        assert_int_equal(tbl_column_init(&c, name, TBL_NUMERIC, n, NULL), 0);
        for (size_t r = 0; r < n; r++) {
            bool flat = constant && j + 1 == nfeat;
            c.v.f64[r] = flat ? 7.0
                              : (double)(j + 1) * 100.0 *
                                    ((double)j * 0.4 * latent[r] + wf_rng_normal(&rng));
            if (gaps && !flat && wf_rng_below(&rng, 17) == 0) tbl_set_missing(&c, r, n);
        }
        assert_int_equal(tbl_add_column(t, &c, n, NULL), 0);
    }
    tbl_column a;
    assert_int_equal(tbl_column_init(&a, "Assignments", TBL_INTEGER, n, NULL), 0);
    a.role = TBL_ROLE_SCORE;
    for (size_t r = 0; r < n; r++)
        a.v.i64[r] = (int64_t)wf_rng_below(&rng, (uint32_t)k);
    assert_int_equal(tbl_add_column(t, &a, n, NULL), 0);
    for (size_t j = 0; j < k; j++) {
        char name[64];
        snprintf(name, sizeof name, "DistancesToClusterCenter no.%zu", j);
        tbl_column d;
        assert_int_equal(tbl_column_init(&d, name, TBL_NUMERIC, n, NULL), 0);
        d.role = TBL_ROLE_SCORE;
        for (size_t r = 0; r < n; r++)
            d.v.f64[r] = fabs(wf_rng_normal(&rng) + (double)j + latent[r]);
        assert_int_equal(tbl_add_column(t, &d, n, NULL), 0);
    }
    free(latent);
    return t;
}

/* The projection of Evaluate Model's report on t (caller decrefs the report
 * it returns through *report). */
static json_t *projection_of(tbl_table *t, json_t **report)
{
    mod_value in[1] = {{.kind = MOD_TABLE, .table = t}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, "evaluate-model@1", "{}", in, 1, false));
    *report = mt_take_json(&ctx, 0);
    mod_ctx_clear(&ctx);
    assert_string_equal(json_string_value(json_object_get(*report, "task")), "clustering");
    json_t *model = json_array_get(json_object_get(*report, "models"), 0);
    json_t *p = json_object_get(json_object_get(model, "charts"), "projection");
    assert_true(json_is_object(p));
    return p;
}

/* numpy's answer for the columns named `prefix`...: the same standardising
 * and row sampling, the eigenvectors of the correlation matrix (largest
 * loading positive), the projected rows and the variance shares. */
static const char PEER[] =
    "cols = [c for c in df.columns if c.startswith(sys.argv[-1])]\n"
    "X = df[cols].to_numpy(dtype=float)\n"
    "n = len(X)\n"
    "step = n // 5000 if n > 5000 else 1\n"
    "fit = X[::step]\n"
    "mean = np.nanmean(fit, 0)\n"
    "sd = np.nanstd(fit, 0, ddof=1)\n"
    "def z(a):\n"
    "    with np.errstate(invalid='ignore', divide='ignore'):\n"
    "        o = (a - mean) / sd\n"
    "    o[:, ~(sd > 0)] = 0\n"
    "    o[np.isnan(o)] = 0\n"
    "    return o\n"
    "Z = z(fit)\n"
    "C = Z.T @ Z / (len(Z) - 1)\n"
    "w, v = np.linalg.eigh(C)\n"
    "o = np.argsort(w)[::-1]\n"
    "w, v = w[o], v[:, o]\n"
    "for q in range(v.shape[1]):\n"
    "    if v[np.argmax(np.abs(v[:, q])), q] < 0: v[:, q] = -v[:, q]\n"
    "m = min(n, 1000)\n"
    "idx = [i * n // m for i in range(m)]\n"
    "P = (z(X[idx]) - Z.mean(0)) @ v[:, :2]\n"
    "out({'ratio': list(w[:2] / np.trace(C)), 'points': P.tolist(),\n"
    "     'assign': df['Assignments'].to_numpy()[idx].tolist(), 'columns': cols})\n";

/* The report's projection equals numpy's. */
static void assert_matches_numpy(tbl_table *t, const char *prefix)
{
    json_t *report = NULL;
    json_t *p = projection_of(t, &report);
    /* The peer picks the columns by name; the last argument is the prefix. */
    char script[sizeof PEER + 64];
    snprintf(script, sizeof script, "sys.argv.append('%s')\n%s", prefix, PEER);
    const tbl_table *tables[] = {t};
    json_t *want = mt_pandas_json(script, tables, 1);

    json_t *got_cols = json_object_get(p, "columns");
    json_t *want_cols = json_object_get(want, "columns");
    assert_int_equal(json_array_size(got_cols), json_array_size(want_cols));
    for (size_t j = 0; j < json_array_size(want_cols); j++)
        assert_string_equal(json_string_value(json_array_get(got_cols, j)),
                            json_string_value(json_array_get(want_cols, j)));
    for (size_t q = 0; q < 2; q++)
        mt_assert_close(
            json_number_value(json_array_get(json_object_get(p, "explained_variance_ratio"), q)),
            json_array_get(json_object_get(want, "ratio"), q), 1e-9, "variance share", q);
    json_t *gp = json_object_get(p, "points"), *wp = json_object_get(want, "points");
    assert_int_equal(json_array_size(gp), json_array_size(wp));
    for (size_t i = 0; i < json_array_size(wp); i++) {
        json_t *g = json_array_get(gp, i), *w = json_array_get(wp, i);
        for (size_t q = 0; q < 2; q++)
            mt_assert_close(json_number_value(json_array_get(g, q)), json_array_get(w, q), 1e-7,
                            "projected coordinate", i);
        assert_int_equal(json_integer_value(json_array_get(g, 2)),
                         json_integer_value(json_array_get(json_object_get(want, "assign"), i)));
    }
    json_decref(want);
    json_decref(report);
}

static void projection_is_numpys_principal_components(void **state)
{
    (void)state;
    tbl_table *t = scored_table(1500, 4, 3, true, true, 11);
    assert_matches_numpy(t, "x");
    tbl_free(t);
}

static void projection_of_a_large_table_fits_on_spread_rows(void **state)
{
    (void)state;
    /* 12,000 rows: fitted on every second row, 1000 rows drawn. */
    tbl_table *t = scored_table(12000, 3, 2, false, false, 5);
    assert_matches_numpy(t, "x");
    json_t *report = NULL;
    json_t *p = projection_of(t, &report);
    assert_int_equal(json_array_size(json_object_get(p, "points")), 1000);
    assert_string_equal(json_string_value(json_object_get(p, "space")), "features");
    json_decref(report);
    tbl_free(t);
}

static void projection_uses_the_distances_without_feature_columns(void **state)
{
    (void)state;
    tbl_table *t = scored_table(300, 0, 3, false, false, 9);
    json_t *report = NULL;
    json_t *p = projection_of(t, &report);
    assert_string_equal(json_string_value(json_object_get(p, "space")), "distances");
    json_decref(report);
    assert_matches_numpy(t, "DistancesToClusterCenter");
    tbl_free(t);
}

static void projection_of_one_column_has_a_flat_second_axis(void **state)
{
    (void)state;
    tbl_table *t = scored_table(200, 1, 2, false, false, 3);
    json_t *report = NULL;
    json_t *p = projection_of(t, &report);
    json_t *ratio = json_object_get(p, "explained_variance_ratio");
    assert_true(fabs(json_number_value(json_array_get(ratio, 0)) - 1.0) < 1e-12);
    assert_true(json_number_value(json_array_get(ratio, 1)) == 0.0);
    json_t *pt;
    size_t i;
    json_array_foreach(json_object_get(p, "points"), i, pt)
    {
        assert_true(json_number_value(json_array_get(pt, 1)) == 0.0);
    }
    json_decref(report);
    assert_matches_numpy(t, "x");
    tbl_free(t);
}

static void projection_of_one_row_is_left_out(void **state)
{
    (void)state;
    /* Nothing varies in one row: the report stands, without a projection. */
    tbl_table *t = scored_table(1, 2, 1, false, false, 1);
    mod_value in[1] = {{.kind = MOD_TABLE, .table = t}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, "evaluate-model@1", "{}", in, 1, false));
    json_t *model = json_array_get(json_object_get(mt_json(&ctx, 0), "models"), 0);
    assert_true(json_is_null(json_object_get(json_object_get(model, "charts"), "projection")));
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(projection_is_numpys_principal_components),
        cmocka_unit_test(projection_of_a_large_table_fits_on_spread_rows),
        cmocka_unit_test(projection_uses_the_distances_without_feature_columns),
        cmocka_unit_test(projection_of_one_column_has_a_flat_second_axis),
        cmocka_unit_test(projection_of_one_row_is_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
