/*
 * test_smote.c: smote@1. The synthetic rows are checked in Python with
 * scikit-learn's NearestNeighbors: each must lie on the segment between a
 * minority row and one of its k nearest minority neighbours, and there must
 * be as many as the percentage asks. Also: integer, boolean and nominal
 * columns, reproducibility, a percentage of 0, configure, and the errors
 * (too few minority rows for the neighbours, one class, a missing value, no
 * numeric column, an unknown label column).
 */
#include "module_test.h"

/* 150 majority rows ("neg") and 23 minority rows ("pos") in 3 numeric
 * dimensions, the minority in its own cloud; an integer, a boolean and a
 * text column ride along. */
static tbl_table *smote_table(void)
{
    wf_rng rng = {.state = 77};
    wf_buf b = {0};
    wf_buf_puts(&b, "x1,x2,x3,label,n,flag,kind\n");
    for (int i = 0; i < 173; i++) {
        bool minority = i % 7 == 3 && i < 7 * 23;
        double c = minority ? 3 : 0;
        wf_buf_printf(&b, "%.6f,%.6f,%.6f,%s,%d,%s,%s\n", c + wf_rng_normal(&rng),
                      c + wf_rng_normal(&rng), wf_rng_normal(&rng), minority ? "pos" : "neg",
                      (int)wf_rng_below(&rng, 100), wf_rng_below(&rng, 2) ? "true" : "false",
                      minority ? "m" : (wf_rng_below(&rng, 2) ? "p" : "q"));
    }
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    return t;
}

static int smote(mod_ctx *ctx, const char *params, tbl_table *in, bool schema_only)
{
    return mt_run(ctx, "smote@1", params, in, schema_only);
}

static void smote_rows_lie_between_a_row_and_a_near_neighbour(void **state)
{
    (void)state;
    tbl_table *t = smote_table();
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    mt_write_csv(dir, "in", t);
    const int percents[] = {100, 250, 30};
    const int ks[] = {1, 3, 5};
    for (int i = 0; i < 3; i++) {
        char params[160], name[16];
        snprintf(params, sizeof params,
                 "{\"label_column\": \"label\", \"smote_percentage\": %d,"
                 " \"number_of_nearest_neighbors\": %d, \"random_seed\": %d}",
                 percents[i], ks[i], i);
        mod_ctx ctx;
        assert_int_equal(smote(&ctx, params, t, false), 0);
        snprintf(name, sizeof name, "p%d_k%d", percents[i], ks[i]);
        mt_write_csv(dir, name, mt_table(&ctx, 0));
        mod_ctx_clear(&ctx);
    }
    mt_python_check(
        dir, "from sklearn.neighbors import NearestNeighbors\n"
             "I = load('in')\n"
             "F = ['x1', 'x2', 'x3']\n"
             "A = F + ['n', 'flag']  # the distance space: every number column\n"
             "M = I[I['label'] == 'pos']\n"
             "X = M[F].to_numpy()\n"
             "Y = M[A].astype(float).to_numpy()\n"
             "T = len(X)\n"
             "nn = NearestNeighbors().fit(Y)\n"
             "for N, k in ((100, 1), (250, 3), (30, 5)):\n"
             "    O = load('p%d_k%d' % (N, k))\n"
             "    same_frame(O.iloc[:len(I)], I, 'original rows', ordered=True)\n"
             "    S = O.iloc[len(I):]\n"
             "    want = T * (N // 100) + int(np.floor(T * (N % 100) / 100 + 0.5))\n"
             "    if len(S) != want: fail('N=%d: %d synthetic rows, expected %d' % (N, "
             "len(S), want))\n"
             "    if (S['label'] != 'pos').any(): fail('a synthetic row is not minority')\n"
             "    if (S['kind'] != 'm').any(): fail('nominal values come from neighbours')\n"
             "    dist, idx = nn.kneighbors(Y, n_neighbors=k + 1)\n"
             "    for s, sn in zip(S[F].to_numpy(), S['n'].to_numpy()):\n"
             "        found = False\n"
             "        for i in range(T):\n"
             "            # the k nearest others (allowing a tie at the k-th distance)\n"
             "            d_all = np.linalg.norm(Y - Y[i], axis=1)\n"
             "            for j in np.nonzero(d_all <= dist[i][k] + 1e-9)[0]:\n"
             "                if j == i: continue\n"
             "                d = X[j] - X[i]\n"
             "                g = np.dot(s - X[i], d) / np.dot(d, d)\n"
             "                on = -1e-9 <= g <= 1 and np.linalg.norm(s - X[i] - g * d) < 1e-5\n"
             "                n_ok = abs(sn - (Y[i][3] + g * (Y[j][3] - Y[i][3]))) <= 0.5 + 1e-6\n"
             "                if on and n_ok:\n"
             "                    found = True\n"
             "                    break\n"
             "            if found: break\n"
             "        if not found: fail('N=%d k=%d: %s is on no neighbour segment' % (N, k, "
             "s))\n"
             "    if (S['n'] != S['n'].round()).any(): fail('integers stay whole')\n"
             "print('OK')\n");
    mt_rmtree(dir);
    tbl_free(t);
}

