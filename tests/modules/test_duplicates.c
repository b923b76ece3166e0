/*
 * test_duplicates.c: remove-duplicate-rows@1 against pandas'
 * drop_duplicates (first and last, some keys or all columns, missing keys),
 * configure, and the errors of a bad key selection.
 */
#include "module_test.h"

/* 300 rows with many duplicates on (a, b), some missing values, and a
 * unique id. */
static tbl_table *dup_table(void)
{
    wf_rng rng = {.state = 21};
    wf_buf b = {0};
    wf_buf_puts(&b, "id,a,b,c\n");
    for (int i = 0; i < 300; i++) {
        int a = (int)wf_rng_below(&rng, 6), bb = (int)wf_rng_below(&rng, 4);
        int c = (int)wf_rng_below(&rng, 3);
        wf_buf_printf(&b, "%d,", i);
        if (a == 5)
            wf_buf_puts(&b, ",");
        else
            wf_buf_printf(&b, "%d,", a);
        if (bb == 3)
            wf_buf_puts(&b, ",");
        else
            wf_buf_printf(&b, "k%d,", bb);
        wf_buf_printf(&b, "%.1f\n", c * 0.5);
    }
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    return t;
}

static int dedup(mod_ctx *ctx, const char *params, tbl_table *in, bool schema_only)
{
    return mt_run(ctx, "remove-duplicate-rows@1", params, in, schema_only);
}

static void duplicates_match_pandas_drop_duplicates(void **state)
{
    (void)state;
    tbl_table *t = dup_table();
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "in", t);
    const char *keys[] = {"{\"include\": [{\"names\": [\"a\", \"b\"]}]}",
                          "{\"include\": [{\"names\": [\"b\"]}]}",
                          "{\"exclude\": [{\"names\": [\"id\"]}]}"};
    for (int k = 0; k < 3; k++) {
        for (int first = 0; first < 2; first++) {
            char params[256], name[16];
            snprintf(params, sizeof params,
                     "{\"key_column_selection_filter_expression\": %s,"
                     " \"retain_first_duplicate_row\": %s}",
                     keys[k], first ? "true" : "false");
            mod_ctx ctx;
            assert_int_equal(dedup(&ctx, params, t, false), 0);
            snprintf(name, sizeof name, "k%d_%d", k, first);
            mt_write_csv(dir, name, mt_table(&ctx, 0));
            mod_ctx_clear(&ctx);
        }
    }
    mt_python_check(dir,
                    "I = load('in')\n"
                    "subsets = (['a', 'b'], ['b'], ['a', 'b', 'c'])\n"
                    "for k, s in enumerate(subsets):\n"
                    "    for first, keep in ((1, 'first'), (0, 'last')):\n"
                    "        want = I.drop_duplicates(subset=s, keep=keep)\n"
                    "        same_frame(load('k%d_%d' % (k, first)), want, '%s %s' % (s, keep),"
                    " ordered=True)\n"
                    "if len(I.drop_duplicates(subset=['a', 'b'])) != 24: fail('6 x 4 keys')\n"
                    "print('OK')\n");
    mt_rmtree(dir);
    tbl_free(t);
}

static void duplicates_default_to_every_column(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("a,b\n1,x\n1,x\n1,y\n2,x\n1,x\n");
    mod_ctx ctx;
    assert_int_equal(dedup(&ctx, "{}", t, false), 0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->nrows, 3);
    assert_int_equal(out->cols[0].v.i64[2], 2);
    mod_ctx_clear(&ctx);
    /* Text compares with its case. */
    tbl_table *c = mt_csv("a\nX\nx\nX\n");
    assert_int_equal(dedup(&ctx, "{}", c, false), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 2);
    mod_ctx_clear(&ctx);
    tbl_free(c);
    tbl_free(t);
}

static void duplicates_configure_and_bad_keys(void **state)
{
    (void)state;
    tbl_table *t = dup_table();
    mod_ctx ctx;
    assert_int_equal(dedup(&ctx, "{}", t, true), 0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 4);
    mod_ctx_clear(&ctx);
    assert_int_equal(dedup(&ctx,
                           "{\"key_column_selection_filter_expression\": {\"include\": "
                           "[{\"names\": [\"zz\"]}]}}",
                           t, true),
                     WF_ENOTFOUND);
    mt_assert_contains(mt_field_error(&ctx, "key_column_selection_filter_expression"), "zz");
    mod_ctx_clear(&ctx);
    assert_int_equal(dedup(&ctx,
                           "{\"key_column_selection_filter_expression\": {\"include\": "
                           "[{\"type\": \"datetime\"}]}}",
                           t, false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "key_column_selection_filter_expression"),
                       "matches no column");
    mod_ctx_clear(&ctx);
    assert_int_equal(dedup(&ctx, "{\"retain_first_duplicate_row\": \"yes\"}", t, false), WF_ETYPE);
    assert_non_null(mt_field_error(&ctx, "retain_first_duplicate_row"));
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(duplicates_match_pandas_drop_duplicates),
        cmocka_unit_test(duplicates_default_to_every_column),
        cmocka_unit_test(duplicates_configure_and_bad_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
