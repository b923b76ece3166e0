/*
 * learners3_test.h: what the tests of the learners of issue #6 share
 * (test_learners3.c, test_networks.c, test_anomaly.c, test_reduction.c):
 * sample tables, the module chain (Split Data, Train Model, Score Model,
 * Evaluate Model), the feature matrices weft built written out for a
 * Python peer, and tests/peers/learners3.py itself.
 */
#ifndef WEFT_TESTS_LEARNERS3_TEST_H
#define WEFT_TESTS_LEARNERS3_TEST_H

#include "module_test.h"

#define SAMPLES WEFT_TEST_DATA "/../../.cache/samples"
#define PEERS WEFT_TEST_DATA "/../peers/learners3.py"

/* ---- data and modules -------------------------------------------------------------- */

/* A sample file without some columns and without rows that miss a value. */
static inline tbl_table *load_sample(const char *file, const char *const *drop)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", SAMPLES, file);
    tbl_read_options opt = {0};
    tbl_table *t = NULL, *clean = NULL;
    wf_error err = {0};
    if (tbl_read_file(path, &opt, &t, &err) < 0) fail_msg("%s", err.message);
    for (size_t i = 0; drop != NULL && drop[i] != NULL; i++) {
        int j = tbl_find_column(t, drop[i]);
        assert_true(j >= 0);
        tbl_drop_column(t, (size_t)j);
    }
    bool *keep = calloc(t->nrows + 1, sizeof *keep);
    for (size_t r = 0; r < t->nrows; r++) {
        keep[r] = true;
        for (size_t j = 0; j < t->ncols; j++)
            if (tbl_is_missing(&t->cols[j], r)) keep[r] = false;
    }
    assert_int_equal(tbl_filter(t, keep, &clean, &err), 0);
    free(keep);
    tbl_free(t);
    return clean;
}

/* 70/30 split with a fixed seed. */
static inline void split(const tbl_table *t, tbl_table **train, tbl_table **test)
{
    mod_ctx ctx;
    mt_ok(&ctx, mt_run(&ctx, "split-data@1",
                       "{\"fraction\": 0.7, \"randomize\": true, \"seed\": 7}", t, false));
    *train = mt_take_table(&ctx, 0);
    *test = mt_take_table(&ctx, 1);
    mod_ctx_clear(&ctx);
}

/* Train Model on rows with learner JSON `learner`; the model (caller decrefs). */
static inline json_t *train(json_t *learner, const char *label, const tbl_table *rows)
{
    char params[256];
    snprintf(params, sizeof params, "{\"label_column\": \"%s\"}", label);
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = learner},
                       {.kind = MOD_TABLE, .table = (tbl_table *)rows}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, "train-model@1", params, in, 2, false));
    json_t *model = mt_take_json(&ctx, 0);
    mod_ctx_clear(&ctx);
    return model;
}

/* Train Model's failure message for this learner (caller frees). */
static inline char *train_error(json_t *learner, const char *label, const tbl_table *rows)
{
    char params[256];
    snprintf(params, sizeof params, "{\"label_column\": \"%s\"}", label);
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = learner},
                       {.kind = MOD_TABLE, .table = (tbl_table *)rows}};
    mod_ctx ctx;
    int rc = mt_run_inputs(&ctx, "train-model@1", params, in, 2, false);
    if (rc == 0) fail_msg("training succeeded where it should fail");
    char *msg = wf_strdup(ctx.err.message);
    mod_ctx_clear(&ctx);
    return msg;
}

static inline tbl_table *score(json_t *model, const tbl_table *rows)
{
    mod_value in[2] = {{.kind = MOD_MODEL, .json = model},
                       {.kind = MOD_TABLE, .table = (tbl_table *)rows}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, "score-model@1", "{}", in, 2, false));
    tbl_table *out = mt_take_table(&ctx, 0);
    mod_ctx_clear(&ctx);
    return out;
}

/* Evaluate Model's metric `name` for a scored table. */
static inline double evaluate(const tbl_table *scored, const char *name)
{
    mod_value in[1] = {{.kind = MOD_TABLE, .table = (tbl_table *)scored}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, "evaluate-model@1", "{}", in, 1, false));
    const json_t *m =
        json_object_get(json_array_get(json_object_get(mt_json(&ctx, 0), "models"), 0), "metrics");
    const json_t *v = json_object_get(m, name);
    if (!json_is_number(v)) fail_msg("the report has no number %s", name);
    double out = json_number_value(v);
    mod_ctx_clear(&ctx);
    return out;
}

