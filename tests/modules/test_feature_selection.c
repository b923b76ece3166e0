/*
 * test_feature_selection.c: filter-based-feature-selection@1. Every scoring
 * method is checked in Python against scipy.stats (pearsonr, spearmanr,
 * kendalltau's tau-b, chi2_contingency without correction) and
 * scikit-learn's mutual_info_score on the same levels, and the Fisher score
 * against numpy, for a numeric and a text target, with missing values, ties,
 * integer, boolean and text columns. Also: which columns are candidates,
 * the chosen columns and their order, the transform and its apply,
 * configure, and the errors.
 */
#include "module_test.h"

#include <math.h>

/* 300 rows: y = 2a + noise; b weakly tied to y; c noise; d a small integer
 * (many ties); e a boolean; word text following y; clear a feature given
 * the clear role; lab a second label. group is y cut in three, as text.
 * Some values are missing. */
static tbl_table *fs_table(void)
{
    wf_rng rng = {.state = 99};
    wf_buf b = {0};
    wf_buf_puts(&b, "a,b,c,d,e,word,clear,lab,y,group\n");
    for (int i = 0; i < 300; i++) {
        double a = wf_rng_normal(&rng), noise = wf_rng_normal(&rng);
        double y = 2 * a + noise;
        if (i % 17 == 0)
            wf_buf_puts(&b, ",");
        else
            wf_buf_printf(&b, "%.6f,", a);
        wf_buf_printf(&b, "%.6f,%.6f,", 0.3 * y + wf_rng_normal(&rng), wf_rng_normal(&rng));
        wf_buf_printf(&b, "%d,%s,", (int)floor(y) % 4,
                      a + wf_rng_normal(&rng) > 0 ? "true" : "false");
        if (i % 11 == 0)
            wf_buf_puts(&b, ",");
        else
            wf_buf_printf(&b, "%s,", y > 1 ? "high" : y > -1 ? "mid" : "low");
        wf_buf_printf(&b, "%.6f,%d,", a * 3, i % 2);
        if (i % 23 == 0)
            wf_buf_puts(&b, ",");
        else
            wf_buf_printf(&b, "%.6f,", y);
        wf_buf_printf(&b, "%s\n", y > 1.5 ? "G3" : y > -0.5 ? "G2" : "G1");
    }
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    t->cols[tbl_find_column(t, "clear")].role = TBL_ROLE_CLEAR;
    t->cols[tbl_find_column(t, "lab")].role = TBL_ROLE_LABEL;
    return t;
}

static int select_features(mod_ctx *ctx, const char *params, tbl_table *in, bool schema_only)
{
    return mt_run(ctx, "filter-based-feature-selection@1", params, in, schema_only);
}

static const char *const methods[] = {
    "pearson-correlation", "mutual-information", "kendall-correlation", "spearman-correlation",
    "chi-squared",         "fisher-score",       "count-based"};

