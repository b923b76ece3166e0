/*
 * openapi.c: the OpenAPI 3.0 document served at /api/openapi.json, made
 * from the route tables themselves so that it can never miss a route or
 * list one the server does not answer. Each operation gets its path
 * parameters (from the pattern's {captures}), its security (none for public
 * routes), its request body (JSON, or raw bytes for upload routes) and the
 * common error response. The words people read (summary, description, query
 * arguments, reply type) come from the table below; a route missing from it
 * still appears, with a summary made from its method and path.
 */
#include "http_int.h"

#include <stdio.h>
#include <string.h>

typedef struct srv__op_doc {
    const char *method;
    const char *pattern;
    const char *summary;
    const char *description;
    const char *query;      /* comma-separated query arguments, or NULL */
    const char *reply_type; /* NULL: application/json */
} srv__op_doc;

static const srv__op_doc srv__docs[] = {
    {"GET", "/api/health", "Server health",
     "Answers {\"status\": \"ok\", \"version\", \"workspace\"} (the workspace's name, not its "
     "path). Needs no token.",
     NULL, NULL},
    {"GET", "/api/openapi.json", "This document",
     "The OpenAPI 3.0 description of every route, made from the server's route tables. Needs "
     "no token.",
     NULL, NULL},
    {"GET", "/api/modules", "The module catalogue",
     "{\"modules\": [descriptor, ...]}: every module with its ports, parameters (type, default, "
     "range, choices, help) and help text, in palette order.",
     NULL, NULL},
    {"GET", "/api/modules/{id}", "One module",
     "The descriptor of module {id}, written \"name@version\" (or a bare name for its highest "
     "version). 404 when there is no such module.",
     NULL, NULL},
    {"GET", "/api/test/stream", "A test event stream (test builds only)",
     "Sends `count` tick events `gap_ms` apart as server-sent events, then ends (count 0: "
     "forever).",
     "count,gap_ms", "text/event-stream"},
    {"POST", "/api/test/echo", "Echo a JSON body (test builds only)",
     "Answers {\"echo\": body}: exercises the JSON body limit (16 MB) and decoder.", NULL, NULL},
    {"POST", "/api/test/upload", "Digest an upload (test builds only)",
     "Answers the size and SHA-256 of a streamed upload.", NULL, NULL},
    /* -- experiments, runs with metrics (#9) -- */
    {"GET", "/api/experiments", "Experiments",
     "{\"experiments\": [{\"name\", \"created_at\", \"runs\", \"statuses\" {status: count}, "
     "\"latest_run\" {\"id\", \"status\", \"pipeline\", \"created_at\"} | null}]}, by name.",
     NULL, NULL},
    {"GET", "/api/runs", "Runs",
     "{\"runs\", \"total\", \"offset\", \"limit\"}, newest first, without snapshots. "
     "?metrics=true adds each run's \"key_metrics\": {\"node\", \"task\", \"metrics\"} of its "
     "first evaluation's first model, or null.",
     "experiment,status,offset,limit,metrics", NULL},
    {"GET", "/api/runs/{id}/metrics", "A run's evaluations",
     "{\"run_id\", \"evaluations\": [{\"node\", \"port\", \"task\", \"label\", \"models\": "
     "[{\"input\", \"metrics\"}]}]}: the figures of every evaluation report the run made, in "
     "step order, without curves or tables.",
     NULL, NULL},
    /* -- inference pipelines and published pipelines (#10) -- */
    {"POST", "/api/runs/{id}/inference-pipeline", "Create an inference pipeline",
     "{\"kind\": \"realtime\" (default) | \"batch\", \"score_node\"?, \"input_node\"?, "
     "\"name\"?}: turns completed training run {id} into a new draft by the rules of "
     "docs/formats.md \"Inference pipelines\" (Train Model becomes trained-model@1, fitted "
     "modules become apply-transformation@1 with fitted-transform@1, Split Data and Evaluate "
     "Model go, web-service-input@1 and web-service-output@1 (real-time) or a dataset "
     "parameter and export-data@1 (batch)). 201 {\"draft\": {\"id\", \"name\", \"revision\"}, "
     "\"kind\", \"warnings\": [text...]} with Location /api/pipelines/{draft id}. 404 for an "
     "unknown run; 422 \"not_convertible\" saying why otherwise (the run did not complete, no "
     "Train Model, no or several Score Models, a module without an inference equivalent, "
     "naming node and module).",
     NULL, NULL},
    {"POST", "/api/published", "Publish a pipeline",
     "{\"name\", \"description\"?, \"draft_id\" | \"run_id\"}: publishes a draft's document, or "
     "the pipeline a run ran (its parameters defaulting to the run's values), as a new "
     "published pipeline (version 1, the default) or as the next version of the one with that "
     "name. Versions never change. 201 {\"id\", \"name\", \"version\", \"default_version\"}. "
     "422 for a bad name (1-100 letters, digits, spaces, '-', '_', '.'), neither or both "
     "sources, or a document that is not a pipeline; 404 for an unknown draft or run.",
     NULL, NULL},
    {"GET", "/api/published", "Published pipelines",
     "{\"published\": [{\"id\", \"name\", \"description\", \"default_version\", "
     "\"latest_version\", \"created_at\", \"updated_at\", \"disabled\"}]}, by name.",
     NULL, NULL},
    {"GET", "/api/published/{id}", "A published pipeline",
     "The pipeline as in the list, with \"versions\": [{\"version\", \"source\", "
     "\"created_at\", \"default\"}] (oldest first) and \"parameters\": the default version's "
     "pipeline parameters {name: {\"type\", \"default\"?}}, which a submission may set.",
     NULL, NULL},
    {"PATCH", "/api/published/{id}", "Set the default version, or disable",
     "{\"default_version\"?: N, \"disabled\"?: bool}: the version that submissions without a "
     "\"version\" run; a disabled pipeline refuses new runs (409 \"disabled\") and keeps its "
     "versions and runs until enabled again. Answers the pipeline as GET does; 422 "
     "\"unknown_version\" when there is no version N.",
     NULL, NULL},
    {"GET", "/api/published/{id}/versions/{version}", "A published version",
     "{\"pipeline_id\", \"version\", \"source\", \"created_at\", \"default\", \"parameters\", "
     "\"document\"}: the frozen pipeline document. 404 for an unknown version.",
     NULL, NULL},
    {"POST", "/api/published/{id}/runs", "Submit a run of a published pipeline",
     "{\"experiment\"? (default: the pipeline's name), \"parameters\"? {name: value}, "
     "\"version\"? (default: the default version), \"no_cache\"?}: validates the version's "
     "document with the parameter values (a dataset parameter names a registered dataset) and "
     "runs it like any run (events, outputs, rerun). 201 {\"run_id\", \"status\", "
     "\"published_id\", \"version\"}, Location /api/runs/{run_id}. 422 with per-node details "
     "for a missing or wrong parameter value; 422 \"unknown_version\"; 409 \"disabled\" for a "
     "disabled pipeline.",
     NULL, NULL},
    {"GET", "/api/published/{id}/runs", "Runs of a published pipeline",
     "{\"published_id\", \"name\", \"runs\": [{\"id\", \"version\", \"experiment\", \"status\", "
     "\"error\", \"created_at\", \"started_at\", \"finished_at\", \"parameters\"}]}, newest "
     "first.",
     NULL, NULL},
    /* -- endpoints and scoring protocols (#10) -- */
    {"POST", "/api/endpoints", "Deploy an endpoint",
     "{\"name\", \"draft_id\" | \"document\", \"description\"?, \"replace\"?}: compiles a "
     "real-time inference pipeline into a scoring plan and serves it. A new name answers 201 "
     "with the endpoint and its keys {\"primary\", \"secondary\"}, shown this once (state "
     "\"failed\" with the reason when the pipeline does not compile). An existing name is 409 "
     "unless \"replace\" is true: then 200 with the next version, keys kept, swapped in without "
     "failing a request in flight; a new version that does not compile is 422 "
     "\"cannot_deploy\" and the old one stays.",
     NULL, NULL},
    {"GET", "/api/endpoints", "Endpoints",
     "{\"endpoints\": [endpoint...]}, by name. An endpoint is {\"name\", \"version\", \"state\" "
     "(deploying, healthy, failed), \"reason\", \"source\", \"description\", \"created_at\", "
     "\"updated_at\", \"fast_path\", \"warnings\", \"urls\" {\"score\", \"invocations\", "
     "\"openapi\", \"v2_infer\", \"v2_model\", \"v2_ready\"}, \"input_schema\", "
     "\"output_schema\" ({\"columns\": [{\"name\", \"type\", \"levels\"?}]}), \"metrics\" "
     "{\"requests\", \"errors\", \"latency_ms\": {\"p50\", \"p95\", \"p99\"}}}.",
     NULL, NULL},
    {"GET", "/api/endpoints/{name}", "One endpoint",
     "The endpoint as in the list, with its pipeline \"document\". Never its keys.", NULL, NULL},
    {"DELETE", "/api/endpoints/{name}", "Delete an endpoint",
     "{\"name\", \"deleted\": true}; its scoring routes answer 404 at once.", NULL, NULL},
    {"POST", "/api/endpoints/{name}/keys/{which}/regenerate", "Replace a key",
     "{which} is primary or secondary. Answers {\"name\", \"which\", \"key\"}: the new key, shown "
     "this once. The old key stops working at once; the other key is unchanged.",
     NULL, NULL},
    {"POST", "/api/endpoints/{name}/score", "Score without a key (test)",
     "The native request and reply of POST /endpoints/{name}/score, with the workspace token "
     "instead of an endpoint key: the designer's Test tab.",
     NULL, NULL},
    /* -- compute targets (#12) -- */
    {"GET", "/api/compute", "Compute targets",
     "{\"targets\": [{\"name\", \"kind\", \"config\", \"created_at\", \"builtin\"}]}: where runs "
     "can execute. \"local\" (this machine) is built in and listed first.",
     NULL, NULL},
    {"POST", "/api/compute", "Add a compute target",
     "{\"name\", \"kind\": \"slurm\" | \"local\", \"config\": {\"partition\", \"account\", "
     "\"time_limit\", \"cpus\", \"memory_mb\", \"sbatch_args\", \"workspace\", \"weft\", "
     "\"retries\", \"max_jobs\", \"job_arrays\"}} (docs/slurm.md). 201 with the target; 409 when "
     "the name is "
     "taken; 422 for a setting that is not valid.",
     NULL, NULL},
    {"GET", "/api/compute/{name}", "One compute target", "404 when there is no such target.", NULL,
     NULL},
    {"PUT", "/api/compute/{name}", "Create or replace a compute target",
     "{\"kind\", \"config\"}: the target's new settings. \"local\" cannot be replaced.", NULL,
     NULL},
    {"DELETE", "/api/compute/{name}", "Remove a compute target",
     "Runs that used it keep its name. \"local\" cannot be removed.", NULL, NULL},
    {"GET", "/api/runs/{id}/compute", "Where a run ran",
     "{\"run_id\", \"compute\", \"jobs\": [{\"node\", \"job_id\"}]}: the run's compute target and "
     "the Slurm job of each step that ran as one.",
     NULL, NULL},
    /* -- samples (#11) -- */
};

