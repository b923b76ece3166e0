/*
 * inference.c: the four modules an inference pipeline is made of
 * (docs/formats.md, "Inference pipelines"):
 *
 * - `web-service-input@1` stands where the training data entered. Its
 *   `schema` parameter says what a scoring request carries; in a pipeline
 *   run it passes on the dataset connected to it.
 * - `web-service-output@1` comes after Score Model; in an endpoint its table
 *   is the response.
 * - `trained-model@1` and `fitted-transform@1` hold what training made (a
 *   trained model, a fitted transformation) as constants: the digest of a
 *   JSON artifact, read through the engine's ctx->load_artifact hook, since
 *   modules never see the store.
 */
#include "modules_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- the request schema ------------------------------------------------- */

/* Whether a column of type `got` can stand for one of type `want`: the same
 * type, or the other type of its family (integer and numeric; string and
 * categorical), which the modules downstream read alike. */
static bool wsi_types_fit(tbl_type want, tbl_type got)
{
    bool want_number = want == TBL_NUMERIC || want == TBL_INTEGER;
    bool got_number = got == TBL_NUMERIC || got == TBL_INTEGER;
    bool want_text = want == TBL_STRING || want == TBL_CATEGORICAL;
    bool got_text = got == TBL_STRING || got == TBL_CATEGORICAL;
    return want == got || (want_number && got_number) || (want_text && got_text);
}

/* Appends one zero-row column described by `col` ({name, type, levels?})
 * to t. Problems are put in msg and return WF_EINVAL. */
static int wsi_add_column(tbl_table *t, size_t k, const json_t *col, char *msg, size_t cap)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)col, key, v)
    {
        if (strcmp(key, "name") != 0 && strcmp(key, "type") != 0 && strcmp(key, "levels") != 0) {
            snprintf(msg, cap,
                     "column %zu: unknown field \"%.60s\" (a column has \"name\", \"type\" and, "
                     "when categorical, \"levels\")",
                     k + 1, key);
            return WF_EINVAL;
        }
    }
    const char *name = json_string_value(json_object_get(col, "name"));
    const char *type_name = json_string_value(json_object_get(col, "type"));
    const json_t *levels = json_object_get(col, "levels");
    tbl_type type;
    if (name == NULL || name[0] == '\0') {
        snprintf(msg, cap, "column %zu: \"name\" must be a non-empty string", k + 1);
        return WF_EINVAL;
    }
    if (type_name == NULL || tbl_type_parse(type_name, &type) < 0) {
        snprintf(msg, cap,
                 "column \"%.100s\": \"type\" must be numeric, integer, boolean, string, "
                 "categorical or datetime",
                 name);
        return WF_EINVAL;
    }
    if (levels != NULL && type != TBL_CATEGORICAL) {
        snprintf(msg, cap, "column \"%.100s\": only a categorical column has \"levels\"", name);
        return WF_EINVAL;
    }
    if (levels != NULL && !json_is_array(levels)) {
        snprintf(msg, cap, "column \"%.100s\": \"levels\" must be a list of strings", name);
        return WF_EINVAL;
    }
    if (tbl_find_column(t, name) >= 0) {
        snprintf(msg, cap, "column \"%.100s\" is listed twice", name);
        return WF_EINVAL;
    }
    tbl_column c;
    wf_error err = {0};
    if (tbl_column_init(&c, name, type, 0, &err) < 0) return err.code;
    tbl_dict dict = {0};
    size_t i;
    json_t *level;
    json_array_foreach(levels, i, level)
    {
        const char *s = json_string_value(level);
        if (s == NULL) {
            snprintf(msg, cap, "column \"%.100s\": level %zu is not a string", name, i + 1);
            tbl_dict_free(&dict);
            tbl_column_clear(&c);
            return WF_EINVAL;
        }
        size_t len = json_string_length(level);
        if (tbl_dict_find(&dict, s, len) >= 0) {
            snprintf(msg, cap, "column \"%.100s\": level \"%.100s\" is listed twice", name, s);
            tbl_dict_free(&dict);
            tbl_column_clear(&c);
            return WF_EINVAL;
        }
        tbl_dict_intern(&dict, s, len);
    }
    int rc = 0;
    if (type == TBL_CATEGORICAL) {
        tbl_strings_clear(&c.levels);
        rc = tbl_dict_finish(&dict, &c.levels);
    } else {
        tbl_dict_free(&dict);
    }
    if (rc == 0) rc = tbl_add_column(t, &c, 0, &err);
    if (rc < 0) tbl_column_clear(&c);
    return rc;
}