static void feature_scores_match_scipy_and_sklearn(void **state)
{
    (void)state;
    tbl_table *t = fs_table();
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "in", t);
    const char *targets[] = {"y", "group"};
    for (int g = 0; g < 2; g++) {
        for (int m = 0; m < 7; m++) {
            for (int only = 0; only < 2; only++) {
                char params[256], name[96];
                snprintf(params, sizeof params,
                         "{\"feature_scoring_method\": \"%s\", \"target_column\": \"%s\","
                         " \"number_of_desired_features\": 3,"
                         " \"operate_on_feature_columns_only\": %s}",
                         methods[m], targets[g], only ? "true" : "false");
                mod_ctx ctx;
                assert_int_equal(select_features(&ctx, params, t, false), 0);
                snprintf(name, sizeof name, "%s_%s_%d", targets[g], methods[m], only);
                mt_write_csv(dir, name, mt_table(&ctx, 1));
                snprintf(name, sizeof name, "%s_%s_%d_data", targets[g], methods[m], only);
                mt_write_csv(dir, name, mt_table(&ctx, 0));
                mod_ctx_clear(&ctx);
            }
        }
    }
    mt_python_check(
        dir,
        "from scipy import stats\n"
        "from sklearn.metrics import mutual_info_score\n"
        "I = load('in')\n"
        "numeric = {'a', 'b', 'c', 'd', 'e', 'clear', 'y'}\n"
        "def levels(s, c):\n"
        "    if c in numeric:\n"
        "        x = s.astype(float).to_numpy()\n"
        "        u = np.unique(x)\n"
        "        if len(u) <= 10: return np.searchsorted(u, x)\n"
        "        lo, hi = x.min(), x.max()\n"
        "        return np.minimum(np.floor((x - lo) / (hi - lo) * 10), 9).astype(int)\n"
        "    return pd.factorize(s)[0]\n"
        "def score(method, f, t):\n"
        "    if method == 'count-based':\n"
        "        return float(((I[f] != 0) & I[f].notna()).sum()) if f in numeric else 0.0\n"
        "    if method not in ('chi-squared', 'mutual-information') and f not in numeric:\n"
        "        return np.nan\n"
        "    D = I[[f, t]].dropna()\n"
        "    x, y = D[f], D[t]\n"
        "    lx, ly = levels(x, f), levels(y, t)\n"
        "    if method == 'chi-squared':\n"
        "        return stats.chi2_contingency(pd.crosstab(lx, ly), correction=False)[0]\n"
        "    if method == 'mutual-information':\n"
        "        return mutual_info_score(ly, lx)\n"
        "    x = x.astype(float).to_numpy()\n"
        "    if method == 'fisher-score':\n"
        "        mu = x.mean()\n"
        "        between = sum((ly == k).sum() * (x[ly == k].mean() - mu) ** 2 for k in "
        "set(ly))\n"
        "        within = sum(((x[ly == k] - x[ly == k].mean()) ** 2).sum() for k in set(ly))\n"
        "        return between / within\n"
        "    if t in numeric:\n"
        "        yv = y.astype(float).to_numpy()\n"
        "    else:  # Azure: correlate with the column's mean per target value\n"
        "        yv = D.groupby(t)[f].transform('mean').astype(float).to_numpy()\n"
        "    r = {'pearson-correlation': lambda: stats.pearsonr(x, yv)[0],\n"
        "         'spearman-correlation': lambda: stats.spearmanr(x, yv)[0],\n"
        "         'kendall-correlation': lambda: stats.kendalltau(x, yv)[0]}[method]()\n"
        "    return abs(r)\n"
        "methods = ['pearson-correlation', 'mutual-information', 'kendall-correlation',\n"
        "           'spearman-correlation', 'chi-squared', 'fisher-score', 'count-based']\n"
        "for t in ('y', 'group'):\n"
        "    for m in methods:\n"
        "        for only in (0, 1):\n"
        "            cands = [c for c in ['a', 'b', 'c', 'd', 'e', 'word', 'clear', 'y', "
        "'group'] if c != t and not (only and c == 'clear')]\n"
        "            want = pd.DataFrame({'Feature': cands, 'Score': [score(m, c, t) for c in "
        "cands]})\n"
        "            want['order'] = range(len(want))\n"
        "            want['missing'] = want['Score'].isna()\n"
        "            want = want.sort_values(['missing', 'Score', 'order'], ascending=[True, "
        "False, True])\n"
        "            got = load('%s_%s_%d' % (t, m, only))\n"
        "            what = '%s against %s (%s)' % (m, t, 'features only' if only else 'all')\n"
        "            same_frame(got, want[['Feature', 'Score']].reset_index(drop=True), what, "
        "ordered=True)\n"
        "            keep = [f for f, s in zip(want['Feature'], want['Score']) if not pd.isna(s) "
        "and not (m == 'count-based' and s == 0)][:3]\n"
        "            data = load('%s_%s_%d_data' % (t, m, only))\n"
        "            if list(data.columns) != [t] + keep:\n"
        "                fail('%s: columns %s, expected %s' % (what, list(data.columns), [t] + "
        "keep))\n"
        "top = load('y_pearson-correlation_1')\n"
        "if top['Feature'][0] != 'a': fail('a should predict y best')\n"
        "print('OK')\n");
    mt_rmtree(dir);
    tbl_free(t);
}

