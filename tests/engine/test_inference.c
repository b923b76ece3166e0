/*
 * test_inference.c: "Create inference pipeline" (engine/inference.c). Two
 * real training runs (the cars regression sample; a pipeline with Edit
 * Metadata, Select Columns, Clean Missing Data, Split Data, Normalize Data
 * with Apply Transformation and Select Columns Transform) are converted,
 * and the converted pipelines are run: they must predict what the training
 * run's Score Model predicted on the same rows, also on rows without the
 * label. Every refusal is checked on runs recorded by hand.
 */
#include "run_test.h"

#include <math.h>

#define LABEL "Miles_per_Gallon"

static test_ws ws;
static int64_t run_cars, run_prepared;
/* Digests of run_cars's outputs, for runs recorded by hand. */
static char *cars_table, *cars_model, *clean_transform;

/* ---- setup --------------------------------------------------------------------- */

static void register_table(const char *name, tbl_table *t)
{
    st_dataset_version v = {0};
    wf_error err = {0};
    if (st_dataset_register(ws.ws, name, t, "", "test", &v, &err) < 0)
        fail_msg("register %s: %s", name, err.message);
    st_dataset_version_clear(&v);
}

static int64_t run_file(const char *path)
{
    eng_pipeline *p = NULL;
    wf_error err = {0};
    if (eng_pipeline_load_file(path, &p, &err) < 0) fail_msg("%s: %s", path, err.message);
    eng_run_options opt = test_options(NULL);
    int64_t id = 0;
    if (eng_run(ws.ws, p, &opt, &id, &err) < 0) fail_msg("run %s: %s", path, err.message);
    eng_pipeline_free(p);
    return id;
}

