/*
 * test_partition.c: partition-and-sample@1 in its four modes: head,
 * sampling (rounded rate, seed, uniformity, strata checked with pandas),
 * assign-to-folds (even and proportional folds, round robin, strata) and
 * pick-fold (a fold and its complement, checked with pandas); configure's
 * schemas; and the errors (rate outside (0, 1], fold out of range, no Fold
 * column, bad proportions, an unknown stratification column).
 */
#include "module_test.h"

/* n rows: id = 0..n-1, class cycling through "a" (half), "b" (a third)
 * and "c" (the rest), x = id / 10. */
static tbl_table *rows_table(size_t n)
{
    wf_buf b = {0};
    wf_buf_puts(&b, "id,class,x\n");
    for (size_t i = 0; i < n; i++) {
        size_t k = i % 6;
        wf_buf_printf(&b, "%zu,%s,%g\n", i, k < 3 ? "a" : k < 5 ? "b" : "c", (double)i / 10);
    }
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    return t;
}

static int part(mod_ctx *ctx, const char *params, tbl_table *in, bool schema_only)
{
    return mt_run(ctx, "partition-and-sample@1", params, in, schema_only);
}

/* ---- head ---------------------------------------------------------------- */

static void head_takes_the_first_rows(void **state)
{
    (void)state;
    tbl_table *t = rows_table(20);
    mod_ctx ctx;
    assert_int_equal(
        part(&ctx, "{\"partition_or_sample_mode\": \"head\", \"number_of_rows_to_select\": 3}", t,
             false),
        0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->nrows, 3);
    assert_int_equal(out->ncols, 3);
    for (int64_t i = 0; i < 3; i++)
        assert_int_equal(out->cols[0].v.i64[i], i);
    mod_ctx_clear(&ctx);
    /* More rows than there are: all of them; none: just the schema. */
    assert_int_equal(
        part(&ctx, "{\"partition_or_sample_mode\": \"head\", \"number_of_rows_to_select\": 99}", t,
             false),
        0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 20);
    mod_ctx_clear(&ctx);
    assert_int_equal(
        part(&ctx, "{\"partition_or_sample_mode\": \"head\", \"number_of_rows_to_select\": 0}", t,
             false),
        0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 3);
    mod_ctx_clear(&ctx);
    assert_int_equal(
        part(&ctx, "{\"partition_or_sample_mode\": \"head\", \"number_of_rows_to_select\": -1}", t,
             false),
        WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "number_of_rows_to_select"), "below the minimum");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

/* ---- sampling ------------------------------------------------------------ */

static void sampling_keeps_the_rounded_rate_reproducibly(void **state)
{
    (void)state;
    tbl_table *t = rows_table(1000);
    mod_ctx a, b, c;
    const char *p7 = "{\"rate_of_sampling\": 0.1234, \"random_seed_for_sampling\": 7}";
    assert_int_equal(part(&a, p7, t, false), 0);
    assert_int_equal(part(&b, p7, t, false), 0);
    assert_int_equal(
        part(&c, "{\"rate_of_sampling\": 0.1234, \"random_seed_for_sampling\": 8}", t, false), 0);
    const tbl_table *sa = mt_table(&a, 0);
    assert_int_equal(sa->nrows, 123); /* 123.4 rounds to 123 */
    assert_true(mt_ids_ascend(sa));
    assert_memory_equal(sa->cols[0].v.i64, mt_table(&b, 0)->cols[0].v.i64, 123 * sizeof(int64_t));
    assert_memory_not_equal(sa->cols[0].v.i64, mt_table(&c, 0)->cols[0].v.i64,
                            123 * sizeof(int64_t));
    mod_ctx_clear(&a);
    mod_ctx_clear(&b);
    mod_ctx_clear(&c);
    /* The default mode is sampling, at 1%. */
    assert_int_equal(part(&a, "{}", t, false), 0);
    assert_int_equal(mt_table(&a, 0)->nrows, 10);
    mod_ctx_clear(&a);
    tbl_free(t);
}

static void sampling_chooses_rows_uniformly(void **state)
{
    (void)state;
    /* Over 400 seeds, each of 50 rows is drawn at rate 0.2: 80 times
     * expected, with a standard deviation of 8. */
    tbl_table *t = rows_table(50);
    int hits[50] = {0};
    for (int seed = 0; seed < 400; seed++) {
        char params[128];
        snprintf(params, sizeof params,
                 "{\"rate_of_sampling\": 0.2, \"random_seed_for_sampling\": %d}", seed);
        mod_ctx ctx;
        assert_int_equal(part(&ctx, params, t, false), 0);
        const tbl_table *out = mt_table(&ctx, 0);
        assert_int_equal(out->nrows, 10);
        for (size_t r = 0; r < out->nrows; r++)
            hits[out->cols[0].v.i64[r]]++;
        mod_ctx_clear(&ctx);
    }
    for (int i = 0; i < 50; i++)
        if (hits[i] < 48 || hits[i] > 112) fail_msg("row %d drawn %d times of 400", i, hits[i]);
    tbl_free(t);
}

