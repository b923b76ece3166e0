/*
 * test_join.c: join-data@1 against pandas.merge (every join type, with and
 * without the right keys, several keys, case-insensitive text keys), missing
 * keys against SQLite's joins, configure's schema, and the errors: unknown
 * columns, keys of different types, key counts that differ.
 */
#include "module_test.h"

/* ---- data -------------------------------------------------------------- */

/* Left: 240 rows; key 0..49 (so some have no match), x numeric, name text,
 * and v (a name the right table has too). Right: 90 rows; key 0..69 with
 * repeats, y integer, v text. */
static tbl_table *left_table(void)
{
    wf_rng rng = {.state = 11};
    wf_buf b = {0};
    wf_buf_puts(&b, "key,x,name,v\n");
    for (int i = 0; i < 240; i++)
        wf_buf_printf(&b, "%d,%.3f,n%d,%d\n", (int)wf_rng_below(&rng, 50),
                      wf_rng_uniform(&rng) * 100, (int)wf_rng_below(&rng, 7), i);
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    return t;
}

static tbl_table *right_table(void)
{
    wf_rng rng = {.state = 12};
    wf_buf b = {0};
    wf_buf_puts(&b, "key,y,v\n");
    for (int i = 0; i < 90; i++)
        wf_buf_printf(&b, "%d,%d,r%d\n", (int)wf_rng_below(&rng, 70), (int)wf_rng_below(&rng, 1000),
                      i);
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    return t;
}

static int join(mod_ctx *ctx, const char *params, tbl_table *l, tbl_table *r, bool schema_only)
{
    mod_value in[2] = {{.table = l}, {.table = r}};
    return mt_run_inputs(ctx, "join-data@1", params, in, 2, schema_only);
}

#define ON_KEY                                                                                     \
    "\"join_key_columns_for_l\": {\"include\": [{\"names\": [\"key\"]}]},"                         \
    " \"join_key_columns_for_r\": {\"include\": [{\"names\": [\"key\"]}]}"

/* ---- against pandas ---------------------------------------------------- */

static void join_matches_pandas_merge_for_every_join_type(void **state)
{
    (void)state;
    tbl_table *l = left_table(), *r = right_table();
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "left", l);
    mt_write_csv(dir, "right", r);
    const char *types[] = {"inner", "left-outer", "full-outer", "left-semi"};
    for (int t = 0; t < 4; t++) {
        for (int keep = 0; keep < 2; keep++) {
            char params[512], name[64];
            snprintf(params, sizeof params,
                     "{" ON_KEY ", \"join_type\": \"%s\","
                     " \"keep_right_key_columns_in_joined_table\": %s}",
                     types[t], keep ? "true" : "false");
            mod_ctx ctx;
            assert_int_equal(join(&ctx, params, l, r, false), 0);
            snprintf(name, sizeof name, "%s_%d", types[t], keep);
            mt_write_csv(dir, name, mt_table(&ctx, 0));
            mod_ctx_clear(&ctx);
        }
    }
    mt_python_check(dir,
                    "L, R = load('left'), load('right')\n"
                    "Rk = R.rename(columns={'key': 'key_r'})\n"
                    "how = {'inner': 'inner', 'left-outer': 'left', 'full-outer': 'outer'}\n"
                    "for t, h in how.items():\n"
                    "    # keeping the right keys: both key columns, as merge on two names\n"
                    "    want = pd.merge(L, Rk, left_on='key', right_on='key_r', how=h)\n"
                    "    same_frame(load(t + '_1'), want, t + ' keeping right keys')\n"
                    "    # dropping them: merge on the shared name, keys coalesced\n"
                    "    want = pd.merge(L, R, on='key', how=h)\n"
                    "    same_frame(load(t + '_0'), want, t)\n"
                    "semi = L[L['key'].isin(R['key'])]\n"
                    "for keep in '01':\n"
                    "    same_frame(load('left-semi_' + keep), semi, 'left-semi', ordered=True)\n"
                    "n = len(pd.merge(L, R, on='key'))\n"
                    "if n < 100: fail('the inner join should be large, got %d rows' % n)\n"
                    "print('OK')\n");
    mt_rmtree(dir);
    tbl_free(l);
    tbl_free(r);
}