static const srv__op_doc *srv__doc_for(const srv_route *r)
{
    for (size_t i = 0; i < sizeof srv__docs / sizeof srv__docs[0]; i++)
        if (strcmp(srv__docs[i].method, r->method) == 0 &&
            strcmp(srv__docs[i].pattern, r->pattern) == 0)
            return &srv__docs[i];
    return NULL;
}

/* "get_datasets_by_name_versions" for GET /api/datasets/{name}/versions. */
static json_t *srv__operation_id(const srv_route *r)
{
    wf_buf b = {0};
    for (const char *m = r->method; *m; m++) {
        char c = (char)(*m >= 'A' && *m <= 'Z' ? *m - 'A' + 'a' : *m);
        wf_buf_append(&b, &c, 1);
    }
    const char *p = strncmp(r->pattern, "/api/", 5) == 0 ? r->pattern + 4 : r->pattern;
    for (; *p; p++) {
        char c = *p;
        if (c == '{') {
            wf_buf_puts(&b, "_by_");
        } else if (c == '/' || c == '.' || c == '-') {
            if (b.len > 0 && b.data[b.len - 1] != '_') wf_buf_append(&b, "_", 1);
        } else if (c != '}') {
            wf_buf_append(&b, &c, 1);
        }
    }
    json_t *id = b.failed ? NULL : json_string(b.data);
    wf_buf_free(&b);
    return id;
}

