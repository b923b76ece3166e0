/*
 * test_split.c: split-data@1 in its three modes: split rows (fraction,
 * randomness and its seed, stratification), regular expressions and
 * relative expressions; configure; and the messages of bad parameters.
 */
#include "module_test.h"

/* ---- helpers ----------------------------------------------------------- */

/* A table of n rows: id = 0..n-1 (integer) and class = "a" for the first
 * n_a rows, "b" after (categorical). */
static tbl_table *ids_and_classes(size_t n, size_t n_a)
{
    wf_buf b = {0};
    wf_buf_puts(&b, "id,class\n");
    for (size_t i = 0; i < n; i++)
        wf_buf_printf(&b, "%zu,%s\n", i, i < n_a ? "a" : "b");
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    return t;
}

/* Runs (or configures) split-data on `in` (borrowed) with params. */
static int split(mod_ctx *ctx, const char *params_json, tbl_table *in, bool schema_only)
{
    return mt_run(ctx, "split-data@1", params_json, in, schema_only);
}

/* Every id of the input appears in exactly one output. */
static void assert_partition(const mod_ctx *ctx, size_t n)
{
    assert_int_equal(mt_table(ctx, 0)->nrows + mt_table(ctx, 1)->nrows, n);
    bool *seen = calloc(n, 1);
    const tbl_table *outs[2] = {mt_table(ctx, 0), mt_table(ctx, 1)};
    for (int k = 0; k < 2; k++) {
        for (size_t r = 0; r < outs[k]->nrows; r++) {
            int64_t id = outs[k]->cols[0].v.i64[r];
            assert_false(seen[id]);
            seen[id] = true;
        }
    }
    free(seen);
}

/* ---- split rows -------------------------------------------------------- */