int mod_web_service_schema(const char *text, tbl_table **out, wf_error *err)
{
    *out = NULL;
    if (text == NULL || text[strspn(text, " \t\r\n")] == '\0')
        return wf_error_set(err, WF_EINVAL,
                            "the schema is empty: give {\"columns\": [{\"name\": ..., \"type\": "
                            "...}, ...]}");
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    if (root == NULL)
        return wf_error_set(err, WF_EINVAL, "the schema is not JSON: line %d, column %d: %s",
                            jerr.line, jerr.column, jerr.text);
    const json_t *cols = json_object_get(root, "columns");
    if (!json_is_object(root) || !json_is_array(cols) || json_object_size(root) != 1) {
        json_decref(root);
        return wf_error_set(err, WF_EINVAL,
                            "the schema must be {\"columns\": [{\"name\": ..., \"type\": ...}, "
                            "...]} and nothing else");
    }
    if (json_array_size(cols) == 0) {
        json_decref(root);
        return wf_error_set(err, WF_EINVAL, "the schema lists no column");
    }
    tbl_table *t = tbl_new();
    int rc = t != NULL ? 0 : WF_ENOMEM;
    char msg[512] = "";
    size_t k;
    json_t *col;
    json_array_foreach(cols, k, col)
    {
        if (rc < 0) break;
        if (!json_is_object(col)) {
            snprintf(msg, sizeof msg, "column %zu must be an object {\"name\", \"type\"}", k + 1);
            rc = WF_EINVAL;
            break;
        }
        rc = wsi_add_column(t, k, col, msg, sizeof msg);
    }
    json_decref(root);
    if (rc < 0) {
        tbl_free(t);
        if (rc == WF_ENOMEM || msg[0] == '\0')
            return wf_error_set(err, rc, "%s reading the schema", wf_strerror(rc));
        return wf_error_set(err, rc, "schema %s", msg);
    }
    *out = t;
    return 0;
}

/* ---- web-service-input@1 ------------------------------------------------ */

/* The schema parameter as a zero-row table, or a field error on "schema". */
static int wsi_schema(mod_ctx *ctx, tbl_table **out)
{
    wf_error err = {0};
    int rc = mod_web_service_schema(mod_param_string(ctx, "schema"), out, &err);
    if (rc == WF_ENOMEM) return mod_fail_with(ctx, &err);
    if (rc < 0) return mod_param_error(ctx, "schema", "%s", err.message);
    return 0;
}

/* Every column of the schema must be in the connected table, with a type
 * of its family: what the request would carry, the test data carries too. */
static int wsi_check_input(mod_ctx *ctx, const tbl_table *schema, const tbl_table *in)
{
    for (size_t j = 0; j < schema->ncols; j++) {
        const tbl_column *want = &schema->cols[j];
        int i = tbl_find_column(in, want->name);
        if (i < 0)
            return mod_param_error(ctx, "schema",
                                   "the connected dataset has no column \"%s\", which the "
                                   "schema lists",
                                   want->name);
        if (!wsi_types_fit(want->type, in->cols[i].type))
            return mod_param_error(ctx, "schema",
                                   "column \"%s\" of the connected dataset is %s, but the schema "
                                   "says %s",
                                   want->name, tbl_type_name(in->cols[i].type),
                                   tbl_type_name(want->type));
    }
    return 0;
}

/* A table of the columns of t, sharing its buffers (modules.h: an output
 * may share an input's columns), so passing rows on costs nothing per
 * row. */
static int share_all(mod_ctx *ctx, const tbl_table *t, tbl_table **out)
{
    wf_error err = {0};
    tbl_table *res = tbl_new();
    if (res == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    res->nrows = t->nrows;
    for (size_t j = 0; j < t->ncols; j++) {
        tbl_column c;
        int rc = tbl_column_share(&c, &t->cols[j], &err);
        if (rc == 0 && (rc = tbl_add_column(res, &c, t->nrows, &err)) < 0) tbl_column_clear(&c);
        if (rc < 0) {
            tbl_free(res);
            return mod_fail_with(ctx, &err);
        }
    }
    *out = res;
    return 0;
}

static int wsi_configure(mod_ctx *ctx)
{
    tbl_table *schema = NULL;
    int rc = wsi_schema(ctx, &schema);
    if (rc < 0) return rc;
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in != NULL) rc = wsi_check_input(ctx, schema, in);
    if (rc == 0) rc = mod__output_schema(ctx, "dataset", in != NULL ? in : schema);
    tbl_free(schema);
    return rc;
}