static void sampling_stratified_keeps_each_share(void **state)
{
    (void)state;
    tbl_table *t = rows_table(997);
    mod_ctx ctx;
    assert_int_equal(part(&ctx,
                          "{\"rate_of_sampling\": 0.3, \"random_seed_for_sampling\": 5,"
                          " \"stratified_split_for_sampling\": true,"
                          " \"stratification_key_column_for_sampling\": \"class\"}",
                          t, false),
                     0);
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "in", t);
    mt_write_csv(dir, "out", mt_table(&ctx, 0));
    mt_python_check(dir, "I, O = load('in'), load('out')\n"
                         "want = np.floor(I.groupby('class').size() * 0.3 + 0.5).astype(int)\n"
                         "got = O.groupby('class').size()\n"
                         "if not got.equals(want): fail('strata %s, expected %s' % (dict(got), "
                         "dict(want)))\n"
                         "# every sampled row is an input row, in input order\n"
                         "same_frame(O, I[I['id'].isin(O['id'])], 'rows', ordered=True)\n"
                         "print('OK')\n");
    mt_rmtree(dir);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void sampling_rejects_a_rate_outside_0_1(void **state)
{
    (void)state;
    tbl_table *t = rows_table(10);
    mod_ctx ctx;
    const char *bad[] = {"0", "1.5", "-0.1"};
    const char *why[] = {"must be above 0 and at most 1", "above the maximum, 1",
                         "below the minimum, 0"};
    for (int i = 0; i < 3; i++) {
        char params[128];
        snprintf(params, sizeof params, "{\"rate_of_sampling\": %s}", bad[i]);
        for (int schema = 0; schema < 2; schema++) {
            assert_int_equal(part(&ctx, params, t, schema), WF_EINVAL);
            mt_assert_contains(mt_field_error(&ctx, "rate_of_sampling"), why[i]);
            assert_null(ctx.outputs[0].table);
            mod_ctx_clear(&ctx);
        }
    }
    /* A rate of exactly 1 keeps everything. */
    assert_int_equal(part(&ctx, "{\"rate_of_sampling\": 1}", t, false), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 10);
    mod_ctx_clear(&ctx);
    /* Stratified on a column that is not there. */
    assert_int_equal(part(&ctx,
                          "{\"rate_of_sampling\": 0.5, \"stratified_split_for_sampling\": true,"
                          " \"stratification_key_column_for_sampling\": \"label\"}",
                          t, true),
                     WF_ENOTFOUND);
    mt_assert_contains(ctx.err.message, "parameter \"stratification_key_column_for_sampling\": no "
                                        "column named \"label\"");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

/* ---- assign to folds ----------------------------------------------------- */

#define ASSIGN "\"partition_or_sample_mode\": \"assign-to-folds\""

static void assign_to_folds_deals_rows_out_evenly(void **state)
{
    (void)state;
    tbl_table *t = rows_table(103);
    mod_ctx ctx;
    /* Not randomized: round robin in table order. */
    assert_int_equal(part(&ctx, "{" ASSIGN ", \"randomized_split\": false}", t, false), 0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->ncols, 4);
    const tbl_column *fold = &out->cols[3];
    assert_string_equal(fold->name, "Fold");
    assert_int_equal(fold->type, TBL_INTEGER);
    assert_int_equal(fold->role, TBL_ROLE_CLEAR);
    for (size_t r = 0; r < 103; r++)
        assert_int_equal(fold->v.i64[r], (int64_t)(r % 5) + 1);
    mod_ctx_clear(&ctx);

    /* Randomized: still balanced, reproducible, and not round robin. */
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    for (int seed = 1; seed <= 2; seed++) {
        char params[160], name[16];
        snprintf(params, sizeof params,
                 "{" ASSIGN ", \"random_seed\": %d,"
                 " \"specify_how_many_folds_to_split_evenly_into\": 4}",
                 seed);
        assert_int_equal(part(&ctx, params, t, false), 0);
        snprintf(name, sizeof name, "s%d", seed);
        mt_write_csv(dir, name, mt_table(&ctx, 0));
        mod_ctx_clear(&ctx);
    }
    assert_int_equal(part(&ctx,
                          "{" ASSIGN ", \"random_seed\": 1,"
                          " \"specify_how_many_folds_to_split_evenly_into\": 4}",
                          t, false),
                     0);
    mt_write_csv(dir, "again", mt_table(&ctx, 0));
    mod_ctx_clear(&ctx);
    mt_python_check(dir,
                    "a, b, c = load('s1'), load('s2'), load('again')\n"
                    "for f in (a, b):\n"
                    "    n = f['Fold'].value_counts().sort_index()\n"
                    "    if list(n.index) != [1, 2, 3, 4] or n.max() - n.min() > 1:\n"
                    "        fail('unbalanced folds %s' % dict(n))\n"
                    "    if (f['Fold'] == np.arange(len(f)) % 4 + 1).all(): fail('round robin')\n"
                    "if not a.equals(c): fail('the same seed gave other folds')\n"
                    "if a['Fold'].equals(b['Fold']): fail('two seeds gave the same folds')\n"
                    "if list(a['id']) != list(range(103)): fail('rows moved')\n"
                    "print('OK')\n");
    mt_rmtree(dir);
    tbl_free(t);
}

static void assign_to_folds_stratified_spreads_every_class(void **state)
{
    (void)state;
    tbl_table *t = rows_table(211);
    mod_ctx ctx;
    assert_int_equal(part(&ctx,
                          "{" ASSIGN ", \"random_seed\": 3, \"stratified_split\": true,"
                          " \"stratification_key_column\": \"class\"}",
                          t, false),
                     0);
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "out", mt_table(&ctx, 0));
    mt_python_check(dir,
                    "O = load('out')\n"
                    "n = O.groupby(['class', 'Fold']).size().unstack(fill_value=0)\n"
                    "if list(n.columns) != [1, 2, 3, 4, 5]: fail('folds %s' % list(n.columns))\n"
                    "spread = (n.max(axis=1) - n.min(axis=1)).max()\n"
                    "if spread > 1: fail('a class is spread unevenly:\\n%s' % n)\n"
                    "sizes = O['Fold'].value_counts()\n"
                    "if sizes.max() - sizes.min() > 1: fail('fold sizes %s' % dict(sizes))\n"
                    "print('OK')\n");
    mt_rmtree(dir);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void assign_to_folds_in_proportions(void **state)
{
    (void)state;
    tbl_table *t = rows_table(101);
    mod_ctx ctx;
    /* 0.5 and 0.3 leave 0.2 for a third fold: 51, 30 and 20 rows (50.5
     * rounds up, 80.8 to 81). */
    assert_int_equal(part(&ctx,
                          "{" ASSIGN ", \"specify_the_partitioner_method\":"
                          " \"partition-with-customized-proportions\","
                          " \"list_of_proportions_separated_by_comma\": \" 0.5, .3 \"}",
                          t, false),
                     0);
    const tbl_column *fold = &mt_table(&ctx, 0)->cols[3];
    size_t count[4] = {0};
    for (size_t r = 0; r < 101; r++) {
        assert_true(fold->v.i64[r] >= 1 && fold->v.i64[r] <= 3);
        count[fold->v.i64[r]]++;
    }
    assert_int_equal(count[1], 51);
    assert_int_equal(count[2], 30);
    assert_int_equal(count[3], 20);
    mod_ctx_clear(&ctx);

    const char *bad[] = {"0.6, 0.6", "0.5, x", "", "0.5,,0.2", "0, 0.5"};
    const char *why[] = {"add up to 1.2, more than 1", "proportion 2 (\"x\")", "list the share",
                         "proportion 2 (\"\")", "proportion 1 (\"0\")"};
    for (int i = 0; i < 5; i++) {
        char params[256];
        snprintf(params, sizeof params,
                 "{" ASSIGN ", \"specify_the_partitioner_method\":"
                 " \"partition-with-customized-proportions\","
                 " \"list_of_proportions_separated_by_comma\": \"%s\"}",
                 bad[i]);
        assert_int_equal(part(&ctx, params, t, true), WF_EINVAL);
        mt_assert_contains(mt_field_error(&ctx, "list_of_proportions_separated_by_comma"), why[i]);
        mod_ctx_clear(&ctx);
    }
    tbl_free(t);
}

static void assign_to_folds_needs_a_row_per_fold(void **state)
{
    (void)state;
    tbl_table *t = rows_table(3);
    mod_ctx ctx;
    assert_int_equal(part(&ctx, "{" ASSIGN "}", t, false), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "specify_how_many_folds_to_split_evenly_into"),
                       "5 folds for 3 rows");
    mod_ctx_clear(&ctx);
    assert_int_equal(
        part(&ctx, "{" ASSIGN ", \"specify_how_many_folds_to_split_evenly_into\": 0}", t, false),
        WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "specify_how_many_folds_to_split_evenly_into"),
                       "below the minimum, 1");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