static void smote_is_reproducible_for_a_seed(void **state)
{
    (void)state;
    tbl_table *t = smote_table();
    mod_ctx a, b, c;
    const char *p = "{\"label_column\": \"label\", \"number_of_nearest_neighbors\": 4, "
                    "\"random_seed\": 3}";
    assert_int_equal(smote(&a, p, t, false), 0);
    assert_int_equal(smote(&b, p, t, false), 0);
    assert_int_equal(smote(&c,
                           "{\"label_column\": \"label\", \"number_of_nearest_neighbors\": 4, "
                           "\"random_seed\": 4}",
                           t, false),
                     0);
    const tbl_table *ta = mt_table(&a, 0);
    assert_int_equal(ta->nrows, 173 + 23);
    assert_memory_equal(ta->cols[0].v.f64, mt_table(&b, 0)->cols[0].v.f64,
                        ta->nrows * sizeof(double));
    assert_memory_not_equal(ta->cols[0].v.f64, mt_table(&c, 0)->cols[0].v.f64,
                            ta->nrows * sizeof(double));
    /* Schema and roles are the input's. */
    assert_int_equal(ta->ncols, t->ncols);
    assert_int_equal(ta->cols[4].type, TBL_INTEGER);
    assert_int_equal(ta->cols[5].type, TBL_BOOLEAN);
    mod_ctx_clear(&a);
    mod_ctx_clear(&b);
    mod_ctx_clear(&c);
    /* 0 percent: the input as it is. */
    assert_int_equal(smote(&a, "{\"label_column\": \"label\", \"smote_percentage\": 0}", t, false),
                     0);
    assert_int_equal(mt_table(&a, 0)->nrows, 173);
    mod_ctx_clear(&a);
    tbl_free(t);
}