static int setup(void **state)
{
    (void)state;
    test_ws_open(&ws);
    tbl_table *cars = NULL, *nolabel = NULL, *small = NULL;
    wf_error err = {0};
    if (tbl_read_file(WEFT_TEST_DATA "/../../.cache/samples/cars.json", NULL, &cars, &err) < 0)
        fail_msg("cars: %s (run `make deps`)", err.message);
    register_table("cars", cars);
    assert_int_equal(tbl_clone(cars, &nolabel, &err), 0);
    tbl_drop_column(nolabel, (size_t)tbl_find_column(nolabel, LABEL));
    register_table("cars-nolabel", nolabel);
    size_t rows[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    assert_int_equal(tbl_take(cars, rows, 10, &small, &err), 0);
    while (small->ncols > 1)
        tbl_drop_column(small, strcmp(small->cols[0].name, "Name") == 0 ? 1 : 0);
    register_table("cars-small", small);
    tbl_free(cars);
    tbl_free(nolabel);
    tbl_free(small);
    run_cars = run_file(WEFT_TEST_DATA "/../../examples/cars-regression.json");
    run_prepared = run_file(WEFT_TEST_DATA "/pipelines/cars_prepared.json");
    cars_table = test_output(&ws, run_cars, "cars", "dataset");
    cars_model = test_output(&ws, run_cars, "train", "trained_model");
    clean_transform = test_output(&ws, run_cars, "clean", "cleaning_transformation");
    assert_non_null(cars_table);
    assert_non_null(cars_model);
    assert_non_null(clean_transform);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(cars_table);
    free(cars_model);
    free(clean_transform);
    test_ws_close(&ws);
    return 0;
}

/* ---- converting and running ---------------------------------------------------- */

static json_t *convert(int64_t run, eng_inference_kind kind, const char *score_node,
                       json_t **warnings)
{
    eng_inference_options opt = {.kind = kind, .score_node = score_node};
    json_t *doc = NULL, *w = NULL;
    wf_error err = {0};
    if (eng_inference_pipeline(ws.ws, run, &opt, &doc, &w, &err) < 0)
        fail_msg("converting run %lld: %s", (long long)run, err.message);
    assert_true(json_is_array(w));
    if (warnings != NULL)
        *warnings = w;
    else
        json_decref(w);
    return doc;
}

/* The conversion fails with `code`, saying `says`. */
static void assert_refused(int64_t run, const eng_inference_options *opt, int code,
                           const char *says)
{
    json_t *doc = NULL, *w = NULL;
    wf_error err = {0};
    int rc = eng_inference_pipeline(ws.ws, run, opt, &doc, &w, &err);
    if (rc != code) fail_msg("expected %d, got %d (%s)", code, rc, err.message);
    assert_null(doc);
    assert_null(w);
    if (strstr(err.message, says) == NULL)
        fail_msg("\"%s\" does not say \"%s\"", err.message, says);
}

static int64_t run_doc(const json_t *doc, const json_t *bindings)
{
    char *text = json_dumps(doc, 0);
    eng_pipeline *p = test_pipeline(text);
    free(text);
    eng_run_options opt = test_options(NULL);
    opt.bindings = bindings;
    int64_t id = 0;
    wf_error err = {0};
    if (eng_run(ws.ws, p, &opt, &id, &err) < 0)
        fail_msg("running the converted pipeline: %s", err.message);
    eng_pipeline_free(p);
    return id;
}

static tbl_table *load_output(int64_t run, const char *node, const char *port)
{
    char *d = test_output(&ws, run, node, port);
    if (d == NULL) fail_msg("run %lld: no output %s.%s", (long long)run, node, port);
    tbl_table *t = NULL;
    wf_error err = {0};
    if (st_artifact_load_table(ws.ws, d, &t, &err) < 0) fail_msg("%s", err.message);
    free(d);
    return t;
}

/* The key of row r: the text of every column `want` has, other than the
 * label and the scores, read from t. */
static void row_key(const tbl_table *want, const tbl_table *t, size_t r, wf_buf *key)
{
    key->len = 0;
    if (key->data) key->data[0] = '\0';
    for (size_t j = 0; j < want->ncols; j++) {
        const tbl_column *c = &want->cols[j];
        if (c->role == TBL_ROLE_SCORE || strcmp(c->name, LABEL) == 0) continue;
        int k = tbl_find_column(t, c->name);
        if (k < 0) fail_msg("column \"%s\" is not in the inference output", c->name);
        char cell[128];
        tbl_format_cell(&t->cols[k], r, cell, sizeof cell);
        wf_buf_printf(key, "%s\x1f", cell);
    }
}

/* Every row the training run scored is in `got`, with the same Scored
 * Labels: the training run's Score Model is the reference. */
static void assert_same_predictions(const tbl_table *trained, const tbl_table *got)
{
    int ts = tbl_find_column(trained, "Scored Labels"), gs = tbl_find_column(got, "Scored Labels");
    assert_true(ts >= 0 && gs >= 0);
    char **keys = calloc(got->nrows, sizeof *keys);
    wf_buf key = {0};
    for (size_t r = 0; r < got->nrows; r++) {
        row_key(trained, got, r, &key);
        keys[r] = strdup(key.data);
    }
    for (size_t r = 0; r < trained->nrows; r++) {
        row_key(trained, trained, r, &key);
        size_t g = 0;
        while (g < got->nrows && strcmp(keys[g], key.data) != 0)
            g++;
        if (g == got->nrows) fail_msg("training row %zu (%s) was not scored", r, key.data);
        double want = trained->cols[ts].v.f64[r], have = got->cols[gs].v.f64[g];
        if (fabs(want - have) > 1e-9 * fmax(1, fabs(want)))
            fail_msg("row %zu: training predicted %.17g, inference %.17g", r, want, have);
    }
    for (size_t r = 0; r < got->nrows; r++)
        free(keys[r]);
    free(keys);
    wf_buf_free(&key);
}

static const json_t *node_of(const json_t *doc, const char *id)
{
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(doc, "nodes"), i, n)
    {
        if (strcmp(json_string_value(json_object_get(n, "id")), id) == 0) return n;
    }
    return NULL;
}

static const char *module_of(const json_t *doc, const char *id)
{
    const json_t *n = node_of(doc, id);
    return n ? json_string_value(json_object_get(n, "module")) : NULL;
}

static const char *param_of(const json_t *doc, const char *id, const char *name)
{
    return json_string_value(json_object_get(json_object_get(node_of(doc, id), "params"), name));
}

static bool has_edge(const json_t *doc, const char *from, const char *to)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "edges"), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "from")), from) == 0 &&
            strcmp(json_string_value(json_object_get(e, "to")), to) == 0)
            return true;
    }
    return false;
}

static bool warned(const json_t *warnings, const char *says)
{
    size_t i;
    json_t *w;
    json_array_foreach(warnings, i, w)
    {
        if (strstr(json_string_value(w), says) != NULL) return true;
    }
    return false;
}

/* ---- the cars regression ------------------------------------------------------- */