/* ---- pick fold ----------------------------------------------------------- */

#define PICK "\"partition_or_sample_mode\": \"pick-fold\""

static void pick_fold_returns_a_fold_or_its_complement(void **state)
{
    (void)state;
    tbl_table *t = rows_table(57);
    mod_ctx folds;
    assert_int_equal(part(&folds, "{" ASSIGN ", \"random_seed\": 9}", t, false), 0);
    tbl_table *assigned = folds.outputs[0].table;
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "folds", assigned);
    for (int complement = 0; complement < 2; complement++) {
        char params[160], name[16];
        snprintf(params, sizeof params,
                 "{" PICK ", \"specify_which_fold_to_be_sampled_from\": 2,"
                 " \"pick_complement_of_the_selected_fold\": %s}",
                 complement ? "true" : "false");
        mod_ctx ctx;
        assert_int_equal(part(&ctx, params, assigned, false), 0);
        assert_int_equal(tbl_find_column(mt_table(&ctx, 0), "Fold"), -1);
        snprintf(name, sizeof name, "pick%d", complement);
        mt_write_csv(dir, name, mt_table(&ctx, 0));
        mod_ctx_clear(&ctx);
    }
    mt_python_check(dir, "F = load('folds')\n"
                         "same_frame(load('pick0'), F[F['Fold'] == 2].drop(columns='Fold'), "
                         "'fold 2', ordered=True)\n"
                         "same_frame(load('pick1'), F[F['Fold'] != 2].drop(columns='Fold'), "
                         "'not fold 2', ordered=True)\n"
                         "if not 10 <= len(load('pick0')) <= 12: fail('fold 2 has 11 or 12 rows')\n"
                         "print('OK')\n");
    mt_rmtree(dir);

    /* Configure: the schema without Fold. */
    tbl_table *schema = NULL;
    assert_int_equal(tbl_take(assigned, NULL, 0, &schema, NULL), 0);
    mod_ctx ctx;
    assert_int_equal(part(&ctx, "{" PICK "}", schema, true), 0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 3);
    mod_ctx_clear(&ctx);
    /* ... and assign-to-folds' schema has it. */
    assert_int_equal(part(&ctx, "{" ASSIGN "}", t, true), 0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 4);
    assert_string_equal(mt_table(&ctx, 0)->cols[3].name, "Fold");
    mod_ctx_clear(&ctx);
    tbl_free(schema);
    mod_ctx_clear(&folds);
    tbl_free(t);
}

