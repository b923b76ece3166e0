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
    /* -- inference pipelines and published pipelines (#10) -- */
    /* -- endpoints and scoring protocols (#10) -- */
    /* -- compute targets (#12) -- */
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