static void realtime_cars_pipeline_follows_the_rules(void **state)
{
    (void)state;
    json_t *doc = convert(run_cars, ENG_INFERENCE_REALTIME, NULL, NULL);
    /* Split Data, Evaluate Model and the learner go. */
    assert_null(node_of(doc, "split"));
    assert_null(node_of(doc, "evaluate"));
    assert_null(node_of(doc, "learner"));
    /* Train Model holds its output. */
    assert_string_equal(module_of(doc, "train"), "trained-model@1");
    assert_string_equal(param_of(doc, "train", "artifact"), cars_model);
    /* Clean Missing Data is applied with its fitted transform (the label
     * left out, so its digest is a new one). */
    assert_string_equal(module_of(doc, "clean"), "apply-transformation@1");
    assert_string_equal(module_of(doc, "clean-transform"), "fitted-transform@1");
    assert_true(has_edge(doc, "clean-transform.transformation", "clean.transform"));
    assert_true(has_edge(doc, "columns.dataset", "clean.dataset"));
    /* The rows enter at the dataset, through Web Service Input. */
    assert_true(has_edge(doc, "cars.dataset", "web-service-input.dataset"));
    assert_true(has_edge(doc, "web-service-input.dataset", "columns.dataset"));
    assert_true(has_edge(doc, "clean.dataset", "score.dataset"));
    assert_true(has_edge(doc, "train.trained_model", "score.trained_model"));
    assert_true(has_edge(doc, "score.scored_dataset", "web-service-output.dataset"));
    /* The schema is the training table's, without the label. */
    tbl_table *schema = NULL, *cars = NULL;
    wf_error err = {0};
    assert_int_equal(
        mod_web_service_schema(param_of(doc, "web-service-input", "schema"), &schema, &err), 0);
    assert_int_equal(st_artifact_load_table(ws.ws, cars_table, &cars, &err), 0);
    assert_int_equal(schema->ncols, cars->ncols - 1);
    assert_int_equal(tbl_find_column(schema, LABEL), -1);
    for (size_t j = 0; j < schema->ncols; j++) {
        int k = tbl_find_column(cars, schema->cols[j].name);
        assert_true(k >= 0);
        assert_int_equal(schema->cols[j].type, cars->cols[k].type);
    }
    tbl_free(schema);
    tbl_free(cars);
    json_decref(doc);
}

static void realtime_cars_pipeline_predicts_what_training_predicted(void **state)
{
    (void)state;
    json_t *doc = convert(run_cars, ENG_INFERENCE_REALTIME, NULL, NULL);
    int64_t run = run_doc(doc, NULL);
    tbl_table *trained = load_output(run_cars, "score", "scored_dataset");
    tbl_table *got = load_output(run, "web-service-output", "dataset");
    /* Every row of cars without a missing feature is scored, not only the
     * test split. */
    assert_true(got->nrows > trained->nrows);
    assert_same_predictions(trained, got);
    tbl_free(trained);
    tbl_free(got);
    json_decref(doc);
}

static void batch_cars_pipeline_registers_the_scores_of_a_parameter_dataset(void **state)
{
    (void)state;
    json_t *doc = convert(run_cars, ENG_INFERENCE_BATCH, NULL, NULL);
    assert_null(node_of(doc, "web-service-input"));
    assert_null(node_of(doc, "web-service-output"));
    json_t *params = json_object_get(doc, "parameters");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(params, "input_dataset"), "default")),
        "cars");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(params, "output_dataset"), "default")),
        "cars-scored");
    const json_t *cars = json_object_get(node_of(doc, "cars"), "params");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(cars, "dataset"), "$param")),
        "input_dataset");
    assert_string_equal(module_of(doc, "export-scores"), "export-data@1");
    assert_true(has_edge(doc, "score.scored_dataset", "export-scores.dataset"));
    /* Scoring rows without the label. */
    json_t *bindings = json_pack("{s:s, s:s}", "input_dataset", "cars-nolabel", "output_dataset",
                                 "cars-batch-scores");
    int64_t run = run_doc(doc, bindings);
    st_dataset_version v = {0};
    wf_error err = {0};
    tbl_table *got = NULL;
    if (st_dataset_load(ws.ws, "cars-batch-scores@latest", &got, &v, &err) < 0)
        fail_msg("%s", err.message);
    assert_int_equal(v.version, 1);
    assert_int_equal(tbl_find_column(got, LABEL), -1);
    tbl_table *trained = load_output(run_cars, "score", "scored_dataset");
    assert_same_predictions(trained, got);
    /* The dataset remembers the run that made it. */
    char source[64];
    snprintf(source, sizeof source, "run:%lld/export-scores", (long long)run);
    assert_string_equal(v.source, source);
    st_dataset_version_clear(&v);
    tbl_free(trained);
    tbl_free(got);
    json_decref(bindings);
    json_decref(doc);
}

/* ---- a pipeline with fitted transformations ----------------------------------------- */