static json_t *srv__parameters(const srv_route *r, const srv__op_doc *doc)
{
    json_t *params = json_array();
    for (const char *p = strchr(r->pattern, '{'); p != NULL; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (end == NULL) break;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
        json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in",
                                                "path", "required", 1, "schema", "type", "string"));
    }
    for (const char *q = doc ? doc->query : NULL; q != NULL && *q;) {
        size_t n = strcspn(q, ",");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)n, q);
        json_array_append_new(params,
                              json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "query",
                                        "required", 0, "schema", "type", "string"));
        q += n + (q[n] == ',');
    }
    return params;
}

static json_t *srv__operation(const srv_route *r)
{
    const srv__op_doc *doc = srv__doc_for(r);
    char summary[256];
    snprintf(summary, sizeof summary, "%s %s", r->method, r->pattern);
    const char *tag = "api";
    char tag_buf[64];
    if (strncmp(r->pattern, "/api/", 5) == 0) {
        snprintf(tag_buf, sizeof tag_buf, "%.*s", (int)strcspn(r->pattern + 5, "/."),
                 r->pattern + 5);
        tag = tag_buf;
    }
    json_t *op =
        json_pack("{s:o, s:s, s:[s], s:o}", "operationId", srv__operation_id(r), "summary",
                  doc ? doc->summary : summary, "tags", tag, "parameters", srv__parameters(r, doc));
    if (op == NULL) return NULL;
    if (doc != NULL && doc->description != NULL)
        json_object_set_new(op, "description", json_string(doc->description));
    const char *type = doc && doc->reply_type ? doc->reply_type : "application/json";
    json_object_set_new(op, "responses",
                        json_pack("{s:{s:s, s:{s:{}}}, s:{s:s}}", "200", "description", "Success",
                                  "content", type, "default", "$ref",
                                  "#/components/responses/Error"));
    if (r->flags & SRV_ROUTE_STREAM_UPLOAD)
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s, s:s}}}}", "required", 1, "content",
                                      "application/octet-stream", "schema", "type", "string",
                                      "format", "binary"));
    else if (strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0 ||
             strcmp(r->method, "PATCH") == 0)
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 0, "content",
                                      "application/json", "schema", "type", "object"));
    if (r->flags & SRV_ROUTE_PUBLIC) json_object_set_new(op, "security", json_array());
    return op;
}

