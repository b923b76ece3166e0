/*
 * test_scoring.c: scoring plans (engine.h, eng_scoring_*). A real-time
 * inference pipeline compiled once: constants run at compile and never
 * again; the request path scores like Score Model, checked against numpy's
 * least squares; requests in three shapes give the same table; a missing
 * column, a missing cell and a value that cannot be converted are named;
 * unseen categories follow the learner's allow_unknown_categorical_levels;
 * many threads share one plan; and what cannot be compiled says why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/engine.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIGEST_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* ---- helpers -------------------------------------------------------------- */

static eng_pipeline *parse_ok(const char *text)
{
    eng_pipeline *p = NULL;
    wf_error err = {0};
    if (eng_pipeline_parse(text, strlen(text), &p, &err) < 0) fail_msg("parse: %s", err.message);
    return p;
}

static json_t *json_ok(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (v == NULL) fail_msg("json: %s: %s", jerr.text, text);
    return v;
}

/* Runs module `ref` with params and inputs (in port order; may be NULL)
 * and returns its first output's JSON (a new reference). */
static json_t *run_json_module(const char *ref, const char *params, const mod_value *inputs)
{
    const mod_descriptor *m = mod_find(ref);
    assert_non_null(m);
    json_t *pj = json_ok(params);
    mod_ctx ctx;
    assert_int_equal(mod_ctx_init(&ctx, m, pj), 0);
    json_decref(pj);
    for (size_t k = 0; inputs != NULL && k < m->ninputs; k++) {
        ctx.inputs[k].table = inputs[k].table;
        ctx.inputs[k].borrowed = true;
        ctx.inputs[k].json = json_incref(inputs[k].json);
    }
    if (m->run(&ctx) < 0) fail_msg("%s: %s", ref, ctx.err.message);
    json_t *out = json_incref(ctx.outputs[0].json);
    mod_ctx_clear(&ctx);
    return out;
}

/* The request JSON of a test, read as the protocols read it; the arena
 * lives until the test's end. */
static wf_arena *test_arena;

static const eng_json *req_json(const char *text)
{
    if (test_arena == NULL) test_arena = wf_arena_new();
    const eng_json *v = NULL;
    wf_error err = {0};
    if (eng_json_parse(text, strlen(text), test_arena, &v, &err) < 0)
        fail_msg("json: %s: %s", err.message, text);
    return v;
}

static int free_arena(void **state)
{
    (void)state;
    wf_arena_free(test_arena);
    test_arena = NULL;
    return 0;
}

static tbl_table *csv_table(const char *text)
{
    tbl_read_options opt = {.format = TBL_FORMAT_CSV, .header = TBL_HEADER_PRESENT};
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_csv(text, strlen(text), &opt, &t, &err) < 0) fail_msg("%s", err.message);
    return t;
}

/* Training rows: y = 2a + 3b + 1 plus a little noise, and a category. */
static char *training_csv(size_t n)
{
    wf_buf b = {0};
    wf_buf_puts(&b, "a,b,c,y\n");
    wf_rng rng = {.state = 7};
    for (size_t i = 0; i < n; i++) {
        double a = wf_rng_normal(&rng) * 3, bb = wf_rng_uniform(&rng) * 10;
        wf_buf_printf(&b, "%.6f,%.6f,%s,%.6f\n", a, bb, i % 3 == 0 ? "red" : "blue",
                      2 * a + 3 * bb + 1 + 0.1 * wf_rng_normal(&rng));
    }
    return b.data;
}

/* A model trained on csv by module `learner` with `params`, label y. */
static json_t *train(const char *learner, const char *params, const char *csv)
{
    json_t *spec = run_json_module(learner, params, NULL);
    tbl_table *t = csv_table(csv);
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = spec}, {.kind = MOD_TABLE, .table = t}};
    json_t *model = run_json_module("train-model@1", "{\"label_column\": \"y\"}", in);
    json_decref(spec);
    tbl_free(t);
    return model;
}

/* The loader the tests give the plan: one artifact, counted. */
typedef struct test_env {
    json_t *artifact; /* served as DIGEST_A */
    int loads;
} test_env;

