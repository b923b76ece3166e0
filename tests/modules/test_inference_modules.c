/*
 * test_inference_modules.c: the four modules of inference pipelines
 * (inference.c): Web Service Input and Output pass tables on and describe
 * the request schema; Trained Model and Fitted Transformation hand on the
 * artifact the engine's loader reads, and refuse what is not one.
 */
#include "module_test.h"

/* ---- an artifact loader over a fixed list ----------------------------------- */

typedef struct fake_store {
    const char *digest[4];
    json_t *value[4];
    size_t n;
    int calls;
} fake_store;

static int fake_load(void *user, const char *digest, json_t **out, wf_error *err)
{
    fake_store *s = user;
    s->calls++;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->digest[i], digest) == 0) {
            *out = json_incref(s->value[i]);
            return 0;
        }
    return wf_error_set(err, WF_ENOTFOUND, "artifact %s is not in this workspace", digest);
}

#define DIGEST_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DIGEST_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DIGEST_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

/* Runs (or configures) module ref with no inputs and the fake store. */
static int run_with_store(mod_ctx *ctx, const char *ref, const char *params, fake_store *s,
                          bool schema_only)
{
    json_t *p = json_loads(params, 0, NULL);
    assert_non_null(p);
    const mod_descriptor *m = mod_find(ref);
    assert_non_null(m);
    assert_int_equal(mod_ctx_init(ctx, m, p), 0);
    json_decref(p);
    ctx->schema_only = schema_only;
    ctx->on_log = mt__quiet;
    if (s != NULL) {
        ctx->load_artifact = fake_load;
        ctx->user = s;
    }
    return schema_only ? m->configure(ctx) : m->run(ctx);
}

static const char *const cars_schema =
    "{\"schema\": \"{\\\"columns\\\": [{\\\"name\\\": \\\"hp\\\", \\\"type\\\": \\\"numeric\\\"},"
    " {\\\"name\\\": \\\"origin\\\", \\\"type\\\": \\\"categorical\\\", \\\"levels\\\": "
    "[\\\"USA\\\", \\\"Europe\\\", \\\"Japan\\\"]}, {\\\"name\\\": \\\"year\\\", \\\"type\\\": "
    "\\\"datetime\\\"}]}\"}";

/* ---- web-service-input@1 ------------------------------------------------------ */