static json_t *srv__components(void)
{
    json_t *inner = json_pack("{s:s, s:[s,s,s], s:{s:{s:s}, s:{s:s}, s:{}}}", "type", "object",
                              "required", "code", "message", "details", "properties", "code",
                              "type", "string", "message", "type", "string", "details");
    json_t *error = json_pack("{s:s, s:[s], s:{s:o}}", "type", "object", "required", "error",
                              "properties", "error", inner);
    json_t *reply =
        json_pack("{s:s, s:{s:{s:{s:s}}}}", "description",
                  "An error: {\"error\": {\"code\", \"message\", \"details\"}}", "content",
                  "application/json", "schema", "$ref", "#/components/schemas/Error");
    return json_pack("{s:{s:{s:s, s:s}}, s:{s:o}, s:{s:o}}", "securitySchemes", "bearer", "type",
                     "http", "scheme", "bearer", "schemas", "Error", error, "responses", "Error",
                     reply);
}

json_t *srv__openapi_document(void)
{
    json_t *paths = json_object();
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:o, s:[{s:[]}], s:o}", "openapi", "3.0.3", "info", "title",
        "weft", "version", WEFT_VERSION, "description",
        "The weft workspace as a service: datasets, modules, pipelines, runs and models. "
        "Every route under /api speaks JSON; errors are {\"error\": {\"code\", \"message\", "
        "\"details\"}}. A token, when the server has one, goes in \"Authorization: Bearer "
        "<token>\".",
        "paths", paths, "security", "bearer", "components", srv__components());
    if (doc == NULL) return NULL;
    for (size_t t = 0; srv__route_tables[t] != NULL; t++) {
        for (const srv_route *r = srv__route_tables[t]; r->method != NULL; r++) {
            /* Scoring routes are outside the API: each endpoint describes
             * them in its own document (/endpoints/{name}/openapi.json). */
            if (r->flags & SRV_ROUTE_SCORING) continue;
            json_t *item = json_object_get(paths, r->pattern);
            if (item == NULL) {
                item = json_object();
                if (json_object_set_new(paths, r->pattern, item) < 0) goto oom;
            }
            char method[16];
            size_t i = 0;
            for (; r->method[i] && i + 1 < sizeof method; i++)
                method[i] =
                    (char)(r->method[i] >= 'A' && r->method[i] <= 'Z' ? r->method[i] - 'A' + 'a'
                                                                      : r->method[i]);
            method[i] = '\0';
            json_t *op = srv__operation(r);
            if (op == NULL || json_object_set_new(item, method, op) < 0) goto oom;
        }
    }
    return doc;
oom:
    json_decref(doc);
    return NULL;
}