static int test_load_artifact(void *user, const char *digest, json_t **out, wf_error *err)
{
    test_env *te = user;
    te->loads++;
    if (strcmp(digest, DIGEST_A) != 0 || te->artifact == NULL)
        return wf_error_set(err, WF_ENOTFOUND, "no artifact %s", digest);
    *out = json_incref(te->artifact);
    return 0;
}

#define SCHEMA_ABC                                                                                 \
    "{\\\"columns\\\": [{\\\"name\\\": \\\"a\\\", \\\"type\\\": \\\"numeric\\\"}, "                \
    "{\\\"name\\\": \\\"b\\\", \\\"type\\\": \\\"numeric\\\"}, "                                   \
    "{\\\"name\\\": \\\"c\\\", \\\"type\\\": \\\"categorical\\\", \\\"levels\\\": "                \
    "[\\\"blue\\\", \\\"red\\\"]}]}"

/* WSI -> score-model(trained-model) -> WSO, and an Evaluate Model that the
 * output does not need. */
static const char *const SCORE_DOC =
    "{\"format\": \"weft.pipeline/1\", \"name\": \"scoring\", \"nodes\": ["
    " {\"id\": \"in\", \"module\": \"web-service-input@1\", \"params\": {\"schema\": \"" SCHEMA_ABC
    "\"}},"
    " {\"id\": \"model\", \"module\": \"trained-model@1\", \"params\": {\"artifact\": \"" DIGEST_A
    "\"}},"
    " {\"id\": \"score\", \"module\": \"score-model@1\"},"
    " {\"id\": \"evaluate\", \"module\": \"evaluate-model@1\"},"
    " {\"id\": \"out\", \"module\": \"web-service-output@1\"}],"
    " \"edges\": ["
    " {\"from\": \"in.dataset\", \"to\": \"score.dataset\"},"
    " {\"from\": \"model.trained_model\", \"to\": \"score.trained_model\"},"
    " {\"from\": \"score.scored_dataset\", \"to\": \"evaluate.scored_dataset\"},"
    " {\"from\": \"score.scored_dataset\", \"to\": \"out.dataset\"}]}";

static eng_scoring_plan *compile_ok(const char *doc, test_env *te)
{
    eng_pipeline *p = parse_ok(doc);
    eng_env env = {.load_artifact = test_load_artifact, .user = te};
    eng_scoring_plan *plan = NULL;
    wf_error err = {0};
    if (eng_scoring_compile(p, &env, &plan, &err) < 0) fail_msg("compile: %s", err.message);
    eng_pipeline_free(p);
    return plan;
}

static void compile_fails(const char *doc, test_env *te, const char *expect)
{
    eng_pipeline *p = parse_ok(doc);
    eng_env env = {.load_artifact = test_load_artifact, .user = te};
    eng_scoring_plan *plan = NULL;
    wf_error err = {0};
    assert_true(eng_scoring_compile(p, &env, &plan, &err) < 0);
    assert_null(plan);
    if (strstr(err.message, expect) == NULL)
        fail_msg("expected \"%s\" in: %s", expect, err.message);
    eng_pipeline_free(p);
}

static tbl_table *rows_ok(const eng_scoring_plan *plan, const eng_scoring_rows *rows)
{
    tbl_table *t = NULL;
    wf_error err = {0};
    if (eng_scoring_rows_table(plan, rows, &t, &err) < 0) fail_msg("rows: %s", err.message);
    return t;
}

static tbl_table *records_ok(const eng_scoring_plan *plan, const char *json)
{
    eng_scoring_rows rows = {.shape = ENG_ROWS_RECORDS, .records = req_json(json)};
    return rows_ok(plan, &rows);
}

static void records_fail(const eng_scoring_plan *plan, const char *json, const char *expect)
{
    eng_scoring_rows rows = {.shape = ENG_ROWS_RECORDS, .records = req_json(json)};
    tbl_table *t = NULL;
    wf_error err = {0};
    assert_int_equal(eng_scoring_rows_table(plan, &rows, &t, &err), WF_EINVAL);
    assert_null(t);
    if (strstr(err.message, expect) == NULL)
        fail_msg("expected \"%s\" in: %s", expect, err.message);
}

