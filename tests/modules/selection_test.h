/*
 * selection_test.h: what the model-selection tests share
 * (test_cross_validate.c, test_tune.c, test_permutation.c): tables whose
 * answers are known in shape, and running a module on a learner or model
 * and tables.
 */
#ifndef WEFT_TESTS_SELECTION_TEST_H
#define WEFT_TESTS_SELECTION_TEST_H

#include "module_test.h"

/* n rows of an integer `id` (clear role), numeric x1..x<d> (standard normal), and a label
 * `y`:
 * - "binary": 0/1 from the logistic of 1.5 x1 - x2 + 0.5 x3 with noise;
 * - "regression": 3 x1 - 2 x2 + 0.5 x3 + 1 plus normal noise of sd `noise`;
 * - "multiclass": "a", "b" or "c" by the largest of x1, x2, x3 plus noise. */
static inline tbl_table *st_rows(const char *kind, size_t n, size_t d, double noise, uint64_t seed)
{
    wf_rng rng = {.state = seed};
    wf_buf b = {0};
    wf_buf_puts(&b, "id");
    for (size_t j = 0; j < d; j++)
        wf_buf_printf(&b, ",x%zu", j + 1);
    wf_buf_puts(&b, ",y\n");
    double *x = calloc(d + 3, sizeof *x);
    for (size_t r = 0; r < n; r++) {
        wf_buf_printf(&b, "%zu", r + 1);
        for (size_t j = 0; j < d; j++) {
            x[j] = wf_rng_normal(&rng);
            wf_buf_printf(&b, ",%.17g", x[j]);
        }
        double e = noise * wf_rng_normal(&rng);
        if (strcmp(kind, "binary") == 0) {
            double z = 1.5 * x[0] - x[1] + 0.5 * x[2] + e;
            wf_buf_printf(&b, ",%d\n", wf_rng_uniform(&rng) < 1 / (1 + exp(-z)) ? 1 : 0);
        } else if (strcmp(kind, "regression") == 0) {
            wf_buf_printf(&b, ",%.17g\n", 3 * x[0] - 2 * x[1] + 0.5 * x[2] + 1 + e);
        } else {
            double s[3] = {x[0] + noise * wf_rng_normal(&rng), x[1] + noise * wf_rng_normal(&rng),
                           x[2] + noise * wf_rng_normal(&rng)};
            int best = s[1] > s[0] ? 1 : 0;
            if (s[2] > s[best]) best = 2;
            wf_buf_printf(&b, ",%c\n", "abc"[best]);
        }
    }
    free(x);
    tbl_table *t = mt_csv(b.data);
    wf_buf_free(&b);
    /* Learners leave clear columns out: the id only tells rows apart. */
    t->cols[0].role = TBL_ROLE_CLEAR;
    return t;
}

/* Runs module `ref` (params JSON) with the learner or model JSON on its
 * first port and tables on the next ones (NULL: unconnected). Returns its
 * code; the caller clears ctx. */
static inline int st_run(mod_ctx *ctx, const char *ref, const char *params, json_t *json,
                         const tbl_table *a, const tbl_table *b)
{
    const mod_descriptor *m = mod_find(ref);
    if (m == NULL) fail_msg("no module %s", ref);
    mod_value in[3] = {{.kind = m->inputs[0].kind, .json = json},
                       {.kind = MOD_TABLE, .table = (tbl_table *)a},
                       {.kind = MOD_TABLE, .table = (tbl_table *)b}};
    return mt_run_inputs(ctx, ref, params, in, m->ninputs < 3 ? m->ninputs : 3, false);
}

/* The error message of a run that must fail (the caller frees it). */
static inline char *st_error(const char *ref, const char *params, json_t *json, const tbl_table *a,
                             const tbl_table *b)
{
    mod_ctx ctx;
    int rc = st_run(&ctx, ref, params, json, a, b);
    if (rc == 0) fail_msg("%s should have failed with %s", ref, params);
    char *msg = wf_strdup(ctx.err.message);
    mod_ctx_clear(&ctx);
    return msg;
}

/* Asserts that running fails with a message containing `needle`. */
static inline void st_assert_fails(const char *ref, const char *params, json_t *json,
                                   const tbl_table *a, const tbl_table *b, const char *needle)
{
    char *msg = st_error(ref, params, json, a, b);
    mt_assert_contains(msg, needle);
    free(msg);
}

/* A new table: t with an integer column `name` of the given values. */
static inline tbl_table *st_with_integers(const tbl_table *t, const char *name,
                                          const int64_t *values, tbl_role role)
{
    tbl_table *out = NULL;
    assert_int_equal(tbl_clone(t, &out, NULL), 0);
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, name, TBL_INTEGER, t->nrows, NULL), 0);
    c.role = role;
    memcpy(c.v.i64, values, t->nrows * sizeof *values);
    assert_int_equal(tbl_add_column(out, &c, t->nrows, NULL), 0);
    return out;
}

#endif
