/*
 * test_summarize.c: summarize-data@1 against numpy, scipy and pandas: every
 * statistic of every column type, with missing values, constant columns and
 * columns too short for a variance, skewness or kurtosis; the output's
 * schema in configure; and a missing input.
 */
#include "module_test.h"

#include <math.h>

static tbl_table *stats_table(void)
{
    wf_rng rng = {.state = 5};
    wf_buf b = {0};
    wf_buf_puts(&b, "normal,skewed,ints,flag,word,when,const,tiny,pair,empty\n");
    for (int i = 0; i < 257; i++) {
        double z = wf_rng_normal(&rng);
        wf_buf_printf(&b, "%.6f,%.6f,", 50 + 10 * z, exp(wf_rng_normal(&rng)));
        if (i % 13 == 0)
            wf_buf_puts(&b, ",");
        else
            wf_buf_printf(&b, "%d,", (int)wf_rng_below(&rng, 9) - 3);
        wf_buf_printf(&b, "%s,", wf_rng_below(&rng, 3) == 0 ? "true" : "false");
        if (i % 7 == 0)
            wf_buf_puts(&b, ",");
        else
            wf_buf_printf(&b, "w%d,", (int)wf_rng_below(&rng, 5));
        wf_buf_printf(&b, "2020-01-%02d,7,", 1 + (int)wf_rng_below(&rng, 28));
        wf_buf_printf(&b, i < 3 ? "%d," : ",", i * i);
        wf_buf_printf(&b, i < 2 ? "%d," : ",", 3 - i);
        wf_buf_puts(&b, "\n");
    }
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    return t;
}

static int summarize(mod_ctx *ctx, tbl_table *in, bool schema_only)
{
    return mt_run(ctx, "summarize-data@1", "{}", in, schema_only);
}

static void summarize_matches_numpy_scipy_and_pandas(void **state)
{
    (void)state;
    tbl_table *t = stats_table();
    assert_int_equal(t->cols[2].type, TBL_INTEGER);
    assert_int_equal(t->cols[3].type, TBL_BOOLEAN);
    assert_int_equal(t->cols[5].type, TBL_DATETIME);
    mod_ctx ctx;
    assert_int_equal(summarize(&ctx, t, false), 0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->nrows, t->ncols);
    assert_int_equal(out->ncols, 22);
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "in", t);
    mt_write_csv(dir, "out", out);
    mt_python_check(
        dir,
        "from scipy import stats\n"
        "I, O = load('in'), load('out')\n"
        "names = ['Feature', 'Count', 'Unique Value Count', 'Missing Value Count', 'Min', "
        "'Max', 'Mean', 'Mean Deviation', '1st Quartile', 'Median', '3rd Quartile', 'Mode', "
        "'Range', 'Sample Variance', 'Sample Standard Deviation', 'Sample Skewness', "
        "'Sample Kurtosis', 'P0.5', 'P1', 'P5', 'P95', 'P99.5']\n"
        "if list(O.columns) != names: fail('columns %s' % list(O.columns))\n"
        "if list(O['Feature']) != list(I.columns): fail('features %s' % list(O['Feature']))\n"
        "numeric = ['normal', 'skewed', 'ints', 'flag', 'const', 'tiny', 'pair']\n"
        "def expect(c):\n"
        "    s = I[c]\n"
        "    e = {'Count': s.count(), 'Unique Value Count': s.nunique(),\n"
        "         'Missing Value Count': s.isna().sum()}\n"
        "    x = s.dropna().astype(float).to_numpy() if c in numeric else np.array([])\n"
        "    if len(x) == 0:\n"
        "        return e\n"
        "    q = lambda p: np.percentile(x, p)\n"
        "    v = pd.Series(x)\n"
        "    e.update({'Min': x.min(), 'Max': x.max(), 'Mean': x.mean(),\n"
        "        'Mean Deviation': np.abs(x - x.mean()).mean(), '1st Quartile': q(25),\n"
        "        'Median': np.median(x), '3rd Quartile': q(75),\n"
        "        'Mode': stats.mode(x, keepdims=False).mode, 'Range': np.ptp(x),\n"
        "        'Sample Variance': v.var(), 'Sample Standard Deviation': v.std(),\n"
        "        'Sample Skewness': v.skew(), 'Sample Kurtosis': v.kurt(), 'P0.5': q(0.5),\n"
        "        'P1': q(1), 'P5': q(5), 'P95': q(95), 'P99.5': q(99.5)})\n"
        "    return e\n"
        "for i, c in enumerate(I.columns):\n"
        "    e = expect(c)\n"
        "    for k in names[1:]:\n"
        "        got, want = O[k][i], e.get(k, np.nan)\n"
        "        if pd.isna(want) and pd.isna(got): continue\n"
        "        if pd.isna(want) or pd.isna(got) or not np.isclose(got, want, rtol=1e-9, "
        "atol=1e-12):\n"
        "            fail('%s, %s: %r, expected %r' % (c, k, got, want))\n"
        "# the cases that must be there\n"
        "row = dict(zip(O['Feature'], range(len(O))))\n"
        "if O['Sample Skewness'][row['const']] != 0: fail('a constant has no skew')\n"
        "if not pd.isna(O['Sample Kurtosis'][row['tiny']]): fail('3 values have no kurtosis')\n"
        "if not pd.isna(O['Sample Skewness'][row['pair']]): fail('2 values have no skewness')\n"
        "if O['Count'][row['empty']] != 0: fail('empty column')\n"
        "print('OK')\n");
    mt_rmtree(dir);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void summarize_example_in_the_help_holds(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("price\n1\n2\n2\n5\n");
    mod_ctx ctx;
    assert_int_equal(summarize(&ctx, t, false), 0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->cols[1].v.i64[0], 4);
    assert_int_equal(out->cols[2].v.i64[0], 3);
    assert_true(out->cols[6].v.f64[0] == 2.5);
    assert_true(out->cols[9].v.f64[0] == 2);
    assert_true(out->cols[11].v.f64[0] == 2);
    assert_true(out->cols[12].v.f64[0] == 4);
    assert_true(out->cols[13].v.f64[0] == 3);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void summarize_configure_gives_the_schema(void **state)
{
    (void)state;
    tbl_table *t = stats_table();
    mod_ctx ctx;
    assert_int_equal(summarize(&ctx, t, true), 0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->nrows, 0);
    assert_int_equal(out->ncols, 22);
    assert_string_equal(out->cols[0].name, "Feature");
    assert_int_equal(out->cols[0].type, TBL_STRING);
    assert_int_equal(out->cols[3].type, TBL_INTEGER);
    assert_string_equal(out->cols[21].name, "P99.5");
    assert_int_equal(out->cols[21].type, TBL_NUMERIC);
    mod_ctx_clear(&ctx);
    /* A run needs its input. */
    assert_int_equal(mt_run(&ctx, "summarize-data@1", "{}", NULL, false), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "input \"dataset\" is missing");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(summarize_matches_numpy_scipy_and_pandas),
        cmocka_unit_test(summarize_example_in_the_help_holds),
        cmocka_unit_test(summarize_configure_gives_the_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