/* The Scored Labels of one scoring of t. */
static double *score_labels(const eng_scoring_plan *plan, const tbl_table *t)
{
    eng_scoring_result *res = NULL;
    wf_error err = {0};
    if (eng_scoring_run(plan, t, &res, &err) < 0) fail_msg("run: %s", err.message);
    const tbl_table *out = eng_scoring_output(res);
    int j = tbl_find_column(out, "Scored Labels");
    assert_true(j >= 0);
    double *v = malloc((t->nrows + 1) * sizeof *v);
    for (size_t r = 0; r < t->nrows; r++)
        v[r] = out->cols[j].v.f64[r];
    eng_scoring_result_free(res);
    return v;
}

/* ---- the tests ------------------------------------------------------------ */

/* numpy's least squares on the same rows (with the category one-hot and an
 * intercept) predicts what the plan predicts. */
static void plan_scores_as_least_squares_predicts(void **state)
{
    (void)state;
    char *csv = training_csv(200);
    /* No ridge term, so the fit is ordinary least squares. */
    test_env te = {.artifact =
                       train("linear-regression@1", "{\"l2_regularization_weight\": 0.0}", csv)};
    eng_scoring_plan *plan = compile_ok(SCORE_DOC, &te);
    assert_true(eng_scoring_fast(plan));
    size_t nw;
    eng_scoring_warnings(plan, &nw);
    assert_int_equal(nw, 0);
    const char *request = "[{\"a\": 1.5, \"b\": 2, \"c\": \"red\"}, {\"a\": -3, \"b\": 9.25, "
                          "\"c\": \"blue\"}, {\"a\": 0, \"b\": \"4.5\", \"c\": \"blue\"}]";
    tbl_table *rows = records_ok(plan, request);
    double *got = score_labels(plan, rows);

    char path[] = "/tmp/weft-scoring-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(csv, f);
    fclose(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import numpy as np, pandas as pd;"
             "d = pd.read_csv('%s');"
             "X = np.column_stack([d.a, d.b, d.c == 'red', d.c == 'blue']).astype(float);"
             "w = np.linalg.lstsq(X, d.y, rcond=None)[0];"
             "Q = np.array([[1.5, 2, 1, 0], [-3, 9.25, 0, 1], [0, 4.5, 0, 1]]);"
             "print(' '.join(repr(v) for v in Q @ w))\"",
             path);
    FILE *py = popen(cmd, "r");
    assert_non_null(py);
    double want[3];
    assert_int_equal(fscanf(py, "%lf %lf %lf", &want[0], &want[1], &want[2]), 3);
    pclose(py);
    unlink(path);
    for (size_t r = 0; r < 3; r++)
        if (fabs(got[r] - want[r]) > 1e-6 * (1 + fabs(want[r])))
            fail_msg("row %zu: plan %.10g, numpy %.10g", r + 1, got[r], want[r]);
    free(got);
    tbl_free(rows);
    eng_scoring_plan_free(plan);
    json_decref(te.artifact);
    free(csv);
}