static void join_keeps_left_row_order(void **state)
{
    (void)state;
    tbl_table *l = left_table(), *r = right_table();
    mod_ctx ctx;
    assert_int_equal(join(&ctx, "{" ON_KEY ", \"join_type\": \"left-outer\"}", l, r, false), 0);
    const tbl_table *out = mt_table(&ctx, 0);
    /* Column v of the left numbers the left rows: it never goes down. */
    int v = tbl_find_column(out, "v");
    assert_true(v >= 0);
    for (size_t i = 1; i < out->nrows; i++)
        assert_true(out->cols[v].v.i64[i] >= out->cols[v].v.i64[i - 1]);
    /* The right's v arrives renamed. */
    assert_true(tbl_find_column(out, "v (2)") >= 0);
    mod_ctx_clear(&ctx);
    tbl_free(l);
    tbl_free(r);
}

static void join_pairs_several_keys_in_listed_order(void **state)
{
    (void)state;
    wf_rng rng = {.state = 3};
    wf_buf a = {0}, b = {0};
    wf_buf_puts(&a, "a,b,x\n");
    wf_buf_puts(&b, "y,z,x\n");
    for (int i = 0; i < 120; i++) {
        wf_buf_printf(&a, "%d,c%d,%d\n", (int)wf_rng_below(&rng, 4), (int)wf_rng_below(&rng, 5), i);
        wf_buf_printf(&b, "c%d,%d,%d\n", (int)wf_rng_below(&rng, 5), (int)wf_rng_below(&rng, 4),
                      1000 + i);
    }
    tbl_table *l = mt_csv(a.data), *r = mt_csv(b.data);
    wf_buf_free(&a);
    wf_buf_free(&b);
    /* The left keys listed b then a pair with the right's y then z. */
    mod_ctx ctx;
    assert_int_equal(join(&ctx,
                          "{\"join_key_columns_for_l\": {\"include\": [{\"names\": [\"b\", "
                          "\"a\"]}]}, \"join_key_columns_for_r\": {\"include\": [{\"names\": "
                          "[\"y\", \"z\"]}]}, \"join_type\": \"full-outer\"}",
                          l, r, false),
                     0);
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "left", l);
    mt_write_csv(dir, "right", r);
    mt_write_csv(dir, "out", mt_table(&ctx, 0));
    mt_python_check(dir, "L, R = load('left'), load('right')\n"
                         "want = pd.merge(L, R, left_on=['b', 'a'], right_on=['y', 'z'], "
                         "how='outer')\n"
                         "same_frame(load('out'), want, 'two keys')\n"
                         "print('OK')\n");
    mt_rmtree(dir);
    mod_ctx_clear(&ctx);
    tbl_free(l);
    tbl_free(r);
}

static void join_ignores_case_when_asked(void **state)
{
    (void)state;
    tbl_table *l = mt_csv("city,n\nParis,1\nparis,2\nOSLO,3\nRome,4\nLima,5\n");
    tbl_table *r = mt_csv("town,pop\nPARIS,10\nOslo,20\nrome,30\nrOME,40\nQuito,50\n");
    const char *keys = "\"join_key_columns_for_l\": {\"include\": [{\"names\": [\"city\"]}]},"
                       " \"join_key_columns_for_r\": {\"include\": [{\"names\": [\"town\"]}]}";
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "left", l);
    mt_write_csv(dir, "right", r);
    const char *types[] = {"inner", "left-outer"};
    for (int t = 0; t < 2; t++) {
        for (int match = 0; match < 2; match++) {
            char params[512], name[64];
            snprintf(params, sizeof params, "{%s, \"join_type\": \"%s\", \"match_case\": %s}", keys,
                     types[t], match ? "true" : "false");
            mod_ctx ctx;
            assert_int_equal(join(&ctx, params, l, r, false), 0);
            snprintf(name, sizeof name, "%s_%d", types[t], match);
            mt_write_csv(dir, name, mt_table(&ctx, 0));
            mod_ctx_clear(&ctx);
        }
    }
    mt_python_check(dir, "L, R = load('left'), load('right')\n"
                         "Lf = L.assign(k=L['city'].str.lower())\n"
                         "Rf = R.assign(k=R['town'].str.lower())\n"
                         "for t, h in (('inner', 'inner'), ('left-outer', 'left')):\n"
                         "    exact = pd.merge(L, R, left_on='city', right_on='town', how=h)\n"
                         "    same_frame(load(t + '_1'), exact, t + ' matching case')\n"
                         "    folded = pd.merge(Lf, Rf, on='k', how=h).drop(columns='k')\n"
                         "    same_frame(load(t + '_0'), folded, t + ' ignoring case')\n"
                         "if len(load('inner_0')) != 5: fail('Paris x2, OSLO, Rome x2 expected')\n"
                         "print('OK')\n");
    mt_rmtree(dir);
    tbl_free(l);
    tbl_free(r);
}