static void prepared_pipeline_leaves_the_label_out(void **state)
{
    (void)state;
    json_t *warnings = NULL;
    json_t *doc = convert(run_prepared, ENG_INFERENCE_REALTIME, NULL, &warnings);
    /* Edit Metadata edited only the label: it goes, with a warning. */
    assert_null(node_of(doc, "meta"));
    assert_true(warned(warnings, "node \"meta\" (edit-metadata@1) was left out"));
    assert_true(has_edge(doc, "web-service-input.dataset", "pick.dataset"));
    /* Select Columns keeps its other names. */
    json_t *names = json_object_get(
        json_array_get(
            json_object_get(
                json_object_get(json_object_get(node_of(doc, "pick"), "params"), "columns"),
                "include"),
            0),
        "names");
    assert_int_equal(json_array_size(names), 5);
    for (size_t k = 0; k < json_array_size(names); k++)
        assert_string_not_equal(json_string_value(json_array_get(names, k)), LABEL);
    /* Normalize Data fed only Apply Transformation's transform: it is the
     * constant itself; Select Columns Transform likewise. */
    assert_string_equal(module_of(doc, "normalize"), "fitted-transform@1");
    assert_string_equal(module_of(doc, "sct"), "fitted-transform@1");
    assert_true(has_edge(doc, "normalize.transformation", "apply.transform"));
    assert_true(has_edge(doc, "clean.dataset", "apply.dataset"));
    assert_null(node_of(doc, "features"));
    /* Every transform is stored again without the label, the rest kept. */
    const char *stored[] = {"clean-transform", "normalize", "sct"};
    const char *original[] = {"clean", "normalize", "sct"};
    const char *port[] = {"cleaning_transformation", "transformation_function",
                          "columns_selection_transformation"};
    for (size_t i = 0; i < 3; i++) {
        json_t *now = NULL, *before = NULL;
        wf_error err = {0};
        char *d = test_output(&ws, run_prepared, original[i], port[i]);
        assert_int_equal(
            eng_load_json_artifact(ws.ws, param_of(doc, stored[i], "artifact"), &now, &err), 0);
        assert_int_equal(eng_load_json_artifact(ws.ws, d, &before, &err), 0);
        json_t *cols = json_object_get(now, "columns");
        assert_int_equal(json_array_size(cols) + 1,
                         json_array_size(json_object_get(before, "columns")));
        for (size_t k = 0; k < json_array_size(cols); k++)
            assert_string_not_equal(
                json_string_value(json_object_get(json_array_get(cols, k), "name")), LABEL);
        free(d);
        json_decref(now);
        json_decref(before);
    }
    json_decref(warnings);
    json_decref(doc);
}

static void prepared_pipeline_predicts_what_training_predicted_with_and_without_labels(void **state)
{
    (void)state;
    json_t *doc = convert(run_prepared, ENG_INFERENCE_REALTIME, NULL, NULL);
    tbl_table *trained = load_output(run_prepared, "score", "scored_dataset");
    int64_t run = run_doc(doc, NULL);
    tbl_table *got = load_output(run, "web-service-output", "dataset");
    assert_same_predictions(trained, got);
    tbl_free(got);
    /* Rows that carry no label at all, as requests do. */
    json_t *cars = json_object_get((json_t *)node_of(doc, "cars"), "params");
    json_object_set_new(cars, "dataset", json_string("cars-nolabel"));
    json_object_set_new(cars, "version", json_string("latest"));
    run = run_doc(doc, NULL);
    got = load_output(run, "web-service-output", "dataset");
    assert_int_equal(tbl_find_column(got, LABEL), -1);
    assert_same_predictions(trained, got);
    tbl_free(got);
    tbl_free(trained);
    json_decref(doc);
}

/* ---- runs recorded by hand, for the refusals ----------------------------------------- */

/* Records a run of doc (JSON text; every node's params as the run resolved
 * them) with `status`, its steps' outputs given as {"node": {"port":
 * "digest"}} (JSON text). */