static void split_rows_sends_the_fraction_first_in_input_order(void **state)
{
    (void)state;
    tbl_table *t = ids_and_classes(100, 50);
    mod_ctx ctx;
    assert_int_equal(split(&ctx, "{\"fraction\": 0.7, \"seed\": 42}", t, false), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 70);
    assert_int_equal(mt_table(&ctx, 1)->nrows, 30);
    assert_partition(&ctx, 100);
    assert_true(mt_ids_ascend(mt_table(&ctx, 0)));
    assert_true(mt_ids_ascend(mt_table(&ctx, 1)));
    /* Random: not simply the first 70 rows. */
    assert_true(mt_table(&ctx, 0)->cols[0].v.i64[69] != 69);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

/* A table big enough that the outputs are reserved while the shuffle runs
 * (tbl_split_reserve_start's threshold where there are two cores). */
static void split_rows_of_a_large_table(void **state)
{
    (void)state;
    tbl_table *t = ids_and_classes(150000, 1000);
    mod_ctx ctx;
    assert_int_equal(split(&ctx, "{\"fraction\": 0.7, \"seed\": 3}", t, false), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 105000);
    assert_partition(&ctx, 150000);
    assert_true(mt_ids_ascend(mt_table(&ctx, 0)));
    assert_true(mt_ids_ascend(mt_table(&ctx, 1)));
    mod_ctx_clear(&ctx);
    /* Stratified: 70% of each class, 700 of the 1,000 "a" rows. */
    assert_int_equal(split(&ctx,
                           "{\"fraction\": 0.7, \"seed\": 3, \"stratify\": true, "
                           "\"stratify_column\": \"class\"}",
                           t, false),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 105000);
    assert_partition(&ctx, 150000);
    size_t a = 0;
    for (size_t r = 0; r < mt_table(&ctx, 0)->nrows; r++)
        a += mt_table(&ctx, 0)->cols[0].v.i64[r] < 1000;
    assert_int_equal(a, 700);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void split_rows_is_deterministic_for_a_seed(void **state)
{
    (void)state;
    tbl_table *t = ids_and_classes(200, 100);
    mod_ctx a, b, c;
    assert_int_equal(split(&a, "{\"seed\": 7}", t, false), 0);
    assert_int_equal(split(&b, "{\"seed\": 7}", t, false), 0);
    assert_int_equal(split(&c, "{\"seed\": 8}", t, false), 0);
    assert_int_equal(mt_table(&a, 0)->nrows, 100);
    assert_memory_equal(mt_table(&a, 0)->cols[0].v.i64, mt_table(&b, 0)->cols[0].v.i64,
                        100 * sizeof(int64_t));
    assert_memory_not_equal(mt_table(&a, 0)->cols[0].v.i64, mt_table(&c, 0)->cols[0].v.i64,
                            100 * sizeof(int64_t));
    mod_ctx_clear(&a);
    mod_ctx_clear(&b);
    mod_ctx_clear(&c);
    tbl_free(t);
}

static void split_rows_without_randomize_takes_the_first_rows(void **state)
{
    (void)state;
    tbl_table *t = ids_and_classes(10, 5);
    mod_ctx ctx;
    assert_int_equal(split(&ctx, "{\"fraction\": 0.25, \"randomize\": false}", t, false), 0);
    /* 2.5 rows round to 3. */
    assert_int_equal(mt_table(&ctx, 0)->nrows, 3);
    for (int64_t i = 0; i < 3; i++)
        assert_int_equal(mt_table(&ctx, 0)->cols[0].v.i64[i], i);
    assert_int_equal(mt_table(&ctx, 1)->cols[0].v.i64[0], 3);
    mod_ctx_clear(&ctx);

    /* The bounds: nothing first, everything first, an empty table. */
    assert_int_equal(split(&ctx, "{\"fraction\": 0}", t, false), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 2);
    assert_int_equal(mt_table(&ctx, 1)->nrows, 10);
    mod_ctx_clear(&ctx);
    assert_int_equal(split(&ctx, "{\"fraction\": 1}", t, false), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 10);
    mod_ctx_clear(&ctx);
    tbl_table *empty = NULL;
    assert_int_equal(tbl_take(t, NULL, 0, &empty, NULL), 0);
    assert_int_equal(split(&ctx, "{}", empty, false), 0);
    assert_int_equal(mt_table(&ctx, 0)->nrows + mt_table(&ctx, 1)->nrows, 0);
    mod_ctx_clear(&ctx);
    tbl_free(empty);
    tbl_free(t);
}

static void split_rows_is_stratified_when_asked(void **state)
{
    (void)state;
    /* 80 "a" and 20 "b": a plain random split of 50% rarely keeps 40/10
     * exactly; a stratified one always does. */
    tbl_table *t = ids_and_classes(100, 80);
    mod_ctx ctx;
    for (int seed = 0; seed < 5; seed++) {
        char params[128];
        snprintf(params, sizeof params,
                 "{\"seed\": %d, \"stratify\": true, \"stratify_column\": \"class\"}", seed);
        assert_int_equal(split(&ctx, params, t, false), 0);
        assert_partition(&ctx, 100);
        size_t a = 0;
        for (size_t r = 0; r < mt_table(&ctx, 0)->nrows; r++)
            a += mt_table(&ctx, 0)->cols[0].v.i64[r] < 80;
        assert_int_equal(mt_table(&ctx, 0)->nrows, 50);
        assert_int_equal(a, 40);
        assert_true(mt_ids_ascend(mt_table(&ctx, 0)));
        mod_ctx_clear(&ctx);
    }
    tbl_free(t);
}

static void split_rows_stratified_needs_a_known_column(void **state)
{
    (void)state;
    tbl_table *t = ids_and_classes(4, 2);
    mod_ctx ctx;
    assert_int_equal(split(&ctx, "{\"stratify\": true}", t, true), WF_ENOTFOUND);
    mt_assert_contains(mt_field_error(&ctx, "stratify_column"), "required");
    mod_ctx_clear(&ctx);
    assert_int_equal(split(&ctx, "{\"stratify\": true, \"stratify_column\": \"label\"}", t, false),
                     WF_ENOTFOUND);
    mt_assert_contains(ctx.err.message,
                       "parameter \"stratify_column\": no column named \"label\" in the input");
    mod_ctx_clear(&ctx);
    /* Not stratified: the column is not checked. */
    assert_int_equal(split(&ctx, "{\"stratify_column\": \"label\"}", t, false), 0);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void split_rows_rejects_a_fraction_out_of_range(void **state)
{
    (void)state;
    tbl_table *t = ids_and_classes(4, 2);
    mod_ctx ctx;
    assert_int_equal(split(&ctx, "{\"fraction\": 1.5}", t, true), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "parameter \"fraction\": 1.5 is above the maximum, 1");
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
    assert_int_equal(split(&ctx, "{\"fraction\": \"half\"}", t, false), WF_ETYPE);
    assert_non_null(mt_field_error(&ctx, "fraction"));
    mod_ctx_clear(&ctx);
    assert_int_equal(split(&ctx, "{\"mode\": \"split-columns\"}", t, false), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "mode"), "\"split-columns\" is not one of");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

/* ---- regular expressions ----------------------------------------------- */

#define NEWS                                                                                       \
    "id,headline,year\n"                                                                           \
    "0,Sports: cup final,2012\n"                                                                   \
    "1,Markets fall,2009\n"                                                                        \
    "2,Sports: new record,2015\n"                                                                  \
    "3,,2011\n"                                                                                    \
    "4,Weather,\n"

static void split_regex_sends_matching_rows_first(void **state)
{
    (void)state;
    tbl_table *t = mt_csv(NEWS);
    mod_ctx ctx;
    assert_int_equal(split(&ctx,
                           "{\"mode\": \"regular-expression\", \"regex\": \"\\\\\\\"headline\\\" "
                           "^Sports\"}",
                           t, false),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 2);
    assert_int_equal(mt_table(&ctx, 0)->cols[0].v.i64[1], 2);
    assert_int_equal(mt_table(&ctx, 1)->nrows, 3); /* the missing headline never matches */
    mod_ctx_clear(&ctx);

    /* Numbers match as text; extended syntax (alternation, braces) works. */
    assert_int_equal(
        split(&ctx,
              "{\"mode\": \"regular-expression\", \"regex\": \"\\\"year\\\" ^20(09|1[01])$\"}", t,
              false),
        0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 2);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void split_regex_reports_bad_expressions_on_the_field(void **state)
{
    (void)state;
    tbl_table *t = mt_csv(NEWS);
    mod_ctx ctx;
    assert_int_equal(split(&ctx,
                           "{\"mode\": \"regular-expression\", \"regex\": \"\\\"headline\\\" "
                           "(unclosed\"}",
                           t, true),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "regex"), "bad regular expression \"(unclosed\"");
    mod_ctx_clear(&ctx);
    assert_int_equal(
        split(&ctx, "{\"mode\": \"regular-expression\", \"regex\": \"^Sports\"}", t, true),
        WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "regex"), "column in quotes");
    mod_ctx_clear(&ctx);
    assert_int_equal(
        split(&ctx, "{\"mode\": \"regular-expression\", \"regex\": \"\\\"body\\\" x\"}", t, true),
        WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "regex"), "no column named \"body\"");
    mod_ctx_clear(&ctx);
    assert_int_equal(split(&ctx, "{\"mode\": \"regular-expression\"}", t, false), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "parameter \"regex\"");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

/* ---- relative expressions ---------------------------------------------- */

/* How many rows go first for a relative expression over NEWS. */
static size_t relative_count(tbl_table *t, const char *expr)
{
    json_t *params =
        json_pack("{s:s, s:s}", "mode", "relative-expression", "relative_expression", expr);
    char *text = json_dumps(params, 0);
    json_decref(params);
    mod_ctx ctx;
    int rc = split(&ctx, text, t, false);
    free(text);
    if (rc != 0) fail_msg("%s: %s", expr, ctx.err.message);
    size_t n = mt_table(&ctx, 0)->nrows;
    assert_int_equal(n + mt_table(&ctx, 1)->nrows, t->nrows);
    mod_ctx_clear(&ctx);
    return n;
}

static void split_relative_compares_numbers(void **state)
{
    (void)state;
    tbl_table *t = mt_csv(NEWS); /* year: 2012, 2009, 2015, 2011, missing */
    assert_int_equal(relative_count(t, "\\\"year\" > 2011"), 2);
    assert_int_equal(relative_count(t, "\\\"year\" >= 2011"), 3);
    assert_int_equal(relative_count(t, "\"year\" < 2011"), 1);
    assert_int_equal(relative_count(t, "\"year\" <= 2011"), 2);
    assert_int_equal(relative_count(t, "\"year\" == 2015"), 1);
    assert_int_equal(relative_count(t, "\"year\" != 2015"), 3); /* missing never passes */
    assert_int_equal(relative_count(t, "\"year\" > 2010.5"), 3);
    assert_int_equal(relative_count(t, "\"year\" > 2010 & <= 2012"), 2);
    assert_int_equal(relative_count(t, "\"year\" < 2010 | \\\"year\" > 2014"), 2);
    tbl_free(t);
}

static void split_relative_compares_dates(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("id,day\n0,2020-01-05\n1,2019-12-31\n2,2020-03-01\n");
    assert_int_equal(t->cols[1].type, TBL_DATETIME);
    assert_int_equal(relative_count(t, "\"day\" >= 2020-01-01"), 2);
    tbl_free(t);
}

static void split_relative_reports_bad_expressions_on_the_field(void **state)
{
    (void)state;
    tbl_table *t = mt_csv(NEWS);
    const char *cases[][2] = {
        {"\"headline\" > 3", "relative expressions compare numbers"},
        {"\"year\" ~ 3", "expected a comparison"},
        {"\"year\" > ten", "\"ten\" is not a number"},
        {"\"year\" >", "needs a value"},
        {"\"year\" > 1 ^ < 3", "expected & or |"},
        {"\"year\" > 1 & \"id\" < 3", "one column"},
        {"\"year > 1", "no closing quote"},
        {"\"month\" > 1", "no column named \"month\""},
        {"\"year\" >1&>1&>1&>1&>1&>1&>1&>1&>1", "at most 8 comparisons"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *params = json_pack("{s:s, s:s}", "mode", "relative-expression",
                                   "relative_expression", cases[i][0]);
        char *text = json_dumps(params, 0);
        json_decref(params);
        mod_ctx ctx;
        assert_int_equal(split(&ctx, text, t, true), WF_EINVAL);
        free(text);
        mt_assert_contains(mt_field_error(&ctx, "relative_expression"), cases[i][1]);
        mod_ctx_clear(&ctx);
    }
    tbl_free(t);
}

/* ---- configure --------------------------------------------------------- */

static void split_configure_gives_both_outputs_the_input_schema(void **state)
{
    (void)state;
    tbl_table *full = mt_csv(NEWS);
    tbl_table *schema = NULL;
    assert_int_equal(tbl_take(full, NULL, 0, &schema, NULL), 0);
    mod_ctx ctx;
    assert_int_equal(
        split(&ctx, "{\"stratify\": true, \"stratify_column\": \"year\"}", schema, true), 0);
    for (int k = 0; k < 2; k++) {
        const tbl_table *o = ctx.outputs[k].table;
        assert_non_null(o);
        assert_int_equal(o->nrows, 0);
        assert_int_equal(o->ncols, 3);
        assert_string_equal(o->cols[1].name, "headline");
        assert_int_equal(o->cols[2].type, full->cols[2].type);
    }
    mod_ctx_clear(&ctx);
    /* Unknown input schema: unknown outputs, but the parameters are checked. */
    assert_int_equal(split(&ctx, "{}", NULL, true), 0);
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
    assert_int_equal(
        split(&ctx, "{\"mode\": \"regular-expression\", \"regex\": \"\\\"a\\\" [\"}", NULL, true),
        WF_EINVAL);
    assert_non_null(mt_field_error(&ctx, "regex"));
    mod_ctx_clear(&ctx);
    assert_int_equal(split(&ctx, "{}", NULL, false), WF_EINVAL); /* run needs an input */
    mod_ctx_clear(&ctx);
    tbl_free(schema);
    tbl_free(full);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_rows_sends_the_fraction_first_in_input_order),
        cmocka_unit_test(split_rows_is_deterministic_for_a_seed),
        cmocka_unit_test(split_rows_without_randomize_takes_the_first_rows),
        cmocka_unit_test(split_rows_of_a_large_table),
        cmocka_unit_test(split_rows_is_stratified_when_asked),
        cmocka_unit_test(split_rows_stratified_needs_a_known_column),
        cmocka_unit_test(split_rows_rejects_a_fraction_out_of_range),
        cmocka_unit_test(split_regex_sends_matching_rows_first),
        cmocka_unit_test(split_regex_reports_bad_expressions_on_the_field),
        cmocka_unit_test(split_relative_compares_numbers),
        cmocka_unit_test(split_relative_compares_dates),
        cmocka_unit_test(split_relative_reports_bad_expressions_on_the_field),
        cmocka_unit_test(split_configure_gives_both_outputs_the_input_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