static void join_missing_keys_never_match_as_in_sql(void **state)
{
    (void)state;
    tbl_table *l = mt_csv("k,a\n1,x\n,y\n2,z\n,w\n3,v\n");
    tbl_table *r = mt_csv("j,b\n1,10\n,20\n3,30\n4,40\n,50\n");
    const char *keys = "\"join_key_columns_for_l\": {\"include\": [{\"names\": [\"k\"]}]},"
                       " \"join_key_columns_for_r\": {\"include\": [{\"names\": [\"j\"]}]}";
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "left", l);
    mt_write_csv(dir, "right", r);
    const char *types[] = {"inner", "left-outer", "full-outer"};
    for (int t = 0; t < 3; t++) {
        char params[512];
        snprintf(params, sizeof params, "{%s, \"join_type\": \"%s\"}", keys, types[t]);
        mod_ctx ctx;
        assert_int_equal(join(&ctx, params, l, r, false), 0);
        mt_write_csv(dir, types[t], mt_table(&ctx, 0));
        mod_ctx_clear(&ctx);
    }
    /* SQL's NULL never equals NULL (pandas would match NaN with NaN). */
    mt_python_check(dir,
                    "import sqlite3\n"
                    "db = sqlite3.connect(':memory:')\n"
                    "load('left').to_sql('l', db, index=False)\n"
                    "load('right').to_sql('r', db, index=False)\n"
                    "for t, sql in (('inner', 'JOIN'), ('left-outer', 'LEFT JOIN'),\n"
                    "               ('full-outer', 'FULL OUTER JOIN')):\n"
                    "    want = pd.read_sql('SELECT l.k, l.a, r.j, r.b FROM l %s r ON l.k = r.j'"
                    " % sql, db)\n"
                    "    same_frame(load(t), want, t)\n"
                    "print('OK')\n");
    mt_rmtree(dir);
    tbl_free(l);
    tbl_free(r);
}

/* ---- configure and errors ---------------------------------------------- */

static void join_configure_gives_the_output_schema(void **state)
{
    (void)state;
    tbl_table *l = left_table(), *r = right_table();
    tbl_table *ls = NULL, *rs = NULL;
    assert_int_equal(tbl_take(l, NULL, 0, &ls, NULL), 0);
    assert_int_equal(tbl_take(r, NULL, 0, &rs, NULL), 0);
    mod_ctx ctx;
    assert_int_equal(
        join(&ctx, "{" ON_KEY ", \"keep_right_key_columns_in_joined_table\": false}", ls, rs, true),
        0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->nrows, 0);
    const char *names[] = {"key", "x", "name", "v", "y", "v (2)"};
    assert_int_equal(out->ncols, 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(out->cols[i].name, names[i]);
    assert_int_equal(out->cols[4].type, TBL_INTEGER);
    mod_ctx_clear(&ctx);

    /* One unknown input: the output is unknown too, and that is no error. */
    assert_int_equal(join(&ctx, "{" ON_KEY "}", ls, NULL, true), 0);
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
    tbl_free(ls);
    tbl_free(rs);
    tbl_free(l);
    tbl_free(r);
}

static void join_keys_of_different_types_fail_naming_both_columns(void **state)
{
    (void)state;
    tbl_table *l = mt_csv("id,a\n1,x\n2,y\n");
    tbl_table *r = mt_csv("code,b\nA1,10\nB2,20\n");
    const char *params = "{\"join_key_columns_for_l\": {\"include\": [{\"names\": [\"id\"]}]},"
                         " \"join_key_columns_for_r\": {\"include\": [{\"names\": [\"code\"]}]}}";
    for (int schema = 0; schema < 2; schema++) {
        mod_ctx ctx;
        assert_int_equal(join(&ctx, params, l, r, schema), WF_ETYPE);
        const char *msg = mt_field_error(&ctx, "join_key_columns_for_r");
        mt_assert_contains(msg, "left column \"id\" is integer");
        mt_assert_contains(msg, "right column \"code\" is string");
        assert_null(ctx.outputs[0].table);
        mod_ctx_clear(&ctx);
    }
    /* Integer and numeric keys do match, by value. */
    tbl_table *f = mt_csv("id,b\n1.0,10\n2.5,20\n");
    mod_ctx ctx;
    assert_int_equal(join(&ctx,
                          "{\"join_key_columns_for_l\": {\"include\": [{\"names\": [\"id\"]}]},"
                          " \"join_key_columns_for_r\": {\"include\": [{\"names\": [\"id\"]}]}}",
                          l, f, false),
                     0);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 1);
    mod_ctx_clear(&ctx);
    tbl_free(f);
    tbl_free(l);
    tbl_free(r);
}