/* The artifact is read once, at compile; a hundred requests read nothing. */
static void constants_are_computed_once(void **state)
{
    (void)state;
    char *csv = training_csv(50);
    test_env te = {.artifact = train("linear-regression@1", "{}", csv)};
    eng_scoring_plan *plan = compile_ok(SCORE_DOC, &te);
    int loads = te.loads;
    assert_true(loads >= 1);
    size_t n;
    const char *const *digests = eng_scoring_artifacts(plan, &n);
    assert_int_equal(n, 1);
    assert_string_equal(digests[0], DIGEST_A);
    tbl_table *rows = records_ok(plan, "[{\"a\": 1, \"b\": 2, \"c\": \"red\"}]");
    for (int i = 0; i < 100; i++)
        free(score_labels(plan, rows));
    assert_int_equal(te.loads, loads);
    /* Web Service Output's table: the rows, then the score. */
    eng_scoring_result *res = NULL;
    assert_int_equal(eng_scoring_run(plan, rows, &res, NULL), 0);
    const tbl_table *out = eng_scoring_output(res);
    assert_int_equal(out->ncols, 4);
    assert_string_equal(out->cols[3].name, "Scored Labels");
    assert_int_equal(out->cols[3].role, TBL_ROLE_SCORE);
    eng_scoring_result_free(res);
    /* The zero-row trial at compile learnt the reply's schema. */
    const tbl_table *os = eng_scoring_output_schema(plan);
    assert_non_null(os);
    assert_int_equal(os->ncols, 4);
    assert_string_equal(eng_scoring_input_node(plan), "in");
    assert_string_equal(eng_scoring_output_node(plan), "out");
    tbl_free(rows);
    eng_scoring_plan_free(plan);
    json_decref(te.artifact);
    free(csv);
}

/* Records, a split and columns carrying the same values give the same
 * table, of the schema's types (b sent as text still reads as a number). */
static void three_row_shapes_give_the_same_table(void **state)
{
    (void)state;
    char *csv = training_csv(50);
    test_env te = {.artifact = train("linear-regression@1", "{}", csv)};
    eng_scoring_plan *plan = compile_ok(SCORE_DOC, &te);
    tbl_table *a = records_ok(plan, "[{\"c\": \"red\", \"a\": 1, \"b\": \"2.5\", \"extra\": 9},"
                                    " {\"a\": null, \"b\": 4, \"c\": \"green\"}]");
    const eng_json *cols = req_json("[\"b\", \"a\", \"c\"]");
    const eng_json *data = req_json("[[2.5, 1, \"red\"], [4, null, \"green\"]]");
    eng_scoring_rows split = {.shape = ENG_ROWS_SPLIT, .columns = cols, .data = data};
    tbl_table *b = rows_ok(plan, &split);
    const eng_json *by =
        req_json("{\"a\": [1, null], \"b\": [2.5, 4], \"c\": [\"red\", \"green\"]}");
    eng_scoring_rows columns = {.shape = ENG_ROWS_COLUMNS, .by_column = by};
    tbl_table *c = rows_ok(plan, &columns);
    const tbl_table *tables[3] = {a, b, c};
    for (int k = 0; k < 3; k++) {
        const tbl_table *t = tables[k];
        assert_int_equal(t->nrows, 2);
        assert_int_equal(t->ncols, 3);
        assert_int_equal(t->cols[0].type, TBL_NUMERIC);
        assert_true(tbl_is_missing(&t->cols[0], 1));
        assert_true(t->cols[0].v.f64[0] == 1.0);
        assert_true(t->cols[1].v.f64[0] == 2.5 && t->cols[1].v.f64[1] == 4.0);
        assert_int_equal(t->cols[2].type, TBL_CATEGORICAL);
        /* The schema's levels keep their codes; an unseen one is added. */
        assert_int_equal(t->cols[2].v.codes[0], 1);
        assert_int_equal(t->cols[2].v.codes[1], 2);
        assert_int_equal(t->cols[2].levels.count, 3);
    }
    tbl_free(a);
    tbl_free(b);
    tbl_free(c);
    eng_scoring_plan_free(plan);
    json_decref(te.artifact);
    free(csv);
}