static int wsi_run(mod_ctx *ctx)
{
    tbl_table *schema = NULL;
    int rc = wsi_schema(ctx, &schema);
    if (rc < 0) return rc;
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in == NULL) {
        tbl_free(schema);
        return mod_fail(ctx, WF_EINVAL,
                        "Web Service Input gets its rows from a scoring request; connect a "
                        "dataset to run the pipeline");
    }
    rc = wsi_check_input(ctx, schema, in);
    tbl_free(schema);
    tbl_table *out = NULL;
    if (rc == 0) rc = share_all(ctx, in, &out);
    if (rc < 0) return rc;
    mod_log(ctx, "passed on %zu rows, %zu columns", in->nrows, in->ncols);
    return mod_output_table(ctx, "dataset", out);
}

static const mod_port wsi_in[] = {
    {.name = "dataset",
     .kind = MOD_TABLE,
     .optional = true,
     .help = "Test data for a pipeline run, passed on as it is. An endpoint ignores it and "
             "takes the rows of each request instead."},
};

static const mod_port wsi_out[] = {
    {.name = "dataset",
     .kind = MOD_TABLE,
     .help = "The request's rows (in a run: the connected dataset)."},
};

static const mod_param wsi_params[] = {
    {.name = "schema",
     .label = "Input schema",
     .type = MOD_PARAM_TEXT,
     .required = true,
     .help = "The columns a request carries, as JSON: `{\"columns\": [{\"name\": "
             "\"horsepower\", \"type\": \"numeric\"}, {\"name\": \"origin\", \"type\": "
             "\"categorical\", \"levels\": [\"USA\", \"Europe\", \"Japan\"]}]}`. Types are "
             "numeric, integer, boolean, string, categorical and datetime; `levels` only for "
             "categorical columns."},
};

const mod_descriptor mod_web_service_input = {
    .name = "web-service-input",
    .version = 1,
    .display_name = "Web Service Input",
    .category = "Web Service",
    .help = "Marks where scoring requests enter an inference pipeline. \"Create inference "
            "pipeline\" puts it where the training data entered, with the training schema "
            "less the label column.\n"
            "\n"
            "## Input\n"
            "\n"
            "- **dataset** (optional): test data. In a pipeline run its rows are passed on "
            "unchanged, so the pipeline can be run and checked like any other; it must hold "
            "every column of the schema. An endpoint ignores it.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Input schema** (`schema`, required): the request's columns as JSON, "
            "`{\"columns\": [{\"name\", \"type\", \"levels\"?}, ...]}`. An endpoint converts "
            "each request to exactly these types: a missing column, or a value that does not "
            "convert, is refused naming it.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **dataset**: the request's rows (in a run, the connected dataset's).\n"
            "\n"
            "A run with nothing connected fails: the rows come from scoring requests.\n"
            "\n"
            "## Example\n"
            "\n"
            "```json\n"
            "{\"schema\": \"{\\\"columns\\\": [{\\\"name\\\": \\\"Horsepower\\\", "
            "\\\"type\\\": \\\"numeric\\\"}]}\"}\n"
            "```\n",
    MOD_PORTS(inputs, wsi_in),
    MOD_PORTS(outputs, wsi_out),
    MOD_PARAMS(wsi_params),
    .configure = wsi_configure,
    .run = wsi_run,
};

/* ---- web-service-output@1 ----------------------------------------------- */

static int wso_run(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in == NULL) {
        if (ctx->schema_only) return 0; /* unknown stays unknown */
        return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    }
    if (ctx->schema_only) return mod__output_schema(ctx, "dataset", in);
    tbl_table *out = NULL;
    int rc = share_all(ctx, in, &out);
    if (rc < 0) return rc;
    mod_log(ctx, "the response: %zu rows, %zu columns", in->nrows, in->ncols);
    return mod_output_table(ctx, "dataset", out);
}

static const mod_port wso_in[] = {
    {.name = "dataset",
     .kind = MOD_TABLE,
     .help = "The rows to answer with, usually Score "
             "Model's output."},
};

static const mod_port wso_out[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The same rows: the response."},
};