static void web_service_input_passes_the_connected_dataset_on(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("hp,origin,year,mpg\n130,USA,1970-01-01,18\n95,Japan,1972-01-01,24\n");
    mod_ctx ctx;
    mt_ok(&ctx, mt_run(&ctx, "web-service-input@1", cars_schema, t, false));
    /* Every column, the label too: the rows are the test data, unchanged. */
    mt_assert_tables_equal(mt_table(&ctx, 0), t);
    mod_ctx_clear(&ctx);
    mt_ok(&ctx, mt_run(&ctx, "web-service-input@1", cars_schema, t, true));
    assert_int_equal(mt_table(&ctx, 0)->nrows, 0);
    assert_int_equal(mt_table(&ctx, 0)->ncols, 4);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void web_service_input_without_a_dataset_fails_in_a_run(void **state)
{
    (void)state;
    mod_ctx ctx;
    assert_true(mt_run(&ctx, "web-service-input@1", cars_schema, NULL, false) < 0);
    mt_assert_contains(ctx.err.message, "connect a dataset to run the pipeline");
    mt_assert_contains(ctx.err.message, "scoring request");
    mod_ctx_clear(&ctx);
}

/* Unconnected, configure gives the schema parameter's columns, exactly. */
static void web_service_input_configures_the_schema_it_is_given(void **state)
{
    (void)state;
    mod_ctx ctx;
    mt_ok(&ctx, mt_run(&ctx, "web-service-input@1", cars_schema, NULL, true));
    const tbl_table *s = mt_table(&ctx, 0);
    assert_int_equal(s->nrows, 0);
    assert_int_equal(s->ncols, 3);
    const char *names[] = {"hp", "origin", "year"};
    tbl_type types[] = {TBL_NUMERIC, TBL_CATEGORICAL, TBL_DATETIME};
    for (size_t j = 0; j < 3; j++) {
        assert_string_equal(s->cols[j].name, names[j]);
        assert_int_equal(s->cols[j].type, types[j]);
        assert_int_equal(s->cols[j].role, TBL_ROLE_FEATURE);
    }
    const char *levels[] = {"USA", "Europe", "Japan"};
    assert_int_equal(s->cols[1].levels.count, 3);
    for (size_t v = 0; v < 3; v++) {
        size_t len;
        const char *l = tbl_strings_at(&s->cols[1].levels, v, &len);
        assert_int_equal(len, strlen(levels[v]));
        assert_memory_equal(l, levels[v], len);
    }
    mod_ctx_clear(&ctx);
}

static void web_service_schema_reads_every_type(void **state)
{
    (void)state;
    static const char *const types[] = {"numeric", "integer",     "boolean",
                                        "string",  "categorical", "datetime"};
    wf_buf b = {0};
    wf_buf_puts(&b, "{\"columns\": [");
    for (size_t i = 0; i < 6; i++)
        wf_buf_printf(&b, "%s{\"name\": \"c%zu\", \"type\": \"%s\"}", i ? ", " : "", i, types[i]);
    wf_buf_puts(&b, "]}");
    tbl_table *t = NULL;
    wf_error err = {0};
    assert_int_equal(mod_web_service_schema(b.data, &t, &err), 0);
    assert_int_equal(t->ncols, 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(tbl_type_name(t->cols[i].type), types[i]);
    assert_int_equal(t->cols[4].levels.count, 0); /* categorical without levels */
    tbl_free(t);
    wf_buf_free(&b);
}

static void web_service_input_refuses_bad_schemas(void **state)
{
    (void)state;
    static const struct {
        const char *text, *says;
    } bad[] = {
        {"", "the schema is empty"},
        {"{\"columns\": [", "not JSON: line 1"},
        {"[1, 2]", "{\"columns\": [{\"name\": ..., \"type\": ...}, ...]} and nothing else"},
        {"{\"columns\": [], \"x\": 1}", "and nothing else"},
        {"{\"columns\": []}", "lists no column"},
        {"{\"columns\": [3]}", "column 1 must be an object"},
        {"{\"columns\": [{\"type\": \"numeric\"}]}", "column 1: \"name\" must be a non-empty"},
        {"{\"columns\": [{\"name\": \"a\", \"type\": \"float\"}]}",
         "column \"a\": \"type\" must be numeric, integer"},
        {"{\"columns\": [{\"name\": \"a\"}]}", "column \"a\": \"type\" must be"},
        {"{\"columns\": [{\"name\": \"a\", \"type\": \"numeric\", \"levels\": [\"x\"]}]}",
         "column \"a\": only a categorical column has \"levels\""},
        {"{\"columns\": [{\"name\": \"a\", \"type\": \"categorical\", \"levels\": \"x\"}]}",
         "\"levels\" must be a list of strings"},
        {"{\"columns\": [{\"name\": \"a\", \"type\": \"categorical\", \"levels\": [\"x\", 2]}]}",
         "column \"a\": level 2 is not a string"},
        {"{\"columns\": [{\"name\": \"a\", \"type\": \"categorical\", \"levels\": [\"x\", "
         "\"x\"]}]}",
         "level \"x\" is listed twice"},
        {"{\"columns\": [{\"name\": \"a\", \"type\": \"string\"}, {\"name\": \"a\", \"type\": "
         "\"string\"}]}",
         "column \"a\" is listed twice"},
        {"{\"columns\": [{\"name\": \"a\", \"type\": \"string\", \"role\": \"label\"}]}",
         "column 1: unknown field \"role\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *params = json_pack("{s:s}", "schema", bad[i].text);
        char *text = json_dumps(params, 0);
        json_decref(params);
        mod_ctx ctx;
        int rc = mt_run(&ctx, "web-service-input@1", text, NULL, true);
        if (rc != WF_EINVAL) fail_msg("schema %zu (%s) was accepted", i, bad[i].text);
        mt_assert_contains(mt_field_error(&ctx, "schema"), bad[i].says);
        mod_ctx_clear(&ctx);
        free(text);
    }
    /* Required: no schema at all is a field error too. */
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "web-service-input@1", "{}", NULL, true), WF_EINVAL);
    assert_non_null(mt_field_error(&ctx, "schema"));
    mod_ctx_clear(&ctx);
}

static void web_service_input_checks_the_connected_dataset_against_the_schema(void **state)
{
    (void)state;
    tbl_table *no_year = mt_csv("hp,origin\n130,USA\n");
    tbl_table *text_hp = mt_csv("hp,origin,year\nfast,USA,1970-01-01\n");
    tbl_table *int_hp = mt_csv("hp,origin,year\n130,USA,1970-01-01\n");
    for (int schema_only = 0; schema_only < 2; schema_only++) {
        mod_ctx ctx;
        assert_int_equal(mt_run(&ctx, "web-service-input@1", cars_schema, no_year, schema_only),
                         WF_EINVAL);
        mt_assert_contains(mt_field_error(&ctx, "schema"),
                           "the connected dataset has no column \"year\"");
        mod_ctx_clear(&ctx);
        assert_int_equal(mt_run(&ctx, "web-service-input@1", cars_schema, text_hp, schema_only),
                         WF_EINVAL);
        mt_assert_contains(mt_field_error(&ctx, "schema"),
                           "column \"hp\" of the connected dataset is string, but the schema "
                           "says numeric");
        mod_ctx_clear(&ctx);
        /* An integer column stands for a numeric one (one family). */
        mt_ok(&ctx, mt_run(&ctx, "web-service-input@1", cars_schema, int_hp, schema_only));
        mod_ctx_clear(&ctx);
    }
    tbl_free(no_year);
    tbl_free(text_hp);
    tbl_free(int_hp);
}

/* ---- web-service-output@1 ----------------------------------------------------- */

static void web_service_output_passes_its_table_on(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("a,Scored Labels\n1,2.5\n2,3.5\n");
    mod_ctx ctx;
    mt_ok(&ctx, mt_run(&ctx, "web-service-output@1", "{}", t, false));
    mt_assert_tables_equal(mt_table(&ctx, 0), t);
    mod_ctx_clear(&ctx);
    mt_ok(&ctx, mt_run(&ctx, "web-service-output@1", "{}", t, true));
    assert_int_equal(mt_table(&ctx, 0)->ncols, 2);
    assert_int_equal(mt_table(&ctx, 0)->nrows, 0);
    mod_ctx_clear(&ctx);
    /* Configure with an unknown schema leaves it unknown; a run fails. */
    mt_ok(&ctx, mt_run(&ctx, "web-service-output@1", "{}", NULL, true));
    assert_null(ctx.outputs[0].table);
    mod_ctx_clear(&ctx);
    assert_true(mt_run(&ctx, "web-service-output@1", "{}", NULL, false) < 0);
    mt_assert_contains(ctx.err.message, "input \"dataset\" is missing");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

/* ---- trained-model@1 and fitted-transform@1 ------------------------------------- */

static void trained_model_hands_on_the_artifact_it_names(void **state)
{
    (void)state;
    json_t *model =
        json_pack("{s:s, s:i, s:s}", "kind", "model", "format", 1, "task", "regression");
    fake_store s = {.digest = {DIGEST_A}, .value = {model}, .n = 1};
    mod_ctx ctx;
    mt_ok(&ctx, run_with_store(&ctx, "trained-model@1",
                               "{\"artifact\": \"" DIGEST_A "\", \"source\": \"train of run 1\"}",
                               &s, false));
    assert_true(json_equal(mt_json(&ctx, 0), model));
    assert_int_equal(s.calls, 1);
    mod_ctx_clear(&ctx);
    /* Configure checks the artifact is there, without an output (models
     * carry no schema). */
    mt_ok(&ctx,
          run_with_store(&ctx, "trained-model@1", "{\"artifact\": \"" DIGEST_A "\"}", &s, true));
    assert_null(ctx.outputs[0].json);
    assert_int_equal(s.calls, 2);
    mod_ctx_clear(&ctx);
    json_decref(model);
}

static void trained_model_names_the_digest_it_cannot_find(void **state)
{
    (void)state;
    fake_store s = {0};
    for (int schema_only = 0; schema_only < 2; schema_only++) {
        mod_ctx ctx;
        assert_int_equal(run_with_store(&ctx, "trained-model@1", "{\"artifact\": \"" DIGEST_B "\"}",
                                        &s, schema_only),
                         WF_ENOTFOUND);
        mt_assert_contains(mt_field_error(&ctx, "artifact"), DIGEST_B);
        mt_assert_contains(ctx.err.message, "artifact " DIGEST_B " is not in this workspace");
        mod_ctx_clear(&ctx);
    }
}

static void trained_model_refuses_what_is_not_a_model(void **state)
{
    (void)state;
    json_t *tr = json_pack("{s:s, s:s, s:[], s:{}}", "kind", "transform", "module",
                           "normalize-data@1", "columns", "state");
    json_t *text = json_string("not even an object");
    fake_store s = {.digest = {DIGEST_A, DIGEST_B}, .value = {tr, text}, .n = 2};
    mod_ctx ctx;
    assert_int_equal(
        run_with_store(&ctx, "trained-model@1", "{\"artifact\": \"" DIGEST_A "\"}", &s, false),
        WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "artifact"),
                       "artifact " DIGEST_A " is not a trained model (its kind is \"transform\")");
    mod_ctx_clear(&ctx);
    assert_int_equal(
        run_with_store(&ctx, "trained-model@1", "{\"artifact\": \"" DIGEST_B "\"}", &s, false),
        WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "artifact"), "its kind is not given");
    mod_ctx_clear(&ctx);
    /* Not a digest: upper case, too short, missing. No load is tried. */
    static const char *const not_digests[] = {
        "{\"artifact\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
        "{\"artifact\": \"abc\"}", "{}", "{\"artifact\": \"\"}"};
    int calls = s.calls;
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(run_with_store(&ctx, "trained-model@1", not_digests[i], &s, true),
                         WF_EINVAL);
        assert_non_null(mt_field_error(&ctx, "artifact"));
        mod_ctx_clear(&ctx);
    }
    assert_int_equal(s.calls, calls);
    json_decref(tr);
    json_decref(text);
}