/* What a request gets wrong is named: the column, and the row. */
static void bad_requests_name_the_column_and_row(void **state)
{
    (void)state;
    char *csv = training_csv(50);
    test_env te = {.artifact = train("linear-regression@1", "{}", csv)};
    eng_scoring_plan *plan = compile_ok(SCORE_DOC, &te);
    records_fail(plan, "[{\"a\": 1, \"c\": \"red\"}]", "column \"b\" is missing");
    records_fail(plan, "[{\"a\": 1, \"b\": 2, \"c\": \"red\"}, {\"a\": 1, \"c\": \"red\"}]",
                 "row 2: column \"b\" is missing");
    records_fail(plan,
                 "[{\"a\": 1, \"b\": 2, \"c\": \"red\"}, {\"a\": \"abc\", \"b\": 2, "
                 "\"c\": \"red\"}]",
                 "row 2, column \"a\": \"abc\" is not a number");
    records_fail(plan, "[{\"a\": true, \"b\": 2, \"c\": \"red\"}]",
                 "row 1, column \"a\": true is not a number");
    records_fail(plan, "[{\"a\": 1, \"b\": 2, \"c\": [1]}]",
                 "row 1, column \"c\": an array is not a category");
    records_fail(plan, "[1, 2]", "row 1 is not an object");
    records_fail(plan, "{\"a\": 1}", "array of objects");
    eng_scoring_rows split = {.shape = ENG_ROWS_SPLIT,
                              .columns = req_json("[\"a\", \"b\"]"),
                              .data = req_json("[[1, 2]]")};
    tbl_table *t = NULL;
    wf_error err = {0};
    assert_int_equal(eng_scoring_rows_table(plan, &split, &t, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "column \"c\" is missing"));
    split.data = req_json("[[1, 2], [3]]");
    assert_int_equal(eng_scoring_rows_table(plan, &split, &t, &err), WF_EINVAL);
    eng_scoring_rows columns = {
        .shape = ENG_ROWS_COLUMNS,
        .by_column = req_json("{\"a\": [1, 2], \"b\": [1], \"c\": [\"red\", \"red\"]}")};
    wf_error_clear(&err);
    assert_int_equal(eng_scoring_rows_table(plan, &columns, &t, &err), WF_EINVAL);
    assert_non_null(strstr(err.message, "column \"b\" has 1 values where the others have 2"));
    /* Zero rows are a request like any other. */
    tbl_table *none = records_ok(plan, "[]");
    assert_int_equal(none->nrows, 0);
    free(score_labels(plan, none));
    tbl_free(none);
    eng_scoring_plan_free(plan);
    json_decref(te.artifact);
    free(csv);
}

/* An unseen category is scored as unknown when the learner allows it (the
 * default), and refused, naming row, column and value, when it does not. */
static void unseen_categories_follow_the_learner(void **state)
{
    (void)state;
    /* A two-class label: y above its median. */
    wf_buf b = {0};
    wf_buf_puts(&b, "a,b,c,y\n");
    wf_rng rng = {.state = 3};
    for (int i = 0; i < 120; i++) {
        double a = wf_rng_normal(&rng), bb = wf_rng_normal(&rng);
        wf_buf_printf(&b, "%.5f,%.5f,%s,%s\n", a, bb, i % 2 ? "red" : "blue",
                      a + bb + (i % 2 ? 0.5 : -0.5) > 0 ? "yes" : "no");
    }
    for (int allow = 0; allow <= 1; allow++) {
        char params[128];
        snprintf(params, sizeof params, "{\"allow_unknown_categorical_levels\": %s}",
                 allow ? "true" : "false");
        test_env te = {.artifact = train("two-class-logistic-regression@1", params, b.data)};
        eng_scoring_plan *plan = compile_ok(SCORE_DOC, &te);
        tbl_table *rows = records_ok(plan, "[{\"a\": 0.2, \"b\": 0.1, \"c\": \"red\"},"
                                           " {\"a\": 0.2, \"b\": 0.1, \"c\": \"purple\"}]");
        eng_scoring_result *res = NULL;
        wf_error err = {0};
        int rc = eng_scoring_run(plan, rows, &res, &err);
        if (allow) {
            assert_int_equal(rc, 0);
            const tbl_table *out = eng_scoring_output(res);
            int j = tbl_find_column(out, "Scored Probabilities");
            assert_true(j >= 0);
            double p = out->cols[j].v.f64[1];
            assert_true(p > 0 && p < 1);
        } else {
            assert_int_equal(rc, WF_EINVAL);
            assert_non_null(strstr(err.message, "node \"score\""));
            assert_non_null(strstr(err.message, "row 2, column \"c\": \"purple\""));
        }
        eng_scoring_result_free(res);
        tbl_free(rows);
        eng_scoring_plan_free(plan);
        json_decref(te.artifact);
    }
    wf_buf_free(&b);
}