static int64_t fake_run(const char *doc_text, const char *outputs_text, const char *status)
{
    json_error_t jerr;
    json_t *doc = json_loads(doc_text, 0, &jerr);
    json_t *outputs = json_loads(outputs_text, 0, &jerr);
    if (doc == NULL || outputs == NULL) fail_msg("bad test JSON: %s", jerr.text);
    json_t *steps = json_object();
    size_t n = json_array_size(json_object_get(doc, "nodes"));
    const char **ids = calloc(n, sizeof *ids), **mods = calloc(n, sizeof *mods);
    st_step *rows = calloc(n, sizeof *rows);
    char **texts = calloc(n, sizeof *texts);
    for (size_t i = 0; i < n; i++) {
        json_t *node = json_array_get(json_object_get(doc, "nodes"), i);
        ids[i] = json_string_value(json_object_get(node, "id"));
        mods[i] = json_string_value(json_object_get(node, "module"));
        json_t *params = json_object_get(node, "params");
        json_object_set_new(steps, ids[i],
                            json_pack("{s:s, s:o}", "module", mods[i], "params",
                                      params ? json_incref(params) : json_object()));
        json_t *o = json_object_get(outputs, ids[i]);
        texts[i] = o ? json_dumps(o, 0) : strdup("{}");
        rows[i] = (st_step){.node_id = (char *)ids[i],
                            .module = (char *)mods[i],
                            .status = strcmp(status, "completed") == 0 ? "completed" : "failed",
                            .outputs_json = texts[i],
                            .elapsed_ms = 1};
    }
    json_t *snap = json_pack("{s:s, s:O, s:{}, s:o}", "format", "weft.snapshot/1", "pipeline", doc,
                             "parameters", "steps", steps);
    char *snap_text = json_dumps(snap, 0);
    st_run_spec spec = {.pipeline_name = "hand-made",
                        .snapshot_json = snap_text,
                        .node_ids = ids,
                        .modules = mods,
                        .nsteps = n};
    int64_t id = 0;
    wf_error err = {0};
    if (st_run_create(ws.ws, &spec, &id, &err) < 0) fail_msg("%s", err.message);
    for (size_t i = 0; i < n; i++)
        rows[i].run_id = id;
    if (st_run_finish(ws.ws, id, status, NULL, rows, n, &err) < 0) fail_msg("%s", err.message);
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(rows);
    free(ids);
    free(mods);
    free(snap_text);
    json_decref(snap);
    json_decref(doc);
    json_decref(outputs);
    return id;
}

/* A document of the cars dataset, a learner, Train Model and what `more`
 * adds (nodes, then edges, as JSON text fragments that start with a
 * comma). */
static char *hand_doc(const char *nodes, const char *edges)
{
    wf_buf b = {0};
    wf_buf_printf(&b,
                  "{\"format\": \"weft.pipeline/1\", \"name\": \"hand\", \"nodes\": ["
                  "{\"id\": \"cars\", \"module\": \"dataset@1\", \"params\": {\"dataset\": "
                  "\"cars\", \"version\": 1}},"
                  "{\"id\": \"learner\", \"module\": \"linear-regression@1\", \"params\": {}},"
                  "{\"id\": \"train\", \"module\": \"train-model@1\", \"params\": "
                  "{\"label_column\": \"" LABEL "\"}}%s],"
                  "\"edges\": [{\"from\": \"learner.untrained_model\", \"to\": "
                  "\"train.untrained_model\"}, {\"from\": \"cars.dataset\", \"to\": "
                  "\"train.dataset\"}%s]}",
                  nodes, edges);
    return b.data;
}

/* Outputs of the hand-made runs: the real cars table and model. */
static char *hand_outputs(const char *more)
{
    wf_buf b = {0};
    wf_buf_printf(&b, "{\"cars\": {\"dataset\": \"%s\"}, \"train\": {\"trained_model\": \"%s\"}%s}",
                  cars_table, cars_model, more);
    return b.data;
}

static int64_t hand_run(const char *nodes, const char *edges, const char *more_outputs,
                        const char *status)
{
    char *doc = hand_doc(nodes, edges), *outputs = hand_outputs(more_outputs);
    int64_t id = fake_run(doc, outputs, status);
    free(doc);
    free(outputs);
    return id;
}

#define SCORE_NODE(id) ",{\"id\": \"" id "\", \"module\": \"score-model@1\", \"params\": {}}"
#define SCORE_EDGES(id, from)                                                                      \
    ",{\"from\": \"train.trained_model\", \"to\": \"" id ".trained_model\"},"                      \
    "{\"from\": \"" from "\", \"to\": \"" id ".dataset\"}"

static const eng_inference_options realtime = {.kind = ENG_INFERENCE_REALTIME};

static void refuses_an_unknown_run(void **state)
{
    (void)state;
    assert_refused(999999, &realtime, WF_ENOTFOUND, "there is no run 999999");
}

static void refuses_a_run_that_did_not_complete(void **state)
{
    (void)state;
    int64_t id = hand_run(SCORE_NODE("score"), SCORE_EDGES("score", "cars.dataset"), "", "failed");
    char says[128];
    snprintf(says, sizeof says, "run %lld is failed, not completed", (long long)id);
    assert_refused(id, &realtime, WF_EINVAL, says);
}

static void refuses_a_run_without_train_model(void **state)
{
    (void)state;
    int64_t id = fake_run("{\"format\": \"weft.pipeline/1\", \"nodes\": [{\"id\": \"cars\", "
                          "\"module\": \"dataset@1\", \"params\": {\"dataset\": \"cars\"}}], "
                          "\"edges\": []}",
                          "{}", "completed");
    assert_refused(id, &realtime, WF_EINVAL, "has no Train Model: it trained no model to serve");
}

static void refuses_a_run_without_score_model(void **state)
{
    (void)state;
    int64_t id = hand_run("", "", "", "completed");
    assert_refused(id, &realtime, WF_EINVAL, "has no Score Model");
}