static void feature_selection_on_discrete_data_matches_sklearn_mutual_info_classif(void **state)
{
    (void)state;
    /* Discrete data: scikit-learn's estimator with discrete_features=True
     * is the plug-in estimate weft computes. */
    wf_rng rng = {.state = 8};
    wf_buf b = {0};
    wf_buf_puts(&b, "u,v,w,target\n");
    for (int i = 0; i < 400; i++) {
        int target = (int)wf_rng_below(&rng, 3);
        int u = (target + (int)wf_rng_below(&rng, 2)) % 4;
        wf_buf_printf(&b, "%d,c%d,%d,t%d\n", u, (int)wf_rng_below(&rng, 5),
                      (int)wf_rng_below(&rng, 7) - 3, target);
    }
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    mod_ctx ctx;
    assert_int_equal(select_features(&ctx,
                                     "{\"feature_scoring_method\": \"mutual-information\","
                                     " \"target_column\": \"target\","
                                     " \"number_of_desired_features\": 2}",
                                     t, false),
                     0);
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "in", t);
    mt_write_csv(dir, "scores", mt_table(&ctx, 1));
    mt_python_check(dir, "from sklearn.feature_selection import mutual_info_classif\n"
                         "I, S = load('in'), load('scores')\n"
                         "X = np.column_stack([pd.factorize(I[c])[0] for c in ('u', 'v', 'w')])\n"
                         "mi = mutual_info_classif(X, I['target'], discrete_features=True)\n"
                         "got = dict(zip(S['Feature'], S['Score']))\n"
                         "for c, want in zip(('u', 'v', 'w'), mi):\n"
                         "    if not np.isclose(got[c], want, rtol=1e-9, atol=1e-12):\n"
                         "        fail('%s: %r, expected %r' % (c, got[c], want))\n"
                         "if S['Feature'][0] != 'u': fail('u carries the target')\n"
                         "print('OK')\n");
    mt_rmtree(dir);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void feature_selection_transform_applies_to_scoring_data(void **state)
{
    (void)state;
    tbl_table *t = fs_table();
    mod_ctx ctx;
    assert_int_equal(select_features(&ctx,
                                     "{\"target_column\": \"y\","
                                     " \"number_of_desired_features\": 2}",
                                     t, false),
                     0);
    const tbl_table *data = mt_table(&ctx, 0);
    assert_int_equal(data->ncols, 3);
    assert_string_equal(data->cols[0].name, "y");
    assert_string_equal(data->cols[1].name, "a");
    assert_int_equal(data->nrows, 300);
    const json_t *transform = ctx.outputs[2].json;
    assert_non_null(transform);
    assert_string_equal(json_string_value(json_object_get(transform, "module")),
                        "filter-based-feature-selection@1");
    assert_string_equal(json_string_value(json_object_get(transform, "kind")), "transform");
    /* Apply Transformation with it on the training table gives the module's
     * own output. */
    mod_ctx apply;
    assert_int_equal(mod_ctx_init(&apply, mod_find("apply-transformation@1"), NULL), 0);
    apply.on_log = ctx.on_log;
    apply.inputs[0].json = json_incref((json_t *)transform);
    apply.inputs[1].table = t;
    apply.inputs[1].borrowed = true;
    assert_int_equal(apply.module->run(&apply), 0);
    const tbl_table *again = apply.outputs[0].table;
    assert_int_equal(again->ncols, data->ncols);
    for (size_t j = 0; j < data->ncols; j++) {
        assert_string_equal(again->cols[j].name, data->cols[j].name);
        assert_memory_equal(again->cols[j].v.f64, data->cols[j].v.f64, 300 * sizeof(double));
    }
    mod_ctx_clear(&apply);
    /* Scoring data has no target; its columns come in another order. */
    tbl_table *scoring = mt_csv("e,d,c,b,a,word\ntrue,1,1,2,3,x\nfalse,2,4,5,6,y\n");
    tbl_table *out = NULL;
    assert_int_equal(ctx.module->apply(&ctx, transform, scoring, &out), 0);
    assert_int_equal(out->ncols, 2);
    assert_string_equal(out->cols[0].name, data->cols[1].name);
    assert_string_equal(out->cols[1].name, data->cols[2].name);
    assert_int_equal(out->nrows, 2);
    tbl_free(out);
    /* A chosen column that the data lacks is named. */
    tbl_table *lacking = mt_csv("c,b\n1,2\n");
    out = NULL;
    assert_int_equal(ctx.module->apply(&ctx, transform, lacking, &out), WF_ENOTFOUND);
    mt_assert_contains(ctx.err.message, "no column \"a\"");
    assert_null(out);
    tbl_free(lacking);
    tbl_free(scoring);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void feature_selection_configure_and_errors(void **state)
{
    (void)state;
    tbl_table *t = fs_table();
    mod_ctx ctx;
    assert_int_equal(select_features(&ctx, "{\"target_column\": \"y\"}", t, true), 0);
    assert_null(ctx.outputs[0].table); /* which columns stay depends on the data */
    const tbl_table *scores = mt_table(&ctx, 1);
    assert_int_equal(scores->ncols, 2);
    assert_string_equal(scores->cols[1].name, "Score");
    mod_ctx_clear(&ctx);

    assert_int_equal(select_features(&ctx, "{}", t, true), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "target_column"), "choose the target column");
    mod_ctx_clear(&ctx);
    assert_int_equal(select_features(&ctx, "{\"target_column\": \"price\"}", t, false),
                     WF_ENOTFOUND);
    mt_assert_contains(mt_field_error(&ctx, "target_column"), "no column named \"price\"");
    mod_ctx_clear(&ctx);
    assert_int_equal(select_features(&ctx,
                                     "{\"target_column\": \"y\", \"feature_scoring_method\":"
                                     " \"lasso\"}",
                                     t, false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "feature_scoring_method"), "is not one of");
    mod_ctx_clear(&ctx);
    assert_int_equal(select_features(&ctx,
                                     "{\"target_column\": \"y\","
                                     " \"number_of_desired_features\": 0}",
                                     t, false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "number_of_desired_features"), "below the minimum");
    mod_ctx_clear(&ctx);

    /* Count-based needs no target; zero counts are not kept. */
    tbl_table *z = mt_csv("p,q,r\n0,1,x\n0,2,y\n0,,z\n");
    assert_int_equal(select_features(&ctx,
                                     "{\"feature_scoring_method\": \"count-based\","
                                     " \"number_of_desired_features\": 5}",
                                     z, false),
                     0);
    const tbl_table *kept = mt_table(&ctx, 0);
    assert_int_equal(kept->ncols, 1);
    assert_string_equal(kept->cols[0].name, "q");
    mod_ctx_clear(&ctx);

    /* A target without values; no candidate column. */
    tbl_table *empty = mt_csv("x,y\n1,\n2,\n");
    assert_int_equal(empty->cols[1].type, TBL_STRING);
    assert_int_equal(select_features(&ctx, "{\"target_column\": \"y\"}", empty, false), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "target_column"), "\"y\" has no values");
    mod_ctx_clear(&ctx);
    tbl_table *alone = mt_csv("y\n1\n2\n");
    assert_int_equal(select_features(&ctx, "{\"target_column\": \"y\"}", alone, false), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "operate_on_feature_columns_only"),
                       "no column to score");
    mod_ctx_clear(&ctx);
    tbl_free(alone);
    tbl_free(empty);
    tbl_free(z);
    tbl_free(t);
}

static void feature_selection_scores_constant_columns_zero(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("k,x,y\n1,1,1\n1,2,3\n1,3,2\n1,4,5\n");
    for (int m = 0; m < 6; m++) {
        char params[160];
        snprintf(params, sizeof params,
                 "{\"feature_scoring_method\": \"%s\", \"target_column\": \"y\"}", methods[m]);
        mod_ctx ctx;
        assert_int_equal(select_features(&ctx, params, t, false), 0);
        const tbl_table *s = mt_table(&ctx, 1);
        /* x first, constant k last with 0 (Fisher: no spread at all). */
        assert_int_equal(s->nrows, 2);
        size_t len;
        assert_memory_equal(tbl_strings_at(&s->cols[0].str, 1, &len), "k", 1);
        assert_true(s->cols[1].v.f64[1] == 0);
        mod_ctx_clear(&ctx);
    }
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(feature_scores_match_scipy_and_sklearn),
        cmocka_unit_test(feature_selection_on_discrete_data_matches_sklearn_mutual_info_classif),
        cmocka_unit_test(feature_selection_transform_applies_to_scoring_data),
        cmocka_unit_test(feature_selection_configure_and_errors),
        cmocka_unit_test(feature_selection_scores_constant_columns_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