/* Eight threads score through one plan at once and each gets exactly the
 * single-threaded answer. */
typedef struct thread_job {
    const eng_scoring_plan *plan;
    const tbl_table *rows;
    const double *want;
    int mismatches;
} thread_job;

static void *score_many(void *arg)
{
    thread_job *job = arg;
    for (int i = 0; i < 200; i++) {
        eng_scoring_result *res = NULL;
        if (eng_scoring_run(job->plan, job->rows, &res, NULL) < 0) {
            job->mismatches++;
            continue;
        }
        const tbl_table *out = eng_scoring_output(res);
        int j = tbl_find_column(out, "Scored Labels");
        for (size_t r = 0; r < job->rows->nrows; r++)
            if (j < 0 || out->cols[j].v.f64[r] != job->want[r]) job->mismatches++;
        eng_scoring_result_free(res);
    }
    return NULL;
}

static void one_plan_serves_many_threads(void **state)
{
    (void)state;
    char *csv = training_csv(80);
    test_env te = {.artifact = train("boosted-decision-tree-regression@1", "{}", csv)};
    eng_scoring_plan *plan = compile_ok(SCORE_DOC, &te);
    tbl_table *rows =
        records_ok(plan, "[{\"a\": 1, \"b\": 2, \"c\": \"red\"}, {\"a\": -2, \"b\": "
                         "7, \"c\": \"blue\"}, {\"a\": null, \"b\": 1, \"c\": null}]");
    double *want = score_labels(plan, rows);
    pthread_t threads[8];
    thread_job jobs[8];
    for (int t = 0; t < 8; t++) {
        jobs[t] = (thread_job){.plan = plan, .rows = rows, .want = want};
        assert_int_equal(pthread_create(&threads[t], NULL, score_many, &jobs[t]), 0);
    }
    for (int t = 0; t < 8; t++) {
        pthread_join(threads[t], NULL);
        assert_int_equal(jobs[t].mismatches, 0);
    }
    free(want);
    tbl_free(rows);
    eng_scoring_plan_free(plan);
    json_decref(te.artifact);
    free(csv);
}

/* Constants may be whole sub-pipelines: here the model is trained at
 * compile from rows entered in the document. */
static void constants_may_train_at_compile(void **state)
{
    (void)state;
    const char *doc =
        "{\"format\": \"weft.pipeline/1\", \"nodes\": ["
        " {\"id\": \"in\", \"module\": \"web-service-input@1\", \"params\": {\"schema\": "
        "\"{\\\"columns\\\": [{\\\"name\\\": \\\"x\\\", \\\"type\\\": \\\"numeric\\\"}]}\"}},"
        " {\"id\": \"rows\", \"module\": \"enter-data@1\", \"params\": {\"data\": "
        "\"x,y\\n1,3\\n2,5\\n3,7\\n4,9\\n\"}},"
        " {\"id\": \"learner\", \"module\": \"linear-regression@1\", \"params\": "
        "{\"l2_regularization_weight\": 0}},"
        " {\"id\": \"train\", \"module\": \"train-model@1\", \"params\": {\"label_column\": "
        "\"y\"}},"
        " {\"id\": \"score\", \"module\": \"score-model@1\", \"params\": "
        "{\"append_score_columns_to_output\": false}},"
        " {\"id\": \"out\", \"module\": \"web-service-output@1\"}],"
        " \"edges\": ["
        " {\"from\": \"rows.dataset\", \"to\": \"train.dataset\"},"
        " {\"from\": \"learner.untrained_model\", \"to\": \"train.untrained_model\"},"
        " {\"from\": \"train.trained_model\", \"to\": \"score.trained_model\"},"
        " {\"from\": \"in.dataset\", \"to\": \"score.dataset\"},"
        " {\"from\": \"score.scored_dataset\", \"to\": \"out.dataset\"}]}";
    test_env te = {0};
    eng_scoring_plan *plan = compile_ok(doc, &te);
    assert_int_equal(te.loads, 0);
    tbl_table *rows = records_ok(plan, "[{\"x\": 10}, {\"x\": -1}]");
    eng_scoring_result *res = NULL;
    assert_int_equal(eng_scoring_run(plan, rows, &res, NULL), 0);
    const tbl_table *out = eng_scoring_output(res);
    assert_int_equal(out->ncols, 1);
    assert_true(fabs(out->cols[0].v.f64[0] - 21) < 1e-9);
    assert_true(fabs(out->cols[0].v.f64[1] + 1) < 1e-9);
    eng_scoring_result_free(res);
    tbl_free(rows);
    eng_scoring_plan_free(plan);
}