static void trained_model_needs_a_store_to_run(void **state)
{
    (void)state;
    mod_ctx ctx;
    /* Configure without a store checks only the digest's form. */
    mt_ok(&ctx,
          run_with_store(&ctx, "trained-model@1", "{\"artifact\": \"" DIGEST_C "\"}", NULL, true));
    mod_ctx_clear(&ctx);
    assert_int_equal(
        run_with_store(&ctx, "trained-model@1", "{\"artifact\": \"" DIGEST_C "\"}", NULL, false),
        WF_EINVAL);
    mt_assert_contains(ctx.err.message, "no artifact store here");
    mod_ctx_clear(&ctx);
}

/* A real transform (Normalize Data's) served by fitted-transform@1 and
 * applied by Apply Transformation gives Normalize Data's own output. */
static void fitted_transform_serves_a_transform_that_applies(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("x,y\n1,10\n2,20\n4,30\n8,45\n");
    mod_ctx norm;
    mt_ok(&norm, mt_run(&norm, "normalize-data@1",
                        "{\"columns_to_transform\": {\"include\": [{\"names\": [\"x\", \"y\"]}]}}",
                        t, false));
    json_t *tr = mt_json(&norm, 1);
    fake_store s = {.digest = {DIGEST_A}, .value = {tr}, .n = 1};
    mod_ctx ctx;
    mt_ok(&ctx, run_with_store(&ctx, "fitted-transform@1", "{\"artifact\": \"" DIGEST_A "\"}", &s,
                               false));
    mod_ctx apply;
    mt_ok(&apply, mt_apply_transform(&apply, mt_json(&ctx, 0), t, false));
    mt_assert_tables_equal(mt_table(&apply, 0), mt_table(&norm, 0));
    mod_ctx_clear(&apply);
    mod_ctx_clear(&ctx);
    mod_ctx_clear(&norm);
    tbl_free(t);
}