static void join_rejects_unknown_columns_and_unpaired_keys(void **state)
{
    (void)state;
    tbl_table *l = mt_csv("id,a\n1,x\n");
    tbl_table *r = mt_csv("id,b\n1,10\n");
    mod_ctx ctx;
    assert_int_equal(join(&ctx,
                          "{\"join_key_columns_for_l\": {\"include\": [{\"names\": [\"nope\"]}]},"
                          " \"join_key_columns_for_r\": {\"include\": [{\"names\": [\"id\"]}]}}",
                          l, r, false),
                     WF_ENOTFOUND);
    mt_assert_contains(mt_field_error(&ctx, "join_key_columns_for_l"), "nope");
    mod_ctx_clear(&ctx);

    assert_int_equal(join(&ctx,
                          "{\"join_key_columns_for_l\": {\"include\": [{\"names\": [\"id\", "
                          "\"a\"]}]}, \"join_key_columns_for_r\": {\"include\": [{\"names\": "
                          "[\"id\"]}]}}",
                          l, r, true),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "join_key_columns_for_r"),
                       "selects 1 key column but join_key_columns_for_l selects 2");
    mod_ctx_clear(&ctx);

    assert_int_equal(join(&ctx,
                          "{\"join_key_columns_for_r\": {\"include\": [{\"names\": "
                          "[\"id\"]}]}}",
                          l, r, false),
                     WF_ENOTFOUND);
    mt_assert_contains(mt_field_error(&ctx, "join_key_columns_for_l"), "required");
    mod_ctx_clear(&ctx);

    assert_int_equal(join(&ctx, "{" ON_KEY ", \"join_type\": \"cross\"}", l, r, false), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "join_type"), "\"cross\" is not one of");
    mod_ctx_clear(&ctx);
    /* Azure's spelling is not a value; the message lists the values. */
    assert_int_equal(join(&ctx, "{" ON_KEY ", \"join_type\": \"LeftOuter\"}", l, r, true),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "join_type"),
                       "\"inner\", \"left-outer\", \"full-outer\", \"left-semi\"");
    mod_ctx_clear(&ctx);

    /* A run without its right input says which. */
    assert_int_equal(mt_run(&ctx, "join-data@1", "{" ON_KEY "}", l, false), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "right_dataset");
    mod_ctx_clear(&ctx);
    tbl_free(l);
    tbl_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(join_matches_pandas_merge_for_every_join_type),
        cmocka_unit_test(join_keeps_left_row_order),
        cmocka_unit_test(join_pairs_several_keys_in_listed_order),
        cmocka_unit_test(join_ignores_case_when_asked),
        cmocka_unit_test(join_missing_keys_never_match_as_in_sql),
        cmocka_unit_test(join_configure_gives_the_output_schema),
        cmocka_unit_test(join_keys_of_different_types_fail_naming_both_columns),
        cmocka_unit_test(join_rejects_unknown_columns_and_unpaired_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