static void smote_takes_nominal_values_by_vote(void **state)
{
    (void)state;
    /* Minority rows at 0.5, 1.5, 2.5 and 10.5 on one axis. With k = 2 the
     * row at 0.5 has the neighbours 1.5 and 2.5, both of kind "b", so its
     * synthetic rows are "b" though it is "a" itself; they lie in [0.5,
     * 2.5]. The row at 10.5 has 2.5 and 1.5: "b" too. */
    tbl_table *t = mt_csv("x,label,kind,flag\n0.5,1,a,true\n1.5,1,b,false\n2.5,1,b,false\n"
                          "10.5,1,c,true\n5.5,0,z,true\n6.5,0,z,true\n7.5,0,z,true\n"
                          "8.5,0,z,true\n9.5,0,z,true\n");
    assert_int_equal(t->cols[0].type, TBL_NUMERIC);
    mod_ctx ctx;
    assert_int_equal(smote(&ctx,
                           "{\"label_column\": \"label\", \"smote_percentage\": 300,"
                           " \"number_of_nearest_neighbors\": 2}",
                           t, false),
                     0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->nrows, 9 + 12);
    for (size_t r = 9; r < out->nrows; r++) {
        double x = out->cols[0].v.f64[r];
        char kind[16];
        tbl_format_cell(&out->cols[2], r, kind, sizeof kind);
        assert_int_equal(out->cols[1].v.i64[r], 1);
        if (r < 12) { /* from the row at 0.5 */
            assert_true(x >= 0.5 && x <= 2.5);
            assert_string_equal(kind, "b");
        }
        if (r >= 18) { /* from the row at 10.5 */
            assert_true(x >= 1.5 && x <= 10.5);
            assert_string_equal(kind, "b");
        }
    }
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void smote_rejects_what_it_cannot_oversample(void **state)
{
    (void)state;
    tbl_table *t = smote_table();
    mod_ctx ctx;
    /* 23 minority rows cannot have 23 neighbours each. */
    assert_int_equal(
        smote(&ctx, "{\"label_column\": \"label\", \"number_of_nearest_neighbors\": 23}", t, false),
        WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "number_of_nearest_neighbors"),
                       "the minority class has 23 rows, too few for 23 neighbours");
    mod_ctx_clear(&ctx);
    assert_int_equal(smote(&ctx, "{\"label_column\": \"lable\"}", t, false), WF_ENOTFOUND);
    mt_assert_contains(mt_field_error(&ctx, "label_column"), "no column named \"lable\"");
    mod_ctx_clear(&ctx);
    assert_int_equal(smote(&ctx, "{}", t, true), WF_ENOTFOUND);
    mt_assert_contains(mt_field_error(&ctx, "label_column"), "a value is required");
    mod_ctx_clear(&ctx);
    assert_int_equal(smote(&ctx, "{}", NULL, true), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "label_column"), "choose the label column");
    mod_ctx_clear(&ctx);
    assert_int_equal(
        smote(&ctx, "{\"label_column\": \"label\", \"number_of_nearest_neighbors\": 0}", t, true),
        WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "number_of_nearest_neighbors"), "below the minimum");
    mod_ctx_clear(&ctx);
    assert_int_equal(smote(&ctx, "{\"label_column\": \"label\"}", t, true), 0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 7);
    mod_ctx_clear(&ctx);
    tbl_free(t);

    tbl_table *one = mt_csv("x,label\n1,a\n2,a\n3,a\n");
    assert_int_equal(smote(&ctx, "{\"label_column\": \"label\"}", one, false), WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "label_column"), "has 1 class");
    mod_ctx_clear(&ctx);
    tbl_free(one);

    tbl_table *gap = mt_csv("x,label\n1,a\n,a\n3,a\n4,b\n5,b\n6,b\n7,b\n");
    assert_int_equal(smote(&ctx, "{\"label_column\": \"label\"}", gap, false), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "column \"x\", row 2: a minority row has a missing value");
    mod_ctx_clear(&ctx);
    tbl_free(gap);

    tbl_table *text = mt_csv("name,label\nx,a\ny,a\nz,b\nw,b\nv,b\n");
    assert_int_equal(smote(&ctx, "{\"label_column\": \"label\"}", text, false), WF_EINVAL);
    mt_assert_contains(ctx.err.message, "at least one numeric, integer or boolean column");
    mod_ctx_clear(&ctx);
    tbl_free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(smote_rows_lie_between_a_row_and_a_near_neighbour),
        cmocka_unit_test(smote_is_reproducible_for_a_seed),
        cmocka_unit_test(smote_takes_nominal_values_by_vote),
        cmocka_unit_test(smote_rejects_what_it_cannot_oversample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