static void fitted_transform_refuses_what_is_not_a_transform(void **state)
{
    (void)state;
    json_t *model = json_pack("{s:s}", "kind", "model");
    json_t *unknown = json_pack("{s:s, s:s, s:[], s:{}}", "kind", "transform", "module",
                                "no-such-module@1", "columns", "state");
    json_t *no_apply = json_pack("{s:s, s:s, s:[], s:{}}", "kind", "transform", "module",
                                 "split-data@1", "columns", "state");
    fake_store s = {
        .digest = {DIGEST_A, DIGEST_B, DIGEST_C}, .value = {model, unknown, no_apply}, .n = 3};
    static const struct {
        const char *params, *says;
    } cases[] = {
        {"{\"artifact\": \"" DIGEST_A "\"}",
         "artifact " DIGEST_A " is not a fitted transformation (its kind is \"model\")"},
        {"{\"artifact\": \"" DIGEST_B "\"}",
         "names \"no-such-module@1\", which is not a module that applies transforms"},
        {"{\"artifact\": \"" DIGEST_C "\"}",
         "names \"split-data@1\", which is not a module that applies transforms"},
    };
    for (size_t i = 0; i < 3; i++) {
        mod_ctx ctx;
        assert_int_equal(run_with_store(&ctx, "fitted-transform@1", cases[i].params, &s, false),
                         WF_EINVAL);
        mt_assert_contains(mt_field_error(&ctx, "artifact"), cases[i].says);
        mod_ctx_clear(&ctx);
    }
    json_decref(model);
    json_decref(unknown);
    json_decref(no_apply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(web_service_input_passes_the_connected_dataset_on),
        cmocka_unit_test(web_service_input_without_a_dataset_fails_in_a_run),
        cmocka_unit_test(web_service_input_configures_the_schema_it_is_given),
        cmocka_unit_test(web_service_schema_reads_every_type),
        cmocka_unit_test(web_service_input_refuses_bad_schemas),
        cmocka_unit_test(web_service_input_checks_the_connected_dataset_against_the_schema),
        cmocka_unit_test(web_service_output_passes_its_table_on),
        cmocka_unit_test(trained_model_hands_on_the_artifact_it_names),
        cmocka_unit_test(trained_model_names_the_digest_it_cannot_find),
        cmocka_unit_test(trained_model_refuses_what_is_not_a_model),
        cmocka_unit_test(trained_model_needs_a_store_to_run),
        cmocka_unit_test(fitted_transform_serves_a_transform_that_applies),
        cmocka_unit_test(fitted_transform_refuses_what_is_not_a_transform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