/* What is not an endpoint says why. */
static void what_cannot_be_compiled_says_why(void **state)
{
    (void)state;
    test_env te = {0};
    compile_fails("{\"format\": \"weft.pipeline/1\", \"nodes\": [{\"id\": \"d\", \"module\": "
                  "\"enter-data@1\", \"params\": {\"data\": \"x\\n1\\n\"}}], \"edges\": []}",
                  &te, "no Web Service Input");
    /* The model's artifact is not there: its digest is named. */
    compile_fails(SCORE_DOC, &te, DIGEST_A);
    /* Two outputs. */
    compile_fails("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                  " {\"id\": \"in\", \"module\": \"web-service-input@1\", \"params\": "
                  "{\"schema\": \"" SCHEMA_ABC "\"}},"
                  " {\"id\": \"o1\", \"module\": \"web-service-output@1\"},"
                  " {\"id\": \"o2\", \"module\": \"web-service-output@1\"}],"
                  " \"edges\": [{\"from\": \"in.dataset\", \"to\": \"o1.dataset\"},"
                  " {\"from\": \"in.dataset\", \"to\": \"o2.dataset\"}]}",
                  &te, "two Web Service Output nodes");
    /* The output does not depend on the input. */
    compile_fails("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                  " {\"id\": \"in\", \"module\": \"web-service-input@1\", \"params\": "
                  "{\"schema\": \"" SCHEMA_ABC "\"}},"
                  " {\"id\": \"d\", \"module\": \"enter-data@1\", \"params\": {\"data\": "
                  "\"x\\n1\\n\"}},"
                  " {\"id\": \"out\", \"module\": \"web-service-output@1\"}],"
                  " \"edges\": [{\"from\": \"d.dataset\", \"to\": \"out.dataset\"}]}",
                  &te, "downstream of Web Service Input");
    /* A schema that is not one. */
    compile_fails("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                  " {\"id\": \"in\", \"module\": \"web-service-input@1\", \"params\": "
                  "{\"schema\": \"{\\\"columns\\\": []}\"}},"
                  " {\"id\": \"out\", \"module\": \"web-service-output@1\"}],"
                  " \"edges\": [{\"from\": \"in.dataset\", \"to\": \"out.dataset\"}]}",
                  &te, "schema");
}

/* The identity endpoint (input straight to output) answers its rows. */
static void input_straight_to_output_echoes(void **state)
{
    (void)state;
    test_env te = {0};
    eng_scoring_plan *plan =
        compile_ok("{\"format\": \"weft.pipeline/1\", \"nodes\": ["
                   " {\"id\": \"in\", \"module\": \"web-service-input@1\", \"params\": "
                   "{\"schema\": \"" SCHEMA_ABC "\"}},"
                   " {\"id\": \"out\", \"module\": \"web-service-output@1\"}],"
                   " \"edges\": [{\"from\": \"in.dataset\", \"to\": \"out.dataset\"}]}",
                   &te);
    tbl_table *rows = records_ok(plan, "[{\"a\": 1, \"b\": 2, \"c\": \"red\"}]");
    eng_scoring_result *res = NULL;
    assert_int_equal(eng_scoring_run(plan, rows, &res, NULL), 0);
    assert_ptr_equal(eng_scoring_output(res), rows);
    eng_scoring_result_free(res);
    tbl_free(rows);
    eng_scoring_plan_free(plan);
}

/* The request reader unescapes as Python's json module does, keeps
 * elements in order, and refuses what is not JSON, saying where. */
static void json_reader_reads_what_python_reads(void **state)
{
    (void)state;
    const char *text = "{\"a\": \"x\\\"y\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00z\",\n"
                       " \"b\": [1, -2.5e3, true, false, null, {}], \"c\": {\"k\": []}}";
    const eng_json *v = req_json(text);
    assert_int_equal(v->kind, ENG_JSON_OBJECT);
    assert_int_equal(v->n, 3);
    const eng_json *a = eng_json_get(v, "a");
    assert_non_null(a);
    char path[] = "/tmp/weft-json-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char cmd[512];
    snprintf(
        cmd, sizeof cmd,
        "/usr/bin/python3 -c \"import json; print(json.load(open('%s'))['a'].encode().hex())\"",
        path);
    FILE *py = popen(cmd, "r");
    assert_non_null(py);
    char want[256] = "";
    assert_non_null(fgets(want, sizeof want, py));
    pclose(py);
    unlink(path);
    want[strcspn(want, "\n")] = '\0';
    char got[256];
    wf_hex_encode((const uint8_t *)a->s, a->n, got);
    assert_string_equal(got, want);
    const eng_json *b = eng_json_get(v, "b");
    assert_int_equal(b->kind, ENG_JSON_ARRAY);
    assert_int_equal(b->n, 6);
    assert_int_equal(b->items[1].kind, ENG_JSON_NUMBER);
    assert_int_equal(b->items[1].n, 6);
    assert_memory_equal(b->items[1].s, "-2.5e3", 6);
    assert_int_equal(b->items[2].kind, ENG_JSON_TRUE);
    assert_int_equal(b->items[4].kind, ENG_JSON_NULL);
    assert_int_equal(b->items[5].kind, ENG_JSON_OBJECT);
    assert_null(eng_json_get(v, "nope"));
    assert_null(eng_json_at(b, 6));
    assert_int_equal(eng_json_get(eng_json_get(v, "c"), "k")->n, 0);

    const char *bad[][2] = {
        {"[1,]", "line 1, column 4"},
        {"{\"a\": 1}\n x", "line 2, column 2: more text"},
        {"\"\\ud800\"", "lone surrogate"},
        {"\"a\nb\"", "control character"},
        {"[01]", "expected ','"},
        {"[1.]", "bad number"},
        {"\"\xff\"", "not UTF-8"},
        {"{\"a\" 1}", "expected ':'"},
        {"", "ends where a value should be"},
    };
    wf_arena *arena = wf_arena_new();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const eng_json *out = NULL;
        wf_error err = {0};
        assert_int_equal(eng_json_parse(bad[i][0], strlen(bad[i][0]), arena, &out, &err),
                         WF_EPARSE);
        if (strstr(err.message, bad[i][1]) == NULL)
            fail_msg("%s: expected \"%s\" in: %s", bad[i][0], bad[i][1], err.message);
    }
    /* Nesting is limited. */
    char deep[300];
    memset(deep, '[', 200);
    memset(deep + 200, ']', 99);
    deep[299] = '\0';
    const eng_json *out = NULL;
    wf_error err = {0};
    assert_int_equal(eng_json_parse(deep, strlen(deep), arena, &out, &err), WF_EPARSE);
    assert_non_null(strstr(err.message, "nested too deeply"));
    wf_arena_free(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plan_scores_as_least_squares_predicts),
        cmocka_unit_test(constants_are_computed_once),
        cmocka_unit_test(three_row_shapes_give_the_same_table),
        cmocka_unit_test(bad_requests_name_the_column_and_row),
        cmocka_unit_test(unseen_categories_follow_the_learner),
        cmocka_unit_test(one_plan_serves_many_threads),
        cmocka_unit_test(constants_may_train_at_compile),
        cmocka_unit_test(what_cannot_be_compiled_says_why),
        cmocka_unit_test(input_straight_to_output_echoes),
        cmocka_unit_test(json_reader_reads_what_python_reads),
    };
    return cmocka_run_group_tests(tests, NULL, free_arena);
}