static inline void write_matrix(const char *path, const ml_matrix *x)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t r = 0; r < x->rows; r++)
        for (size_t j = 0; j < x->cols; j++)
            fprintf(f, "%.17g%c", x->data[r * x->cols + j], j + 1 < x->cols ? ',' : '\n');
    fclose(f);
}

/* dir/{x,y}_{train,test}.csv: the model's feature matrices and the labels
 * (values, or class indices among the model's classes). */
static inline void write_peer_data(const char *dir, const mod__model *m,
                                   const tbl_table *train_rows, const tbl_table *test_rows)
{
    const tbl_table *parts[2] = {train_rows, test_rows};
    const char *names[2] = {"train", "test"};
    for (int i = 0; i < 2; i++) {
        ml_matrix x = {0};
        wf_error err = {0};
        if (ml_features_matrix(&m->features, parts[i], &x, &err) < 0) fail_msg("%s", err.message);
        char path[600];
        snprintf(path, sizeof path, "%s/x_%s.csv", dir, names[i]);
        write_matrix(path, &x);
        ml_matrix_clear(&x);
        snprintf(path, sizeof path, "%s/y_%s.csv", dir, names[i]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        int col = tbl_find_column(parts[i], m->label);
        assert_true(col >= 0);
        if (m->task == ML_REGRESSION) {
            double *y = NULL;
            assert_int_equal(ml_label_numbers(parts[i], (size_t)col, &y, &err), 0);
            for (size_t r = 0; r < parts[i]->nrows; r++)
                fprintf(f, "%.17g\n", y[r]);
            free(y);
        } else {
            int32_t *y = NULL;
            assert_int_equal(ml_label_lookup(parts[i], (size_t)col, &m->classes, &y, &err), 0);
            for (size_t r = 0; r < parts[i]->nrows; r++)
                fprintf(f, "%d\n", y[r]);
            free(y);
        }
        fclose(f);
    }
}

/* The model JSON read back as a mod__model (caller clears). */
static inline void read_model(const json_t *json, mod__model *m)
{
    mod_ctx reader = {0};
    assert_int_equal(mod_ctx_init(&reader, mod_find("score-model@1"), NULL), 0);
    if (mod__model_from_json(&reader, json, m) < 0) fail_msg("%s", reader.err.message);
    mod_ctx_clear(&reader);
}

/* Runs the peer on dir with params (JSON text); its JSON output. */
static inline json_t *run_peer(const char *peer, const char *params, const char *dir)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s '%s' %s", PEERS, peer, params, dir);
    char *printed = mt_capture(cmd);
    json_t *out = json_loads(printed, 0, NULL);
    if (out == NULL) fail_msg("the peer printed no JSON: %s", printed);
    free(printed);
    return out;
}

static inline double peer_number(const json_t *peer, const char *name)
{
    const json_t *v = json_object_get(peer, name);
    if (!json_is_number(v)) fail_msg("the peer has no number %s", name);
    return json_number_value(v);
}

static inline void close_to(const char *what, double ours, double theirs, double tol)
{
    print_message("    %-48s weft %.6g  peer %.6g  (tolerance %g)\n", what, ours, theirs, tol);
    if (!(fabs(ours - theirs) <= tol))
        fail_msg("%s differs: weft %.9g, peer %.9g", what, ours, theirs);
}

/* Trains `learner` with `params` on file's label, scores the test rows and
 * returns Evaluate Model's `metric`; the peer gets the same matrices. */
static inline double run_case(const char *file, const char *const *drop, const char *label,
                              const char *learner_ref, const char *params, const char *metric,
                              const char *peer_name, const char *peer_params, json_t **peer)
{
    tbl_table *data = load_sample(file, drop), *tr, *te;
    split(data, &tr, &te);
    json_t *learner = mt_learner(learner_ref, params);
    json_t *model = train(learner, label, tr);
    tbl_table *scored = score(model, te);
    double ours = evaluate(scored, metric);
    mod__model m;
    read_model(model, &m);
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    write_peer_data(dir, &m, tr, te);
    *peer = run_peer(peer_name, peer_params, dir);
    mt_rmtree(dir);
    mod__model_clear(&m);
    tbl_free(scored);
    json_decref(model);
    json_decref(learner);
    tbl_free(tr);
    tbl_free(te);
    tbl_free(data);
    return ours;
}

#endif