static void several_score_models_need_a_choice(void **state)
{
    (void)state;
    int64_t id =
        hand_run(SCORE_NODE("score") SCORE_NODE("score2"),
                 SCORE_EDGES("score", "cars.dataset") SCORE_EDGES("score2", "cars.dataset"), "",
                 "completed");
    assert_refused(id, &realtime, WF_EINVAL,
                   "has 2 Score Models (\"score\", \"score2\"): choose the one to serve");
    eng_inference_options o = realtime;
    o.score_node = "nope";
    assert_refused(id, &o, WF_EINVAL, "has no node \"nope\"");
    o.score_node = "train";
    assert_refused(id, &o, WF_EINVAL, "node \"train\" is train-model@1, not a Score Model");
    json_t *doc = convert(id, ENG_INFERENCE_REALTIME, "score2", NULL);
    assert_null(node_of(doc, "score"));
    assert_true(has_edge(doc, "score2.scored_dataset", "web-service-output.dataset"));
    assert_true(has_edge(doc, "web-service-input.dataset", "score2.dataset"));
    json_decref(doc);
}

static void refuses_modules_without_an_inference_equivalent(void **state)
{
    (void)state;
    static const struct {
        const char *nodes, *edges, *says;
    } cases[] = {
        {",{\"id\": \"sum\", \"module\": \"summarize-data@1\", \"params\": {}}" SCORE_NODE("score"),
         ",{\"from\": \"cars.dataset\", \"to\": \"sum.dataset\"}" SCORE_EDGES("score",
                                                                              "sum.result_dataset"),
         "node \"sum\" (summarize-data@1) has no inference equivalent: its output describes the "
         "data"},
        {",{\"id\": \"km\", \"module\": \"k-means-clustering@1\", \"params\": {}},"
         "{\"id\": \"tcm\", \"module\": \"train-clustering-model@1\", \"params\": {}}" SCORE_NODE(
             "score"),
         ",{\"from\": \"km.untrained_model\", \"to\": \"tcm.untrained_model\"},"
         "{\"from\": \"cars.dataset\", \"to\": \"tcm.dataset\"}" SCORE_EDGES("score",
                                                                             "tcm.results_dataset"),
         "node \"tcm\" (train-clustering-model@1) has no inference equivalent: it trains a "
         "learner"},
        {",{\"id\": \"fs\", \"module\": \"filter-based-feature-selection@1\", \"params\": "
         "{\"target_column\": \"" LABEL "\"}}" SCORE_NODE("score"),
         ",{\"from\": \"cars.dataset\", \"to\": \"fs.dataset\"}" SCORE_EDGES("score",
                                                                             "fs.features"),
         "node \"fs\" (filter-based-feature-selection@1) has no inference equivalent: its output "
         "feeding the scoring path is not the one its fitted transformation reproduces"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t id = hand_run(cases[i].nodes, cases[i].edges, "", "completed");
        assert_refused(id, &realtime, WF_EINVAL, cases[i].says);
    }
}

static void refuses_a_selection_of_only_the_label(void **state)
{
    (void)state;
    int64_t id = hand_run(",{\"id\": \"pick\", \"module\": \"select-columns@1\", \"params\": "
                          "{\"columns\": {\"include\": [{\"names\": [\"" LABEL "\"]}], "
                          "\"exclude\": [{\"names\": [\"Name\"]}]}}}" SCORE_NODE("score"),
                          ",{\"from\": \"cars.dataset\", \"to\": \"pick.dataset\"}" SCORE_EDGES(
                              "score", "pick.dataset"),
                          ",\"pick\": {\"dataset\": \"0\"}", "completed");
    assert_refused(id, &realtime, WF_EINVAL,
                   "node \"pick\" (select-columns@1): \"columns\" selects only the label column "
                   "\"" LABEL "\", which scoring requests do not carry");
}

static void refuses_missing_outputs_naming_them(void **state)
{
    (void)state;
    char *doc = hand_doc(SCORE_NODE("score"), SCORE_EDGES("score", "cars.dataset"));
    char outputs[512];
    /* No model output at all, then one that is not in the workspace. */
    snprintf(outputs, sizeof outputs, "{\"cars\": {\"dataset\": \"%s\"}}", cars_table);
    int64_t id = fake_run(doc, outputs, "completed");
    assert_refused(id, &realtime, WF_EINVAL, "step \"train\" has no trained model output");
    snprintf(outputs, sizeof outputs,
             "{\"cars\": {\"dataset\": \"%s\"}, \"train\": {\"trained_model\": \"%064d\"}}",
             cars_table, 7);
    id = fake_run(doc, outputs, "completed");
    assert_refused(id, &realtime, WF_ENOTFOUND,
                   "artifact 0000000000000000000000000000000000000000000000000000000000000007 is "
                   "not in this workspace");
    free(doc);
}

static void refuses_a_damaged_transform(void **state)
{
    (void)state;
    /* Fitted on the label, with one fill for two columns. */
    const char *tr = "{\"columns\":[{\"name\":\"" LABEL "\",\"type\":\"numeric\"},{\"name\":"
                     "\"Horsepower\",\"type\":\"integer\"}],\"kind\":\"transform\",\"module\":"
                     "\"clean-missing-data@1\",\"state\":{\"drop\":[],\"fills\":[{\"fill\":1}],"
                     "\"indicators\":false,\"mode\":\"replace-with-mean\"}}";
    char digest[WF_SHA256_HEX], more[256];
    wf_error err = {0};
    assert_int_equal(st_artifact_put(ws.ws, tr, strlen(tr), digest, &err), 0);
    snprintf(more, sizeof more,
             ",\"clean\": {\"cleaned_dataset\": \"%s\", \"cleaning_transformation\": \"%s\"}",
             cars_table, digest);
    int64_t id =
        hand_run(",{\"id\": \"clean\", \"module\": \"clean-missing-data@1\", "
                 "\"params\": {\"columns_to_be_cleaned\": {\"include\": [{\"type\": "
                 "\"numeric\"}]}, \"cleaning_mode\": \"replace-with-mean\"}}" SCORE_NODE("score"),
                 ",{\"from\": \"cars.dataset\", \"to\": \"clean.dataset\"}" SCORE_EDGES(
                     "score", "clean.cleaned_dataset"),
                 more, "completed");
    assert_refused(id, &realtime, WF_ECORRUPT,
                   "node \"clean\": its clean-missing-data@1 transformation is damaged (\"fills\" "
                   "has 1 entries for 2 columns)");
}

static void batch_needs_a_registered_dataset(void **state)
{
    (void)state;
    char more[256];
    snprintf(more, sizeof more, ",\"rows\": {\"dataset\": \"%s\"}", cars_table);
    int64_t id = hand_run(",{\"id\": \"rows\", \"module\": \"enter-data@1\", \"params\": "
                          "{\"data\": \"a\\n1\\n\"}}" SCORE_NODE("score"),
                          SCORE_EDGES("score", "rows.dataset"), more, "completed");
    eng_inference_options o = {.kind = ENG_INFERENCE_BATCH};
    assert_refused(id, &o, WF_EINVAL,
                   "a batch pipeline scores a registered dataset, but the scoring rows come from "
                   "node \"rows\" (enter-data@1)");
}

static void input_node_must_start_the_scoring_path(void **state)
{
    (void)state;
    int64_t id =
        hand_run(SCORE_NODE("score"), SCORE_EDGES("score", "cars.dataset"), "", "completed");
    eng_inference_options o = {.kind = ENG_INFERENCE_REALTIME, .input_node = "score"};
    assert_refused(id, &o, WF_EINVAL,
                   "node \"score\" does not start the scoring path (it starts at \"cars\")");
}

static void the_largest_dataset_feeding_training_takes_the_requests(void **state)
{
    (void)state;
    char *small = NULL;
    st_dataset_version v = {0};
    wf_error err = {0};
    assert_int_equal(st_dataset_get(ws.ws, "cars-small", &v, &err), 0);
    small = strdup(v.digest);
    st_dataset_version_clear(&v);
    char more[256];
    snprintf(more, sizeof more,
             ",\"small\": {\"dataset\": \"%s\"}, \"both\": {\"dataset\": \"%s\"}", small,
             cars_table);
    const char *nodes =
        ",{\"id\": \"small\", \"module\": \"dataset@1\", \"params\": {\"dataset\": \"cars-small\", "
        "\"version\": 1}},{\"id\": \"both\", \"module\": \"join-data@1\", \"params\": "
        "{\"join_key_columns_for_l\": {\"include\": [{\"names\": [\"Name\"]}]}, "
        "\"join_key_columns_for_r\": {\"include\": [{\"names\": [\"Name\"]}]}, "
        "\"keep_right_key_columns_in_joined_table\": false}}"
        ",{\"id\": \"learner2\", \"module\": \"linear-regression@1\", \"params\": {}}"
        ",{\"id\": \"train2\", \"module\": \"train-model@1\", \"params\": {\"label_column\": "
        "\"" LABEL "\"}}" SCORE_NODE("score");
    const char *edges = ",{\"from\": \"small.dataset\", \"to\": \"both.right_dataset\"},"
                        "{\"from\": \"cars.dataset\", \"to\": \"both.left_dataset\"},"
                        "{\"from\": \"learner2.untrained_model\", \"to\": "
                        "\"train2.untrained_model\"},{\"from\": \"both.dataset\", \"to\": "
                        "\"train2.dataset\"},{\"from\": \"train2.trained_model\", \"to\": "
                        "\"score.trained_model\"},{\"from\": \"both.dataset\", \"to\": "
                        "\"score.dataset\"}";
    char outputs[1024];
    snprintf(outputs, sizeof outputs, "%s,\"train2\": {\"trained_model\": \"%s\"}", more,
             cars_model);
    int64_t id = hand_run(nodes, edges, outputs, "completed");
    json_t *warnings = NULL;
    json_t *doc = convert(id, ENG_INFERENCE_REALTIME, NULL, &warnings);
    assert_true(has_edge(doc, "cars.dataset", "web-service-input.dataset"));
    assert_true(has_edge(doc, "small.dataset", "both.right_dataset"));
    assert_true(has_edge(doc, "web-service-input.dataset", "both.left_dataset"));
    assert_true(warned(warnings, "the scoring rows enter at \"cars\", the largest"));
    json_decref(warnings);
    json_decref(doc);
    /* Chosen by hand. */
    eng_inference_options o = {.kind = ENG_INFERENCE_REALTIME, .input_node = "small"};
    assert_int_equal(eng_inference_pipeline(ws.ws, id, &o, &doc, &warnings, &err), 0);
    assert_true(has_edge(doc, "small.dataset", "web-service-input.dataset"));
    assert_true(has_edge(doc, "cars.dataset", "both.left_dataset"));
    assert_true(has_edge(doc, "web-service-input.dataset", "both.right_dataset"));
    assert_true(warned(warnings, "the label \"" LABEL "\" is not a column of \"small\""));
    json_decref(warnings);
    json_decref(doc);
    free(small);
}

static void warns_of_python_and_of_dropped_modules(void **state)
{
    (void)state;
    char more[512];
    snprintf(more, sizeof more,
             ",\"dedupe\": {\"dataset\": \"%s\"}, \"py\": {\"result_dataset\": \"%s\", "
             "\"python_device\": \"%s\"}",
             cars_table, cars_table, cars_table);
    int64_t id = hand_run(",{\"id\": \"dedupe\", \"module\": \"remove-duplicate-rows@1\", "
                          "\"params\": {\"key_column_selection_filter_expression\": {\"include\": "
                          "[{\"all\": true}]}}},{\"id\": \"py\", \"module\": "
                          "\"execute-python-script@1\", \"params\": {}}" SCORE_NODE("score"),
                          ",{\"from\": \"cars.dataset\", \"to\": \"dedupe.dataset\"},"
                          "{\"from\": \"dedupe.dataset\", \"to\": \"py.dataset1\"}" SCORE_EDGES(
                              "score", "py.result_dataset"),
                          more, "completed");
    json_t *warnings = NULL;
    json_t *doc = convert(id, ENG_INFERENCE_REALTIME, NULL, &warnings);
    assert_true(warned(warnings, "node \"py\" (execute-python-script@1) runs Python on every "
                                 "request: an endpoint serving this pipeline cannot use its fast "
                                 "path"));
    assert_true(warned(warnings, "node \"dedupe\" (remove-duplicate-rows@1) was left out"));
    assert_null(node_of(doc, "dedupe"));
    assert_true(has_edge(doc, "web-service-input.dataset", "py.dataset1"));
    json_decref(warnings);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(realtime_cars_pipeline_follows_the_rules),
        cmocka_unit_test(realtime_cars_pipeline_predicts_what_training_predicted),
        cmocka_unit_test(batch_cars_pipeline_registers_the_scores_of_a_parameter_dataset),
        cmocka_unit_test(prepared_pipeline_leaves_the_label_out),
        cmocka_unit_test(
            prepared_pipeline_predicts_what_training_predicted_with_and_without_labels),
        cmocka_unit_test(refuses_an_unknown_run),
        cmocka_unit_test(refuses_a_run_that_did_not_complete),
        cmocka_unit_test(refuses_a_run_without_train_model),
        cmocka_unit_test(refuses_a_run_without_score_model),
        cmocka_unit_test(several_score_models_need_a_choice),
        cmocka_unit_test(refuses_modules_without_an_inference_equivalent),
        cmocka_unit_test(refuses_a_selection_of_only_the_label),
        cmocka_unit_test(refuses_missing_outputs_naming_them),
        cmocka_unit_test(refuses_a_damaged_transform),
        cmocka_unit_test(batch_needs_a_registered_dataset),
        cmocka_unit_test(input_node_must_start_the_scoring_path),
        cmocka_unit_test(the_largest_dataset_feeding_training_takes_the_requests),
        cmocka_unit_test(warns_of_python_and_of_dropped_modules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