const mod_descriptor mod_web_service_output = {
    .name = "web-service-output",
    .version = 1,
    .display_name = "Web Service Output",
    .category = "Web Service",
    .help = "Marks what an inference pipeline answers. \"Create inference pipeline\" puts it "
            "after Score Model.\n"
            "\n"
            "## Input\n"
            "\n"
            "- **dataset**: the table to answer with.\n"
            "\n"
            "No parameters.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **dataset**: the same table, passed on unchanged. In an endpoint, its rows are "
            "the response (`Results.WebServiceOutput0` in the Azure-compatible protocol); in a "
            "pipeline run, it can be previewed like any output.\n"
            "\n"
            "## Example\n"
            "\n"
            "Score Model's `scored_dataset` -> `dataset`: each request is answered with its rows "
            "and their `Scored Labels`.\n",
    MOD_PORTS(inputs, wso_in),
    MOD_PORTS(outputs, wso_out),
    .configure = wso_run,
    .run = wso_run,
};

/* ---- trained-model@1 and fitted-transform@1 ------------------------------ */

/* The `artifact` parameter: 64 lowercase hex digits, else a field error. */
static const char *artifact_digest(mod_ctx *ctx)
{
    const char *d = mod_param_string(ctx, "artifact");
    if (d == NULL || d[0] == '\0') {
        mod_param_error(ctx, "artifact", "give the digest of the artifact to hold");
        return NULL;
    }
    size_t n = strlen(d);
    bool hex = n == WF_SHA256_HEX - 1;
    for (size_t i = 0; hex && i < n; i++)
        hex = (d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f');
    if (!hex) {
        mod_param_error(ctx, "artifact",
                        "\"%.80s\" is not an artifact digest (64 lowercase hexadecimal digits)", d);
        return NULL;
    }
    return d;
}

/* Checks that v is the artifact kind `kind` ("model" or "transform"); a
 * transform must name a module that applies transforms. */
static int artifact_check(mod_ctx *ctx, const char *digest, const json_t *v, const char *kind)
{
    const char *got = json_string_value(json_object_get(v, "kind"));
    if (!json_is_object(v) || got == NULL || strcmp(got, kind) != 0)
        return mod_param_error(
            ctx, "artifact", "artifact %s is not a %s (its kind is %s%s%s)", digest,
            strcmp(kind, "model") == 0 ? "trained model" : "fitted transformation", got ? "\"" : "",
            got ? got : "not given", got ? "\"" : "");
    if (strcmp(kind, "transform") == 0) {
        const char *ref = json_string_value(json_object_get(v, "module"));
        const mod_descriptor *m = ref ? mod_find(ref) : NULL;
        if (m == NULL || m->apply == NULL)
            return mod_param_error(ctx, "artifact",
                                   "artifact %s names \"%.100s\", which is not a module that "
                                   "applies transforms",
                                   digest, ref ? ref : "no module");
    }
    return 0;
}

/* Loads the artifact and checks its kind. *out (a new reference) is NULL
 * when there is no loader (configure without a workspace). */
static int artifact_load(mod_ctx *ctx, const char *kind, json_t **out)
{
    *out = NULL;
    const char *digest = artifact_digest(ctx);
    if (digest == NULL) return ctx->err.code;
    if (ctx->load_artifact == NULL) {
        if (ctx->schema_only) return 0;
        return mod_fail(ctx, WF_EINVAL,
                        "artifact %s: no artifact store here (%s@%d runs inside a pipeline)",
                        digest, ctx->module->name, ctx->module->version);
    }
    wf_error err = {0};
    json_t *v = NULL;
    int rc = ctx->load_artifact(ctx->user, digest, &v, &err);
    if (rc < 0 || v == NULL) {
        json_decref(v);
        if (rc >= 0) rc = WF_ENOTFOUND;
        if (rc == WF_ENOMEM) return mod_fail_with(ctx, &err);
        return mod__field_error(ctx, "artifact", rc, "%s",
                                err.message[0] ? err.message : "the artifact cannot be read");
    }
    rc = artifact_check(ctx, digest, v, kind);
    if (rc < 0) {
        json_decref(v);
        return rc;
    }
    *out = v;
    return 0;
}

static int trained_model_run(mod_ctx *ctx)
{
    json_t *v = NULL;
    int rc = artifact_load(ctx, "model", &v);
    if (rc < 0 || ctx->schema_only) {
        json_decref(v);
        return rc;
    }
    const char *source = mod_param_string(ctx, "source");
    mod_log(ctx, "the trained model %.12s%s%s", mod_param_string(ctx, "artifact"),
            source && source[0] ? ", from " : "", source ? source : "");
    return mod_output_json(ctx, "trained_model", v);
}

static int fitted_transform_run(mod_ctx *ctx)
{
    json_t *v = NULL;
    int rc = artifact_load(ctx, "transform", &v);
    if (rc < 0 || ctx->schema_only) {
        json_decref(v);
        return rc;
    }
    const char *source = mod_param_string(ctx, "source");
    mod_log(ctx, "the %s transform %.12s%s%s", json_string_value(json_object_get(v, "module")),
            mod_param_string(ctx, "artifact"), source && source[0] ? ", from " : "",
            source ? source : "");
    return mod_output_json(ctx, "transformation", v);
}

static const mod_param trained_model_params[] = {
    {.name = "artifact",
     .label = "Artifact",
     .type = MOD_PARAM_STRING,
     .required = true,
     .help = "The SHA-256 digest (64 lowercase hexadecimal digits) of the trained model's "
             "artifact in this workspace."},
    {.name = "source",
     .label = "Source",
     .type = MOD_PARAM_STRING,
     .default_json = "\"\"",
     .help = "Where the model came from, for people (\"train of run 12\")."},
};

static const mod_param fitted_transform_params[] = {
    {.name = "artifact",
     .label = "Artifact",
     .type = MOD_PARAM_STRING,
     .required = true,
     .help = "The SHA-256 digest (64 lowercase hexadecimal digits) of the fitted "
             "transformation's artifact in this workspace."},
    {.name = "source",
     .label = "Source",
     .type = MOD_PARAM_STRING,
     .default_json = "\"\"",
     .help = "Where the transformation came from, for people (\"normalize of run 12\")."},
};

static const mod_port trained_model_out[] = {
    {.name = "trained_model", .kind = MOD_MODEL, .help = "The trained model, for Score Model."},
};

static const mod_port fitted_transform_out[] = {
    {.name = "transformation",
     .kind = MOD_TRANSFORM,
     .help = "The fitted transformation, for Apply Transformation."},
};

const mod_descriptor mod_trained_model = {
    .name = "trained-model",
    .version = 1,
    .display_name = "Trained Model",
    .category = "Trained Models",
    .help = "A model that a training run made, held as a constant: \"Create inference "
            "pipeline\" puts it where Train Model stood, so that scoring never trains again.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Artifact** (`artifact`, required): the digest of the trained model's JSON "
            "artifact (docs/formats.md, \"Models\"), as a run's step outputs list it. An "
            "artifact that is not in the workspace, or is not a trained model, is an error "
            "naming the digest.\n"
            "- **Source** (`source`): where it came from, for people.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **trained_model**: the model, for Score Model.\n"
            "\n"
            "## Example\n"
            "\n"
            "```json\n"
            "{\"artifact\": \"9f2c…64 hex digits\", \"source\": \"train of run 12\"}\n"
            "```\n",
    MOD_PORTS(outputs, trained_model_out),
    MOD_PARAMS(trained_model_params),
    .configure = trained_model_run,
    .run = trained_model_run,
};

const mod_descriptor mod_fitted_transform = {
    .name = "fitted-transform",
    .version = 1,
    .display_name = "Fitted Transformation",
    .category = "Trained Models",
    .help = "A transformation that a training run fitted (the statistics of Normalize Data, "
            "the fills of Clean Missing Data, the columns of Select Columns Transform...), "
            "held as a constant. \"Create inference pipeline\" feeds it to Apply "
            "Transformation where the fitting module stood.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Artifact** (`artifact`, required): the digest of the transform's JSON "
            "artifact (docs/formats.md, \"Fitted transforms\"). An artifact that is not in "
            "the workspace, or is not a fitted transform of a known module, is an error "
            "naming the digest.\n"
            "- **Source** (`source`): where it came from, for people.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **transformation**: the transform, for Apply Transformation.\n"
            "\n"
            "## Example\n"
            "\n"
            "`transformation` -> Apply Transformation's `transform`, with the scoring rows on its "
            "`dataset`: they are normalized with the training mean and standard deviation.\n",
    MOD_PORTS(outputs, fitted_transform_out),
    MOD_PARAMS(fitted_transform_params),
    .configure = fitted_transform_run,
    .run = fitted_transform_run,
};