static void pick_fold_rejects_a_fold_out_of_range(void **state)
{
    (void)state;
    tbl_table *t = rows_table(30);
    mod_ctx folds, ctx;
    assert_int_equal(part(&folds, "{" ASSIGN "}", t, false), 0);
    assert_int_equal(part(&ctx, "{" PICK ", \"specify_which_fold_to_be_sampled_from\": 7}",
                          folds.outputs[0].table, false),
                     WF_EINVAL);
    mt_assert_contains(ctx.err.message, "parameter \"specify_which_fold_to_be_sampled_from\": "
                                        "fold 7 is out of range: the input has folds 1 to 5");
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
    assert_int_equal(part(&ctx, "{" PICK ", \"specify_which_fold_to_be_sampled_from\": 0}",
                          folds.outputs[0].table, false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "specify_which_fold_to_be_sampled_from"),
                       "below the minimum, 1");
    mod_ctx_clear(&ctx);
    mod_ctx_clear(&folds);

    /* No Fold column: in a run and in configure. */
    for (int schema = 0; schema < 2; schema++) {
        assert_int_equal(part(&ctx, "{" PICK "}", t, schema), WF_EINVAL);
        mt_assert_contains(mt_field_error(&ctx, "partition_or_sample_mode"),
                           "pick-fold needs a \"Fold\" column");
        mod_ctx_clear(&ctx);
    }
    tbl_table *text = mt_csv("id,Fold\n1,one\n");
    assert_int_equal(part(&ctx, "{" PICK "}", text, false), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "partition_or_sample_mode"), "is string, not integer");
    mod_ctx_clear(&ctx);
    tbl_free(text);
    assert_int_equal(part(&ctx, "{\"partition_or_sample_mode\": \"folds\"}", t, false), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "partition_or_sample_mode"), "is not one of");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(head_takes_the_first_rows),
        cmocka_unit_test(sampling_keeps_the_rounded_rate_reproducibly),
        cmocka_unit_test(sampling_chooses_rows_uniformly),
        cmocka_unit_test(sampling_stratified_keeps_each_share),
        cmocka_unit_test(sampling_rejects_a_rate_outside_0_1),
        cmocka_unit_test(assign_to_folds_deals_rows_out_evenly),
        cmocka_unit_test(assign_to_folds_stratified_spreads_every_class),
        cmocka_unit_test(assign_to_folds_in_proportions),
        cmocka_unit_test(assign_to_folds_needs_a_row_per_fold),
        cmocka_unit_test(pick_fold_returns_a_fold_or_its_complement),
        cmocka_unit_test(pick_fold_rejects_a_fold_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
